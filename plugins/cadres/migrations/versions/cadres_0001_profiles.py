"""cadres: profiles and their sections (posts, education, military service, relations, training,
rewards, annual grades, expertise tags), the view log and saved searches

The first revision of the cadre cloud's own branch (label ``cadres``); it needs the core's
people, units and users.

Revision ID: cadres_0001
Revises:
Create Date: 2026-11-30 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "cadres_0001"
down_revision = None
branch_labels = ("cadres",)
depends_on = "0012"


def upgrade() -> None:
    op.create_table(
        "cadre_saved_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "name", name="uq_cadre_saved_queries_locality_name"),
    )
    op.create_table(
        "cadre_annual_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "year", name="uq_cadre_annual_grades_person_year"),
    )
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cadre_annual_grades_locality_year_grade", ["locality_id", "year", "grade"], unique=False
        )

    op.create_table(
        "cadre_education",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("school", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("major", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("class_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("degree", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_education", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_education_locality_school", ["locality_id", "school"], unique=False)
        batch_op.create_index("ix_cadre_education_person", ["person_id"], unique=False)

    op.create_table(
        "cadre_military",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_designation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_military", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_military_locality_unit", ["locality_id", "unit_designation"], unique=False)

    op.create_table(
        "cadre_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("post", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rank", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("principal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_posts", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_posts_locality_unit", ["locality_id", "unit_name"], unique=False)
        batch_op.create_index("ix_cadre_posts_person", ["person_id", "start"], unique=False)

    op.create_table(
        "cadre_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("native_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("native_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("birthplace_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("birthplace_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("party_joined", sa.Date(), nullable=True),
        sa.Column("work_started", sa.Date(), nullable=True),
        sa.Column("rank_since", sa.Date(), nullable=True),
        sa.Column("resume", sa.Text(), nullable=False),
        sa.Column("edu_rank_any", sa.Integer(), nullable=False),
        sa.Column("edu_rank_full_time", sa.Integer(), nullable=False),
        sa.Column("degree_rank", sa.Integer(), nullable=False),
        sa.Column("training_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", name="uq_cadre_profiles_person"),
    )
    with op.batch_alter_table("cadre_profiles", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_profiles_locality_edu", ["locality_id", "edu_rank_any"], unique=False)
        batch_op.create_index("ix_cadre_profiles_locality_native", ["locality_id", "native_code"], unique=False)

    op.create_table(
        "cadre_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("birth", sa.Date(), nullable=True),
        sa.Column("id_card_cipher", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("id_card_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("unit_post", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("party", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_relations", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_relations_locality_digest", ["locality_id", "id_card_digest"], unique=False)
        batch_op.create_index("ix_cadre_relations_locality_name", ["locality_id", "name"], unique=False)
        batch_op.create_index("ix_cadre_relations_person", ["person_id"], unique=False)

    op.create_table(
        "cadre_rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_rewards", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_rewards_person", ["person_id"], unique=False)

    op.create_table(
        "cadre_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "tag", name="uq_cadre_tags_person_tag"),
    )
    with op.batch_alter_table("cadre_tags", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_tags_locality_tag", ["locality_id", "tag", "person_id"], unique=False)

    op.create_table(
        "cadre_trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organiser", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_trainings", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_trainings_person", ["person_id"], unique=False)

    op.create_table(
        "cadre_view_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_ids", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cadre_view_log", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_view_log_locality_at", ["locality_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cadre_view_log", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_view_log_locality_at")

    op.drop_table("cadre_view_log")
    with op.batch_alter_table("cadre_trainings", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_trainings_person")

    op.drop_table("cadre_trainings")
    with op.batch_alter_table("cadre_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_tags_locality_tag")

    op.drop_table("cadre_tags")
    with op.batch_alter_table("cadre_rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_rewards_person")

    op.drop_table("cadre_rewards")
    with op.batch_alter_table("cadre_relations", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_relations_person")
        batch_op.drop_index("ix_cadre_relations_locality_name")
        batch_op.drop_index("ix_cadre_relations_locality_digest")

    op.drop_table("cadre_relations")
    with op.batch_alter_table("cadre_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_profiles_locality_native")
        batch_op.drop_index("ix_cadre_profiles_locality_edu")

    op.drop_table("cadre_profiles")
    with op.batch_alter_table("cadre_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_posts_person")
        batch_op.drop_index("ix_cadre_posts_locality_unit")

    op.drop_table("cadre_posts")
    with op.batch_alter_table("cadre_military", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_military_locality_unit")

    op.drop_table("cadre_military")
    with op.batch_alter_table("cadre_education", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_education_person")
        batch_op.drop_index("ix_cadre_education_locality_school")

    op.drop_table("cadre_education")
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_annual_grades_locality_year_grade")

    op.drop_table("cadre_annual_grades")
    op.drop_table("cadre_saved_queries")

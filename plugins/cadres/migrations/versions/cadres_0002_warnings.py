"""cadres: annual grades remember where they came from (entered, or a published campaign of
Kaoping), negative-information records pulled in by adapters, and warnings

``cadre_annual_grades`` gains ``source`` ('' entered, 'kaoping') and ``campaign_id``; a person
has one grade per year and source (the unique key takes ``source`` in).

Revision ID: cadres_0002
Revises: cadres_0001
Create Date: 2026-11-30 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "cadres_0002"
down_revision = "cadres_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_cadre_annual_grades_campaign_id_campaigns", "campaigns", ["campaign_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint("uq_cadre_annual_grades_person_year", type_="unique")
        batch_op.create_unique_constraint("uq_cadre_annual_grades_person_year_source", ["person_id", "year", "source"])
    op.create_table(
        "cadre_negative_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("on", sa.Date(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["adapter_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "source", "external_id", name="uq_cadre_negative_records_source_external"),
    )
    with op.batch_alter_table("cadre_negative_records", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_negative_records_person", ["person_id", "on"], unique=False)
        batch_op.create_index("ix_cadre_negative_records_locality_created", ["locality_id", "created_at"], unique=False)
    op.create_table(
        "cadre_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "person_id", "key", name="uq_cadre_warnings_person_key"),
    )
    with op.batch_alter_table("cadre_warnings", schema=None) as batch_op:
        batch_op.create_index("ix_cadre_warnings_locality_created", ["locality_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cadre_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_warnings_locality_created")
    op.drop_table("cadre_warnings")
    with op.batch_alter_table("cadre_negative_records", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_negative_records_locality_created")
        batch_op.drop_index("ix_cadre_negative_records_person")
    op.drop_table("cadre_negative_records")
    op.execute("DELETE FROM cadre_annual_grades WHERE source <> ''")
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cadre_annual_grades_person_year_source", type_="unique")
        batch_op.create_unique_constraint("uq_cadre_annual_grades_person_year", ["person_id", "year"])
        batch_op.drop_constraint("fk_cadre_annual_grades_campaign_id_campaigns", type_="foreignkey")
        batch_op.drop_column("campaign_id")
        batch_op.drop_column("source")

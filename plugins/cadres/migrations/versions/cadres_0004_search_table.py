"""cadres: the search table (``cadre_search``, ``plugins.cadres.search_table``): one narrow row
per person with what the condition search compares, filled here from ``people`` and
``cadre_profiles`` for existing data; and the annual grades indexed by grade, so "优秀 in the
last 3 years" reads only the rows of that grade.

Revision ID: cadres_0004
Revises: cadres_0003
Create Date: 2026-12-01 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cadres_0004"
down_revision = "cadres_0003"
branch_labels = None
depends_on = None

PERSON = ("name", "birth_date", "gender", "ethnicity", "party", "rank")
PROFILE = ("native_code", "rank_since", "edu_rank_any", "edu_rank_full_time", "degree_rank", "training_hours")


def upgrade() -> None:
    op.create_table(
        "cadre_search",
        sa.Column("locality_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("ethnicity", sa.String(length=50), nullable=False),
        sa.Column("party", sa.String(length=50), nullable=False),
        sa.Column("rank", sa.String(length=50), nullable=False),
        sa.Column("native_code", sa.String(length=6), nullable=True),
        sa.Column("rank_since", sa.Date(), nullable=True),
        sa.Column("edu_rank_any", sa.Integer(), nullable=True),
        sa.Column("edu_rank_full_time", sa.Integer(), nullable=True),
        sa.Column("degree_rank", sa.Integer(), nullable=True),
        sa.Column("training_hours", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("locality_id", "person_id"),
        sa.UniqueConstraint("person_id", name="uq_cadre_search_person"),
        sqlite_with_rowid=False,
    )
    people = sa.table("people", *(sa.column(c) for c in ("id", "locality_id", *PERSON)))
    profiles = sa.table("cadre_profiles", *(sa.column(c) for c in ("person_id", *PROFILE)))
    search = sa.table("cadre_search", *(sa.column(c) for c in ("person_id", "locality_id", *PERSON, *PROFILE)))
    rows = sa.select(
        people.c.id,
        people.c.locality_id,
        *(people.c[c] for c in PERSON),
        *(profiles.c[c] for c in PROFILE),
    ).select_from(people.outerjoin(profiles, profiles.c.person_id == people.c.id))
    op.get_bind().execute(search.insert().from_select(["person_id", "locality_id", *PERSON, *PROFILE], rows))
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cadre_annual_grades_locality_grade_year", ["locality_id", "grade", "year", "person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cadre_annual_grades", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_annual_grades_locality_grade_year")
    op.drop_table("cadre_search")

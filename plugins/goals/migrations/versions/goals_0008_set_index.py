"""goals: the index by (locality, year) also holds each goal's set (unit, team), so that the
county view counts the goals of every set of a year from the index alone (an index-only scan on
PostgreSQL, a covering index on SQLite) instead of reading every goal row of the year

Revision ID: goals_0008
Revises: goals_0007
Create Date: 2026-12-01 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "goals_0008"
down_revision = "goals_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_goals_locality_year_set", "goals", ["locality_id", "year", "unit_id", "team_id"])
    op.drop_index("ix_goals_locality_year", table_name="goals")


def downgrade() -> None:
    op.create_index("ix_goals_locality_year", "goals", ["locality_id", "year"])
    op.drop_index("ix_goals_locality_year_set", table_name="goals")

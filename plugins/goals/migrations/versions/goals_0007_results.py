"""goals: year-end results per set (team or unit) and per person, stored when the office
finishes scoring a set for a period (goals_results)

Revision ID: goals_0007
Revises: goals_0006
Create Date: 2026-12-01 02:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "goals_0007"
down_revision = "goals_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("set_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("person_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("standard", sa.Float(), nullable=False),
        sa.Column("finished_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "set_key", "period", "subject", name="uq_goals_results_set_period_subject"),
    )
    with op.batch_alter_table("goals_results", schema=None) as batch_op:
        batch_op.create_index("ix_goals_results_locality_period", ["locality_id", "period"])


def downgrade() -> None:
    with op.batch_alter_table("goals_results", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_results_locality_period")
    op.drop_table("goals_results")

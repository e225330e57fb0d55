"""goals: the office's year-end scores of goals, per period

Revision ID: goals_0002
Revises: goals_0001
Create Date: 2026-11-30 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "goals_0002"
down_revision = "goals_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("standard", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("deduction", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("scored_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("goal_id", "period", name="uq_goals_scores_goal_period"),
    )
    with op.batch_alter_table("goals_scores", schema=None) as batch_op:
        batch_op.create_index("ix_goals_scores_locality_period", ["locality_id", "period"])


def downgrade() -> None:
    with op.batch_alter_table("goals_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_scores_locality_period")
    op.drop_table("goals_scores")

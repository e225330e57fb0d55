"""goals: the unit's public or private answers to comments (点评) on goals

Revision ID: goals_0003
Revises: goals_0002
Create Date: 2026-11-30 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "goals_0003"
down_revision = "goals_0002"
branch_labels = None
depends_on = "0019"  # the core's comments


def upgrade() -> None:
    op.create_table(
        "goals_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", name="uq_goals_answers_comment"),
    )


def downgrade() -> None:
    op.drop_table("goals_answers")

"""worklog: who grades whom in a quarter where the office chose otherwise than the supervising
leaders (per person or per unit)

Revision ID: worklog_0004
Revises: worklog_0003
Create Date: 2026-11-30 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "worklog_0004"
down_revision = "worklog_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklog_graders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("quarter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("grader_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["quarter_id"], ["worklog_quarters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["grader_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quarter_id", "person_id", name="uq_worklog_graders_quarter_person"),
        sa.UniqueConstraint("quarter_id", "unit_id", name="uq_worklog_graders_quarter_unit"),
    )
    with op.batch_alter_table("worklog_graders", schema=None) as batch_op:
        batch_op.create_index("ix_worklog_graders_quarter_grader", ["quarter_id", "grader_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worklog_graders", schema=None) as batch_op:
        batch_op.drop_index("ix_worklog_graders_quarter_grader")
    op.drop_table("worklog_graders")

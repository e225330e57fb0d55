"""worklog: reminders sent for entries past their deadline, one per person, kind and period

Revision ID: worklog_0003
Revises: worklog_0002
Create Date: 2026-11-30 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "worklog_0003"
down_revision = "worklog_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklog_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "kind", "period", name="uq_worklog_reminders_person_kind_period"),
    )
    with op.batch_alter_table("worklog_reminders", schema=None) as batch_op:
        batch_op.create_index("ix_worklog_reminders_locality_period", ["locality_id", "period", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worklog_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_worklog_reminders_locality_period")
    op.drop_table("worklog_reminders")

"""worklog: entries (plans and records by period), their submitted versions, views and view notices

The first revision of the worklog plugin's own branch (label ``worklog``); it needs the core's
people, users and notifications (0012).

Revision ID: worklog_0001
Revises:
Create Date: 2026-11-30 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "worklog_0001"
down_revision = None
branch_labels = ("worklog",)
depends_on = "0012"


def upgrade() -> None:
    op.create_table(
        "worklog_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("versions", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "person_id", "kind", "period", name="uq_worklog_entries_person_kind_period"),
    )
    with op.batch_alter_table("worklog_entries", schema=None) as batch_op:
        batch_op.create_index("ix_worklog_entries_locality_period", ["locality_id", "period", "kind"], unique=False)
        batch_op.create_index(
            "ix_worklog_entries_person_start", ["locality_id", "person_id", "period_start"], unique=False
        )

    op.create_table(
        "worklog_entry_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["worklog_entries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "number", name="uq_worklog_entry_versions_entry_number"),
    )
    op.create_table(
        "worklog_entry_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first_viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["worklog_entries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "user_id", name="uq_worklog_entry_views_entry_user"),
    )
    op.create_table(
        "worklog_view_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "user_id", "day", name="uq_worklog_view_notices_person_user_day"),
    )


def downgrade() -> None:
    op.drop_table("worklog_view_notices")
    op.drop_table("worklog_entry_views")
    op.drop_table("worklog_entry_versions")
    with op.batch_alter_table("worklog_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_worklog_entries_person_start")
        batch_op.drop_index("ix_worklog_entries_locality_period")
    op.drop_table("worklog_entries")

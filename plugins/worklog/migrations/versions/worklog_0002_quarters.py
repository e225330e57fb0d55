"""worklog: quarterly evaluations (季度评价): the quarters a locality opened, with their indicator
template, and each person's grades with the hidden score

Revision ID: worklog_0002
Revises: worklog_0001
Create Date: 2026-11-30 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "worklog_0002"
down_revision = "worklog_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklog_quarters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["template_id"], ["indicator_templates.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "period", name="uq_worklog_quarters_locality_period"),
    )
    op.create_table(
        "worklog_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("quarter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("graded_by", sa.Integer(), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["graded_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["quarter_id"], ["worklog_quarters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quarter_id", "person_id", name="uq_worklog_evaluations_quarter_person"),
    )
    with op.batch_alter_table("worklog_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_worklog_evaluations_locality_person", ["locality_id", "person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worklog_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_worklog_evaluations_locality_person")
    op.drop_table("worklog_evaluations")
    op.drop_table("worklog_quarters")

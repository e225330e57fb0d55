"""goals: the county view's per-set roll-up cache (goals_rollups)

Revision ID: goals_0005
Revises: goals_0003
Create Date: 2026-11-30 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "goals_0005"
down_revision = "goals_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("set_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_version", sa.Integer(), nullable=True),
        sa.Column("tops", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("locality_id", "set_key", name="uq_goals_rollups_locality_set"),
    )
    with op.batch_alter_table("goals_rollups", schema=None) as batch_op:
        batch_op.create_index("ix_goals_rollups_locality_year", ["locality_id", "year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goals_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_rollups_locality_year")
    op.drop_table("goals_rollups")

"""goals: the county view's per-set roll-up cache (goals_rollups) and 一人一表, a unit's template
indicators split to its people with responsibility shares (goals_indicator_shares)

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
depends_on = None  # indicators, people, units and teams: the core's first revisions


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
    op.create_table(
        "goals_indicator_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["template_id"], ["indicator_templates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "indicator_id", "person_id", name="uq_goals_indicator_shares_unit_person"),
    )
    with op.batch_alter_table("goals_indicator_shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_goals_indicator_shares_locality_template", ["locality_id", "template_id", "unit_id"], unique=False
        )
        batch_op.create_index("ix_goals_indicator_shares_person", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goals_indicator_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_indicator_shares_person")
        batch_op.drop_index("ix_goals_indicator_shares_locality_template")
    op.drop_table("goals_indicator_shares")
    with op.batch_alter_table("goals_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_rollups_locality_year")
    op.drop_table("goals_rollups")

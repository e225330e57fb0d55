"""goals: a copied goal names the goal it was copied from (goals.copied_from), so that a goal's
history across years follows its copies even when they are renamed or moved

Revision ID: goals_0006
Revises: goals_0005
Create Date: 2026-12-01 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "goals_0006"
down_revision = "goals_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copied_from", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_goals_copied_from", "goals", ["copied_from"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_goals_copied_from", ["copied_from"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_copied_from")
        batch_op.drop_constraint("fk_goals_copied_from", type_="foreignkey")
        batch_op.drop_column("copied_from")

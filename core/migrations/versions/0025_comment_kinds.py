"""comments.kind: what sort of comment it is, in the owning plugin's words (goals: comment,
suggestion, report); null for a plain comment

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 22:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: SQLite adds the column in place (no batch-mode table rebuild)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("kind")

"""teams.term_end: the day a leadership team's term ends (届满), when known; null otherwise
(the cadre cloud's structure analysis then assumes a term of five years from the day of the check)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: SQLite adds the column in place (no batch-mode table rebuild)
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_end", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("term_end")

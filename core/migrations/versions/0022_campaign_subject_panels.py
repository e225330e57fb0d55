"""campaigns.subject_panels: evaluators may open what feature plugins tell about each subject
from the ballot (hook kaoping_subject_panels)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 19:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a constant default ("0", false on both databases): SQLite adds the column in place, where an
    # expression such as sa.false() would make batch mode rebuild the table
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_panels", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("subject_panels")

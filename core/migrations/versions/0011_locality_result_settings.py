"""a locality's result settings: decimals of shown scores, minimum turnout for a tally

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_decimals', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('min_turnout_percent', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.drop_column('min_turnout_percent')
        batch_op.drop_column('result_decimals')

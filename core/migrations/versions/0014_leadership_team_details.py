"""leadership teams: their type; members' administrative post, phone and supervised units (分管部门)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type', sa.String(length=20), nullable=False, server_default='other'))
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_post', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('supervised_unit_ids', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_column('supervised_unit_ids')
        batch_op.drop_column('phone')
        batch_op.drop_column('admin_post')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('type')

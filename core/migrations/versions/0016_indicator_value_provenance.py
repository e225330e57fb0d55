"""indicator values: where each came from (typed on the console, imported from a file, an adapter run, the API)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('origin_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('origin_file', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('origin_run_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_indicator_values_origin_user_id_users', 'users', ['origin_user_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key('fk_indicator_values_origin_run_id_adapter_runs', 'adapter_runs',
                                    ['origin_run_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_constraint('fk_indicator_values_origin_run_id_adapter_runs', type_='foreignkey')
        batch_op.drop_constraint('fk_indicator_values_origin_user_id_users', type_='foreignkey')
        batch_op.drop_column('origin_run_id')
        batch_op.drop_column('origin_file')
        batch_op.drop_column('origin_user_id')
        batch_op.drop_column('origin')

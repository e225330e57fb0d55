"""login failures are counted per key and minute (login_failure_counts replaces login_failures)

A check of the login limits read one row per recorded failure; it now reads at most 15 rows per
key (one per minute of the window), however many failures there were. The old table is dropped
without carrying its rows over: an upgrade starts every count from zero (at most 15 minutes of
failures are forgotten).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failure_counts',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('bucket', sa.BigInteger(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'bucket')
    )
    with op.batch_alter_table('login_failure_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_counts_bucket'), ['bucket'], unique=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_key'))
        batch_op.drop_index(batch_op.f('ix_login_failures_created_at'))
    op.drop_table('login_failures')


def downgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_key'), ['key'], unique=False)
    with op.batch_alter_table('login_failure_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_counts_bucket'))
    op.drop_table('login_failure_counts')

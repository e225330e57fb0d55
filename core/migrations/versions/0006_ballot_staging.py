"""ballot box: staged (sealed) ballots, account receipts, sealed drafts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ballot_staging',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('locality_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('head', sa.LargeBinary(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ballot_staging', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_staging_locality_campaign', ['locality_id', 'campaign_id'], unique=False)
    with op.batch_alter_table('ballot_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('ballot_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ballot_drafts', schema=None) as batch_op:
        batch_op.drop_column('sealed')
    with op.batch_alter_table('ballot_accounts', schema=None) as batch_op:
        batch_op.drop_column('receipt')
    with op.batch_alter_table('ballot_staging', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_staging_locality_campaign')
    op.drop_table('ballot_staging')

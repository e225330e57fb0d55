"""paper ballots: sealed first entries waiting for a second clerk

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paper_entries',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('locality_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('clerk_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['ballot_accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['clerk_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('account_id'),
    )
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.create_index('ix_paper_entries_campaign', ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_paper_entries_campaign')
    op.drop_table('paper_entries')

"""assessment-group users and the campaigns they may read (assessment_assignments)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_assignments',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'campaign_id')
    )
    with op.batch_alter_table('assessment_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_assignments_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_assignments_campaign_id'))
    op.drop_table('assessment_assignments')

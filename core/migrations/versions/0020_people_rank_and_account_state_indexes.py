"""indexes for the people list's rank filter and the people's accounts counts

``ix_people_locality_rank``: the ranks held in a locality are read by skipping along it (one
probe per rank, not a scan of 100,000 people) and the people of one rank found on it.
``ix_users_locality_person_state``: the people's accounts page counts accounts, activated and
revoked ones from the index alone.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 17:25:00
"""

from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_locality_rank', ['locality_id', 'rank'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_locality_person_state', ['locality_id', 'person_id', 'activated_at',
                                                                 'is_active'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_locality_person_state')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_locality_rank')

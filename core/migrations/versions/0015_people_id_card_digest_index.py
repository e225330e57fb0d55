"""an index on people.id_card_digest alone, for signing in by ID-card number

A person's own account signs in with their ID-card number (core/services/people_accounts.py),
looked up by its keyed digest before the locality is known: (locality_id, id_card_digest)
cannot serve that.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_id_card_digest', ['id_card_digest'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_id_card_digest')

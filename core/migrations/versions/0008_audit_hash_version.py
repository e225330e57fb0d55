"""audit log: the version of each entry's hash (1 plain SHA-256, 2 HMAC under the secret key)

Existing entries are version 1. A migration has no secret key, so it cannot re-key them: the
app does (``core.services.audit.rekey``) after checking their plain chain, from
``kaoping db upgrade``, ``kaoping audit rekey`` or at start.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('hash_version')

"""indexes for the console's people list: pages in id order and names found by their beginning

(locality_id, id) and (locality_id, name). With 100,000 people a page far down the list took a second on SQLite (OFFSET, and a sort of
every row); the list now reads a page after an id on the first index, and a name search reads
a range of the second.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_locality_id', ['locality_id', 'id'], unique=False)
        batch_op.create_index('ix_people_locality_name', ['locality_id', 'name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_locality_name')
        batch_op.drop_index('ix_people_locality_id')

"""index for the people list's "post contains" filter: ix_people_locality_post

The posts held in a locality are few next to its people (hundreds of distinct 职务 for 100,000
people): the filter skips along this index to the posts that contain the word (one probe per
post held), then reads the people of those posts on it, instead of a LIKE '%word%' read from
every person (core.services.org_lists).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 01:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_people_locality_post", "people", ["locality_id", "post"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_people_locality_post", table_name="people")

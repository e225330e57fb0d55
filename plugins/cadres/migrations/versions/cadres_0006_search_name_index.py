"""cadres: the search table indexed by name within a locality (``ix_cadre_search_locality_name``,
on PostgreSQL): a search's page, in name order, is read through it and stops after the page
when most of a locality matches, instead of sorting every row found (``plugins.cadres.search``
``_page``). Not on SQLite, where the table is clustered by locality and the page is sorted
from that range (its planner, without statistics, would walk the name index for narrow
searches too).

Revision ID: cadres_0006
Revises: cadres_0005
Create Date: 2026-12-01 05:50:00
"""

from __future__ import annotations

from alembic import op

revision = "cadres_0006"
down_revision = "cadres_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_cadre_search_locality_name", "cadre_search", ["locality_id", "name", "person_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cadre_search_locality_name", table_name="cadre_search")

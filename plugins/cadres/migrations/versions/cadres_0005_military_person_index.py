"""cadres: military service indexed by person (``ix_cadre_military_person``), as every other
section is: the facts of a few people (one candidate placed into a team) read their military
service by their ids instead of every row of the locality (on SQLite, the locality's rows were
read through ``ix_cadre_military_locality_unit`` for each placement).

Revision ID: cadres_0005
Revises: cadres_0004
Create Date: 2026-12-01 04:45:00
"""

from __future__ import annotations

from alembic import op

revision = "cadres_0005"
down_revision = "cadres_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cadre_military_person", "cadre_military", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cadre_military_person", table_name="cadre_military")

"""packed ballots: a ballot's grades in one row (``ballots.grades``) instead of one ``ballot_items`` row per item

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 19:30:00

Every stored ballot is converted (``core.services.ballot_grades`` describes the layout):

- ``ballot_positions`` gets, per campaign and evaluator category that has ballots, the items its
  ballots rated, ordered by subject id then indicator id: position ``p`` -> (subject,
  indicator). Each ballot's items become ``grades``, byte ``p`` = grade index + 1 (0: not rated).
- Ballots are converted ``_CHUNK`` at a time (by id), so memory stays bounded; the counts, the
  per-ballot scores and so the results of every campaign are the same before and after
  (tests/core/test_migration_packed_ballots.py tallies both).
- A grade index outside 0-254 cannot be packed; no template has that many grades, and the tally
  never counted such an item (it counts indices within the template's scale). Any such item is
  left out and named in a warning.
- ``ballot_items`` is dropped.

Downgrading writes the items back into ``ballot_items`` from the packed grades.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

log = logging.getLogger("kaoping.migrations")

_CHUNK = 2000  # ballots converted per round
_MAX_GRADE = 254


def _ballot_chunks(connection: sa.Connection):
    """Lists of ballot ids, ``_CHUNK`` at a time, in id order."""
    last = ""
    while True:
        ids = (
            connection.execute(
                sa.text("SELECT id FROM ballots WHERE id > :last ORDER BY id LIMIT :n"), {"last": last, "n": _CHUNK}
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def upgrade() -> None:
    op.create_table(
        "ballot_positions",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["category_id"], ["campaign_categories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("campaign_id", "category_id", "position"),
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grades", sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    index: dict[tuple[int, int], dict[tuple[int, int], int]] = defaultdict(dict)
    positions = []
    for campaign_id, category_id, locality_id, subject_id, indicator_id in connection.execute(
        sa.text(
            "SELECT DISTINCT b.campaign_id, b.category_id, b.locality_id, i.subject_id, i.indicator_id "
            "FROM ballot_items i JOIN ballots b ON b.id = i.ballot_id ORDER BY 1, 2, 4, 5"
        )
    ):
        order = index[(campaign_id, category_id)]
        order[(subject_id, indicator_id)] = len(order)
        positions.append(
            {
                "campaign_id": campaign_id,
                "category_id": category_id,
                "position": len(order) - 1,
                "locality_id": locality_id,
                "subject_id": subject_id,
                "indicator_id": indicator_id,
            }
        )
        if len(positions) >= _CHUNK:
            connection.execute(
                sa.text(
                    "INSERT INTO ballot_positions (campaign_id, category_id, position, locality_id, subject_id, "
                    "indicator_id) VALUES (:campaign_id, :category_id, :position, :locality_id, :subject_id, :indicator_id)"
                ),
                positions,
            )
            positions = []
    if positions:
        connection.execute(
            sa.text(
                "INSERT INTO ballot_positions (campaign_id, category_id, position, locality_id, subject_id, "
                "indicator_id) VALUES (:campaign_id, :category_id, :position, :locality_id, :subject_id, :indicator_id)"
            ),
            positions,
        )

    unpackable = []
    for ids in _ballot_chunks(connection):
        items: dict[str, list] = defaultdict(list)
        category_of: dict[str, tuple[int, int]] = {}
        for ballot_id, campaign_id, category_id, subject_id, indicator_id, grade in connection.execute(
            sa.text(
                "SELECT i.ballot_id, b.campaign_id, b.category_id, i.subject_id, i.indicator_id, i.grade "
                "FROM ballot_items i JOIN ballots b ON b.id = i.ballot_id "
                "WHERE i.ballot_id >= :first AND i.ballot_id <= :last"
            ),
            {"first": ids[0], "last": ids[-1]},
        ):
            items[ballot_id].append((subject_id, indicator_id, grade))
            category_of[ballot_id] = (campaign_id, category_id)
        rows = []
        for ballot_id in ids:
            order = index.get(category_of.get(ballot_id), {})
            grades = bytearray(len(order))
            for subject_id, indicator_id, grade in items.get(ballot_id, ()):
                if 0 <= grade <= _MAX_GRADE:
                    grades[order[(subject_id, indicator_id)]] = grade + 1
                else:
                    unpackable.append((ballot_id, subject_id, indicator_id, grade))
            rows.append({"id": ballot_id, "grades": bytes(grades)})
        connection.execute(
            sa.text("UPDATE ballots SET grades = :grades WHERE id = :id").bindparams(
                sa.bindparam("grades", type_=sa.LargeBinary())
            ),
            rows,
        )
    if unpackable:
        log.warning(
            "ballot_items: %d item(s) with a grade index outside 0-%d were left out (the tally never counted them): %s",
            len(unpackable),
            _MAX_GRADE,
            "; ".join(f"ballot {b}, subject {s}, indicator {i}: {g}" for b, s, i, g in unpackable[:50]),
        )

    with op.batch_alter_table("ballot_items", schema=None) as batch_op:
        batch_op.drop_index("ix_ballot_items_campaign_subject")
    op.drop_table("ballot_items")  # before ballots is rebuilt (SQLite): dropping it would cascade
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column("grades", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    # The items wait in a table without a foreign key while ballots is rebuilt without grades
    # (SQLite copies it into a new table and drops the old one, which would cascade to them).
    op.create_table(
        "_ballot_items_downgrade",
        sa.Column("ballot_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
    )
    connection = op.get_bind()
    layouts: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for campaign_id, category_id, subject_id, indicator_id in connection.execute(
        sa.text(
            "SELECT campaign_id, category_id, subject_id, indicator_id FROM ballot_positions "
            "ORDER BY campaign_id, category_id, position"
        )
    ):
        layouts[(campaign_id, category_id)].append((subject_id, indicator_id))
    for ids in _ballot_chunks(connection):
        rows = []
        for ballot_id, campaign_id, category_id, grades in connection.execute(
            sa.text("SELECT id, campaign_id, category_id, grades FROM ballots WHERE id >= :first AND id <= :last"),
            {"first": ids[0], "last": ids[-1]},
        ):
            order = layouts.get((campaign_id, category_id), [])
            for position, value in enumerate(bytes(grades)):
                if value and position < len(order):
                    subject_id, indicator_id = order[position]
                    rows.append(
                        {
                            "ballot_id": ballot_id,
                            "subject_id": subject_id,
                            "indicator_id": indicator_id,
                            "campaign_id": campaign_id,
                            "grade": value - 1,
                        }
                    )
        if rows:
            connection.execute(
                sa.text(
                    "INSERT INTO _ballot_items_downgrade (ballot_id, subject_id, indicator_id, campaign_id, grade) "
                    "VALUES (:ballot_id, :subject_id, :indicator_id, :campaign_id, :grade)"
                ),
                rows,
            )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("grades")
    op.drop_table("ballot_positions")

    op.create_table(
        "ballot_items",
        sa.Column("ballot_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballots.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ballot_id", "subject_id", "indicator_id"),
    )
    with op.batch_alter_table("ballot_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ballot_items_campaign_subject", ["campaign_id", "subject_id", "indicator_id"], unique=False
        )
    connection.execute(
        sa.text(
            "INSERT INTO ballot_items (ballot_id, subject_id, indicator_id, campaign_id, grade) "
            "SELECT ballot_id, subject_id, indicator_id, campaign_id, grade FROM _ballot_items_downgrade"
        )
    )
    op.drop_table("_ballot_items_downgrade")

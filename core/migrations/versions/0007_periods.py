"""periods: templates name the kind of period their values are for; stored periods become canonical

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:00:00

Every period stored as free text (``indicator_values.period``, ``campaigns.period``) is
rewritten into its canonical form (``core.periods``: ``2026年第四季度`` → ``2026-Q4``,
``2026/11`` → ``2026-11``). Adapter source mappings store no period, only where to read it
(``period.field``) or the kind of the run date's period (``year``, ``quarter``, ``month``,
``day``, all still valid): nothing to rewrite there.

- Text that is no period is left as it was and listed in a warning (table, id, text): nothing
  is lost, and nothing is guessed. Such a value matches no campaign with a proper period; a
  campaign with such a period cannot be saved or opened until the office gives it a period
  (its tally, if closed, still matches values with the very same text, as before).
- Two values of one subject, template and indicator whose periods were written differently but
  are the same period (``2026-03`` and ``2026年3月``) would now share one key: the one written
  last (``updated_at``, then id) is kept, as a later write of the same key would have replaced
  it; the others are deleted and listed in a warning with their values.

Downgrading drops ``indicator_templates.period_kind``; the periods stay canonical (a valid
text for the older version too).
"""

from __future__ import annotations

import logging
from collections import defaultdict

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

log = logging.getLogger("kaoping.migrations")

_KEY = ("locality_id", "subject_id", "template_id", "indicator_code")
_IN_CHUNK = 500


def _canonical(text: str) -> str | None:
    from core.periods import Period, PeriodError

    try:
        return str(Period.parse(text))
    except PeriodError:
        return None


def _renames(connection: sa.Connection, table: str) -> dict[str, str]:
    """Old text → canonical text of every distinct period of ``table`` that changes; warns
    about each one that is no period."""
    renames: dict[str, str] = {}
    unreadable: list[str] = []
    for (text,) in connection.execute(sa.text(f"SELECT DISTINCT period FROM {table} WHERE period <> ''")):
        canonical = _canonical(text)
        if canonical is None:
            unreadable.append(text)
        elif canonical != text:
            renames[text] = canonical
    if unreadable:
        rows = connection.execute(sa.text(f"SELECT id, period FROM {table} WHERE period IN :texts ORDER BY id")
                                  .bindparams(sa.bindparam("texts", expanding=True)), {"texts": unreadable}).all()
        log.warning("%s: %d row(s) keep a period that is no period (fix them by hand): %s", table, len(rows),
                    "; ".join(f"id {row_id}: {text!r}" for row_id, text in rows))
    return renames


def _in_chunks(items: list) -> list[list]:
    return [items[start:start + _IN_CHUNK] for start in range(0, len(items), _IN_CHUNK)]


def _migrate_values(connection: sa.Connection) -> None:
    renames = _renames(connection, "indicator_values")
    if not renames:
        return
    # The rows that could now share a key: those being renamed and those already canonical.
    texts = sorted(set(renames) | set(renames.values()))
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for chunk in _in_chunks(texts):
        for row in connection.execute(sa.text(
                "SELECT id, locality_id, subject_id, template_id, indicator_code, period, value, updated_at "
                "FROM indicator_values WHERE period IN :texts").bindparams(sa.bindparam("texts", expanding=True)),
                {"texts": chunk}):
            key = (row.locality_id, row.subject_id, row.template_id, row.indicator_code,
                   renames.get(row.period, row.period))
            groups[key].append(row)
    dropped = []
    for key, rows in groups.items():
        if len(rows) > 1:
            rows.sort(key=lambda r: (str(r.updated_at), r.id))
            dropped += [(row, key[-1], rows[-1]) for row in rows[:-1]]
    for chunk in _in_chunks([row.id for row, _period, _kept in dropped]):
        connection.execute(sa.text("DELETE FROM indicator_values WHERE id IN :ids")
                           .bindparams(sa.bindparam("ids", expanding=True)), {"ids": chunk})
    if dropped:
        log.warning("indicator_values: %d value(s) deleted: each had the same subject, template, indicator and "
                    "period as a value written later, which is kept: %s", len(dropped),
                    "; ".join(f"id {row.id} ({row.period!r} = {period}, value {row.value}; kept id {kept.id}, "
                              f"value {kept.value})" for row, period, kept in dropped))
    for old, new in renames.items():
        connection.execute(sa.text("UPDATE indicator_values SET period = :new WHERE period = :old"),
                           {"new": new, "old": old})


def _migrate_campaigns(connection: sa.Connection) -> None:
    connection.execute(sa.text("UPDATE campaigns SET period = '' WHERE period <> '' AND TRIM(period) = ''"))
    for old, new in _renames(connection, "campaigns").items():
        connection.execute(sa.text("UPDATE campaigns SET period = :new WHERE period = :old"), {"new": new, "old": old})


def upgrade() -> None:
    with op.batch_alter_table('indicator_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    connection = op.get_bind()
    _migrate_values(connection)
    _migrate_campaigns(connection)


def downgrade() -> None:
    with op.batch_alter_table('indicator_templates', schema=None) as batch_op:
        batch_op.drop_column('period_kind')

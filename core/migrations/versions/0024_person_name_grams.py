"""person_name_grams: each person's name cut into its characters and pairs of adjacent characters
(A-Z lower-cased), kept by triggers on people, so a word anywhere in a name is found along an index

Chinese names are 2-4 characters and a search is often 2 (a given name), which neither a
trigram index (pg_trgm, FTS5 trigram: at least 3 characters, and pg_trgm drops CJK characters
under the C locale) nor a B-tree on the name serves. One- and two-character words are grams;
a longer word is found by its first pair and checked against the name. The triggers keep the
rows on every write (the services, the imports' COPY, plain SQL), so no code path can forget;
existing people are filled in here. One B-tree (the primary key; WITHOUT ROWID on SQLite): a
person's rows are deleted by their keys, which the old name gives.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 22:30:00
"""

from __future__ import annotations

import string

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# positions 1..200 (a name's longest), read only as far as the name goes (LIMIT): SQLite
# triggers may not use a recursive WITH
_POSITIONS = "(VALUES " + ", ".join(f"({n})" for n in range(1, 201)) + ")"
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _sqlite_grams(row: str, size: int) -> str:
    """SELECT (locality_id, gram, person_id) of ``row``'s name's grams of ``size`` characters."""
    return (
        f"SELECT {row}.locality_id, lower(substr({row}.name, n.column1, {size})), {row}.id FROM {_POSITIONS} AS n "
        f"LIMIT max(length({row}.name) - {size - 1}, 0)"
    )


def _sqlite_insert(row: str) -> str:
    return "; ".join(
        f"INSERT OR IGNORE INTO person_name_grams (locality_id, gram, person_id) {_sqlite_grams(row, size)}"
        for size in (1, 2)
    )


def _sqlite_delete(row: str) -> str:
    return "; ".join(
        f"DELETE FROM person_name_grams WHERE locality_id = {row}.locality_id AND person_id = {row}.id "
        f"AND gram IN (SELECT lower(substr({row}.name, n.column1, {size})) FROM {_POSITIONS} AS n "
        f"LIMIT max(length({row}.name) - {size - 1}, 0))"
        for size in (1, 2)
    )


_PG_GRAMS = """
    SELECT DISTINCT translate(substr({row}.name, n, k), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    FROM generate_series(1, char_length({row}.name)) AS n, (VALUES (1), (2)) AS size(k)
    WHERE n + k - 1 <= char_length({row}.name)"""

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kaoping_person_name_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        DELETE FROM person_name_grams
        WHERE locality_id = OLD.locality_id AND person_id = OLD.id AND gram IN ({_PG_GRAMS.format(row="OLD")});
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        INSERT INTO person_name_grams (locality_id, gram, person_id)
        SELECT NEW.locality_id, gram, NEW.id FROM ({_PG_GRAMS.format(row="NEW")}) AS grams(gram);
    END IF;
    RETURN NULL;
END
$$"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "person_name_grams",
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("gram", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("locality_id", "gram", "person_id"),
        sqlite_with_rowid=False,
    )
    if sqlite:
        people = op.get_bind().execute(sa.text("SELECT id, locality_id, name FROM people")).all()
        grams = {
            (locality, name[i : i + size].translate(_LOWER), person)
            for person, locality, name in people
            for size in (1, 2)
            for i in range(len(name or "") - size + 1)
        }
        if grams:
            op.get_bind().execute(
                sa.text("INSERT INTO person_name_grams (locality_id, gram, person_id) VALUES (:l, :g, :p)"),
                [{"l": locality, "g": gram, "p": person} for locality, gram, person in grams],
            )
        op.execute(f"CREATE TRIGGER people_name_grams_insert AFTER INSERT ON people BEGIN {_sqlite_insert('NEW')}; END")
        op.execute(
            "CREATE TRIGGER people_name_grams_update AFTER UPDATE OF name, locality_id ON people "
            "WHEN OLD.name IS NOT NEW.name OR OLD.locality_id IS NOT NEW.locality_id BEGIN "
            f"{_sqlite_delete('OLD')}; {_sqlite_insert('NEW')}; END"
        )
        op.execute(f"CREATE TRIGGER people_name_grams_delete AFTER DELETE ON people BEGIN {_sqlite_delete('OLD')}; END")
    else:
        op.execute(
            "INSERT INTO person_name_grams (locality_id, gram, person_id) "
            f"SELECT p.locality_id, g.gram, p.id FROM people AS p, LATERAL ({_PG_GRAMS.format(row='p')}) AS g(gram)"
        )
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER people_name_grams AFTER INSERT OR DELETE OR UPDATE OF name, locality_id ON people "
            "FOR EACH ROW EXECUTE FUNCTION kaoping_person_name_grams()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS people_name_grams_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS people_name_grams ON people")
        op.execute("DROP FUNCTION IF EXISTS kaoping_person_name_grams()")
    op.drop_table("person_name_grams")

"""person_name_grams: each person's name cut into its characters and pairs of adjacent characters
(lower-cased), kept by triggers on people, so a word anywhere in a name is found along an index

Chinese names are 2-4 characters and a search is often 2 (a given name), which neither a
trigram index (pg_trgm, FTS5 trigram: at least 3 characters, and pg_trgm drops CJK characters
under the C locale) nor a B-tree on the name serves. One- and two-character words are grams;
a longer word is found by its first pair and checked against the name. The triggers keep the
rows on every write (the services, the imports' COPY, plain SQL), so no code path can forget;
existing people are filled in here.

Revision ID: 0024
Revises: 0022
Create Date: 2026-11-30 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None

# positions 1..200 (a name's longest): SQLite triggers may not use a recursive WITH
_POSITIONS = "(VALUES " + ", ".join(f"({n})" for n in range(1, 201)) + ")"


def _sqlite_grams(row: str) -> str:
    """SELECT (locality_id, gram, person_id) of every 1- and 2-character gram of ``row``'s name."""
    return (
        f"SELECT {row}.locality_id, lower(substr({row}.name, n.column1, k.column1)), {row}.id "
        f"FROM {_POSITIONS} AS n, (VALUES (1), (2)) AS k "
        f"WHERE n.column1 + k.column1 - 1 <= length({row}.name)"
    )


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kaoping_person_name_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        DELETE FROM person_name_grams WHERE person_id = OLD.id;
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        INSERT INTO person_name_grams (locality_id, gram, person_id)
        SELECT DISTINCT NEW.locality_id, lower(substr(NEW.name, n, k)), NEW.id
        FROM generate_series(1, char_length(NEW.name)) AS n, (VALUES (1), (2)) AS size(k)
        WHERE n + k - 1 <= char_length(NEW.name);
    END IF;
    RETURN NULL;
END
$$"""


def upgrade() -> None:
    op.create_table(
        "person_name_grams",
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("gram", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("locality_id", "gram", "person_id"),
    )
    op.create_index("ix_person_name_grams_person", "person_name_grams", ["person_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"INSERT OR IGNORE INTO person_name_grams (locality_id, gram, person_id) {_sqlite_grams('p')}".replace(
                "FROM (VALUES", "FROM people AS p, (VALUES", 1
            )
        )
        op.execute(
            "CREATE TRIGGER people_name_grams_insert AFTER INSERT ON people BEGIN "
            f"INSERT OR IGNORE INTO person_name_grams (locality_id, gram, person_id) {_sqlite_grams('NEW')}; END"
        )
        op.execute(
            "CREATE TRIGGER people_name_grams_update AFTER UPDATE OF name, locality_id ON people "
            "WHEN OLD.name IS NOT NEW.name OR OLD.locality_id IS NOT NEW.locality_id BEGIN "
            "DELETE FROM person_name_grams WHERE person_id = OLD.id; "
            f"INSERT OR IGNORE INTO person_name_grams (locality_id, gram, person_id) {_sqlite_grams('NEW')}; END"
        )
        op.execute(
            "CREATE TRIGGER people_name_grams_delete AFTER DELETE ON people BEGIN "
            "DELETE FROM person_name_grams WHERE person_id = OLD.id; END"
        )
    else:
        op.execute(
            "INSERT INTO person_name_grams (locality_id, gram, person_id) "
            "SELECT DISTINCT p.locality_id, lower(substr(p.name, n, k)), p.id "
            "FROM people AS p, generate_series(1, char_length(p.name)) AS n, (VALUES (1), (2)) AS size(k) "
            "WHERE n + k - 1 <= char_length(p.name)"
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
    op.drop_index("ix_person_name_grams_person", table_name="person_name_grams")
    op.drop_table("person_name_grams")

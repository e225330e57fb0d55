"""notifications.catalogue and notifications.param_types: a notification's catalogue (the plugin
whose catalogue holds its message, when its kind does not name it) and the types of its date and
datetime values, in columns of their own; they were private keys of ``params`` (``_catalogue``,
``_types``), which plugins forwarding notifications and API clients saw among the message's
values. Existing rows have both keys moved out of ``params`` into the columns.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# params is JSON (text) on both databases; PostgreSQL edits it as jsonb, SQLite with JSON1.
_UP = {
    "postgresql": [
        """UPDATE notifications SET
             catalogue = CASE WHEN jsonb_typeof(params::jsonb -> '_catalogue') = 'string'
                              THEN left(params::jsonb ->> '_catalogue', 50) END,
             param_types = CASE WHEN jsonb_typeof(params::jsonb -> '_types') = 'object'
                                THEN (params::jsonb -> '_types')::json END,
             params = (params::jsonb - '_catalogue' - '_types')::json
           WHERE params::jsonb ?| array['_catalogue', '_types']""",
    ],
    "sqlite": [
        """UPDATE notifications SET
             catalogue = CASE WHEN json_type(params, '$._catalogue') = 'text'
                              THEN substr(json_extract(params, '$._catalogue'), 1, 50) END,
             param_types = CASE WHEN json_type(params, '$._types') = 'object'
                                THEN json_extract(params, '$._types') END,
             params = json_remove(params, '$._catalogue', '$._types')
           WHERE json_type(params, '$._catalogue') IS NOT NULL OR json_type(params, '$._types') IS NOT NULL""",
    ],
}
_DOWN = {
    "postgresql": [
        """UPDATE notifications SET params = (params::jsonb
             || CASE WHEN catalogue IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('_catalogue', catalogue) END
             || CASE WHEN param_types IS NULL THEN '{}'::jsonb
                     ELSE jsonb_build_object('_types', param_types::jsonb) END)::json
           WHERE catalogue IS NOT NULL OR param_types IS NOT NULL""",
    ],
    "sqlite": [
        "UPDATE notifications SET params = json_set(params, '$._catalogue', catalogue) WHERE catalogue IS NOT NULL",
        """UPDATE notifications SET params = json_set(params, '$._types', json(param_types))
           WHERE param_types IS NOT NULL""",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade() -> None:
    # nullable, no default: SQLite adds the columns in place (no batch-mode table rebuild)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalogue", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch_op.add_column(sa.Column("param_types", sa.JSON(), nullable=True))
    _run(_UP)


def downgrade() -> None:
    _run(_DOWN)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("param_types")
        batch_op.drop_column("catalogue")

"""cadres: a post's kind (``cadre_posts.post_kind``, ``plugins.cadres.posts``), indexed with the
locality and the person, so the condition search finds the holders of a kind of post by an index
lookup; existing posts get their kind here.

Revision ID: cadres_0003
Revises: cadres_0002
Create Date: 2026-11-30 22:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "cadres_0003"
down_revision = "cadres_0002"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    from plugins.cadres.posts import post_kind

    with op.batch_alter_table("cadre_posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("post_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
    posts = sa.table(
        "cadre_posts", sa.column("id", sa.Integer), sa.column("unit_name"), sa.column("post"), sa.column("post_kind")
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.unit_name, posts.c.post)
            .where(posts.c.id > last)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        changes = [{"pid": pid, "kind": post_kind(unit, post)} for pid, unit, post in rows]
        changes = [c for c in changes if c["kind"]]
        if changes:
            connection.execute(
                posts.update().where(posts.c.id == sa.bindparam("pid")).values(post_kind=sa.bindparam("kind")),
                changes,
            )
        last = rows[-1][0]
    with op.batch_alter_table("cadre_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cadre_posts_locality_kind", ["locality_id", "post_kind", "person_id", "start", "end"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cadre_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_cadre_posts_locality_kind")
        batch_op.drop_column("post_kind")

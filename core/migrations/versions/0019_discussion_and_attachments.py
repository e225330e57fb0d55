"""discussion and attachments: comments, likes and files on any plugin's target

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def _common() -> list:
    return [
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('locality_id', sa.Integer(), nullable=False),
        sa.Column('target_type', S(length=50), nullable=False),
        sa.Column('target_id', sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('comments', *_common(),
                    sa.Column('user_id', sa.Integer(), nullable=True),
                    sa.Column('author_name', S(length=100), nullable=False),
                    sa.Column('body', sa.Text(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_comments_target', 'comments', ['target_type', 'target_id', 'id'])
    op.create_table('likes', *_common(),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('author_name', S(length=100), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('target_type', 'target_id', 'user_id', name='uq_likes_target_user'))
    op.create_table('attachments', *_common(),
                    sa.Column('user_id', sa.Integer(), nullable=True),
                    sa.Column('author_name', S(length=100), nullable=False),
                    sa.Column('file_name', S(length=200), nullable=False),
                    sa.Column('kind', S(length=8), nullable=False),
                    sa.Column('size', sa.Integer(), nullable=False),
                    sa.Column('sha256', S(length=64), nullable=False),
                    sa.Column('storage_key', S(length=64), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('storage_key'))
    op.create_index('ix_attachments_target', 'attachments', ['target_type', 'target_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_attachments_target', table_name='attachments')
    op.drop_table('attachments')
    op.drop_table('likes')
    op.drop_index('ix_comments_target', table_name='comments')
    op.drop_table('comments')

"""Initial schema: decks, personas, cards with key points and tags, FSRS state,
review log and role-play attempts.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:12:29.636256
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deck',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('builtin_key', sa.String(length=100), nullable=True),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deck')),
    sa.UniqueConstraint('builtin_key', name=op.f('uq_deck_builtin_key')),
    sa.UniqueConstraint('name', name=op.f('uq_deck_name'))
    )
    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_name'))
    )
    op.create_table('card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deck_id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('front', sa.Text(), nullable=False),
    sa.Column('back', sa.Text(), nullable=False),
    sa.Column('persona_key', sa.String(length=100), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('model_answer', sa.Text(), nullable=False),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('fsrs_state', sa.JSON(), nullable=True),
    sa.Column('due', sa.DateTime(), nullable=True),
    sa.Column('last_review', sa.DateTime(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deck_id'], ['deck.id'], name=op.f('fk_card_deck_id_deck'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card')),
    sa.UniqueConstraint('deck_id', 'guid', name=op.f('uq_card_deck_id_guid'))
    )
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.create_index('ix_card_deck_due', ['deck_id', 'due'], unique=False)

    op.create_table('persona',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deck_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('cares_about', sa.Text(), nullable=False),
    sa.Column('voice', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deck_id'], ['deck.id'], name=op.f('fk_persona_deck_id_deck'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persona')),
    sa.UniqueConstraint('deck_id', 'key', name=op.f('uq_persona_deck_id_key'))
    )
    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('engine', sa.String(length=50), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('audio_path', sa.Text(), nullable=True),
    sa.Column('suggested_rating', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_attempt_card_id_card'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt'))
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_created_at'), ['created_at'], unique=False)

    op.create_table('card_tag',
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_card_tag_card_id_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_card_tag_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('card_id', 'tag_id', name=op.f('pk_card_tag'))
    )
    op.create_table('key_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('alternatives', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_key_point_card_id_card'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_point'))
    )
    with op.batch_alter_table('key_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_point_card_id'), ['card_id'], unique=False)

    op.create_table('review_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('was_new', sa.Boolean(), nullable=False),
    sa.Column('state_before', sa.JSON(), nullable=True),
    sa.Column('due_before', sa.DateTime(), nullable=True),
    sa.Column('last_review_before', sa.DateTime(), nullable=True),
    sa.Column('state_after', sa.JSON(), nullable=False),
    sa.Column('due_after', sa.DateTime(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_review_log_attempt_id_attempt'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_review_log_card_id_card'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_log'))
    )
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_log_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_log_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_log_reviewed_at'), ['reviewed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_log_reviewed_at'))
        batch_op.drop_index(batch_op.f('ix_review_log_card_id'))
        batch_op.drop_index(batch_op.f('ix_review_log_attempt_id'))

    op.drop_table('review_log')
    with op.batch_alter_table('key_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_point_card_id'))

    op.drop_table('key_point')
    op.drop_table('card_tag')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_created_at'))
        batch_op.drop_index(batch_op.f('ix_attempt_card_id'))

    op.drop_table('attempt')
    op.drop_table('persona')
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_index('ix_card_deck_due')

    op.drop_table('card')
    op.drop_table('tag')
    op.drop_table('deck')

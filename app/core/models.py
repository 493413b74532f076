"""The collection's tables, as SQLAlchemy 2.x typed models.

Times are stored as naive UTC and handed out as aware UTC (``UTCDateTime``) so that
scheduling arithmetic never mixes local and UTC clocks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.core.clock import db_datetime as db_datetime
from app.core.clock import utcnow

# Alembic needs stable constraint names to alter SQLite tables in batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


card_tag = Table(
    "card_tag",
    Base.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Deck(Base):
    __tablename__ = "deck"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # deckdata.Glossary.to_json(): terms, acronyms, mishearings and options (0004).
    glossary: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Set for decks that ship with Parley; re-seeding finds them by this key.
    builtin_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    # sha256 of the file this deck's tree was last imported from and of the tree's cards
    # as it left them, so re-importing the same bytes into an untouched tree can skip
    # reading the file (0008; see deck_import.tree_digest).
    import_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cards: Mapped[list[Card]] = relationship(back_populates="deck", cascade="all, delete-orphan")
    personas: Mapped[list[Persona]] = relationship(
        back_populates="deck", cascade="all, delete-orphan", order_by="Persona.position"
    )


class Persona(Base):
    __tablename__ = "persona"
    __table_args__ = (UniqueConstraint("deck_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("deck.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    cares_about: Mapped[str] = mapped_column(Text, default="")
    voice: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    deck: Mapped[Deck] = relationship(back_populates="personas")


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Card(Base):
    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("deck_id", "guid"),
        Index("ix_card_deck_due", "deck_id", "due"),
        # The study queue's own conditions, so it never reads the whole deck (0003).
        Index(
            "ix_card_new_queue",
            "deck_id",
            "position",
            "id",
            "kind",
            sqlite_where=text("last_review IS NULL"),
        ),
        Index(
            "ix_card_review_queue",
            "deck_id",
            "due",
            "kind",
            sqlite_where=text("last_review IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("deck.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    front: Mapped[str] = mapped_column(Text, default="")
    back: Mapped[str] = mapped_column(Text, default="")
    persona_key: Mapped[str] = mapped_column(String(100), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    model_answer: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Scheduling. A card that was never reviewed is "new": fsrs_state and last_review are
    # NULL and it waits for the daily new-card allowance; otherwise ``due`` orders the queue.
    fsrs_state: Mapped[dict[str, Any] | None] = mapped_column()
    due: Mapped[datetime | None] = mapped_column()
    last_review: Mapped[datetime | None] = mapped_column()
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    # Out of every queue while suspended, or until ``buried_until`` passes (0006).
    suspended: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    buried_until: Mapped[datetime | None] = mapped_column()
    # Image files the card shows, from the media folder: ``images`` on its front (0007),
    # ``back_images`` only with the answer (0009).
    images: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    back_images: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    # deckdata.AnkiOrigin as JSON: the Anki note the card was read from (0007).
    origin: Mapped[dict[str, Any] | None] = mapped_column()

    deck: Mapped[Deck] = relationship(back_populates="cards")
    key_points: Mapped[list[KeyPointRow]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="KeyPointRow.position"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=card_tag, order_by="Tag.name")


class AnkiNotetype(Base):
    """An Anki note type that imported cards name in their origin, kept so an export
    can give Anki back the very note type (same id, fields and templates) (0007)."""

    __tablename__ = "anki_notetype"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    # deckdata.NoteTypeData.to_json()
    definition: Mapped[dict[str, Any]] = mapped_column()


class KeyPointRow(Base):
    __tablename__ = "key_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list[str]] = mapped_column(default=list)
    # Phrases the user said do not make this point (0004).
    rejected: Mapped[list[str]] = mapped_column(default=list, server_default="[]")

    card: Mapped[Card] = relationship(back_populates="key_points")


class ReviewLog(Base):
    __tablename__ = "review_log"
    # "New cards introduced / reviews done today" read only today's rows (0003).
    __table_args__ = (Index("ix_review_log_day", "was_new", "reviewed_at", "card_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column()
    reviewed_at: Mapped[datetime] = mapped_column(index=True)
    duration_ms: Mapped[int | None] = mapped_column()
    # The card's scheduling before this review, so the review can be undone exactly.
    was_new: Mapped[bool] = mapped_column(default=False)
    state_before: Mapped[dict[str, Any] | None] = mapped_column()
    due_before: Mapped[datetime | None] = mapped_column()
    last_review_before: Mapped[datetime | None] = mapped_column()
    state_after: Mapped[dict[str, Any]] = mapped_column()
    due_after: Mapped[datetime] = mapped_column()
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempt.id", ondelete="SET NULL"), index=True
    )


class Attempt(Base):
    """One spoken (or typed) answer to a role-play, with what scoring made of it."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    transcript: Mapped[str] = mapped_column(Text, default="")
    coverage: Mapped[float] = mapped_column(Float, default=0.0)
    # ScoreResult.to_json(): per key point met/missed with evidence, and delivery.
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    wpm: Mapped[float | None] = mapped_column(Float)
    filler_count: Mapped[int] = mapped_column(default=0)
    engine: Mapped[str] = mapped_column(String(50), default="")
    duration_s: Mapped[float | None] = mapped_column(Float)
    audio_path: Mapped[str | None] = mapped_column(Text)
    suggested_rating: Mapped[int | None] = mapped_column()
    rating: Mapped[int | None] = mapped_column()

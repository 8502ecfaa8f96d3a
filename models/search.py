"""Search tables: one document per post, its lexical stems, stored vectors, an embedding cache, index events."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class SearchDocument(Base):
    """A searchable post: doc_id is the post id, group_id the thread that holds it now."""
    __tablename__ = "search_documents"
    # Not autoincrement: the id is the post id, chosen by the forum.
    doc_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # Snowball-Indonesian stems of title + text; FTS5 (SQLite) / to_tsvector('indonesian', ...) (PostgreSQL) index it.
    stems: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SearchVector(Base):
    """One embedded passage of a document; the row id is the id used inside the FAISS index."""
    __tablename__ = "search_vectors"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[int] = mapped_column(Integer, index=True)
    passage_no: Mapped[int] = mapped_column(Integer, default=0)
    model_id: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("doc_id", "model_id", "passage_no", name="uq_search_vectors_passage"),
                      Index("ix_search_vectors_model", "model_id", "id"))


class EmbeddingCacheEntry(Base):
    """A vector for (model, text hash): unchanged text is never embedded twice."""
    __tablename__ = "embedding_cache"
    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class IndexEvent(Base):
    """Append-only log of document changes; every index process replays it from its last applied id."""
    __tablename__ = "search_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(10))  # upsert | delete | move | vectors (stored by another process)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SearchSynonymGroup(Base):
    """Words that mean the same to this forum's members ("tukin", "tunjangan kinerja"), added by moderators.

    They widen query expansion like the shipped dictionary; `terms` holds the normalised terms, one per line.
    """
    __tablename__ = "search_synonym_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def term_list(self) -> list[str]:
        return self.terms.split("\n")

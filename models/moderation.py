"""Duplicate links from search, merge records (enough to undo), the moderation log and reports."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.accounts import User
from models.threads import Post, Thread

LINK_STATUSES = ("candidate", "merged", "not_duplicate", "variant")
ASKER_VERDICTS = ("answered", "different")  # the newer thread's asker: "answered there" / "my question differs"


class DuplicateLink(Base):
    """A candidate pair: the newer thread and an earlier one it may duplicate, with scores."""
    __tablename__ = "duplicate_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    other_thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float, default=0.0)
    judge_score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="candidate")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    asker_verdict: Mapped[str | None] = mapped_column(String(20))
    asker_verdict_at: Mapped[datetime | None] = mapped_column(DateTime)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id], lazy="joined")
    other_thread: Mapped[Thread] = relationship(foreign_keys=[other_thread_id], lazy="joined")

    __table_args__ = (UniqueConstraint("thread_id", "other_thread_id", name="uq_duplicate_links_pair"),)


class MergeRecord(Base):
    """Everything needed to undo one merge of source into target."""
    __tablename__ = "merge_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    target_thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    actor: Mapped[User] = relationship(foreign_keys=[actor_id], lazy="joined")
    source: Mapped[Thread] = relationship(foreign_keys=[source_thread_id], lazy="joined")
    target: Mapped[Thread] = relationship(foreign_keys=[target_thread_id], lazy="joined")


class ModerationLog(Base):
    __tablename__ = "moderation_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    target_thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    merge_id: Mapped[int | None] = mapped_column(ForeignKey("merge_records.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    actor: Mapped[User] = relationship(lazy="joined")
    thread: Mapped[Thread | None] = relationship(foreign_keys=[thread_id], lazy="joined")


class Report(Base):
    """A member flags a post; moderators hide it or dismiss the report."""
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    post: Mapped[Post] = relationship(lazy="joined")
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")

    __table_args__ = (Index("ix_reports_status", "status", "created_at"),)

"""Rate-limit events, kept in the database so that every web worker (and a restarted one) counts them."""
from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class RateEvent(Base):
    """One counted action (a login attempt, a write) under its key, e.g. "login-user:budi"."""
    __tablename__ = "rate_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_rate_events_key_at", "key", "at"), Index("ix_rate_events_at", "at"))

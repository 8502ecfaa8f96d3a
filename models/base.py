"""Declarative base with stable constraint names (so Alembic migrations are portable)."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Western Indonesia Time (Jakarta, no DST): the clock the forum shows and reads dates in.
WIB = timezone(timedelta(hours=7), "WIB")


def wib_midnight_utc(day: date) -> datetime:
    """The stored (naive UTC) moment at which `day` begins in WIB."""
    return datetime.combine(day, datetime.min.time(), WIB).astimezone(timezone.utc).replace(tzinfo=None)


def utcnow() -> datetime:
    """Naive UTC now: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(timezone.utc).replace(tzinfo=None)

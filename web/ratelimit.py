"""Sliding-window rate limits for logins and writes, counted in the database: every web worker (and a
restarted one) sees the same attempts, so `--workers 2` does not double the allowance."""
import itertools
import threading
import time
from collections import deque
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum.errors import RateLimited
from models import RateEvent, utcnow
from models.db import begin_writing

KEEP = timedelta(days=1)  # longer than every window in use (the longest is an hour)
PRUNE_EVERY = 500  # hits between two deletions of expired events


class RateLimiter:
    """Allow at most `limit` events per `window` seconds for each key."""

    def __init__(self) -> None:
        self._hits = itertools.count(1)

    def hit(self, db: Session, key: str, limit: int, window: float = 60.0, message: str = "") -> None:
        """Record one event for `key` in the request's session, raising RateLimited (429) when over the limit.

        The event is committed at once, with whatever the request had done so far (only reads, at the start of
        a handler): a request that fails afterwards (a wrong password, a rejected form) still counts.
        """
        key = _storable(key)
        now = utcnow()
        count, oldest = db.execute(select(func.count(), func.min(RateEvent.at)).where(
            RateEvent.key == key, RateEvent.at > now - timedelta(seconds=window))).one()
        if count >= limit:
            wait = int((oldest + timedelta(seconds=window) - now).total_seconds()) + 1
            refused = RateLimited(message or f"Terlalu banyak permintaan. Coba lagi dalam {wait} detik.")
            refused.retry_after = wait
            raise refused
        db.add(RateEvent(key=key, at=now))
        if next(self._hits) % PRUNE_EVERY == 0:
            db.execute(delete(RateEvent).where(RateEvent.at < now - KEEP))
        db.commit()
        begin_writing(db)  # the rest of the request writes too (SQLite: keep the write lock from the start)

    def reset(self, db: Session, key: str) -> None:
        """Forget the events of `key` (e.g. after a successful login)."""
        db.execute(delete(RateEvent).where(RateEvent.key == _storable(key)))


def limit_writes(db: Session, state, viewer) -> None:
    """A member's writes (posts, edits, verdicts, moderator actions; web and API alike) share one allowance a minute."""
    state.limiter.hit(db, f"write:{viewer.id}", state.settings.writes_per_minute, 60,
                      "Anda mengirim terlalu cepat. Tunggu sebentar lalu coba lagi.")


def _storable(key: str) -> str:
    # Keys carry what a visitor typed (a login name): PostgreSQL text refuses NUL, no encoding takes a lone
    # surrogate. Escaped, they still count under one key each.
    return key.replace("\x00", "\\0").encode("utf-8", "backslashreplace").decode("utf-8")[:300]


class LocalBudget:
    """A per-key allowance of `units` a minute, weighted by cost and kept in this process only.

    For requests too frequent to count in the database (the composer's preview, at each pause in typing) whose
    cost grows with their size: a preview of 50,000 hostile characters takes a second of a core to render.
    Each worker keeps its own count, so `--workers N` allows N times as much; that bounds the cost all the same.
    """

    def __init__(self, units: int, window: float = 60.0) -> None:
        self.units, self.window = units, window
        self._spent: dict[object, deque] = {}
        self._lock = threading.Lock()

    def spend(self, key: object, cost: int, message: str) -> None:
        """Take `cost` units from `key`'s allowance, or raise RateLimited (429) when that would exceed it."""
        now = time.monotonic()
        with self._lock:
            if len(self._spent) > 10_000:  # forget idle keys rather than grow without end
                self._spent = {k: q for k, q in self._spent.items() if q and q[-1][0] > now - self.window}
            spent = self._spent.setdefault(key, deque())
            while spent and spent[0][0] <= now - self.window:
                spent.popleft()
            if sum(c for _, c in spent) + cost > self.units:
                refused = RateLimited(message)
                refused.retry_after = int(spent[0][0] + self.window - now) + 1 if spent else int(self.window)
                raise refused
            spent.append((now, cost))

"""Per-process sliding-window rate limits for logins and writes."""
import threading
import time
from collections import defaultdict, deque

from forum.errors import RateLimited


class RateLimiter:
    """Allow at most `limit` events per `window` seconds for each key."""

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float = 60.0, message: str = "") -> None:
        """Record one event for `key`, raising RateLimited (429) when over the limit."""
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - window:
                events.popleft()
            if len(events) >= limit:
                wait = int(events[0] + window - now) + 1
                raise RateLimited(message or f"Terlalu banyak permintaan. Coba lagi dalam {wait} detik.")
            events.append(now)
            if len(self._events) > 50_000:  # bound memory under a flood of distinct keys
                self._events.clear()

    def reset(self, key: str) -> None:
        """Forget the events of `key` (e.g. after a successful login)."""
        with self._lock:
            self._events.pop(key, None)

"""Rendered pages shared by logged-out visitors (thread page, thread lists), keyed by the data they show.

Only pages with nothing member-specific are shared: no viewer (so no bell count, no edit, answer or
moderation buttons) and no one-time flash message; web.render.shared_page decides. The CSRF token differs per
visitor, so pages are stored with a placeholder that each response fills in.

The key is the page's own data, read from the database on every request before the cache is consulted: the
thread's row with its version (bumped by every reply, edit, hide, lock, move and merge) and the related threads'
rows, or the rows and total of a list. Any write therefore changes the key at once, in every worker process,
and permission checks and redirects run as usual before the cache is looked at. Only relative times
("5 menit lalu") can lag, by at most TTL_SECONDS, which also bounds the damage of a future write path that
forgets to bump the version.
"""
import secrets
import time
from collections import OrderedDict
from dataclasses import fields, is_dataclass
from datetime import datetime

from litestar import MediaType, Request, Response
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

# Random per process and never sent to anyone: every response replaces it with the visitor's own token.
TOKEN_PLACEHOLDER = secrets.token_hex(24)
TTL_SECONDS = 10.0
MAX_ENTRIES = 256


class Uncacheable(Exception):
    """The key holds something whose content cannot be compared (e.g. an ORM object): render without the cache."""


def fingerprint(value: object) -> object:
    """A hashable value equal for equal data: plain values, lists, dicts and dataclasses (frozen rows as they are)."""
    if value is None or isinstance(value, (str, int, float, bool, datetime)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, fingerprint(v)) for k, v in value.items()))
    if is_dataclass(value) and not isinstance(value, type):
        if type(value).__dataclass_params__.frozen:
            return value  # the read model's rows: immutable, hashed and compared field by field
        return (type(value).__qualname__, *(fingerprint(getattr(value, f.name)) for f in fields(value)))
    raise Uncacheable(type(value).__name__)


class PageCache:
    """A small LRU of rendered pages (split at the CSRF placeholder), each kept at most `ttl` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES, clock=time.monotonic):
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._entries: OrderedDict[object, tuple[float, tuple[bytes, ...]]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: object) -> tuple[bytes, ...] | None:
        """The stored page parts for `key`, or None when missing or expired."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < self.clock():
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: object, html: str) -> tuple[bytes, ...]:
        """Store a page rendered with TOKEN_PLACEHOLDER; returns its parts (encoded once, not per response)."""
        parts = tuple(part.encode() for part in html.split(TOKEN_PLACEHOLDER))
        self._entries[key] = (self.clock() + self.ttl, parts)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return parts

    def clear(self) -> None:
        """Forget every page."""
        self._entries.clear()


def cache_of(request: Request) -> PageCache:
    """The app's page cache, created on first use (one per app, so each test app starts empty)."""
    state = request.app.state
    cache = state.get("page_cache")
    if cache is None:
        cache = state.page_cache = PageCache()
    return cache


def respond(request: Request, parts: tuple[bytes, ...]) -> Response:
    """The stored page with this visitor's CSRF token, escaped as the template would have escaped it."""
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    return Response(str(escape(token)).encode().join(parts), media_type=MediaType.HTML)

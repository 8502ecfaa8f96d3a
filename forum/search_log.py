"""Searches that failed: what members looked for and did not find, and searches that ended in a new thread.

A question asked twice is the forum's failure; these lists show moderators where search let a member down,
so they can add a synonym, retitle a thread or write the missing answer.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum.permissions import can_view_thread
from forum.text import redact_personal_data
from models import DuplicateLink, SearchLogEntry, Thread, User, utcnow

QUERY_CHARS = 200
# A thread posted this soon after its author searched is what the search was for.
ASKED_WITHIN = timedelta(hours=1)
# Kept long enough for the longest statistics period (365 days); older rows are deleted now and then.
KEEP = timedelta(days=400)
PRUNE_EVERY = 500
# A script hammering /cari must not fill the table: per member, and for all visitors together, searches
# beyond these per hour are not logged (the search itself is served as usual).
MEMBER_PER_HOUR = 60
VISITORS_PER_HOUR = 600


@dataclass
class SearchGaps:
    """Search figures over the last `days` days."""
    days: int
    searches: int = 0
    found_nothing: int = 0
    missing: list = field(default_factory=list)  # (query, times searched, last searched) with no result
    # (query, results, thread the searcher posted next, its closest earlier thread still a candidate or None)
    asked_after: list = field(default_factory=list)

    @property
    def found_nothing_percent(self) -> float | None:
        """Share of searches that found no thread at all."""
        return None if self.searches == 0 else round(100 * self.found_nothing / self.searches, 1)


def normalise_query(text: str) -> str:
    """Lower case, single spaces, personal numbers redacted, at most QUERY_CHARS: one row group per search."""
    return redact_personal_data(" ".join((text or "").lower().split()))[:QUERY_CHARS]


def record_search(session: Session, user_id: int | None, query: str, results: int,
                  now: datetime | None = None) -> SearchLogEntry | None:
    """Store one search by member `user_id` (None: a visitor); nothing for an empty query or over the cap.

    Now and then rows older than KEEP are deleted in the same transaction.
    """
    text = normalise_query(query)
    now = now or utcnow()
    if not text or _over_hourly_cap(session, user_id, now):
        return None
    entry = SearchLogEntry(user_id=user_id, query=text, results=max(0, int(results)), created_at=now)
    session.add(entry)
    session.flush()
    if entry.id % PRUNE_EVERY == 0:
        forget_old_searches(session, entry.created_at)
    return entry


def _over_hourly_cap(session: Session, user_id: int | None, now: datetime) -> bool:
    who = SearchLogEntry.user_id.is_(None) if user_id is None else SearchLogEntry.user_id == user_id
    logged = session.scalar(select(func.count(SearchLogEntry.id)).where(
        who, SearchLogEntry.created_at > now - timedelta(hours=1))) or 0
    return logged >= (VISITORS_PER_HOUR if user_id is None else MEMBER_PER_HOUR)


def forget_old_searches(session: Session, now: datetime | None = None) -> int:
    """Delete searches older than KEEP; returns how many went."""
    gone = session.execute(delete(SearchLogEntry).where(SearchLogEntry.created_at < (now or utcnow()) - KEEP))
    return gone.rowcount or 0


def search_gaps(session: Session, viewer: User | None, days: int = 30, now: datetime | None = None,
                top: int = 10) -> SearchGaps:
    """The figures and lists for the last `days` days; threads only where the viewer may see them."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    gaps = SearchGaps(days=days)
    recent = SearchLogEntry.created_at.between(since, now)
    gaps.searches = session.scalar(select(func.count(SearchLogEntry.id)).where(recent)) or 0
    gaps.found_nothing = session.scalar(select(func.count(SearchLogEntry.id)).where(
        recent, SearchLogEntry.results == 0)) or 0
    times, last = func.count(SearchLogEntry.id), func.max(SearchLogEntry.created_at)
    gaps.missing = [tuple(row) for row in session.execute(
        select(SearchLogEntry.query, times, last).where(recent, SearchLogEntry.results == 0)
        .group_by(SearchLogEntry.query).order_by(times.desc(), last.desc()).limit(top))]
    gaps.asked_after = _asked_after(session, viewer, since, now, top)
    return gaps


def _asked_after(session: Session, viewer: User | None, since: datetime, now: datetime, top: int) -> list:
    """Newest first: (the member's last search before the thread, its result count, the thread).

    The database picks, per new thread, its author's latest search before it (one index look-up each), so
    a year of searches is never loaded; threads come in batches until `top` visible ones are found.
    """
    latest = (select(SearchLogEntry.id)
              .where(SearchLogEntry.user_id == Thread.author_id, SearchLogEntry.created_at <= Thread.created_at,
                     SearchLogEntry.created_at >= since - ASKED_WITHIN)
              .order_by(SearchLogEntry.created_at.desc(), SearchLogEntry.id.desc()).limit(1)
              .correlate(Thread).scalar_subquery())
    stmt = (select(Thread, latest).where(Thread.created_at.between(since, now), latest.is_not(None))
            .order_by(Thread.created_at.desc(), Thread.id.desc()))
    out, offset, batch = [], 0, max(top * 3, 30)
    while len(out) < top:
        rows = session.execute(stmt.limit(batch).offset(offset)).all()
        entries = {e.id: e for e in session.scalars(select(SearchLogEntry).where(
            SearchLogEntry.id.in_([sid for _, sid in rows])))} if rows else {}
        for thread, sid in rows:
            entry = entries[sid]
            if thread.created_at - entry.created_at <= ASKED_WITHIN and can_view_thread(viewer, thread):
                out.append((entry.query, entry.results, thread))
                if len(out) == top:
                    break
        if len(rows) < batch:
            break
        offset += batch
    closest = _closest_earlier(session, viewer, [t.id for _, _, t in out])
    return [(query, results, thread, closest.get(thread.id)) for query, results, thread in out]


def _closest_earlier(session: Session, viewer: User | None, thread_ids: list[int]) -> dict[int, Thread]:
    """For each thread, the earlier thread its strongest open duplicate candidate points to (if visible):
    what the search should have shown, and the pair a moderator may want to merge."""
    if not thread_ids:
        return {}
    best: dict[int, tuple[float, Thread]] = {}
    for link in session.scalars(select(DuplicateLink).where(DuplicateLink.thread_id.in_(thread_ids),
                                                            DuplicateLink.status == "candidate")):
        other = link.other_thread
        if other.merged_into_id is None and can_view_thread(viewer, other) and \
                link.judge_score > best.get(link.thread_id, (float("-inf"), None))[0]:
            best[link.thread_id] = (link.judge_score, other)
    return {tid: other for tid, (_, other) in best.items()}


"""How often the forum answered a question before it was asked twice: the moderators' success figures."""
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.permissions import can_view_thread
from models import AnsweredBeforeAsking, DuplicateLink, MergeRecord, Thread, User, utcnow

PERIODS = (7, 30, 90, 365)
# A member who says a suggestion answers them but posts a thread within the hour was not really answered.
ASKED_ANYWAY_WITHIN = timedelta(hours=1)


@dataclass
class QuestionStats:
    """Counts over the last `days` days, and the earlier threads that answered new questions most often."""
    days: int
    new_threads: int = 0
    answered_before_asking: int = 0
    asked_anyway: int = 0
    asker_confirmed: int = 0
    merged_duplicates: int = 0
    top_threads: list = field(default_factory=list)  # (thread, times it answered a new question)
    recent: list = field(default_factory=list)  # (typed question, thread, when)

    @property
    def not_asked(self) -> int:
        """Questions answered by a suggestion whose member did not post one anyway."""
        return self.answered_before_asking - self.asked_anyway

    @property
    def not_asked_percent(self) -> float | None:
        """Of the questions members set out to ask, the share a suggestion answered before posting."""
        started = self.not_asked + self.new_threads
        return None if started == 0 else round(100 * self.not_asked / started, 1)


def question_stats(session: Session, viewer: User | None, days: int = 30, now: datetime | None = None,
                   top: int = 10) -> QuestionStats:
    """The figures for the last `days` days; thread lists hold only threads the viewer may see."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    stats = QuestionStats(days=days)
    # Hidden threads (spam, removed posts) were never real questions; merged duplicates were, so they count.
    stats.new_threads = session.scalar(select(func.count(Thread.id)).where(
        Thread.created_at >= since, Thread.is_hidden.is_(False))) or 0
    rows = list(session.scalars(select(AnsweredBeforeAsking).where(AnsweredBeforeAsking.created_at >= since)
                                .order_by(AnsweredBeforeAsking.created_at.desc())))
    stats.answered_before_asking = len(rows)
    stats.asked_anyway = _asked_anyway(session, rows, since)
    confirmed = list(session.scalars(select(DuplicateLink.other_thread_id).where(
        DuplicateLink.asker_verdict == "answered", DuplicateLink.asker_verdict_at >= since)))
    stats.asker_confirmed = len(confirmed)
    stats.merged_duplicates = session.scalar(select(func.count(MergeRecord.id)).where(
        MergeRecord.created_at >= since, MergeRecord.undone_at.is_(None))) or 0
    threads = _visible_threads(session, viewer, {r.thread_id for r in rows} | set(confirmed))
    now_is = {t.id: t for t in threads.values()}  # several merged ids may now be one thread
    counts = Counter(threads[t].id for t in [r.thread_id for r in rows] + confirmed if t in threads)
    stats.top_threads = [(now_is[tid], n) for tid, n in counts.most_common(top)]
    stats.recent = [(r.question, threads[r.thread_id], r.created_at) for r in rows if r.thread_id in threads][:top]
    return stats


def _asked_anyway(session: Session, rows: list, since: datetime) -> int:
    """How many of the rows were followed by their member posting a thread within ASKED_ANYWAY_WITHIN."""
    members = {r.user_id for r in rows}
    if not members:
        return 0
    posted: dict[int, list[datetime]] = {}
    for author_id, created in session.execute(select(Thread.author_id, Thread.created_at).where(
            Thread.author_id.in_(members), Thread.created_at >= since).order_by(Thread.created_at)):
        posted.setdefault(author_id, []).append(created)
    anyway = 0
    for row in rows:
        times = posted.get(row.user_id, [])
        i = bisect_left(times, row.created_at)
        anyway += bool(i < len(times) and times[i] - row.created_at <= ASKED_ANYWAY_WITHIN)
    return anyway


def _visible_threads(session: Session, viewer: User | None, ids: set[int]) -> dict[int, Thread]:
    """id -> the thread it is now (merged ones followed to their target), for the ones the viewer may see."""
    found = {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_(ids)))} if ids else {}
    targets = {t.merged_into_id for t in found.values() if t.merged_into_id and t.merged_into_id not in found}
    if targets:
        found.update({t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_(targets)))})
    out = {}
    for tid in ids:
        thread, hops = found.get(tid), 0
        while thread is not None and thread.merged_into_id and hops < 5:  # merges rarely chain; never loop
            thread, hops = found.get(thread.merged_into_id) or session.get(Thread, thread.merged_into_id), hops + 1
        if thread is not None and can_view_thread(viewer, thread):
            out[tid] = thread
    return out


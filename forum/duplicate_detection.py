"""Candidate duplicate links: found after a question is (re)indexed, re-scored when either question changes."""
import logging
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from forum.listing import visible_threads_query
from forum.snippets import excerpt
from models import DuplicateLink, Post, Thread
from models.db import begin_writing

log = logging.getLogger(__name__)
CANDIDATES = 8      # similar threads judged per new question
MIN_SIMILARITY = 0.80  # below this e5 cosine a pair is not worth a link at all
DECIDED = ("merged", "not_duplicate", "variant")


@lru_cache(maxsize=1)
def load_judge():
    """The shipped DuplicateJudge (weights inside the search package), or None when none is shipped."""
    from search.judge import DuplicateJudge
    try:
        return DuplicateJudge.load()
    except (OSError, ValueError, KeyError):
        log.warning("no duplicate judge shipped: duplicate banners are off")
        return None


def shared_words(a: str, b: str, limit: int = 8) -> list[str]:
    """Content words both questions use (stopwords left out), in the order of the first."""
    from search.text import stopwords, tokens
    stop, other = stopwords(), set(tokens(b))
    return list(dict.fromkeys(w for w in tokens(a) if w in other and w not in stop and len(w) > 2))[:limit]


def question_text(session: Session, thread: Thread) -> str:
    """What a question "says": its title and the start of its first post."""
    first = session.get(Post, thread.first_post_id) if thread.first_post_id else None
    body = excerpt(first.body_text, 300) if first is not None else ""
    return f"{thread.title}. {body}".strip()


def _is_open(link: DuplicateLink) -> bool:
    """A candidate nobody has ruled on: neither a moderator's decision nor the asker's verdict."""
    return link.status == "candidate" and link.asker_verdict is None


def _score(link: DuplicateLink, judge, later: str, earlier: str, vec_later, vec_earlier) -> float:
    """Store the pair's cosine, judge score and the reasons moderators read; returns the cosine."""
    cosine = float(vec_later @ vec_earlier)
    score = judge.score(later, earlier, vec_a=vec_later, vec_b=vec_earlier) if judge else 0.0
    # Shown to moderators as "why they look alike": plain Indonesian, no internal signal names.
    link.similarity, link.judge_score = cosine, float(score)
    link.reasons = {"kemiripan_makna": round(cosine, 3), "skor_penilai": round(float(score), 3),
                    "kata_kunci_sama": shared_words(later, earlier)}
    return cosine


def detect_duplicates(session: Session, engine, thread: Thread, judge=None) -> list[DuplicateLink]:
    """Judge the earlier threads most similar to `thread` and store them as candidate links (decisions kept);
    open candidates to earlier questions it no longer resembles (it was edited) are dropped."""
    judge = judge or load_judge()
    text = question_text(session, thread)
    hits = [h for h in engine.similar_groups(session, text, exclude_group=thread.id, limit=CANDIDATES * 2)
            if h.signals.get("dense_max", 0.0) >= MIN_SIMILARITY]
    earlier = {t.id: t for t in session.scalars(visible_threads_query(None).where(
        Thread.id.in_([h.group_id for h in hits]), Thread.created_at <= thread.created_at))}
    hits = [h for h in hits if h.group_id in earlier][:CANDIDATES]
    existing = {(link.thread_id, link.other_thread_id): link for link in session.scalars(
        select(DuplicateLink).where(or_(DuplicateLink.thread_id == thread.id, DuplicateLink.other_thread_id == thread.id)))}
    _drop_stale(session, thread, [link for (a, _), link in existing.items() if a == thread.id],
                {h.group_id for h in hits})
    if not hits:
        session.flush()
        return []
    texts = [text] + [question_text(session, earlier[h.group_id]) for h in hits]
    vectors = engine.embedder.embed_documents(texts)
    links = []
    for row, hit in enumerate(hits, start=1):
        other = earlier[hit.group_id]
        reverse = existing.get((other.id, thread.id))
        if reverse is not None and reverse.status in DECIDED:
            continue  # moderators already decided this pair the other way round
        link = existing.get((thread.id, other.id))
        if link is None:
            link = DuplicateLink(thread_id=thread.id, other_thread_id=other.id, status="candidate")
            session.add(link)
        _score(link, judge, text, texts[row], vectors[0], vectors[row])
        links.append(link)
    session.flush()
    return links


def _drop_stale(session: Session, thread: Thread, outgoing: list[DuplicateLink], found: set[int]) -> None:
    """Delete open links from `thread` to visible earlier threads that are no longer among its candidates.

    A link to a thread hidden for now stays (unhiding brings it back), and so does every ruled-on pair:
    a decision or an asker's verdict is the forum's own label and outlives any edit.
    """
    stale = [link for link in outgoing if _is_open(link) and link.other_thread_id not in found]
    if not stale:
        return
    visible = set(session.scalars(visible_threads_query(None).with_only_columns(Thread.id).where(
        Thread.id.in_([link.other_thread_id for link in stale]))))
    for link in stale:
        if link.other_thread_id in visible:
            session.delete(link)


def redetect_later_questions(session: Session, engine, thread: Thread, judge=None) -> list[Thread]:
    """After `thread` changed, recompute the candidates of every later question holding an open link to it,
    by the same rule as their own: the link stays (re-scored) only while `thread` is still among them."""
    later = list(session.scalars(select(Thread).join(DuplicateLink, DuplicateLink.thread_id == Thread.id).where(
        DuplicateLink.other_thread_id == thread.id, DuplicateLink.status == "candidate",
        DuplicateLink.asker_verdict.is_(None), Thread.merged_into_id.is_(None))))
    for other in later:
        detect_duplicates(session, engine, other, judge)
    return later


def after_indexed(session_factory, engine, doc_ids: list[int]) -> None:
    """Indexer callback: questions that were (re)embedded get their duplicate candidates recomputed, and so do
    the later questions linked to them."""
    for attempt in (1, 2, 3):
        try:
            with session_factory() as session:
                if attempt > 1:
                    # SQLite: a deferred transaction that read before a writer committed cannot write at all
                    # ("database is locked" at once, whatever the busy timeout); taking the write lock first
                    # waits its turn instead. It holds the lock while the candidates are searched (tens of ms).
                    begin_writing(session)
                threads = list(session.scalars(select(Thread).where(Thread.first_post_id.in_(doc_ids),
                                                                    Thread.merged_into_id.is_(None))))
                for thread in threads:
                    detect_duplicates(session, engine, thread)
                    redetect_later_questions(session, engine, thread)
                session.commit()
            return
        except (IntegrityError, OperationalError, StaleDataError):
            # Every web worker replays the same new posts: another one stored (or dropped) these links between
            # our read and our write (PostgreSQL: unique pair; SQLite: a stale snapshot). Once more, over theirs.
            if attempt == 3:
                raise

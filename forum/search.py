"""Search as members see it: query operators and filters, visibility, thread results with snippets."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from forum.listing import visible_threads_query
from forum.snippets import excerpt, highlight
from models import Agency, Post, Thread, Topic, User, thread_topics

MAX_RESULTS = 200
RELATIVE_FLOOR = 0.12  # dense-only hits this far below the best one are noise, not results
OPERATORS = {"instansi": "agency", "topik": "topic", "status": "status", "sebelum": "before", "sesudah": "after"}
_OPERATOR = re.compile(r"\b(instansi|topik|status|sebelum|sesudah):(\"[^\"]*\"|\S+)", re.IGNORECASE)
STATUS_VALUES = {"terjawab": "terjawab", "belum": "belum", "belum-terjawab": "belum"}


@dataclass
class SearchQuery:
    text: str = ""
    agency: str | None = None
    topic: str | None = None
    status: str | None = None
    before: date | None = None
    after: date | None = None
    problems: list[str] = field(default_factory=list)

    def filters(self) -> dict:
        return {k: getattr(self, k) for k in ("agency", "topic", "status", "before", "after") if getattr(self, k)}

    def as_string(self, drop: str | None = None) -> str:
        """The query box text with these filters as operators (optionally without one)."""
        names = {v: k for k, v in OPERATORS.items()}
        ops = [f"{names[k]}:{v.isoformat() if isinstance(v, date) else v}" for k, v in self.filters().items() if k != drop]
        return " ".join([self.text, *ops]).strip()


@dataclass
class ThreadHit:
    thread: Thread
    score: float
    post: Post | None
    snippet: str
    signals: dict


@dataclass
class SearchPage:
    query: SearchQuery
    hits: list[ThreadHit]
    total: int
    page: int
    page_size: int
    suggestions: list[dict] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def parse_query(raw: str, form: dict | None = None) -> SearchQuery:
    """Split `instansi:bkn topik:cuti status:terjawab sebelum:2025-06-01 sesudah:2024-01-01` from the text."""
    q = SearchQuery()
    values = {k: v for k, v in (form or {}).items() if v not in (None, "")}
    for key, value in _OPERATOR.findall(raw or ""):
        values[OPERATORS[key.lower()]] = value.strip('"')
    q.text = " ".join(_OPERATOR.sub(" ", raw or "").split())[:500]
    q.agency = (values.get("agency") or "").lower() or None
    q.topic = (values.get("topic") or "").lower() or None
    if values.get("status"):
        q.status = STATUS_VALUES.get(str(values["status"]).lower())
        if q.status is None:
            q.problems.append("Status harus “terjawab” atau “belum”.")
    for key, label in (("before", "sebelum"), ("after", "sesudah")):
        if values.get(key):
            try:
                setattr(q, key, values[key] if isinstance(values[key], date) else date.fromisoformat(str(values[key])))
            except ValueError:
                q.problems.append(f"Tanggal “{label}” harus berformat TTTT-BB-HH, mis. 2025-06-01.")
    return q


def _filtered(viewer: User | None, q: SearchQuery, drop: str | None = None):
    """Ids of threads the viewer may see that pass the query's filters (minus `drop`)."""
    stmt = visible_threads_query(viewer).with_only_columns(Thread.id)
    f = {k: v for k, v in q.filters().items() if k != drop}
    if "agency" in f:
        stmt = stmt.where(Thread.agency_id.in_(select(Agency.id).where(Agency.slug == f["agency"])))
    if "topic" in f:
        stmt = stmt.where(exists().where(thread_topics.c.thread_id == Thread.id, thread_topics.c.topic_id.in_(
            select(Topic.id).where(Topic.slug == f["topic"]))))
    if f.get("status") == "terjawab":
        stmt = stmt.where(Thread.accepted_post_id.is_not(None))
    elif f.get("status") == "belum":
        stmt = stmt.where(Thread.accepted_post_id.is_(None))
    if "before" in f:
        stmt = stmt.where(Thread.created_at < datetime.combine(f["before"], datetime.min.time()))
    if "after" in f:
        stmt = stmt.where(Thread.created_at >= datetime.combine(f["after"], datetime.min.time()))
    return stmt


def _ranked(session, engine, viewer, q: SearchQuery, exclude: int | None = None):
    """Engine hits the viewer may see, best first, low-relevance tail cut."""
    allowed = set(session.scalars(_filtered(viewer, q))) if q.filters() else None
    result = engine.search(session, q.text, group_filter=allowed, limit=MAX_RESULTS, exclude_group=exclude)
    visible = set(session.scalars(_filtered(viewer, q).where(Thread.id.in_([h.group_id for h in result.hits]))))
    hits = [h for h in result.hits if h.group_id in visible]
    top = max((h.signals.get("dense_max", 0.0) for h in hits), default=0.0)
    floor = max(engine.noise_floor, top - RELATIVE_FLOOR)
    # Lexical matches get the absolute floor only: a shared word is evidence, a weak cosine alone is not.
    return [h for h in hits if h.signals.get("dense_max", 0.0) >= (engine.noise_floor if "bm25" in h.signals else floor)]


def search_threads(session: Session, engine, viewer: User | None, raw_query: str, page: int = 1, *,
                   form: dict | None = None, page_size: int = 20) -> SearchPage:
    """One page of threads for the query box text (operators included) and form filters."""
    q = parse_query(raw_query, form)
    if not q.text:
        return SearchPage(q, [], 0, page, page_size)
    hits = _ranked(session, engine, viewer, q)
    window = hits[(page - 1) * page_size: page * page_size]
    threads = {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_([h.group_id for h in window])))}
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_([h.doc_id for h in window])))}
    out = []
    for h in window:
        post = posts.get(h.doc_id)
        out.append(ThreadHit(threads[h.group_id], h.score, post, highlight(post.body_text if post else "", q.text),
                             h.signals))
    result = SearchPage(q, out, len(hits), page, page_size)
    if not hits and q.filters():
        result.suggestions = _drop_filter_suggestions(session, engine, viewer, q)
    return result


def _drop_filter_suggestions(session, engine, viewer, q: SearchQuery) -> list[dict]:
    """For an empty filtered search: which single filter, dropped, would give results (and how many)."""
    loose = engine.search(session, q.text, limit=MAX_RESULTS).hits
    ids = [h.group_id for h in loose]
    names = {v: k for k, v in OPERATORS.items()}
    out = []
    for key, value in q.filters().items():
        count = len(set(session.scalars(_filtered(viewer, q, drop=key).where(Thread.id.in_(ids)))))
        if count:
            shown = value.isoformat() if isinstance(value, date) else value
            out.append({"filter": key, "label": f"{names[key]}:{shown}", "query": q.as_string(drop=key), "count": count})
    return out


@dataclass
class Suggestion:
    thread: Thread
    score: float
    answer: Post | None
    answer_excerpt: str
    is_accepted: bool


def suggest_similar(session: Session, engine, viewer: User | None, title: str, body: str = "",
                    limit: int = 5) -> list[Suggestion]:
    """Earlier questions like the one being written, each with its accepted (or best) answer."""
    text = " ".join(f"{title or ''}\n{body or ''}".split())[:2000]
    if len(text.split()) < 3:
        return []
    hits = _ranked(session, engine, viewer, SearchQuery(text=text))[:limit]
    threads = {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_([h.group_id for h in hits])))}
    return [_with_answer(session, threads[h.group_id], h) for h in hits]


def _with_answer(session: Session, thread: Thread, hit) -> Suggestion:
    answer = session.get(Post, thread.accepted_post_id) if thread.accepted_post_id else None
    accepted = answer is not None
    if answer is None and hit.doc_id != thread.first_post_id:
        answer = session.get(Post, hit.doc_id)  # the reply that matched best
    if answer is None:
        answer = session.scalar(select(Post).where(Post.thread_id == thread.id, Post.id != thread.first_post_id,
                                                   Post.is_deleted.is_(False), Post.is_hidden.is_(False))
                                .order_by(Post.created_at, Post.id).limit(1))
    if answer is not None and (answer.is_deleted or answer.is_hidden):
        answer, accepted = None, False
    return Suggestion(thread, hit.score, answer, excerpt(answer.body_text) if answer else "", accepted)

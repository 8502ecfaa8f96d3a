"""Which threads a search's filters let through: agency, topic, status, author, dates, and what the viewer may see.

Also the names in those filters checked against the forum (an unknown agency is reported, not searched), and the
plain list of the threads a filter keeps when no words were typed."""

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from forum.listing import unlisted_threads_query, visible_threads_query
from forum.permissions import lists_hidden_threads
from forum.search_query import SearchQuery
from models import Agency, Post, Thread, Topic, User, thread_topics
from models.base import wib_midnight_utc
from models.id_list import fetch_id_set, in_id_list


def filtered_threads(viewer: User | None, q: SearchQuery, drop: str | None = None):
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
    if "author" in f:
        stmt = stmt.where(exists().where(Post.thread_id == Thread.id, *shown_posts_by(f["author"])))
    if "before" in f:
        stmt = stmt.where(Thread.created_at < wib_midnight_utc(f["before"]))  # dates as members read them: WIB
    if "after" in f:
        stmt = stmt.where(Thread.created_at >= wib_midnight_utc(f["after"]))
    return stmt


def shown_posts_by(username: str) -> tuple:
    """Conditions on Post: the member wrote it and it is still shown (a hidden or deleted post would
    otherwise reveal where they had written). Usernames are stored in lower case."""
    return (Post.author_id.in_(select(User.id).where(User.username == username)),
            Post.is_deleted.is_(False), Post.is_hidden.is_(False))


_HIT = aliased(Thread, name="hit")  # built once: a fresh alias per query costs milliseconds


def visible_among(session, viewer: User | None, q: SearchQuery, ids: list[int], drop: str | None = None) -> set[int]:
    """Which of these thread ids the viewer may see and pass the query's filters (minus `drop`)."""
    if not ids:
        return set()
    # `filtered_threads(...).where(Thread.id.in_(ids))` makes SQLite (no statistics) walk the listing index
    # (is_hidden, merged_into_id) over every visible thread: 50+ ms at 100k threads. Checking each id
    # through a correlated EXISTS looks it up by primary key on both databases.
    stmt = select(_HIT.id).where(in_id_list(_HIT.id), exists(filtered_threads(viewer, q, drop).where(Thread.id == _HIT.id)))
    return set(session.scalars(stmt, {"ids": list(ids)}))


def allowed_threads(session, viewer: User | None, q: SearchQuery) -> set[int]:
    """Ids of every thread the viewer may see that passes the query's filters (the engine's group filter)."""
    f = q.filters()
    postgres = session.bind.dialect.name == "postgresql"
    # Measured at 100k threads (p50, ms; docs/search-research.md, sixteenth session): a topic's 5,000 threads
    # read from its own index minus the few unlisted threads 6-7, against 17 (PostgreSQL's plan) and 16
    # (SQLite's per-candidate check below); an agency's 2,000 the same way 2.5 on SQLite against 6, while
    # PostgreSQL's own plan for the agency (3.3) beats it (4.4).
    # The ids come back as one aggregated value (models.id_list.fetch_id_set): ORM rows cost 3-4 ms more.
    if set(f) == {"topic"} or (set(f) == {"agency"} and not postgres):
        return fetch_id_set(session, threads_of(f)) - fetch_id_set(session, unlisted_threads_query(lists_hidden_threads(viewer)))
    if postgres:
        return fetch_id_set(session, filtered_threads(viewer, q))
    # Without statistics SQLite walks the listing index over every visible thread and tests the filters on
    # each (0.2-0.5 s at 100k threads). Starting from the agency's (or topic's) own index and checking the
    # full filter per candidate returns the same set: those candidates include every thread that passes.
    if "agency" in f:
        driver = _HIT.agency_id.in_(select(Agency.id).where(Agency.slug == f["agency"]))
    elif "topic" in f:
        driver = _HIT.id.in_(threads_of(f))
    elif "author" in f:
        driver = _HIT.id.in_(select(Post.thread_id).where(*shown_posts_by(f["author"])))
    else:
        return fetch_id_set(session, filtered_threads(viewer, q))
    return fetch_id_set(session, select(_HIT.id).where(driver, exists(filtered_threads(viewer, q).where(Thread.id == _HIT.id))))


def threads_of(f: dict):
    """Ids of the threads in the filter's agency (or else its topic), listed or not, from that column's index."""
    if "agency" in f:
        return select(Thread.id).where(Thread.agency_id.in_(select(Agency.id).where(Agency.slug == f["agency"])))
    return select(thread_topics.c.thread_id).where(
        thread_topics.c.topic_id.in_(select(Topic.id).where(Topic.slug == f["topic"])))


def check_filter_names(session: Session, q: SearchQuery) -> None:
    """Resolve the agency, topic and member a query filters by; report (and drop) those the forum lacks.

    An agency or topic may be given by its slug or its name as the pages show it ("Cuti & Kehadiran"), the
    abbreviation in brackets left out ("Badan Pusat Statistik" for "Badan Pusat Statistik (BPS)")."""
    for attr, model, label in (("agency", Agency, "Instansi"), ("topic", Topic, "Topik")):
        value = getattr(q, attr)
        if value is None:
            continue
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        slug = session.scalar(select(model.slug).where(or_(
            model.slug == value, func.lower(model.name) == value,
            func.lower(model.name).like(escaped + " (%)", escape="\\"))).order_by(  # an exact slug or name first
            case((model.slug == value, 0), (func.lower(model.name) == value, 1), else_=2), model.id).limit(1))
        if slug is None:
            q.problems.append(f"{label} “{value}” tidak dikenal; filter itu diabaikan. Pilih dari daftar {label.lower()}.")
        setattr(q, attr, slug)
    if q.author is not None and session.scalar(select(User.id).where(User.username == q.author)) is None:
        q.problems.append(f"Pengguna “{q.author}” tidak ditemukan; filter itu diabaikan.")
        q.author = None


def list_filtered(session: Session, viewer: User | None, q: SearchQuery, page: int, page_size: int):
    """The threads a filter keeps when no words were typed: (one page of them, how many in all), newest
    activity first (`urut:terbaru`: newest threads first)."""
    ids = filtered_threads(viewer, q).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    column = Thread.created_at if q.sort == "terbaru" else Thread.last_activity_at
    stmt = (select(Thread).where(Thread.id.in_(select(ids.c.id))).order_by(column.desc(), Thread.id.desc())
            .offset((page - 1) * page_size).limit(page_size)
            .options(joinedload(Thread.author), joinedload(Thread.agency)))
    return list(session.scalars(stmt).unique()), total

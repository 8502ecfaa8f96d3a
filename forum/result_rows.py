"""Loading what a list of search results or suggestions shows: its threads and posts, in as few queries as can be."""
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from models import Post, Thread
from models.id_list import in_id_list


def threads_by_id(session: Session, ids: list[int]) -> dict[int, Thread]:
    """Threads with what a result shows (author, agency, topics) loaded up front."""
    # Author and agency joined into the one query: as separate select-in loads they cost more than the search.
    stmt = select(Thread).where(in_id_list(Thread.id)).options(joinedload(Thread.author), joinedload(Thread.agency))
    return {t.id: t for t in session.scalars(stmt, {"ids": list(ids)})}


def posts_by_id(session: Session, ids, first_reply_of=()) -> dict[int, Post]:
    """Posts by id, plus the first visible reply of each thread in `first_reply_of`, without their authors
    (joining the author and their agency costs more than loading the posts)."""
    ids, first_reply_of = list(ids), list(first_reply_of)
    if not ids and not first_reply_of:
        return {}
    if first_reply_of:
        first_reply = (select(Post.id).where(Post.thread_id == Thread.id,
                                             or_(Thread.first_post_id.is_(None), Post.id != Thread.first_post_id),
                                             Post.is_deleted.is_(False), Post.is_hidden.is_(False))
                       .order_by(Post.created_at, Post.id).limit(1).correlate(Thread).scalar_subquery())
        # Two primary-key lookups: one statement with "id IN (...) OR id IN (subquery)" made PostgreSQL
        # scan all posts now and then (0.3-0.7 s at 1M posts).
        found = session.scalars(select(first_reply).where(in_id_list(Thread.id, "threads")),
                                {"threads": first_reply_of})
        ids += [i for i in found if i is not None]
    stmt = select(Post).where(in_id_list(Post.id)).options(lazyload(Post.author))
    return {p.id: p for p in session.scalars(stmt, {"ids": ids})}

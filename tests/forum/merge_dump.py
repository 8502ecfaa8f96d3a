"""A complete dump of threads (rows, topics, watchers, every post column, search documents) for exact comparisons."""
from sqlalchemy import select

from models import Post, PostRevision, SearchDocument, Thread, Watch, thread_topics


def dump_threads(db, *thread_ids: int) -> dict:
    """Everything a merge may touch, except the version counter (it only ever increases)."""
    db.rollback()  # a fresh snapshot: see what other sessions (the app) committed
    db.expire_all()
    out = {}
    for tid in thread_ids:
        thread = db.get(Thread, tid)
        row = {c.name: getattr(thread, c.key) for c in Thread.__table__.columns if c.name != "version"}
        posts = db.scalars(select(Post).where(Post.thread_id == tid).order_by(Post.id)).all()
        out[tid] = {
            "row": row,
            "topics": sorted(db.scalars(select(thread_topics.c.topic_id).where(thread_topics.c.thread_id == tid))),
            "watchers": sorted(db.execute(select(Watch.user_id, Watch.created_at).where(Watch.thread_id == tid)).all()),
            "posts": [{c.name: getattr(p, c.key) for c in Post.__table__.columns} for p in posts],
            "revisions": sorted(db.execute(select(PostRevision.post_id, PostRevision.editor_id, PostRevision.body_md,
                                                  PostRevision.created_at)
                                           .where(PostRevision.post_id.in_([p.id for p in posts]))).all()),
            "search": sorted(db.execute(select(SearchDocument.doc_id, SearchDocument.group_id, SearchDocument.title,
                                               SearchDocument.text, SearchDocument.stems)
                                        .where(SearchDocument.group_id == tid)).all()),
        }
    return out

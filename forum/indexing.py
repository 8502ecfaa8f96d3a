"""Tell search about changed posts, inside the same transaction as the change."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Post, Thread
from search import documents


def index_post(session: Session, post: Post, thread: Thread) -> None:
    """(Re)index one post; the thread's first post carries the title."""
    if post.is_deleted or post.is_hidden:
        documents.delete_document(session, post.id)
        return
    title = thread.title if post.id == thread.first_post_id else ""
    documents.upsert_document(session, doc_id=post.id, group_id=thread.id, text=post.body_text, title=title)


def unindex_post(session: Session, post: Post) -> None:
    """Drop one post from search."""
    documents.delete_document(session, post.id)


def reindex_every_post(session: Session, batch: int = 500) -> int:
    """Write the search document of every post again from the posts themselves; returns how many posts were read.

    For recovery (documents lost to a downgrade, a restore of the posts alone, an import that bypassed the verbs):
    unchanged documents cost no event and no embedding; posts of hidden threads have none."""
    after, seen = 0, 0
    while True:
        rows = session.execute(select(Post, Thread).join(Thread, Thread.id == Post.thread_id)
                               .where(Post.id > after).order_by(Post.id).limit(batch)).all()
        if not rows:
            return seen
        for post, thread in rows:
            if thread.is_hidden or thread.merged_into_id is not None:
                documents.delete_document(session, post.id)
            else:
                index_post(session, post, thread)
        after, seen = rows[-1][0].id, seen + len(rows)
        session.commit()  # a batch at a time: an interrupted run keeps what it wrote

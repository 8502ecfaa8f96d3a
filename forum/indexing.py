"""Tell search about changed posts, inside the same transaction as the change."""
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

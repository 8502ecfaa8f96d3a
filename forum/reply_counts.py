"""A thread's reply count is the replies members can read: not the question, not hidden, not deleted.

Counted again from the posts after every change that can touch several at once (hide, delete, restore, merge,
undo): adding and subtracting drifted when two of them met, e.g. unhiding a reply its author had deleted, or a
merge moving replies deleted earlier. A new reply still adds one atomically (forum/posts.py)."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Post, Thread


def readable_replies(session: Session, thread: Thread) -> int:
    """How many of the thread's replies members can read."""
    return session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == thread.id, Post.id != thread.first_post_id,
        Post.is_hidden.is_(False), Post.is_deleted.is_(False))) or 0


def recount_replies(session: Session, *threads: Thread) -> None:
    """Set each thread's reply count from its posts (pending changes are flushed first)."""
    for thread in threads:
        thread.reply_count = readable_replies(session, thread)

"""A reply taken back by its author (or removed by a moderator): gone from the thread and from search, kept in the
database, so the replies to it keep their place and a moderator can still read what was said."""
from sqlalchemy.orm import Session

from forum.errors import PermissionDenied, ValidationFailed
from forum.indexing import unindex_post
from forum.moderation_log import log_action
from forum.permissions import can_moderate, check, check_logged_in
from models import Post, Thread, User


def can_delete_post(user: User | None, post: Post, thread: Thread) -> bool:
    """Authors delete their own replies (not in a locked thread); moderators any reply in their scope."""
    if user is None or not user.is_active or post.is_deleted or post.id == thread.first_post_id:
        return False
    return can_moderate(user, thread) or (user.id == post.author_id and not thread.is_locked)


def check_deletable(actor: User, post: Post, thread: Thread) -> None:
    """ValidationFailed or PermissionDenied, with the reason in words, unless `actor` may delete `post`."""
    if post.id == thread.first_post_id:
        raise ValidationFailed("Pertanyaan tidak dapat dihapus: balasan di bawahnya akan kehilangan konteks. "
                               "Sunting isinya, atau minta moderator menyembunyikan diskusi ini.")
    if thread.is_locked and actor.id == post.author_id and not can_moderate(actor, thread):
        raise PermissionDenied("Diskusi ini dikunci moderator, jadi tulisan di dalamnya tidak dapat dihapus lagi.")
    check(can_delete_post(actor, post, thread), "Anda tidak dapat menghapus tulisan ini.")


def delete_post(session: Session, *, post: Post, actor: User | None) -> Post:
    """Mark a reply deleted: the thread shows "[tulisan dihapus]" in its place, search and counts drop it.

    The question itself cannot be deleted this way: the answers under it would lose what they answer (a
    moderator hides the whole thread instead). Deleting twice changes nothing."""
    actor = check_logged_in(actor)
    thread = session.get(Thread, post.thread_id)
    if post.is_deleted:
        return post
    check_deletable(actor, post, thread)
    post.is_deleted = True
    thread.version += 1
    if not post.is_hidden:
        thread.reply_count = max(0, thread.reply_count - 1)  # the count is of replies members can read
    unindex_post(session, post)
    was_accepted = thread.accepted_post_id == post.id
    if was_accepted:
        thread.accepted_post_id = None  # a deleted answer answers nobody: the thread is unanswered again
    if actor.id != post.author_id:
        log_action(session, actor, "delete_post", thread=thread, post=post, details={"was_accepted": was_accepted})
    session.flush()
    return post

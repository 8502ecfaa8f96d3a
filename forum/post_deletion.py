"""A reply taken back by its author (or removed by a moderator): gone from the thread and from search, kept in the
database, so the replies to it keep their place, a moderator can still read what was said, and it can be restored."""
from sqlalchemy.orm import Session

from forum.errors import PermissionDenied, ValidationFailed
from forum.indexing import index_post, unindex_post
from forum.moderation_log import last_post_entry, log_action
from forum.permissions import can_moderate, check, check_logged_in
from forum.reply_counts import recount_replies
from models import Post, Thread, User, utcnow


def can_delete_post(user: User | None, post: Post, thread: Thread) -> bool:
    """Authors delete their own replies (not in a locked thread, not once accepted); moderators any reply."""
    if user is None or not user.is_active or post.is_deleted or post.id == thread.first_post_id:
        return False
    if can_moderate(user, thread):
        return True
    return user.id == post.author_id and not thread.is_locked and thread.accepted_post_id != post.id


def can_restore_post(user: User | None, post: Post, thread: Thread) -> bool:
    """Authors restore what they deleted themselves (not in a locked thread); moderators any deleted reply."""
    if user is None or not user.is_active or not post.is_deleted:
        return False
    if can_moderate(user, thread):
        return True
    return user.id == post.author_id == post.deleted_by_id and not thread.is_locked


def check_deletable(actor: User, post: Post, thread: Thread) -> None:
    """ValidationFailed or PermissionDenied, with the reason in words, unless `actor` may delete `post`."""
    if post.id == thread.first_post_id:
        raise ValidationFailed("Pertanyaan tidak dapat dihapus seperti balasan. Selama belum ada anggota lain yang "
                               "membalas, penanya dapat menghapus seluruh diskusinya (“Hapus pertanyaan”); sesudah "
                               "itu, sunting isinya atau minta moderator menyembunyikan diskusi ini.")
    if actor.id == post.author_id and not can_moderate(actor, thread):
        if thread.is_locked:
            raise PermissionDenied("Diskusi ini dikunci moderator, jadi tulisan di dalamnya tidak dapat dihapus lagi.")
        if thread.accepted_post_id == post.id:
            # As on Stack Overflow: the asker and later readers rely on the accepted answer; its author can still
            # correct it, and a moderator can remove it.
            raise PermissionDenied("Jawaban ini sudah dipilih penanya, jadi tidak dapat dihapus penulisnya. "
                                   "Sunting isinya bila perlu diperbaiki, atau laporkan ke moderator.")
    check(can_delete_post(actor, post, thread), "Anda tidak dapat menghapus tulisan ini.")


def check_restorable(actor: User, post: Post, thread: Thread) -> None:
    """PermissionDenied, with the reason in words, unless `actor` may restore the deleted `post`."""
    if actor.id == post.author_id and not can_moderate(actor, thread):
        if post.deleted_by_id != actor.id:
            raise PermissionDenied("Tulisan ini dihapus moderator, jadi hanya moderator yang dapat memulihkannya.")
        if thread.is_locked:
            raise PermissionDenied("Diskusi ini dikunci moderator, jadi tulisan di dalamnya tidak dapat dipulihkan.")
    check(can_restore_post(actor, post, thread), "Anda tidak dapat memulihkan tulisan ini.")


def delete_post(session: Session, *, post: Post, actor: User | None) -> Post:
    """Mark a reply deleted: the thread shows "[tulisan dihapus]" in its place, search and counts drop it.

    The question itself cannot be deleted this way: the answers under it would lose what they answer (a
    moderator hides the whole thread instead). Deleting twice changes nothing."""
    actor = check_logged_in(actor)
    thread = session.get(Thread, post.thread_id)
    if post.is_deleted:
        check(actor.id == post.author_id or can_moderate(actor, thread), "Anda tidak dapat menghapus tulisan ini.")
        return post  # a second click
    check_deletable(actor, post, thread)
    post.is_deleted, post.deleted_by_id, post.deleted_at = True, actor.id, utcnow()
    thread.version += 1
    recount_replies(session, thread)
    unindex_post(session, post)
    was_accepted = thread.accepted_post_id == post.id
    if was_accepted:
        thread.accepted_post_id = None  # a deleted answer answers nobody: the thread is unanswered again
    if actor.id != post.author_id or was_accepted:  # a moderator's own accepted answer too: restoring reads it
        log_action(session, actor, "delete_post", thread=thread, post=post, details={"was_accepted": was_accepted})
    session.flush()
    return post


def restore_post(session: Session, *, post: Post, actor: User | None) -> Post:
    """Undo a deletion: the reply is back in the thread, in search and in the count, in its old place; an answer
    accepted when a moderator deleted it is accepted again, unless the asker has chosen another meanwhile."""
    actor = check_logged_in(actor)
    thread = session.get(Thread, post.thread_id)
    if not post.is_deleted:
        check(actor.id == post.author_id or can_moderate(actor, thread), "Anda tidak dapat memulihkan tulisan ini.")
        return post  # a second click
    check_restorable(actor, post, thread)
    was_accepted = _was_accepted_when_deleted(session, post)
    post.is_deleted, post.deleted_by_id, post.deleted_at = False, None, None
    thread.version += 1
    recount_replies(session, thread)
    if not post.is_hidden:
        if not thread.is_hidden:
            index_post(session, post, thread)
        if thread.accepted_post_id is None and was_accepted:
            thread.accepted_post_id = post.id
    if actor.id != post.author_id:
        log_action(session, actor, "restore_post", thread=thread, post=post)
    session.flush()
    return post


def _was_accepted_when_deleted(session: Session, post: Post) -> bool:
    # Only a moderator can delete an accepted answer, and every such deletion is logged with whether it was.
    last = last_post_entry(session, post.id, "delete_post")
    return last is not None and post.deleted_by_id == last.actor_id and bool((last.details or {}).get("was_accepted"))

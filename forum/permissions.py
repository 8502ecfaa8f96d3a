"""Who may do what: every rule lives here, as can_* (bool) and check_* (raises) functions."""
from forum.errors import NotAuthenticated, PermissionDenied
from models import Post, Thread, User


def is_staff(user: User | None) -> bool:
    """Moderator or admin."""
    return user is not None and user.is_active and user.role in ("moderator", "admin")


def can_moderate(user: User | None, thread: Thread | None = None) -> bool:
    """Admins moderate everything; a moderator only inside their agency/topic scopes (none = all)."""
    if not is_staff(user):
        return False
    if user.role == "admin" or not user.scopes or thread is None:
        return True
    return can_moderate_place(user, thread.agency_id, {t.id for t in thread.topics})


def can_moderate_place(user: User | None, agency_id: int, topic_ids: set[int]) -> bool:
    """Whether a thread with this agency and these topics would be in the moderator's scope (for a move or
    a merge's new topics: a scoped moderator must not send a thread where they could not follow it)."""
    if not is_staff(user):
        return False
    if user.role == "admin" or not user.scopes:
        return True
    return any((s.agency_id is None or s.agency_id == agency_id) and (s.topic_id is None or s.topic_id in topic_ids)
               for s in user.scopes)


def is_forum_wide_staff(user: User | None) -> bool:
    """Admins and moderators without an agency/topic scope: they moderate (and may see) every thread."""
    return is_staff(user) and (user.role == "admin" or not user.scopes)


def lists_hidden_threads(user: User | None) -> bool:
    """Hidden threads appear in lists and search for admins and forum-wide moderators only. A scoped moderator
    opens the hidden threads of their scope by their link (can_view_thread); a list cannot tell scopes apart
    without costing every listing query, and must never show another scope's hidden ones."""
    return is_forum_wide_staff(user)


def can_edit_synonyms(user: User | None) -> bool:
    """The search dictionary is forum-wide: admins and moderators without an agency/topic scope."""
    return is_forum_wide_staff(user)


def can_view_thread(user: User | None, thread: Thread) -> bool:
    """Hidden threads are visible to moderators who may moderate them only."""
    if thread.is_hidden:
        return can_moderate(user, thread)
    return True


def can_view_post(user: User | None, post: Post, thread: Thread) -> bool:
    """Hidden posts (by moderation) are visible to their author and moderators."""
    if post.is_hidden:
        return user is not None and (user.id == post.author_id or can_moderate(user, thread))
    return True


def can_reply(user: User | None, thread: Thread) -> bool:
    """Members reply to open threads; moderators also to locked ones."""
    if user is None or not user.is_active or thread.merged_into_id or not can_view_thread(user, thread):
        return False
    return not thread.is_locked or can_moderate(user, thread)


def can_edit_post(user: User | None, post: Post, thread: Thread) -> bool:
    """Authors edit their own posts (not in locked threads, not once a moderator hid them, which would change
    what the moderator judged without anyone seeing); moderators edit any in their scope."""
    if user is None or not user.is_active or post.is_deleted:
        return False
    if can_moderate(user, thread):
        return True
    return user.id == post.author_id and not thread.is_locked and not post.is_hidden


def can_accept_answer(user: User | None, thread: Thread) -> bool:
    """The thread author or a moderator picks the accepted answer."""
    if user is None or not user.is_active:
        return False
    return user.id == thread.author_id or can_moderate(user, thread)


def can_give_asker_verdict(user: User | None, thread: Thread) -> bool:
    """Only the member who asked says whether an earlier thread answers their question."""
    return user is not None and user.is_active and user.id == thread.author_id and not thread.merged_into_id


def check_logged_in(user: User | None) -> User:
    """Raise NotAuthenticated unless someone is logged in."""
    if user is None or not user.is_active:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.")
    return user


def check(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def check_moderator(user: User | None, thread: Thread | None = None) -> User:
    """Raise unless `user` may moderate `thread` (or anything, when thread is None)."""
    user = check_logged_in(user)
    check(can_moderate(user, thread), "Hanya moderator yang berwenang yang dapat melakukan tindakan ini.")
    return user


def check_admin(user: User | None) -> User:
    """Raise unless `user` is an admin."""
    user = check_logged_in(user)
    check(user.role == "admin", "Hanya admin yang dapat melakukan tindakan ini.")
    return user

"""In-app notifications: create, list, count unread, mark read."""
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from forum.read_model import valid_id
from models import Notification, Post, Thread, utcnow


def _still_shown(staff: bool) -> list:
    """Notifications about a thread or post a moderator has since hidden (or its author deleted) are not
    listed or counted for members: their links would only lead to "not found". Forum-wide staff (`staff`) still
    see them; a moderator limited to some agencies or topics is treated as a member here."""
    if staff:
        return []
    return [or_(Notification.thread_id.is_(None),
                ~exists().where(Thread.id == Notification.thread_id, Thread.is_hidden.is_(True))),
            or_(Notification.post_id.is_(None),
                ~exists().where(Post.id == Notification.post_id, or_(Post.is_hidden.is_(True), Post.is_deleted.is_(True))))]


def notify(session: Session, user_id: int, kind: str, message: str, url: str = "", *,
           actor_id: int | None = None, thread_id: int | None = None, post_id: int | None = None) -> Notification | None:
    """Store a notification for `user_id`; nobody is notified of their own action."""
    if actor_id is not None and actor_id == user_id:
        return None
    note = Notification(user_id=user_id, kind=kind, message=message[:500], url=url, actor_id=actor_id,
                        thread_id=thread_id, post_id=post_id)
    session.add(note)
    return note


def already_notified(session: Session, user_id: int, kind: str, post_id: int) -> bool:
    """Whether the member was ever told this about this post (an answer accepted, taken back, accepted again)."""
    return session.scalar(select(Notification.id).where(Notification.user_id == user_id, Notification.kind == kind,
                                                        Notification.post_id == post_id).limit(1)) is not None


def unread_count(session: Session, user_id: int, staff: bool = False) -> int:
    """How many notifications the member has not read."""
    return session.scalar(select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None),
                                                     *_still_shown(staff))) or 0


def list_notifications(session: Session, user_id: int, limit: int = 50, staff: bool = False,
                       before_id: int | None = None) -> list[Notification]:
    """Newest notifications first; `before_id` continues an older page (those with a smaller id)."""
    older = [Notification.id < before_id] if valid_id(before_id) else []
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id, *_still_shown(staff),
                                                           *older)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(session: Session, user_id: int) -> None:
    """Mark every notification of the member as read."""
    session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))


def has_unread_about(session: Session, user_id: int, thread_id: int) -> bool:
    """Whether the member has an unread notification about this thread (a read; opening the thread marks them)."""
    return bool(session.scalar(select(exists().where(Notification.user_id == user_id, Notification.read_at.is_(None),
                                                     Notification.thread_id == thread_id))))


def mark_thread_read(session: Session, user_id: int, thread_id: int) -> int:
    """Mark the member's notifications about this thread read (they opened it: the replies are in front of them)."""
    done = session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None),
                                                      Notification.thread_id == thread_id).values(read_at=utcnow()))
    return done.rowcount or 0


def open_notification(session: Session, user_id: int, note_id: int) -> Notification | None:
    """Mark one notification read and return it (None if not the member's)."""
    if not valid_id(note_id):
        return None
    note = session.get(Notification, note_id)
    if note is None or note.user_id != user_id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
    return note

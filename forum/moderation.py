"""Thread moderation verbs (Misago style): lock, hide, pin, move — each checked, logged and versioned."""
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from forum.catalog import resolve_agency, resolve_topics
from forum.errors import Conflict, PermissionDenied, ValidationFailed
from forum.indexing import index_post, unindex_post
from forum.moderation_log import log_action
from forum.permissions import can_moderate_place, check_moderator
from forum.text import clean_line
from models import Agency, Post, Thread, Topic, User

CONFLICT_MESSAGE = "Diskusi ini baru saja diubah oleh moderator lain. Muat ulang halaman lalu coba lagi."
OUT_OF_SCOPE = ("Tujuan itu di luar instansi/topik yang Anda moderasi: diskusinya tidak akan bisa Anda moderasi lagi. "
                "Minta moderator forum atau admin untuk memindahkannya.")
MAX_TOPICS = 6


def clean_reason(reason: object) -> str:
    """An optional one-line reason, at most 500 characters."""
    if reason in (None, ""):
        return ""
    return clean_line(reason, "Alasan", "reason", 0, 500)


def claim(session: Session, *threads: Thread, expected: dict[int, int] | None = None,
          require_unmerged: bool = True) -> None:
    """Optimistic lock: bump each thread's version only if nobody changed it since it was read.

    Rows are updated in id order (no deadlocks on PostgreSQL, where the UPDATE also takes the row lock).
    A lost race — zero rows updated, or SQLite refusing a stale snapshot — raises Conflict.
    """
    expected = expected or {}
    try:
        for thread in sorted(threads, key=lambda t: t.id):
            version = expected.get(thread.id, thread.version)
            if not isinstance(version, int) or not 0 <= version < 2**62:
                raise Conflict(CONFLICT_MESSAGE)  # no thread has such a version (and the database could not compare it)
            q = update(Thread).where(Thread.id == thread.id, Thread.version == version)
            if require_unmerged:
                q = q.where(Thread.merged_into_id.is_(None))
            result = session.execute(q.values(version=version + 1), execution_options={"synchronize_session": False})
            if result.rowcount != 1:
                raise Conflict(CONFLICT_MESSAGE)
            set_committed_value(thread, "version", version + 1)
    except OperationalError:  # SQLite: stale snapshot / lock; PostgreSQL: deadlock or lock timeout
        raise Conflict(CONFLICT_MESSAGE) from None


def resolve_topic_list(session: Session, slugs: object, field: str = "topics") -> list[Topic]:
    """One to MAX_TOPICS distinct known topics (moderators may exceed the members' limit of three)."""
    return resolve_topics(session, slugs, field=field, maximum=MAX_TOPICS)


def reindex_thread(session: Session, thread: Thread, posts: Iterable[Post] | None = None) -> None:
    """Make search match the thread's visibility: hidden threads leave search, visible ones come back."""
    if posts is None:
        posts = session.scalars(select(Post).where(Post.thread_id == thread.id))
    for post in posts:
        if thread.is_hidden or thread.merged_into_id:
            unindex_post(session, post)
        else:
            index_post(session, post, thread)


def _flag(session: Session, thread: Thread, actor: User | None, reason: object, attr: str, value: bool,
          action: str, expected_version: int | None) -> Thread:
    actor = check_moderator(actor, thread)
    if thread.merged_into_id:
        raise ValidationFailed("Diskusi ini sudah digabungkan; moderasi diskusi tujuannya.")
    reason = clean_reason(reason)
    if getattr(thread, attr) == value:
        return thread  # already in that state: nothing to do, nothing to log
    claim(session, thread, expected={thread.id: expected_version} if expected_version is not None else None)
    setattr(thread, attr, value)
    if attr == "is_hidden":
        reindex_thread(session, thread)
    log_action(session, actor, action, thread=thread, reason=reason)
    session.flush()
    return thread


def lock_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
                expected_version: int | None = None) -> Thread:
    """No new replies from members."""
    return _flag(session, thread, actor, reason, "is_locked", True, "lock", expected_version)


def unlock_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
                  expected_version: int | None = None) -> Thread:
    """Members may reply again."""
    return _flag(session, thread, actor, reason, "is_locked", False, "unlock", expected_version)


def hide_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
                expected_version: int | None = None) -> Thread:
    """Invisible to members and to search."""
    return _flag(session, thread, actor, reason, "is_hidden", True, "hide", expected_version)


def unhide_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
                  expected_version: int | None = None) -> Thread:
    """Visible (and searchable) again; the lock state is unchanged."""
    return _flag(session, thread, actor, reason, "is_hidden", False, "unhide", expected_version)


def pin_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
               expected_version: int | None = None) -> Thread:
    """Shown first in activity lists."""
    return _flag(session, thread, actor, reason, "is_pinned", True, "pin", expected_version)


def unpin_thread(session: Session, thread: Thread, actor: User | None, reason: object = "", *,
                 expected_version: int | None = None) -> Thread:
    """Back to the normal order."""
    return _flag(session, thread, actor, reason, "is_pinned", False, "unpin", expected_version)


def move_thread(session: Session, thread: Thread, actor: User | None, agency: object, topics: object,
                reason: object = "", *, expected_version: int | None = None) -> Thread:
    """Move to another agency and/or topics (slugs or rows)."""
    actor = check_moderator(actor, thread)
    if thread.merged_into_id:
        raise ValidationFailed("Diskusi ini sudah digabungkan; moderasi diskusi tujuannya.")
    problems: list[ValidationFailed] = []  # every field is checked, so one answer names every mistake
    try:
        reason = clean_reason(reason)
    except ValidationFailed as exc:
        problems.append(exc)
    try:
        new_agency = agency if isinstance(agency, Agency) else resolve_agency(session, agency)
    except ValidationFailed as exc:
        problems.append(exc)
    try:
        if isinstance(topics, (list, tuple)) and topics and all(isinstance(t, Topic) for t in topics):
            new_topics = list(dict.fromkeys(topics))
        else:
            new_topics = resolve_topic_list(session, topics)
    except ValidationFailed as exc:
        problems.append(exc)
    if problems:
        raise ValidationFailed(" ".join(p.message for p in problems),
                               fields={k: v for p in problems for k, v in p.fields.items()})
    if not can_moderate_place(actor, new_agency.id, {t.id for t in new_topics}):
        raise PermissionDenied(OUT_OF_SCOPE)
    before = {"agency": thread.agency.slug, "topics": [t.slug for t in thread.topics]}
    after = {"agency": new_agency.slug, "topics": [t.slug for t in new_topics]}
    if before["agency"] == after["agency"] and set(before["topics"]) == set(after["topics"]):
        return thread
    claim(session, thread, expected={thread.id: expected_version} if expected_version is not None else None)
    thread.agency_id = new_agency.id
    thread.agency = new_agency
    thread.topics = new_topics
    log_action(session, actor, "move", thread=thread, reason=reason, details={"from": before, "to": after})
    session.flush()
    return thread


ACTIONS = {"kunci": lock_thread, "buka-kunci": unlock_thread, "sembunyikan": hide_thread,
           "tampilkan": unhide_thread, "sematkan": pin_thread, "lepas-sematan": unpin_thread}

"""The moderation log: every moderator action with actor, time, reason and links."""
from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from forum.read_model import valid_id
from models import ModerationLog, Post, Thread, User
from models.threads import thread_topics

ACTIONS = {
    "merge": "Gabungkan", "unmerge": "Batalkan penggabungan", "lock": "Kunci", "unlock": "Buka kunci",
    "hide": "Sembunyikan", "unhide": "Tampilkan", "pin": "Sematkan", "unpin": "Lepas sematan",
    "move": "Pindahkan", "edit_post": "Sunting tulisan anggota", "hide_post": "Sembunyikan tulisan",
    "dismiss_report": "Abaikan laporan", "reopen_report": "Buka lagi laporan", "not_duplicate": "Bukan duplikat", "variant": "Varian",
    "reopen_duplicate": "Batalkan keputusan duplikat", "unhide_post": "Tampilkan tulisan",
    "delete_post": "Hapus tulisan anggota", "restore_post": "Pulihkan tulisan anggota",
    "withdraw": "Dihapus penanya",
    "set_role": "Ubah peran", "password_reset": "Tautan atur ulang kata sandi", "add_synonyms": "Tambah sinonim", "remove_synonyms": "Hapus sinonim",
}


def last_post_entry(session: Session, post_id: int, action: str) -> ModerationLog | None:
    """The newest log entry of `action` on the post (what an undo reads back, e.g. whether it was accepted)."""
    return session.scalar(select(ModerationLog).where(ModerationLog.post_id == post_id, ModerationLog.action == action)
                          .order_by(ModerationLog.id.desc()).limit(1))


def log_action(session: Session, actor: User, action: str, *, thread: Thread | None = None, post: Post | None = None,
               target: Thread | None = None, merge_id: int | None = None, reason: str = "",
               details: dict | None = None) -> ModerationLog:
    """Append one entry to the moderation log."""
    entry = ModerationLog(actor_id=actor.id, action=action, thread_id=thread.id if thread else None,
                          post_id=post.id if post else None, target_thread_id=target.id if target else None,
                          merge_id=merge_id, reason=reason or "", details=details or {})
    session.add(entry)
    return entry


def list_log(session: Session, viewer: User | None = None, *, action: str | None = None,
             actor_id: int | None = None, thread_id: int | None = None, limit: int = 100,
             offset: int = 0) -> list[ModerationLog]:
    """Log entries the viewer may read, newest first, optionally filtered.

    A moderator limited to some agencies or topics reads the entries about threads in their scope only
    (the reasons given for hiding a thread elsewhere are not theirs to read); forum-wide entries (roles,
    the search dictionary) are for admins and unscoped moderators. Without a viewer: every entry."""
    q = select(ModerationLog).order_by(ModerationLog.id.desc())
    if action:
        q = q.where(ModerationLog.action == action)
    if actor_id:
        q = q.where(ModerationLog.actor_id == actor_id)
    if thread_id is not None:
        if not valid_id(thread_id):
            return []  # no thread has such an id (and a huge one would overflow SQLite's integers)
        q = q.where((ModerationLog.thread_id == thread_id) | (ModerationLog.target_thread_id == thread_id))
    if viewer is not None and viewer.role != "admin" and viewer.scopes:
        scoped = _threads_in_scope(viewer)
        q = q.where(or_(ModerationLog.thread_id.in_(scoped), ModerationLog.target_thread_id.in_(scoped)))
    return list(session.scalars(q.limit(limit).offset(offset)))


def _threads_in_scope(viewer: User):
    """The ids of the threads a scoped moderator moderates, as a subquery: the rule of permissions.can_moderate
    (an agency, a topic, or both in one scope) in SQL, so a page of the log is filtered before it is cut."""
    rules = []
    for scope in viewer.scopes:
        parts = []
        if scope.agency_id is not None:
            parts.append(Thread.agency_id == scope.agency_id)
        if scope.topic_id is not None:
            parts.append(Thread.id.in_(select(thread_topics.c.thread_id).where(thread_topics.c.topic_id == scope.topic_id)))
        rules.append(and_(*parts) if parts else true())
    return select(Thread.id).where(or_(*rules))

"""The moderation log: every moderator action with actor, time, reason and links."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.permissions import can_moderate
from models import ModerationLog, Post, Thread, User

ACTIONS = {
    "merge": "Gabungkan", "unmerge": "Batalkan penggabungan", "lock": "Kunci", "unlock": "Buka kunci",
    "hide": "Sembunyikan", "unhide": "Tampilkan", "pin": "Sematkan", "unpin": "Lepas sematan",
    "move": "Pindahkan", "edit_post": "Sunting tulisan anggota", "hide_post": "Sembunyikan tulisan",
    "dismiss_report": "Abaikan laporan", "not_duplicate": "Bukan duplikat", "variant": "Varian",
    "reopen_duplicate": "Batalkan keputusan duplikat",
    "set_role": "Ubah peran", "add_synonyms": "Tambah sinonim", "remove_synonyms": "Hapus sinonim",
}


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
    if thread_id:
        q = q.where((ModerationLog.thread_id == thread_id) | (ModerationLog.target_thread_id == thread_id))
    if viewer is None or viewer.role == "admin" or not viewer.scopes:
        return list(session.scalars(q.limit(limit).offset(offset)))
    readable = [e for e in session.scalars(q.limit((limit + offset) * 3)) if _in_scope(session, viewer, e)]
    return readable[offset:offset + limit]


def _in_scope(session: Session, viewer: User, entry: ModerationLog) -> bool:
    threads = [session.get(Thread, i) for i in (entry.thread_id, entry.target_thread_id) if i]
    return any(t is not None and can_moderate(viewer, t) for t in threads)

"""Merge a duplicate thread into a canonical one, and undo it exactly, each in one transaction.

Test hook: when FORUM_TEST_MERGE_PAUSE is set (seconds), merge_threads sleeps that long after all its
writes and before returning, i.e. inside the open transaction; FORUM_TEST_MERGE_PAUSE_MARKER names a file
touched when the pause starts. The kill-during-merge test uses them; production never sets them.
"""
import os
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forum.errors import Conflict, PermissionDenied, ValidationFailed
from forum.moderation import OUT_OF_SCOPE, claim, clean_reason, reindex_thread, resolve_topic_list
from forum.moderation_log import log_action
from forum.notifications import notify
from forum.permissions import can_moderate_place, check_moderator
from forum.threads import thread_url
from models import DuplicateLink, MergeRecord, Post, SearchDocument, Thread, Topic, User, Watch, utcnow
from search import documents

ACCEPTED_CHOICES = ("source", "target")
_THREAD_FIELDS = ("title", "slug", "is_locked", "is_hidden", "is_pinned", "accepted_post_id", "first_post_id",
                  "reply_count", "last_activity_at", "agency_id")


def check_mergeable(source: Thread, target: Thread) -> None:
    """Refuse merging a thread into itself, into a merged-away thread, or a merged-away source."""
    if source.id == target.id:
        raise ValidationFailed("Diskusi tidak dapat digabungkan ke dirinya sendiri.", field="target")
    if source.merged_into_id:
        raise Conflict("Diskusi sumber sudah digabungkan ke diskusi lain.")
    if target.merged_into_id:
        raise Conflict("Diskusi tujuan sudah digabungkan ke diskusi lain; pilih diskusi hasil penggabungannya.")
    if source.is_hidden and not target.is_hidden:
        # Its posts would become public in the target: hidden for a reason (spam, personal data), that must
        # be a decision of its own, not a side effect of a merge.
        raise ValidationFailed("Diskusi sumber sedang disembunyikan moderator: penggabungan akan menampilkan semua "
                               "tulisannya di diskusi tujuan. Tampilkan dulu diskusi itu bila memang ingin "
                               "menggabungkannya.", field="source")


def choose_accepted(source: Thread, target: Thread, choice: object) -> int | None:
    """The accepted post T keeps; when both have one the moderator must say which."""
    if source.accepted_post_id and target.accepted_post_id:
        if choice == "source" or choice == source.accepted_post_id:
            return source.accepted_post_id
        if choice == "target" or choice == target.accepted_post_id:
            return target.accepted_post_id
        raise ValidationFailed("Kedua diskusi punya jawaban terpilih: pilih jawaban mana yang dipertahankan.",
                               field="accepted")
    return target.accepted_post_id or source.accepted_post_id


def _dump(thread: Thread) -> dict:
    data = {name: getattr(thread, name) for name in _THREAD_FIELDS}
    data["last_activity_at"] = thread.last_activity_at.isoformat()
    data["topics"] = [t.id for t in thread.topics]
    return data


def _links_between(session: Session, a: Thread, b: Thread) -> list[DuplicateLink]:
    return list(session.scalars(select(DuplicateLink).where(
        ((DuplicateLink.thread_id == a.id) & (DuplicateLink.other_thread_id == b.id))
        | ((DuplicateLink.thread_id == b.id) & (DuplicateLink.other_thread_id == a.id)))))


def sync_search(session: Session, thread: Thread, post_ids: list[int], retitle: tuple = ()) -> None:
    """Regroup moved posts under `thread` in search (drop them if it is hidden); `retitle` posts re-render titles."""
    if thread.is_hidden:
        reindex_thread(session, thread, session.scalars(select(Post).where(Post.id.in_(post_ids))))
        return
    documents.move_documents(session, post_ids, thread.id)
    indexed = set(session.scalars(select(SearchDocument.doc_id).where(SearchDocument.doc_id.in_(post_ids))))
    redo = [i for i in post_ids if i not in indexed] + [i for i in retitle if i]
    if redo:
        reindex_thread(session, thread, session.scalars(select(Post).where(Post.id.in_(redo))))


def _pause_for_tests() -> None:
    seconds = float(os.environ.get("FORUM_TEST_MERGE_PAUSE", "0") or 0)
    if seconds > 0:
        marker = os.environ.get("FORUM_TEST_MERGE_PAUSE_MARKER")
        if marker:
            Path(marker).touch()
        time.sleep(seconds)


def merge_threads(session: Session, *, source: Thread, target: Thread, actor: User | None, reason: object = "",
                  accepted_choice: object = None, topics: object = None,
                  expected_versions: dict[int, int] | None = None) -> MergeRecord:
    """Move every post of `source` into `target`; `source` stays as a redirect. Returns the undo record."""
    actor = check_moderator(actor, source)
    check_moderator(actor, target)
    check_mergeable(source, target)
    reason = clean_reason(reason)
    accepted = choose_accepted(source, target, accepted_choice)
    new_topics = (resolve_topic_list(session, topics) if topics not in (None, "", [])
                  else list(dict.fromkeys([*target.topics, *source.topics])))
    if not can_moderate_place(actor, target.agency_id, {t.id for t in new_topics}):
        raise PermissionDenied(OUT_OF_SCOPE)
    claim(session, source, target, expected=expected_versions)
    now = utcnow()
    moved = session.execute(select(Post.id, Post.reply_to_id, Post.merged_from_thread_id, Post.author_id)
                            .where(Post.thread_id == source.id).order_by(Post.created_at, Post.id)).all()
    s_watchers = session.execute(select(Watch.user_id, Watch.created_at).where(Watch.thread_id == source.id)).all()
    t_watchers = set(session.scalars(select(Watch.user_id).where(Watch.thread_id == target.id)))
    links = _links_between(session, source, target)
    snapshot = {
        "posts": [{"id": p.id, "reply_to_id": p.reply_to_id, "merged_from_thread_id": p.merged_from_thread_id}
                  for p in moved],
        "source": _dump(source),
        "source_watchers": [{"user_id": w.user_id, "created_at": w.created_at.isoformat()} for w in s_watchers],
        "target_before": _dump(target),
        "added_watchers": sorted({w.user_id for w in s_watchers} - t_watchers),
        "links": [{"id": link.id, "status": link.status, "decided_by_id": link.decided_by_id,
                   "decided_at": link.decided_at.isoformat() if link.decided_at else None} for link in links],
    }
    ids = [p.id for p in moved]
    session.execute(update(Post).where(Post.thread_id == source.id)
                    .values(thread_id=target.id, merged_from_thread_id=source.id),
                    execution_options={"synchronize_session": "evaluate"})
    session.add_all(Watch(user_id=u, thread_id=target.id, created_at=now) for u in snapshot["added_watchers"])
    target.topics = new_topics
    target.accepted_post_id = accepted
    target.reply_count = max(0, (session.scalar(select(func.count()).where(Post.thread_id == target.id)) or 1) - 1)
    target.last_activity_at = max(target.last_activity_at, source.last_activity_at)
    source.merged_into_id = target.id
    source.accepted_post_id = None
    source.is_hidden = False  # the old URL must redirect for everyone who may see the target
    for link in links:
        link.status, link.decided_by_id, link.decided_at = "merged", actor.id, now
    session.flush()
    snapshot["target_after"] = _dump(target)
    record = MergeRecord(source_thread_id=source.id, target_thread_id=target.id, actor_id=actor.id, reason=reason,
                         snapshot=snapshot, created_at=now)
    session.add(record)
    session.flush()
    sync_search(session, target, ids, retitle=(source.first_post_id,))
    _notify_authors(session, moved, source, target, actor)
    log_action(session, actor, "merge", thread=source, target=target, merge_id=record.id, reason=reason,
               details={"posts": len(ids), "source_title": source.title, "target_title": target.title})
    session.flush()
    _pause_for_tests()
    return record


def _notify_authors(session: Session, moved, source: Thread, target: Thread, actor: User) -> None:
    first_post_of: dict[int, int] = {}
    for p in moved:
        first_post_of.setdefault(p.author_id, p.id)
    for author_id, post_id in first_post_of.items():
        notify(session, author_id, "thread_merged",
               f"Diskusi Anda digabungkan ke “{target.title}” (sebelumnya “{source.title}”).",
               thread_url(target, post_id), actor_id=actor.id, thread_id=target.id, post_id=post_id)


def _notify_unmerged(session: Session, ids: list[int], source: Thread, target: Thread, actor: User) -> None:
    # The merge notification pointed these authors at the target; tell them where their posts are now.
    rows = session.execute(select(Post.author_id, func.min(Post.id)).where(Post.id.in_(ids))
                           .group_by(Post.author_id)).all() if ids else []
    for author_id, post_id in rows:
        notify(session, author_id, "thread_unmerged",
               f"Penggabungan dibatalkan: tulisan Anda kembali ke “{source.title}” (terpisah dari “{target.title}”).",
               thread_url(source, post_id), actor_id=actor.id, thread_id=source.id, post_id=post_id)


def active_merges_into(session: Session, target: Thread) -> list[MergeRecord]:
    """Merges into `target` that have not been undone, newest first."""
    return list(session.scalars(select(MergeRecord).where(MergeRecord.target_thread_id == target.id,
                                                          MergeRecord.undone_at.is_(None))
                                .order_by(MergeRecord.id.desc())))


def find_active_merge(session: Session, source_id: int, target_id: int) -> MergeRecord | None:
    """The merge of source into target that is still in effect, if any."""
    return session.scalar(select(MergeRecord).where(MergeRecord.source_thread_id == source_id,
                                                    MergeRecord.target_thread_id == target_id,
                                                    MergeRecord.undone_at.is_(None))
                          .order_by(MergeRecord.id.desc()))


def _restore_topics(session: Session, thread: Thread, before: list[int], after: list[int]) -> None:
    """Take back what the merge changed in the topic set, keeping topic changes made since."""
    current = [t.id for t in thread.topics]
    if set(current) == set(after):
        wanted = list(before)
    else:
        added, removed = set(after) - set(before), set(before) - set(after)
        wanted = [i for i in current if i not in added] + [i for i in before if i in removed and i not in current]
    if set(wanted) != set(current) and wanted:
        thread.topics = list(session.scalars(select(Topic).where(Topic.id.in_(wanted))))


def check_undoable(session: Session, record: MergeRecord) -> None:
    """Refuse, with a clear message, an undo that could not restore the source exactly."""
    source, target = record.source, record.target
    if record.undone_at is not None:
        raise Conflict("Penggabungan ini sudah dibatalkan sebelumnya.")
    if source.merged_into_id != target.id:
        raise Conflict("Diskusi sumber tidak lagi tergabung ke diskusi tujuan; penggabungan ini tidak dapat dibatalkan.")
    if target.merged_into_id:
        later = session.get(Thread, target.merged_into_id)
        raise Conflict(f"Diskusi tujuan sudah digabungkan lagi ke “{later.title if later else '?'}”. "
                       "Batalkan penggabungan itu terlebih dahulu.")
    newer = session.scalar(select(MergeRecord).where(MergeRecord.target_thread_id == target.id,
                                                     MergeRecord.undone_at.is_(None), MergeRecord.id > record.id)
                           .order_by(MergeRecord.id.desc()))
    if newer is not None:
        raise Conflict(f"Ada penggabungan yang lebih baru ke diskusi ini (“{newer.source.title}”). "
                       "Batalkan yang terbaru terlebih dahulu.")
    ids = [p["id"] for p in record.snapshot["posts"]]
    elsewhere = session.scalar(select(func.count()).where(Post.id.in_(ids), Post.thread_id != target.id)) if ids else 0
    if elsewhere:
        raise Conflict("Sebagian tulisan dari penggabungan ini sudah dipindahkan; penggabungan tidak dapat dibatalkan.")


def unmerge(session: Session, *, merge_record: MergeRecord, actor: User | None, reason: object = "") -> Thread:
    """Restore the source thread exactly as it was; replies written in the target after the merge stay there.

    A post written after the merge that replied to a post going back to the source stays in the target
    (where its author wrote it) with its reply link cleared; the undo log entry lists those posts.
    """
    source, target = merge_record.source, merge_record.target
    actor = check_moderator(actor, target)
    check_moderator(actor, source)
    reason = clean_reason(reason)
    check_undoable(session, merge_record)
    now = utcnow()
    claim(session, source, target, require_unmerged=False)
    claimed = session.execute(update(MergeRecord).where(MergeRecord.id == merge_record.id,
                                                        MergeRecord.undone_at.is_(None))
                              .values(undone_at=now, undone_by_id=actor.id),
                              execution_options={"synchronize_session": False})
    if claimed.rowcount != 1:
        raise Conflict("Penggabungan ini baru saja dibatalkan oleh moderator lain.")
    snap = merge_record.snapshot
    moved = snap["posts"]
    ids = [p["id"] for p in moved]
    detached = list(session.scalars(select(Post.id).where(Post.thread_id == target.id, Post.id.not_in(ids),
                                                          Post.reply_to_id.in_(ids)))) if ids else []
    if detached:
        session.execute(update(Post).where(Post.id.in_(detached)).values(reply_to_id=None),
                        execution_options={"synchronize_session": False})
    if moved:
        session.execute(update(Post), [{"id": p["id"], "thread_id": source.id, "reply_to_id": p["reply_to_id"],
                                        "merged_from_thread_id": p["merged_from_thread_id"]} for p in moved])
    _restore_source(session, source, snap)
    _restore_target(session, target, snap, ids, len(moved))
    session.flush()
    session.expire_all()
    sync_search(session, source, ids, retitle=(source.first_post_id,))
    _notify_unmerged(session, ids, source, target, actor)
    log_action(session, actor, "unmerge", thread=source, target=target, merge_id=merge_record.id, reason=reason,
               details={"posts": len(ids), "detached_replies": detached, "source_title": source.title})
    session.flush()
    return source


def _restore_source(session: Session, source: Thread, snap: dict) -> None:
    before = snap["source"]
    for name in _THREAD_FIELDS:
        value = before[name]
        setattr(source, name, datetime.fromisoformat(value) if name == "last_activity_at" else value)
    source.merged_into_id = None
    # An answer hidden while the threads were merged answers nobody; unhiding it restores it (its log entry).
    source.accepted_post_id = _still_visible(session, source.accepted_post_id)
    if sorted(t.id for t in source.topics) != sorted(before["topics"]):
        source.topics = list(session.scalars(select(Topic).where(Topic.id.in_(before["topics"]))))
    have = set(session.scalars(select(Watch.user_id).where(Watch.thread_id == source.id)))
    session.add_all(Watch(user_id=w["user_id"], thread_id=source.id, created_at=datetime.fromisoformat(w["created_at"]))
                    for w in snap["source_watchers"] if w["user_id"] not in have)
    for link in snap["links"]:
        row = session.get(DuplicateLink, link["id"])
        if row is not None:
            row.status, row.decided_by_id = link["status"], link["decided_by_id"]
            row.decided_at = datetime.fromisoformat(link["decided_at"]) if link["decided_at"] else None


def _restore_target(session: Session, target: Thread, snap: dict, ids: list[int], count: int) -> None:
    before, after = snap["target_before"], snap["target_after"]
    current = target.accepted_post_id
    # The merge's choice still stands, or points at a post going back, or it was the source's answer and has
    # gone since (a moderator hid it): the target's own answer from before the merge comes back.
    if current == after["accepted_post_id"] or current in ids or (current is None and after["accepted_post_id"] in ids):
        target.accepted_post_id = _still_visible(session, before["accepted_post_id"])
    _restore_topics(session, target, before["topics"], after["topics"])
    target.reply_count = max(0, target.reply_count - (after["reply_count"] - before["reply_count"]))
    newest = session.scalar(select(func.max(Post.created_at)).where(Post.thread_id == target.id,
                                                                   Post.id.not_in(ids or [0])))
    restored = datetime.fromisoformat(before["last_activity_at"])
    target.last_activity_at = max(restored, newest) if newest else restored
    if snap["added_watchers"]:
        for watch in session.scalars(select(Watch).where(Watch.thread_id == target.id,
                                                         Watch.user_id.in_(snap["added_watchers"]))):
            session.delete(watch)


def _still_visible(session: Session, post_id: int | None) -> int | None:
    """`post_id` unless that post has been hidden or deleted since (an accepted answer must be readable)."""
    post = session.get(Post, post_id) if post_id else None
    return post_id if post is not None and not post.is_hidden and not post.is_deleted else None

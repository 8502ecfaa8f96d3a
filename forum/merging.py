"""Merge a duplicate thread into a canonical one in one transaction, keeping what an exact undo needs (forum.unmerging).

Test hook: when FORUM_TEST_MERGE_PAUSE is set (seconds), merge_threads sleeps that long after all its
writes and before returning, i.e. inside the open transaction; FORUM_TEST_MERGE_PAUSE_MARKER names a file
touched when the pause starts. The kill-during-merge test uses them; production never sets them.
"""
import os
import time
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forum.errors import Conflict, PermissionDenied, ValidationFailed
from forum.moderation import OUT_OF_SCOPE, claim, clean_reason, reindex_thread, resolve_topic_list
from forum.moderation_log import log_action
from forum.notifications import notify
from forum.permissions import can_moderate_place, check_moderator
from forum.reply_counts import recount_replies
from forum.thread_pages import post_url
from models import DuplicateLink, MergeRecord, Post, SearchDocument, Thread, User, Watch, utcnow
from search import documents

ACCEPTED_CHOICES = ("source", "target")
THREAD_FIELDS = ("title", "slug", "is_locked", "is_hidden", "is_pinned", "accepted_post_id", "first_post_id",
                  "reply_count", "last_activity_at", "agency_id")


def check_mergeable(source: Thread, target: Thread) -> None:
    """Refuse merging a thread into itself or a merged-away thread, a merged-away source, or across hidden/visible."""
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
    if target.is_hidden and not source.is_hidden:
        # The other way round a public question would vanish: its asker and repliers would find a bare 404 and
        # a notification they cannot open (found by a QA pass). Hiding a question is its own decision too.
        raise ValidationFailed("Diskusi tujuan sedang disembunyikan moderator: penggabungan akan menyembunyikan "
                               "pertanyaan ini beserta semua balasannya dari penanya dan pembacanya. Tampilkan dulu "
                               "diskusi tujuan, atau pilih diskusi lain.", field="target")


def choose_accepted(source: Thread, target: Thread, choice: object) -> int | None:
    """The accepted post T keeps; when both have one the moderator must say which."""
    if choice not in (None, "", "source", "target") and choice not in (source.accepted_post_id,
                                                                      target.accepted_post_id):
        # An API client's typo ("zzz") was accepted silently whenever only one thread had an answer.
        raise ValidationFailed("Pilihan jawaban terpilih tidak dikenal: gunakan “source”, “target”, atau nomor "
                               "jawaban terpilih salah satu diskusi.", field="accepted")
    if source.accepted_post_id and target.accepted_post_id:
        if choice == "source" or choice == source.accepted_post_id:
            return source.accepted_post_id
        if choice == "target" or choice == target.accepted_post_id:
            return target.accepted_post_id
        raise ValidationFailed("Kedua diskusi punya jawaban terpilih: pilih jawaban mana yang dipertahankan.",
                               field="accepted")
    return target.accepted_post_id or source.accepted_post_id


def _dump(thread: Thread) -> dict:
    data = {name: getattr(thread, name) for name in THREAD_FIELDS}
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
    recount_replies(session, target)
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
        # The asker's thread was merged; a member who only replied had their replies moved.
        text = (f"Diskusi Anda digabungkan ke “{target.title}” (sebelumnya “{source.title}”)."
                if author_id == source.author_id else
                f"Balasan Anda di “{source.title}” dipindahkan ke “{target.title}” karena kedua diskusi digabungkan.")
        notify(session, author_id, "thread_merged", text, post_url(session, target, post_id), actor_id=actor.id,
               thread_id=target.id, post_id=post_id)

"""Undo a merge exactly: the source thread comes back as it was; what happened since in the target stays."""
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forum.errors import Conflict
from forum.merging import THREAD_FIELDS, sync_search
from forum.moderation import claim, clean_reason
from forum.moderation_log import log_action
from forum.notifications import notify
from forum.permissions import check_moderator
from forum.reply_counts import recount_replies
from forum.thread_pages import post_url
from models import DuplicateLink, MergeRecord, Post, Thread, Topic, User, Watch, utcnow


def _notify_unmerged(session: Session, ids: list[int], followed: list[int], source: Thread, target: Thread,
                     actor: User) -> None:
    # The merge notification pointed these authors at the target; tell them where their posts are now.
    # A reply written in the target after the merge never was in the source: for its author it moves, with the
    # post it answers, rather than "going back".
    rows = session.execute(select(Post.author_id, func.min(Post.id)).where(Post.id.in_(ids + followed))
                           .group_by(Post.author_id)).all() if ids or followed else []
    returning = set(session.scalars(select(Post.author_id).where(Post.id.in_(ids)))) if ids else set()
    for author_id, post_id in rows:
        if author_id in returning:
            message = f"Penggabungan dibatalkan: tulisan Anda kembali ke “{source.title}” (terpisah dari “{target.title}”)."
        else:
            message = (f"Penggabungan dibatalkan: balasan Anda ikut dipindahkan ke “{source.title}” bersama tulisan "
                       f"yang Anda balas (terpisah dari “{target.title}”).")
        notify(session, author_id, "thread_unmerged", message, post_url(session, source, post_id),
               actor_id=actor.id, thread_id=source.id, post_id=post_id)


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


def undo_blockers(session: Session, records: list[MergeRecord]) -> dict[int, str]:
    """Why each merge still in effect cannot be undone right now (merge id -> message); undoable ones are absent.

    A page offers "Batalkan penggabungan" only where it would work: a QA pass clicked it on an older merge into a
    thread that had a newer one and got only a refusal page."""
    blocked = {}
    for record in records:
        if record.undone_at is not None:
            continue
        try:
            check_undoable(session, record)
        except Conflict as exc:
            blocked[record.id] = exc.message
    return blocked


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
    """Restore the source thread exactly as it was; replies written in the target after the merge stay there,
    except those answering a post that goes back: they follow it, with the replies to them.

    Left behind, such a reply lost its "membalas @nama" and was missing from the source, where its conversation
    is (QA pass). One exception: the target's accepted answer stays in the target, its reply link cleared. The
    undo log entry lists the posts that followed and the ones detached.
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
    followers, detached = _later_replies(session, target, ids)
    if detached:
        session.execute(update(Post).where(Post.id.in_(detached)).values(reply_to_id=None),
                        execution_options={"synchronize_session": False})
    if moved:
        session.execute(update(Post), [{"id": p["id"], "thread_id": source.id, "reply_to_id": p["reply_to_id"],
                                        "merged_from_thread_id": p["merged_from_thread_id"]} for p in moved])
    followed = [p.id for p in followers]
    if followed:
        session.execute(update(Post).where(Post.id.in_(followed)).values(thread_id=source.id),
                        execution_options={"synchronize_session": False})
    gone_back = ids + followed
    _restore_source(session, source, snap)
    _restore_target(session, target, snap, gone_back)
    recount_replies(session, source, target)  # a reply deleted or hidden since the merge changed both
    if followers:
        source.last_activity_at = max(source.last_activity_at, max(p.created_at for p in followers))
    session.flush()
    session.expire_all()
    sync_search(session, source, gone_back, retitle=(source.first_post_id,))
    _notify_unmerged(session, ids, followed, source, target, actor)
    log_action(session, actor, "unmerge", thread=source, target=target, merge_id=merge_record.id, reason=reason,
               details={"posts": len(ids), "followed_replies": followed,
                        "detached_replies": detached, "source_title": source.title})
    session.flush()
    return source


def _later_replies(session: Session, target: Thread, ids: list[int]) -> tuple[list[Post], list[int]]:
    """Posts written in the target after the merge under a post going back (at any depth), and the ids of those
    that stay detached instead: the target's accepted answer, and the replies to it, stay where they are."""
    if not ids:
        return [], []
    rows = list(session.scalars(select(Post).where(Post.thread_id == target.id, Post.id.not_in(ids),
                                                   Post.reply_to_id.is_not(None))))
    children: dict[int, list[Post]] = {}
    for post in rows:
        children.setdefault(post.reply_to_id, []).append(post)
    followers, detached, frontier = [], [], list(ids)
    while frontier:
        parent = frontier.pop()
        for post in children.get(parent, ()):
            if post.id == target.accepted_post_id:
                detached.append(post.id)  # its subtree stays with it in the target
                continue
            followers.append(post)
            frontier.append(post.id)
    return sorted(followers, key=lambda p: p.id), sorted(detached)


def _restore_source(session: Session, source: Thread, snap: dict) -> None:
    before = snap["source"]
    for name in THREAD_FIELDS:
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


def _restore_target(session: Session, target: Thread, snap: dict, ids: list[int]) -> None:
    before, after = snap["target_before"], snap["target_after"]
    current = target.accepted_post_id
    # The merge's choice still stands, or points at a post going back, or it was the source's answer and has
    # gone since (a moderator hid it): the target's own answer from before the merge comes back.
    if current == after["accepted_post_id"] or current in ids or (current is None and after["accepted_post_id"] in ids):
        target.accepted_post_id = _still_visible(session, before["accepted_post_id"])
    _restore_topics(session, target, before["topics"], after["topics"])
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

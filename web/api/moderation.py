"""JSON API /api/v1/moderation/...: the same moderation actions as the pages, for moderators (and reports for members)."""
from dataclasses import dataclass, field
from typing import Any

from litestar import get, post
from litestar.datastructures import State
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import accounts, duplicate_queue, merging, moderation, roles, threads, unmerging
from forum.errors import NotFound, ValidationFailed
from forum.merge_preview import preview_merge
from forum.listing import parse_page
from forum.moderation_log import ACTIONS, list_log
from forum.permissions import check_admin, check_moderator
from models import MergeRecord, User
from web.api.serialize import thread_json
from web.ratelimit import limit_writes


@dataclass
class Reason:
    reason: str = ""
    expected_version: int | None = None


@dataclass
class MoveBody:
    agency: str
    topics: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class MergeBody:
    source: int
    target: int
    accepted: str | None = None
    topics: list[str] | None = None
    reason: str = ""
    source_version: int | None = None  # the threads' `version` as the client last read them: a change since is a 409
    target_version: int | None = None


@dataclass
class RoleBody:
    username: str
    role: str
    agencies: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    reason: str = ""


def merge_json(r: MergeRecord) -> dict:
    return {"id": r.id, "source": r.source_thread_id, "target": r.target_thread_id, "actor": r.actor.username,
            "reason": r.reason, "created_at": r.created_at.isoformat() + "Z", "posts": len(r.snapshot["posts"]),
            "undone_at": r.undone_at.isoformat() + "Z" if r.undone_at else None}


def _thread_for(db: Session, viewer: User, thread_id: int):
    thread = threads.get_thread(db, thread_id, viewer)
    check_moderator(viewer, thread)
    return thread


@post("/moderation/threads/{thread_id:int}/{action:str}", summary="Kunci/sembunyikan/sematkan diskusi (dan sebaliknya)",
      status_code=200)
async def thread_flag(db: Session, viewer: User | None, state: State, thread_id: int, action: str,
                      data: Reason | None = None) -> dict[str, Any]:
    """action: lock, unlock, hide, unhide, pin, unpin."""
    data = data or Reason()  # every field is optional: an empty body is a valid request
    viewer = check_moderator(viewer)
    verbs = {"lock": moderation.lock_thread, "unlock": moderation.unlock_thread, "hide": moderation.hide_thread,
             "unhide": moderation.unhide_thread, "pin": moderation.pin_thread, "unpin": moderation.unpin_thread}
    if action not in verbs:
        raise NotFound("Tindakan tidak dikenal.")
    thread = _thread_for(db, viewer, thread_id)
    limit_writes(db, state, viewer)
    verbs[action](db, thread, viewer, data.reason, expected_version=data.expected_version)
    return {**thread_json(thread), "version": thread.version}


@post("/moderation/threads/{thread_id:int}/move", summary="Pindahkan diskusi", status_code=200)
async def thread_move(db: Session, viewer: User | None, state: State, thread_id: int, data: MoveBody) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    thread = _thread_for(db, viewer, thread_id)
    limit_writes(db, state, viewer)
    return thread_json(moderation.move_thread(db, thread, viewer, data.agency, data.topics, data.reason))


@get("/moderation/merges/preview", summary="Pratinjau penggabungan")
async def merge_preview(db: Session, viewer: User | None, source: int, target: int) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    p = preview_merge(db, source=threads.get_thread(db, source, viewer), target=threads.get_thread(db, target, viewer),
                      actor=viewer)
    return {"source": thread_json(p.source), "target": thread_json(p.target), "source_posts": p.source_posts,
            "target_posts": p.target_posts, "topics": [t.slug for t in p.topics],
            "accepted": {k: v.id for k, v in p.accepted.items()}, "need_accepted_choice": p.need_accepted_choice,
            "can_merge": p.can_merge, "problems": p.problems, "warnings": p.warnings}


@post("/moderation/merges", summary="Gabungkan diskusi", status_code=201)
async def merge_create(db: Session, viewer: User | None, state: State, data: MergeBody) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    source, target = threads.get_thread(db, data.source, viewer), threads.get_thread(db, data.target, viewer)
    limit_writes(db, state, viewer)
    seen = {thread.id: version for thread, version in ((source, data.source_version), (target, data.target_version))
            if version is not None}
    record = merging.merge_threads(db, source=source, target=target, actor=viewer, reason=data.reason,
                                   accepted_choice=data.accepted, topics=data.topics, expected_versions=seen)
    return merge_json(record)


@get("/moderation/merges/{merge_id:int}", summary="Satu catatan penggabungan")
async def merge_detail(db: Session, viewer: User | None, merge_id: int) -> dict[str, Any]:
    viewer = check_moderator(viewer)
    record = db.get(MergeRecord, merge_id)
    if record is None:
        raise NotFound("Catatan penggabungan tidak ditemukan.")
    check_moderator(viewer, record.target)
    return merge_json(record)


@post("/moderation/merges/{merge_id:int}/undo", summary="Batalkan penggabungan", status_code=200)
async def merge_undo(db: Session, viewer: User | None, state: State, merge_id: int, data: Reason | None = None) -> dict[str, Any]:
    data = data or Reason()  # every field is optional: an empty body is a valid request
    viewer = check_moderator(viewer)
    record = db.get(MergeRecord, merge_id)
    if record is None:
        raise NotFound("Catatan penggabungan tidak ditemukan.")
    limit_writes(db, state, viewer)
    source = unmerging.unmerge(db, merge_record=record, actor=viewer, reason=data.reason)
    db.refresh(record)
    return {**merge_json(record), "restored": thread_json(source)}


@get("/moderation/duplicates", summary="Antrean duplikat (per halaman; halaman kosong = habis)")
async def duplicates(db: Session, viewer: User | None, page: str | None = None,
                     page_size: int = 50) -> list[dict[str, Any]]:
    """Candidate pairs best first, `page_size` (at most 100) per page; a page shorter than that is the last."""
    viewer = check_moderator(viewer)
    size = min(max(page_size, 1), 100)
    found = duplicate_queue.list_candidates(db, viewer, size, skip=(parse_page(page) - 1) * size)
    return [{"id": c.link.id, "score": c.score, "similarity": c.link.similarity, "judge_score": c.link.judge_score,
             "older": thread_json(c.older), "newer": thread_json(c.newer), "reasons": c.reasons} for c in found]


@post("/moderation/duplicates/{link_id:int}/{decision:str}", summary="Bukan duplikat / varian / buka lagi",
      status_code=200)
async def duplicate_decide(db: Session, viewer: User | None, state: State, link_id: int, decision: str,
                           data: Reason | None = None) -> dict[str, Any]:
    """decision: not-duplicate, variant, or reopen (a decision taken by mistake: the pair returns to the queue)."""
    data = data or Reason()  # every field is optional: an empty body is a valid request
    viewer = check_moderator(viewer)
    verbs = {"not-duplicate": duplicate_queue.mark_not_duplicate, "variant": duplicate_queue.mark_variant,
             "reopen": duplicate_queue.reopen_pair}
    if decision not in verbs:
        raise NotFound("Tindakan tidak dikenal.")
    link = duplicate_queue.get_link(db, link_id, viewer)
    limit_writes(db, state, viewer)
    verbs[decision](db, link=link, actor=viewer, reason=data.reason)
    return {"id": link.id, "status": link.status}


@get("/moderation/log", summary="Log moderasi")
async def log(db: Session, viewer: User | None, action: str | None = None, actor: str | None = None,
              thread: int | None = None) -> list[dict[str, Any]]:
    viewer = check_moderator(viewer)
    if action and action not in ACTIONS:
        raise ValidationFailed("Tindakan tidak dikenal. Pilih: " + ", ".join(ACTIONS) + ".", field="action")
    actor_id = db.scalar(select(User.id).where(User.username == actor.lower())) if actor else None
    if actor and actor_id is None:
        return []
    return [{"id": e.id, "action": e.action, "actor": e.actor.username, "thread_id": e.thread_id,
             "target_thread_id": e.target_thread_id, "post_id": e.post_id, "merge_id": e.merge_id, "reason": e.reason,
             "details": e.details, "created_at": e.created_at.isoformat() + "Z"}
            for e in list_log(db, viewer, action=action, actor_id=actor_id, thread_id=thread, limit=200)]


@get("/moderation/moderators", summary="Daftar moderator dan admin (admin)")
async def staff(db: Session, viewer: User | None) -> list[dict[str, Any]]:
    viewer = check_admin(viewer)
    return [{"username": u.username, "role": u.role,
             "agencies": [s.agency.slug for s in u.scopes if s.agency], "topics": [s.topic.slug for s in u.scopes if s.topic]}
            for u in roles.list_staff(db, viewer)]


@post("/moderation/roles", summary="Ubah peran anggota (admin)", status_code=200)
async def set_role(db: Session, viewer: User | None, state: State, data: RoleBody) -> dict[str, Any]:
    viewer = check_admin(viewer)
    limit_writes(db, state, viewer)
    user = accounts.get_user(db, data.username)
    roles.set_role(db, actor=viewer, user=user, role=data.role, agencies=data.agencies, topics=data.topics,
                   reason=data.reason)
    return {"username": user.username, "role": user.role}


handlers = [thread_flag, thread_move, merge_preview, merge_create, merge_detail, merge_undo, duplicates,
            duplicate_decide, log, staff, set_role]

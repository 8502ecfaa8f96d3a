"""Halaman moderasi: /moderasi (antrean duplikat, laporan, log), thread actions, member reports."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import (catalog, duplicate_queue, duplicates, moderation, posts, question_stats, reports, roles, search_log,
                   threads, unmerging)
from forum.errors import Conflict, NotFound, RateLimited, ValidationFailed
from forum.listing import parse_page
from forum.moderation_log import ACTIONS, list_log
from forum.permissions import check_logged_in, check_moderator
from forum.thread_pages import post_url
from models import MergeRecord, User
from web.forms import int_or_none, read_form
from web.pages import moderation_merge, moderation_roles, moderation_synonyms
from web.pages.search import write_search_log_first
from web.pages.threads import thread_page
from web.render import page, redirect
from web.ratelimit import limit_writes

QUEUE_PAGE = 50  # candidate pairs per page of the duplicate queue
FLAG_MESSAGES = {"kunci": "Diskusi dikunci.", "buka-kunci": "Kunci diskusi dibuka.", "sembunyikan": "Diskusi disembunyikan.",
                 "tampilkan": "Diskusi ditampilkan kembali.", "sematkan": "Diskusi disematkan.",
                 "lepas-sematan": "Sematan diskusi dilepas."}


def _tabs(request: Request, db: Session, viewer: User, tab: str, status_code: int = 200, **context):
    return page(request, db, viewer, "moderation.html", status_code=status_code, tab=tab, **context)


def _queue_page(request: Request, db: Session, viewer: User, number: int = 1, status_code: int = 200, **extra):
    """The duplicate queue's page `number`; `extra` adds e.g. the error of a decision that came too late."""
    found = duplicate_queue.list_candidates(db, viewer, QUEUE_PAGE + 1, skip=(number - 1) * QUEUE_PAGE)
    return _tabs(request, db, viewer, "duplikat", status_code=status_code, candidates=found[:QUEUE_PAGE],
                 queue_page=number, queue_more=len(found) > QUEUE_PAGE,
                 banner_threshold=duplicates.banner_threshold(), **extra)


@get("/moderasi", name="moderation")
async def queue(request: Request, db: Session, viewer: User | None) -> object:
    """Antrean duplikat: candidate pairs, strongest first, side by side."""
    viewer = check_moderator(viewer)
    return _queue_page(request, db, viewer, parse_page(request.query_params.get("hal")))


@get("/moderasi/laporan")
async def report_queue(request: Request, db: Session, viewer: User | None) -> object:
    """Laporan: open member reports in the moderator's scope."""
    viewer = check_moderator(viewer)
    status = request.query_params.get("status", "open")
    status = status if status in reports.STATUSES else "open"
    return _tabs(request, db, viewer, "laporan", reports=reports.list_reports(db, viewer, status), status=status,
                 statuses=reports.STATUSES)


@get("/moderasi/log")
async def log_page(request: Request, db: Session, viewer: User | None) -> object:
    """Log moderasi, filterable by action, actor (username) and thread id."""
    viewer = check_moderator(viewer)
    params = request.query_params
    action = params.get("aksi") if params.get("aksi") in ACTIONS else None
    actor_name = (params.get("pelaku") or "").strip().lower()[:30]
    actor_id = db.scalar(select(User.id).where(User.username == actor_name)) if actor_name else None
    thread_id = int_or_none(params.get("diskusi"))
    entries = [] if actor_name and actor_id is None else list_log(db, viewer, action=action, actor_id=actor_id,
                                                                    thread_id=thread_id, limit=200)
    merge_ids = {e.merge_id for e in entries if e.merge_id}
    active = list(db.scalars(select(MergeRecord).where(MergeRecord.id.in_(merge_ids),
                                                      MergeRecord.undone_at.is_(None)))) if merge_ids else []
    undo_blocked = unmerging.undo_blockers(db, active)
    undoable = {r.id for r in active if r.id not in undo_blocked}
    reopenable = duplicate_queue.reopenable_entries(db, viewer, entries)
    return _tabs(request, db, viewer, "log", entries=entries, labels=ACTIONS, undoable=undoable, undo_blocked=undo_blocked,
                 reopenable=reopenable, role_names=roles.ROLE_NAMES,
                 filters={"aksi": action or "", "pelaku": actor_name, "diskusi": thread_id or ""})


@get("/moderasi/statistik", before_request=write_search_log_first)
async def stats_page(request: Request, db: Session, viewer: User | None) -> object:
    """Pertanyaan terjawab: how often a question was answered before it had to be asked again."""
    viewer = check_moderator(viewer)
    days = int_or_none(request.query_params.get("hari"))
    days = days if days in question_stats.PERIODS else 30
    return _tabs(request, db, viewer, "statistik", stats=question_stats.question_stats(db, viewer, days),
                 gaps=search_log.search_gaps(db, viewer, days), periods=question_stats.PERIODS)


@post("/moderasi/duplikat/{link_id:int}/{decision:str}")
async def decide_pair(request: Request, db: Session, viewer: User | None, state: State, link_id: int,
                      decision: str) -> object:
    """Bukan duplikat (never suggest again) or Varian (link both, keep both)."""
    viewer = check_moderator(viewer)
    verbs = {"bukan-duplikat": (duplicate_queue.mark_not_duplicate, "Ditandai bukan duplikat; pasangan ini tidak "
                                "akan disarankan lagi."),
             "varian": (duplicate_queue.mark_variant, "Ditandai sebagai varian; kedua diskusi tetap ada dan saling "
                        "tertaut."),
             "buka-lagi": (duplicate_queue.reopen_pair, "Keputusan dibatalkan; pasangan ini kembali ke antrean.")}
    if decision not in verbs:
        raise NotFound("Tindakan tidak dikenal.")
    link = duplicate_queue.get_link(db, link_id, viewer)
    data = await read_form(request)
    limit_writes(db, state, viewer)
    verb, message = verbs[decision]
    try:
        verb(db, link=link, actor=viewer, reason=data.get("alasan", ""))
    except (Conflict, ValidationFailed) as exc:
        # A click on a queue page opened before another moderator decided: the queue as it is now, and why.
        db.rollback()
        return _queue_page(request, db, viewer, status_code=exc.status_code, error=exc.message)
    return redirect("/moderasi", message)


@post("/moderasi/laporan/{report_id:int}/{decision:str}")
async def decide_report(request: Request, db: Session, viewer: User | None, state: State, report_id: int,
                        decision: str) -> object:
    """Sembunyikan tulisan or Abaikan laporan."""
    viewer = check_moderator(viewer)
    if decision not in ("sembunyikan", "abaikan", "buka-lagi"):
        raise NotFound("Tindakan tidak dikenal.")
    report = reports.get_report(db, report_id, viewer)
    data = await read_form(request)
    limit_writes(db, state, viewer)
    if decision == "sembunyikan":
        reports.hide_reported_post(db, report=report, actor=viewer, reason=data.get("alasan", ""))
        return redirect("/moderasi/laporan", "Tulisan disembunyikan dari anggota dan pencarian.")
    if decision == "buka-lagi":
        reports.reopen_report(db, report=report, actor=viewer, reason=data.get("alasan", ""))
        return redirect("/moderasi/laporan", "Laporan dibuka lagi dan menunggu keputusan.")
    reports.dismiss_report(db, report=report, actor=viewer, reason=data.get("alasan", ""))
    return redirect("/moderasi/laporan", "Laporan diabaikan.")


@post("/moderasi/tulisan/{post_id:int}/tampilkan")
async def unhide_post(request: Request, db: Session, viewer: User | None, state: State, post_id: int) -> object:
    """Show a hidden post again."""
    viewer = check_moderator(viewer)
    item = reports.post_to_moderate(db, post_id, viewer)
    data = await read_form(request)
    limit_writes(db, state, viewer)
    reports.unhide_post(db, post=item, actor=viewer, reason=data.get("alasan", ""))
    return redirect(f"/p/{item.id}", "Tulisan ditampilkan kembali.")


@post("/tulisan/{post_id:int}/laporkan")
async def report_submit(request: Request, db: Session, viewer: User | None, state: State, post_id: int) -> object:
    """A member flags a post with a reason."""
    viewer = check_logged_in(viewer)
    item = posts.get_post(db, post_id, viewer)
    data = await read_form(request)
    thread = threads.get_thread(db, item.thread_id, viewer)
    try:
        state.limiter.hit(db, f"report:{viewer.id}", 10, 3600, "Terlalu banyak laporan. Coba lagi nanti.")
        reports.report_post(db, reporter=viewer, post=item, reason=data.get("alasan", ""))
    except (ValidationFailed, RateLimited) as exc:  # the thread again, this post's report form open with the reason
        db.rollback()
        return thread_page(request, db, viewer, thread.id, exc.status_code, item.id,
                           report_form={"post_id": item.id, "alasan": str(data.get("alasan", ""))[:500],
                                        "error": exc.message})
    return redirect(post_url(db, thread, item.id), "Terima kasih, laporan Anda sudah diteruskan ke moderator.")


@post("/moderasi/diskusi/{thread_id:int}/tindakan")
async def thread_action(request: Request, db: Session, viewer: User | None, state: State, thread_id: int) -> object:
    """Lock/unlock, hide/unhide, pin/unpin (field `aksi`), with an optional reason."""
    viewer = check_moderator(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request)
    verb = moderation.ACTIONS.get(data.get("aksi", ""))
    if verb is None:
        raise ValidationFailed("Tindakan moderasi tidak dikenal.", field="aksi")
    limit_writes(db, state, viewer)
    verb(db, thread, viewer, data.get("alasan", ""), expected_version=int_or_none(data.get("versi")))
    return redirect(threads.thread_url(thread), FLAG_MESSAGES[data["aksi"]])


@get("/moderasi/diskusi/{thread_id:int}/pindah")
async def move_form(request: Request, db: Session, viewer: User | None, thread_id: int) -> object:
    """Move a thread to another agency or topics."""
    viewer = check_moderator(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    check_moderator(viewer, thread)
    form = {"agency": thread.agency.slug, "topics": [t.slug for t in thread.topics]}
    return page(request, db, viewer, "moderation_move.html", thread=thread, form=form, errors={},
                agencies=catalog.list_agencies(db), topics=catalog.list_topics(db))


@post("/moderasi/diskusi/{thread_id:int}/pindah")
async def move_submit(request: Request, db: Session, viewer: User | None, state: State, thread_id: int) -> object:
    """Save the move; validation errors show the form again."""
    viewer = check_moderator(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request, lists=("topics",))
    try:
        limit_writes(db, state, viewer)  # inside: a refusal for sending too fast keeps the form as filled in
        moderation.move_thread(db, thread, viewer, data.get("agency", ""), data["topics"], data.get("alasan", ""))
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        thread = threads.get_thread(db, thread_id, viewer)
        return page(request, db, viewer, "moderation_move.html", status_code=exc.status_code, thread=thread, form=data,
                    errors=exc.fields, error=exc.message, agencies=catalog.list_agencies(db),
                    topics=catalog.list_topics(db))
    return redirect(threads.thread_url(thread), "Diskusi dipindahkan.")


routes = [queue, report_queue, log_page, stats_page, decide_pair, decide_report, unhide_post, report_submit, thread_action,
          move_form, move_submit, *moderation_merge.routes, *moderation_roles.routes,
          *moderation_synonyms.routes]

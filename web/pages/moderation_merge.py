"""Halaman penggabungan: preview, confirm, and "Batalkan penggabungan" from the log or the target's page."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import catalog, merging, threads, unmerging
from forum.errors import ForumError, NotFound, ValidationFailed
from forum.merge_preview import preview_merge
from forum.permissions import can_moderate, check_moderator
from models import MergeRecord, User
from web.forms import read_form
from web.pages.moderation_base import thread_ref
from web.pages.threads import thread_page
from web.render import page, redirect
from web.ratelimit import limit_writes

def _pair(db: Session, viewer: User, source_ref: object, target_ref: object):
    source_id, target_id = thread_ref(source_ref), thread_ref(target_ref)
    if not source_id or not target_id:
        raise ValidationFailed("Pilih dua diskusi: nomor diskusi atau alamatnya.", field="sumber")
    return threads.get_thread(db, source_id, viewer), threads.get_thread(db, target_id, viewer)


def _seen_versions(source, target, data: dict) -> dict[int, int]:
    """The thread versions the preview showed (a form from before this change sends none)."""
    seen = {}
    for thread, key in ((source, "versi_sumber"), (target, "versi_tujuan")):
        value = str(data.get(key) or "")
        if value.isdigit() and len(value) < 10:
            seen[thread.id] = int(value)
    return seen


def _merge_page(request: Request, db: Session, viewer: User, source, target, form: dict, status_code: int = 200,
                error: str | None = None):
    preview = preview_merge(db, source=source, target=target, actor=viewer)
    chosen = set(form.get("topics") or [t.slug for t in preview.topics])
    return page(request, db, viewer, "moderation_merge.html", status_code=status_code, preview=preview,
                form=form, chosen_topics=chosen, all_topics=catalog.list_topics(db), error=error)


@get("/moderasi/gabung")
async def merge_form(request: Request, db: Session, viewer: User | None) -> object:
    """Preview of the merged thread; the moderator picks the canonical one, the accepted answer and topics."""
    viewer = check_moderator(viewer)
    params = request.query_params
    form = {"jawaban": params.get("jawaban", ""), "topics": params.getall("topics", []), "alasan": params.get("alasan", "")}
    try:
        source, target = _pair(db, viewer, params.get("sumber"), params.get("tujuan"))
        return _merge_page(request, db, viewer, source, target, form)
    except (ValidationFailed, NotFound) as exc:
        # Typed into "Gabungkan ke sini…" on a thread: the refusal goes back to that thread, beside the box, with
        # what was typed (a full error page lost the thread the moderator was on). A permission refusal is not a
        # typo: it keeps its own page.
        target_id = thread_ref(params.get("tujuan"))
        if not target_id or not _shows_merge_box(db, viewer, target_id):
            raise
        message = ("Diskusi yang akan digabungkan tidak ditemukan: periksa nomor atau alamatnya."
                   if isinstance(exc, NotFound) else exc.message)
        return thread_page(request, db, viewer, target_id, exc.status_code, None,
                           merge_here={"sumber": str(params.get("sumber") or "")[:200], "error": message})


def _shows_merge_box(db: Session, viewer: User, thread_id: int) -> bool:
    """Whether the thread's page shows this moderator the "Gabungkan ke sini…" box."""
    try:
        thread = threads.get_thread(db, thread_id, viewer)
    except NotFound:
        return False
    return thread.merged_into_id is None and can_moderate(viewer, thread)


@post("/moderasi/gabung")
async def merge_submit(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Merge (one transaction); errors re-show the preview with the message."""
    viewer = check_moderator(viewer)
    data = await read_form(request, lists=("topics",))
    source, target = _pair(db, viewer, data.get("sumber"), data.get("tujuan"))
    try:
        limit_writes(db, state, viewer)  # inside: a refusal for sending too fast keeps the reason and choices too
        merging.merge_threads(db, source=source, target=target, actor=viewer, reason=data.get("alasan", ""),
                              accepted_choice=data.get("jawaban") or None, topics=data["topics"] or None,
                              expected_versions=_seen_versions(source, target, data))
    except ForumError as exc:
        if exc.status_code not in (400, 409, 429):
            raise
        db.rollback()
        source, target = _pair(db, viewer, data.get("sumber"), data.get("tujuan"))
        return _merge_page(request, db, viewer, source, target, data, exc.status_code, exc.message)
    # Flash cookies carry Latin-1 only, so the message names no (Unicode) title.
    return redirect(threads.thread_url(target),
                    "Diskusi berhasil digabungkan ke sini. Penggabungan dapat dibatalkan dari alat moderator.")


def _undo(db: Session, viewer: User, record: MergeRecord, reason: object):
    source = unmerging.unmerge(db, merge_record=record, actor=viewer, reason=reason)
    return redirect(threads.thread_url(source), "Penggabungan dibatalkan; diskusi dipulihkan seperti semula.")


@post("/moderasi/gabungan/{merge_id:int}/batalkan")
async def unmerge_record(request: Request, db: Session, viewer: User | None, state: State, merge_id: int) -> object:
    """Batalkan penggabungan, from the moderation log."""
    viewer = check_moderator(viewer)
    record = db.get(MergeRecord, merge_id)
    if record is None:
        raise NotFound("Catatan penggabungan tidak ditemukan.")
    data = await read_form(request)
    limit_writes(db, state, viewer)
    return _undo(db, viewer, record, data.get("alasan", ""))


@post("/moderasi/diskusi/{thread_id:int}/batalkan-gabung")
async def unmerge_from_target(request: Request, db: Session, viewer: User | None, state: State,
                              thread_id: int) -> object:
    """Batalkan penggabungan, from the target thread's page (field `sumber`: the merged-in thread)."""
    viewer = check_moderator(viewer)
    target = threads.get_thread(db, thread_id, viewer)
    check_moderator(viewer, target)
    data = await read_form(request)
    record = unmerging.find_active_merge(db, thread_ref(data.get("sumber")) or 0, target.id)
    if record is None:
        raise NotFound("Tidak ada penggabungan aktif dari diskusi itu ke diskusi ini.")
    limit_writes(db, state, viewer)
    return _undo(db, viewer, record, data.get("alasan", ""))


routes = [merge_form, merge_submit, unmerge_record, unmerge_from_target]

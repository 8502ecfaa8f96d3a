"""Halaman diskusi: view, create, reply, edit, history, accept an answer, follow."""
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.response import Redirect
from sqlalchemy.orm import Session

from forum import catalog, notifications, posts, read_model, threads, unmerging
from forum.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from forum.listing import parse_page
from forum.post_deletion import can_delete_post, can_restore_post
from forum.permissions import (can_accept_answer, can_edit_post, can_moderate, can_reply, can_view_thread,
                               check_logged_in)
from forum.question_withdrawal import can_withdraw_question
from forum.read_model import ThreadRow
from forum.thread_pages import page_count, page_holding, page_of_nodes, post_url
from forum.tree import build_tree
from models import User
from web.forms import int_or_none, read_form
from web.pages.notifications import mark_read_elsewhere
from web.render import page, redirect, shared_page
from web.ratelimit import limit_writes

# Refusals a write form answers by showing itself again with what the member typed (never a bare error page).
KEEP_TYPED = (ValidationFailed, Conflict, RateLimited, PermissionDenied)


def int_field(value: object, field: str) -> int | None:
    """A whole number from a form field (empty: None); anything else is reported on that field."""
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValidationFailed("Nilai tidak valid.", field=field) from None


def _thread_context(db: Session, viewer: User | None, thread: ThreadRow, page: int = 1,
                    at_post: int | None = None) -> dict:
    """What thread.html shows: the question, the accepted answer and one page of the reply tree (`page`, or the
    page holding `at_post`, or the last page when `at_post` is 0: where a new reply lands)."""
    all_posts = read_model.thread_posts(db, thread.id)
    first, accepted, nodes = build_tree(thread, all_posts)
    if at_post is not None:
        page = page_holding(nodes, at_post) if at_post else page_count(nodes)
    shown = page_of_nodes(nodes, page)
    on_page = {node.post.id for node in shown.nodes}
    merged_from = {p.merged_from_thread_id for p in all_posts if p.merged_from_thread_id}
    moderates = can_moderate(viewer, thread)
    return {"thread": thread, "first": first, "accepted": accepted, "nodes": shown.nodes, "replies_page": shown,
            # The accepted answer's place among the replies may be on another page of the thread.
            "accepted_href": (f"#post-{accepted.id}" if accepted.id in on_page else f"/p/{accepted.id}")
            if accepted else None,
            "page_query": f"hal={shown.page}&" if shown.page > 1 else "",
            "merged_titles": read_model.thread_titles(db, merged_from),
            "merge_undo_blocked": _merge_undo_blocked(db, thread) if merged_from and moderates
            else {},
            "watching": threads.is_watching(db, viewer, thread), "can_reply": can_reply(viewer, thread),
            "can_accept": can_accept_answer(viewer, thread), "can_moderate": moderates,
            "can_edit": lambda p: can_edit_post(viewer, p, thread), "related": None,
            "can_delete": lambda p: can_delete_post(viewer, p, thread),
            "can_restore": lambda p: can_restore_post(viewer, p, thread),
            "can_withdraw": can_withdraw_question(db, viewer, thread),
            # "Membalas @nama" without JavaScript; a deleted reply is no longer there to answer.
            "post_authors": {p.id: p.author.username for p in all_posts
                             if not p.is_deleted and (not p.is_hidden or moderates)}}


def _merge_undo_blocked(db: Session, thread) -> dict[int, str]:
    """Merged-in source thread id -> why its merge cannot be undone now (an older merge, before a newer one)."""
    records = unmerging.active_merges_into(db, thread)
    blocked = unmerging.undo_blockers(db, records)
    return {r.source_thread_id: blocked[r.id] for r in records if r.id in blocked}


def _canonical(request: Request, target) -> Redirect:
    """301 to the thread's current address, keeping the query (a "Balas" link's ?balas=, a page number)."""
    query = request.url.query
    return Redirect(threads.thread_url(target) + (f"?{query}" if query else ""), status_code=301)


@get("/diskusi/{thread_id:int}")
async def thread_short(request: Request, db: Session, viewer: User | None, thread_id: int) -> Redirect:
    """Short thread URL: redirect to the canonical one."""
    thread = threads.get_thread(db, thread_id, viewer)
    return _canonical(request, threads.resolve_merged(db, thread, viewer))


@get("/diskusi/{thread_id:int}/{slug:str}", name="thread")
async def thread_view(request: Request, db: Session, viewer: User | None, thread_id: int, slug: str) -> object:
    """The question, the accepted answer, then the reply tree; merged or renamed threads redirect (301)."""
    thread = read_model.thread_head(db, thread_id)
    if thread is None or not can_view_thread(viewer, thread):
        raise NotFound("Diskusi tidak ditemukan.")  # hidden answers 404 too, as threads.get_thread does
    if thread.merged_into_id or slug != thread.slug:
        return _canonical(request, threads.resolve_merged(db, threads.get_thread(db, thread_id, viewer), viewer))
    if viewer is not None and notifications.has_unread_about(db, viewer.id, thread.id):
        mark_read_elsewhere(request, viewer.id, thread.id)
        db.commit()  # end this read-only snapshot: the bell on this page counts without what was just read
    extra: dict = {}
    for hook in getattr(request.app.state, "thread_page_hooks", []):  # e.g. "Diskusi serupa", duplicate banner
        extra.update(hook(db, viewer, thread))
    # Logged-out visitors share the rendered page while the thread row (its version) and the hooks' data stay equal.
    # "Balas" is a link (?balas=<post>) that works without JavaScript; app.js handles it in place otherwise.
    reply_to = request.query_params.get("balas", "") if viewer is not None else ""
    form = {"reply_to": reply_to} if reply_to.isdigit() else {}
    number = parse_page(request.query_params.get("hal"))
    return shared_page(request, db, viewer, "thread.html", key=lambda: (thread, extra, number),
                       build=lambda: {"form": form, "errors": {}, **_thread_context(db, viewer, thread, number), **extra})


@get("/p/{post_id:int}")
async def post_permalink(db: Session, viewer: User | None, post_id: int) -> Redirect:
    """Permanent link to a post: the page of the thread that shows it now (merges move posts)."""
    item, thread = posts.post_place(db, post_id, viewer)
    # 302, not 301: the post's page (and, after a merge, its thread) can change, and browsers keep a 301 for good.
    return Redirect(post_url(db, thread, item.id), status_code=302)


@get("/diskusi/baru", name="new_thread")
async def new_thread_form(request: Request, db: Session, viewer: User | None) -> object:
    """The composer: title, Markdown body with preview, agency, topics."""
    viewer = check_logged_in(viewer)
    form = {"agency": viewer.agency.slug, "topics": [t for t in request.query_params.getall("topik", [])]}
    # From a search that did not answer it: the question starts as what the member searched for.
    prefill = " ".join(str(request.query_params.get("judul") or "").replace("\x00", " ").split())[:200]
    if prefill:
        form["title"] = prefill
    return page(request, db, viewer, "new_thread.html", form=form, errors={}, prefilled=bool(prefill),
                agencies=catalog.list_agencies(db), topics=catalog.list_topics(db))


@post("/diskusi/baru")
async def new_thread_submit(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Create the thread; on validation errors the form comes back with everything typed."""
    viewer = check_logged_in(viewer)
    data = await read_form(request, lists=("topics",))
    try:
        limit_writes(db, state, viewer)
        thread = threads.create_thread(db, author=viewer, agency=data.get("agency", ""), topics=data["topics"],
                                       title=data.get("title", ""), body_md=data.get("body_md", ""))
    except KEEP_TYPED as exc:
        db.rollback()
        return page(request, db, viewer, "new_thread.html", status_code=exc.status_code, form=data, errors=exc.fields,
                    error=exc.message, agencies=catalog.list_agencies(db), topics=catalog.list_topics(db))
    for hook in getattr(state, "after_thread_created", []):
        hook(db, thread)
    return redirect(threads.thread_url(thread), "Diskusi Anda sudah terbit.", sent_draft="diskusi-baru")


@post("/diskusi/{thread_id:int}/balas")
async def reply_submit(request: Request, db: Session, viewer: User | None, state: State, thread_id: int) -> object:
    """Post a reply; errors re-show the thread with the reply text kept."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    try:
        thread = threads.get_thread(db, thread_id, viewer)
    except NotFound:
        # Deleted by its asker (or hidden by a moderator) while the member typed: the page says the reply was not
        # sent and shows what they wrote, instead of a bare "not found" that leaves the words behind.
        return page(request, db, viewer, "error.html", status_code=404, status=404, title="Diskusi tidak ditemukan",
                    message="Diskusi ini tidak ada lagi (mungkin baru saja dihapus penanya atau disembunyikan "
                            "moderator), jadi balasan Anda belum terkirim. Teksnya ada di bawah ini; salin bila ingin "
                            "menyimpannya.",
                    unsent=str(data.get("body_md") or ""))
    try:
        limit_writes(db, state, viewer)
        item = posts.reply(db, author=viewer, thread=thread, body_md=data.get("body_md", ""),
                           reply_to=int_field(data.get("reply_to"), "reply_to"))
    except KEEP_TYPED as exc:
        db.rollback()
        current = threads.get_thread(db, thread_id, viewer)  # NotFound if a moderator hid it meanwhile
        message = exc.message
        if current.merged_into_id:
            # The old page was open during a merge: offer the reply on the thread that now holds the discussion.
            current = threads.resolve_merged(db, current, viewer)
            # A locked target takes no reply: say so rather than "kirim di sini" above a read-only box.
            message = (f"Diskusi ini sudah digabungkan ke “{current.title}”. Balasan Anda belum terkirim: "
                       + ("diskusi itu dikunci moderator, jadi salin teks Anda bila ingin menyimpannya."
                          if current.is_locked else "periksa lalu kirim di sini."))
        replied_to = int_or_none(data.get("reply_to"))
        return thread_page(request, db, viewer, current.id, exc.status_code, replied_to or 0, form=data,
                           errors=exc.fields, error=message)
    sent = "Balasan terkirim."
    if int_or_none(data.get("reply_to")) and item.reply_to_id is None:
        sent = "Balasan terkirim ke diskusi: tulisan yang Anda balas baru saja dihapus atau disembunyikan."
    return redirect(post_url(db, thread, item.id), sent, sent_draft=f"balas-{thread.id}")


def thread_page(request: Request, db: Session, viewer: User | None, thread_id: int, status_code: int,
                at_post: int | None, **extra):
    """The thread page answering a refused form on it (a reply, a report), with what was typed in `extra`; it
    shows the page holding `at_post` (the post replied to or reported; 0: the last page)."""
    extra = {"form": {}, "errors": {}, **extra}
    return page(request, db, viewer, "thread.html", status_code=status_code,
                **_thread_context(db, viewer, read_model.thread_head(db, thread_id), at_post=at_post), **extra)


@get("/tulisan/{post_id:int}/sunting")
async def edit_form(request: Request, db: Session, viewer: User | None, post_id: int) -> object:
    """Edit form for a post."""
    viewer = check_logged_in(viewer)
    item = posts.get_post(db, post_id, viewer)
    thread = threads.get_thread(db, item.thread_id, viewer)
    posts.check_editable(viewer, item, thread)
    return page(request, db, viewer, "edit_post.html", post=item, thread=thread, version=posts.edit_version(db, item),
                form={"body_md": item.body_md, "title": thread.title}, errors={})


@post("/tulisan/{post_id:int}/sunting")
async def edit_submit(request: Request, db: Session, viewer: User | None, state: State, post_id: int) -> object:
    """Save the edit (the old body becomes a revision)."""
    viewer = check_logged_in(viewer)
    item = posts.get_post(db, post_id, viewer)
    thread = threads.get_thread(db, item.thread_id, viewer)
    data = await read_form(request)
    try:
        limit_writes(db, state, viewer)
        posts.edit_post(db, editor=viewer, post=item, body_md=data.get("body_md", ""), title=data.get("title"),
                        seen_version=int_field(data.get("versi"), "versi"))
    except KEEP_TYPED as exc:
        db.rollback()
        item = posts.get_post(db, post_id, viewer)
        # The typed text stays in the box; after a conflict the newer text is shown beside it, and the form now
        # carries the current version, so saving the merged text goes through.
        return page(request, db, viewer, "edit_post.html", status_code=exc.status_code, post=item, thread=thread, form=data,
                    errors=exc.fields, error=exc.message, version=posts.edit_version(db, item),
                    newer=item if isinstance(exc, Conflict) else None)
    return redirect(post_url(db, thread, item.id), "Perubahan disimpan.", sent_draft=f"sunting-{item.id}")


@post("/diskusi/{thread_id:int}/jawaban")
async def accept_submit(request: Request, db: Session, state: State, viewer: User | None, thread_id: int) -> object:
    """Pick (or clear) the accepted answer."""
    viewer = check_logged_in(viewer)
    limit_writes(db, state, viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request)
    post_id = int_field(data.get("post_id"), "post_id")
    item = posts.get_post(db, post_id, viewer) if post_id is not None else None
    if item is not None and item.thread_id != thread.id:
        raise NotFound("Balasan tidak ditemukan di diskusi ini.")
    posts.accept_answer(db, actor=viewer, thread=thread, post=item)
    message = "Jawaban terpilih sudah ditandai." if item else "Jawaban terpilih dibatalkan."
    return redirect(post_url(db, thread, item.id if item else None), message)


@post("/diskusi/{thread_id:int}/ikuti")
async def watch_submit(request: Request, db: Session, viewer: User | None, thread_id: int) -> object:
    """Follow or unfollow a thread (field `aksi` = ikuti / berhenti)."""
    viewer = check_logged_in(viewer)
    thread = threads.get_thread(db, thread_id, viewer)
    data = await read_form(request)
    if data.get("aksi") == "berhenti":
        threads.unwatch_thread(db, viewer, thread)
        return redirect(threads.thread_url(thread), "Anda berhenti mengikuti diskusi ini.")
    threads.watch_thread(db, viewer, thread)
    return redirect(threads.thread_url(thread), "Anda mengikuti diskusi ini. Balasan baru akan muncul di notifikasi.")


routes = [thread_short, thread_view, post_permalink, new_thread_form, new_thread_submit, reply_submit, edit_form,
          edit_submit, accept_submit, watch_submit]

"""Markdown rendered on request: the composer's live preview and a post's earlier versions.

Both render off the event loop (a hostile 50 KB text takes about a second of a core); the preview holds no
write lock meanwhile (`reads_only`) and is budgeted per member by size.
"""
from anyio import to_thread
from litestar import Request, get, post
from litestar.response import Response
from sqlalchemy.orm import Session

from forum import posts, threads
from forum.markup import loses_text_to_nesting, render_markdown, rendered_html
from forum.permissions import check_logged_in
from models import User
from web.forms import read_form
from web.ratelimit import RateLimited
from web.render import page


@get("/tulisan/{post_id:int}/riwayat")
async def history(request: Request, db: Session, viewer: User | None, post_id: int) -> object:
    """Every earlier version of a post."""
    item = posts.get_post(db, post_id, viewer)
    thread = threads.get_thread(db, item.thread_id, viewer)
    earlier = posts.post_revisions(db, item)
    sources = [r.body_md for r in earlier]
    # Off the event loop, and remembered: anyone may open this page, and an old version can be slow to render.
    revisions = list(zip(earlier, await to_thread.run_sync(lambda: [rendered_html(s) for s in sources])))
    return page(request, db, viewer, "history.html", post=item, thread=thread, revisions=revisions)


@post("/pratinjau", opt={"reads_only": True})
async def preview(request: Request, viewer: User | None) -> object:
    """Live Markdown preview for the composer (htmx); renders exactly what will be saved. Members only: only
    they write, and rendering a pathological 50 KB text costs half a second of a worker."""
    viewer = check_logged_in(viewer)
    data = await read_form(request)
    body = data.get("body_md", "")[:50_000]
    # Weighted by size: typing a normal post previews freely, while 50 KB texts are allowed about ten a minute.
    try:
        request.app.state.preview_budget.spend(viewer.id, 1 + len(body) // 5_000,
                                               "Terlalu banyak pratinjau dalam semenit. Tunggu sebentar.")
    except RateLimited as refused:
        # Said in the preview box (app.js swaps it in): left unsaid, the box silently kept showing an older text.
        return Response(f'<p class="alert" role="status" data-testid="preview-paused">Pratinjau berhenti sebentar '
                        f'(terlalu banyak dalam semenit); muncul lagi dalam {refused.retry_after} detik. Tulisan Anda '
                        f'tetap utuh.</p>', media_type="text/html", status_code=429,
                        headers={"Retry-After": str(refused.retry_after)})
    # Rendered in a worker thread: a slow text must not hold up every other request on the event loop.
    html = (await to_thread.run_sync(render_markdown, body)).html if body.strip() else \
        '<p class="muted">Pratinjau akan muncul di sini.</p>'
    if loses_text_to_nesting(body):  # said before sending: the send would be refused for it
        html = ('<p class="alert" role="alert">Daftar atau kutipan bertingkat terlalu dalam: bagian yang lebih dalam '
                'dan sesudahnya tidak tampil. Kurangi tingkatnya.</p>') + html
    return Response(html, media_type="text/html", status_code=200)  # a preview creates nothing: not 201


routes = [history, preview]

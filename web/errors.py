"""Turn errors into Indonesian messages: JSON for the API, site-layout pages for browsers."""
import logging
import re

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, ValidationException
from litestar.response import Redirect, Template

from forum.errors import ForumError
from forum.permissions import is_forum_wide_staff

log = logging.getLogger("forum.web")

MESSAGES = {
    400: "Permintaan tidak valid.",
    401: "Silakan masuk terlebih dahulu.",
    403: "Anda tidak memiliki izin untuk membuka halaman ini.",
    404: "Halaman tidak ditemukan.",
    405: "Metode permintaan tidak didukung untuk alamat ini.",
    409: "Terjadi konflik dengan perubahan lain. Muat ulang halaman lalu coba lagi.",
    413: "Data yang dikirim terlalu besar.",
    415: "Jenis konten tidak didukung.",
    429: "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
    500: "Maaf, terjadi kesalahan di server. Tim kami akan memeriksanya.",
}
FORM_EXPIRED = ("Formulir ini sudah kedaluwarsa atau tidak dikirim dari halaman forum. Kembali, muat ulang halaman, "
                "lalu kirim lagi.")
TITLES = {401: "Perlu masuk", 403: "Akses ditolak", 404: "Tidak ditemukan", 429: "Terlalu banyak permintaan",
          500: "Kesalahan server"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(request: Request, status: int, message: str, fields: dict | None = None) -> Response:
    if _is_api(request):
        body = {"detail": message, "status_code": status}
        if fields:
            body["errors"] = fields
        # RFC 9110: a 401 names the scheme that would work (a personal token from the profile page).
        headers = {"WWW-Authenticate": 'Bearer realm="Forum ASN Progresif"'} if status == 401 else None
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    if status == 401 and request.method == "GET":
        from urllib.parse import quote
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Response(content=None, status_code=303, headers={"location": f"/masuk?lanjut={quote(target, safe='/')}"})
    return Template(template_name="error.html", status_code=status, media_type=MediaType.HTML,
                    context={"status": status, "title": TITLES.get(status, "Terjadi kesalahan"), "message": message,
                             **_viewer_context(request, status), "request_path": request.url.path,
                             "login_next": _page_sent_from(request) if status == 401 else "",
                             # A refused form (a second click on a moderator's button): back to the page it was on.
                             "back": _page_sent_from(request) if request.method != "GET" and status != 401 else "/"})


def _page_sent_from(request: Request) -> str:
    """The forum page a refused form was sent from (its Referer, same site only), for "Masuk" to return to:
    a session that expired while a reply was typed; the draft waits in the browser there."""
    from urllib.parse import urlsplit
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/") and not referer.path.startswith("//")
    return referer.path if same_site else "/"


def _viewer_context(request: Request, status: int) -> dict:
    """Keep a logged-in member's header on 4xx pages (best effort; never on 500, the database may be the cause)."""
    from forum.accounts import user_for_session
    from forum.notifications import unread_count
    from web.deps import SESSION_COOKIE
    token = request.cookies.get(SESSION_COOKIE)
    if token and status < 500:
        try:
            with request.app.state.session_factory() as db:
                viewer = user_for_session(db, token)
                if viewer is not None:
                    return {"viewer": viewer, "unread": unread_count(db, viewer.id, is_forum_wide_staff(viewer))}
        except Exception:  # an error page must never fail
            log.warning("could not load the viewer for an error page", exc_info=True)
    return {"viewer": None, "unread": 0}


def schema_not_found(response: Response) -> Response:
    """After-request hook of the /schema router: its built-in English 404 page becomes the forum's own 404."""
    if response.status_code == 404:
        raise NotFoundException()
    return response


def forum_error_handler(request: Request, exc: ForumError) -> Response:
    """Domain errors already carry their Indonesian message."""
    response = _respond(request, exc.status_code, exc.message, exc.fields)
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)  # a client may wait exactly that long
    return response


# Where a browser opening a form's target address lands. After a refused form the address bar shows that target
# (/diskusi/7/balas); a tab restored on a phone, or Enter in the address bar, asked it with GET and got a 405 page.
_FORM_TARGET_PAGES = ((re.compile(r"^/moderasi/diskusi/(\d+)/"), "/diskusi/{}"), (re.compile(r"^/diskusi/(\d+)/"), "/diskusi/{}"),
                      (re.compile(r"^/tulisan/(\d+)/"), "/p/{}"), (re.compile(r"^/akun/"), "/akun"),
                      (re.compile(r"^/moderasi/"), "/moderasi"), (re.compile(r"^/keluar$"), "/"))


def _page_for_form_target(request: Request) -> str | None:
    """The page to show instead of a 405 for a page GET of an address that only takes a form's POST."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path.startswith("/api/"):
        return None
    for pattern, target in _FORM_TARGET_PAGES:
        match = pattern.match(path)
        if match:
            return target.format(*match.groups())
    return None


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    """Framework errors (bad JSON, wrong types, unknown route) in Indonesian."""
    status = exc.status_code
    if status == 405 and (page := _page_for_form_target(request)):
        return Redirect(page, status_code=303)
    message = MESSAGES.get(status, "Permintaan tidak dapat diproses.")
    fields = None
    if isinstance(exc, ValidationException):
        fields = {}
        for item in exc.extra or []:
            if isinstance(item, dict) and item.get("key"):
                key = str(item["key"])
                # A missing body field comes as key "data" with the name only in the message.
                missing = re.search(r"missing required field `([^`]+)`", str(item.get("message", "")))
                if key == "data" and not missing:
                    continue  # the body as a whole ("data" is Litestar's name for it, not a field of the API)
                fields[missing.group(1) if key == "data" else key] = "Nilai tidak valid atau tidak ada."
        # A query parameter left out comes with no field list, only Litestar's English sentence naming it.
        absent = re.search(r"Missing required \w+ parameter '([^']+)'", str(exc.detail))
        if absent and not fields:
            fields[absent.group(1)] = "Wajib diisi."
        message = "Data yang dikirim tidak valid" + (f": periksa {', '.join(fields)}." if fields else
                                                      ": kirim satu objek JSON dengan kolom yang diminta.")
    elif isinstance(exc, NotAuthorizedException):
        message = MESSAGES[401]
    elif status == 403 and "CSRF" in str(exc.detail):  # litestar's CSRF middleware: a stale or forged form
        message = FORM_EXPIRED
    if status >= 500:
        log.exception("HTTP %s", status, exc_info=exc)
        message = MESSAGES[500]
    response = _respond(request, status, message, fields or None)
    if status == 405 and exc.headers:
        response.headers.update(exc.headers)  # Allow: the methods that do work here (RFC 9110 asks for it)
    return response


def server_error_handler(request: Request, exc: Exception) -> Response:
    """Anything unexpected: log it, show a calm Indonesian page, never a stack trace."""
    if isinstance(exc, UnicodeDecodeError):  # Litestar lets invalid UTF-8 in a JSON body escape undecoded
        return _respond(request, 400, "Data yang dikirim bukan teks UTF-8 yang valid.")
    if isinstance(exc, RecursionError) and "deserializ" in str(exc):  # msgspec: JSON nested past its depth limit
        return _respond(request, 400, "Data JSON yang dikirim bersarang terlalu dalam.")
    if isinstance(exc, ValueError) and "null byte" in str(exc):  # /static/a%00b: no file can have that name
        return _respond(request, 404, MESSAGES[404])
    # %r: a path may hold a decoded newline, which would otherwise forge a line of its own in the log.
    log.exception("Unhandled error on %s %r", request.method, request.url.path, exc_info=exc)
    return _respond(request, 500, MESSAGES[500])

"""Daftar, masuk, keluar."""
from litestar import Request, get, post
from litestar.datastructures import State
from sqlalchemy.orm import Session

from forum import accounts, catalog
from forum.errors import RateLimited, ValidationFailed
from models import User
from web.deps import SESSION_COOKIE
from web.device_cookies import known_device, remember_device
from web.forms import client_ip, read_form
from web.render import page, redirect


def _safe_next(url: str | None) -> str:
    # Only same-site relative paths, so the login form cannot bounce users to another site.
    return url if url and url.startswith("/") and not url.startswith("//") else "/"


def _login_response(db: Session, user: User, state: State, next_url: str, message: str):
    token = accounts.start_session(db, user)
    response = redirect(_safe_next(next_url), message)
    response.set_cookie(SESSION_COOKIE, token, max_age=accounts.SESSION_DAYS * 86400, httponly=True,
                        samesite="lax", secure=state.settings.cookie_secure)
    remember_device(response, state.settings.secret_key, accounts.login_key(db, user.username),
                    state.settings.cookie_secure)
    return response


@get("/daftar", name="register")
async def register_form(request: Request, db: Session, viewer: User | None) -> object:
    """Registration form."""
    if viewer:
        return redirect("/")
    return page(request, db, viewer, "register.html", form={"lanjut": request.query_params.get("lanjut", "")}, errors={},
                agencies=catalog.list_agencies(db))


@post("/daftar")
async def register_submit(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Create the account and log in; on errors show the form again with what was typed."""
    data = await read_form(request)
    try:
        user = accounts.register_user(db, username=data.get("username", ""),
                                      display_name=data.get("display_name", ""), email=data.get("email", ""),
                                      password=data.get("password", ""), agency=data.get("agency", ""))
        # Only accounts made count (a form sent back with a typo is not an abuse); over the limit, the rollback
        # below undoes the account.
        state.limiter.hit(db, f"register:{client_ip(request)}", 10, 3600,
                          "Terlalu banyak pendaftaran dari alamat ini. Coba lagi nanti.")
    except (ValidationFailed, RateLimited) as exc:
        db.rollback()
        data.pop("password", None)
        if exc.fields.get("email") == accounts.EMAIL_TAKEN:
            # Saying an address is registered is what a member needs; a script trying address after address
            # to learn who has an account is held to the same hourly allowance as accounts made.
            try:
                state.limiter.hit(db, f"register-email-taken:{client_ip(request)}", 10, 3600,
                                  "Terlalu banyak pendaftaran dari alamat ini. Coba lagi nanti.")
            except RateLimited as limited:
                exc = limited
        return page(request, db, viewer, "register.html", status_code=exc.status_code, form=data, errors=exc.fields,
                    error=exc.message, agencies=catalog.list_agencies(db))
    return _login_response(db, user, state, data.get("lanjut", "/"),
                           f"Selamat datang, {user.display_name}! Akun Anda sudah dibuat.")


@get("/masuk", name="login")
async def login_form(request: Request, db: Session, viewer: User | None) -> object:
    """Login form."""
    if viewer:
        return redirect("/")
    return page(request, db, viewer, "login.html", form={"lanjut": request.query_params.get("lanjut", "")}, errors={})


@post("/masuk")
async def login_submit(request: Request, db: Session, viewer: User | None, state: State) -> object:
    """Check the credentials, rate-limited per address and per account."""
    data = await read_form(request)
    login = data.get("username", "").strip().lower()[:254]
    limit = state.settings.login_attempts_per_minute
    message = "Terlalu banyak percobaan masuk. Tunggu satu menit lalu coba lagi."
    ip, account = client_ip(request), accounts.login_key(db, login)
    try:
        state.limiter.hit(db, f"login-ip:{ip}", limit * 3, 60, message)
        # Per account *and* address: someone guessing from one address locks out that address, not the
        # member, who logs in from their own. Guessing from several addresses at once meets the account's own
        # limit, which one address alone (limit x 15 in 15 minutes) cannot reach.
        state.limiter.hit(db, f"login-user:{account}:{ip}", limit, 60, message)
        device = known_device(request, state.settings.secret_key, account)
        if device is not None:  # a browser that logged in here before: its own counter, not the account's
            state.limiter.hit(db, f"login-device:{account}:{device}", limit, 60, message)
        else:
            state.limiter.hit(db, f"login-user:{account}", limit * 20, 900,
                              "Terlalu banyak percobaan masuk ke akun ini dari berbagai alamat. Coba lagi 15 menit "
                              "lagi, atau masuk dari perangkat yang pernah Anda pakai.")
        user = accounts.authenticate(db, login, data.get("password", ""))
    except (ValidationFailed, RateLimited) as exc:  # each counted attempt was committed by hit()
        data.pop("password", None)
        return page(request, db, viewer, "login.html", status_code=exc.status_code, form=data, errors=exc.fields,
                    error=exc.message)
    state.limiter.reset(db, f"login-user:{account}:{ip}")
    return _login_response(db, user, state, data.get("lanjut", "/"), f"Selamat datang kembali, {user.display_name}.")


@post("/keluar")
async def logout(request: Request, db: Session) -> object:
    """End the session."""
    accounts.end_session(db, request.cookies.get(SESSION_COOKIE))
    response = redirect("/", "Anda sudah keluar.")
    response.delete_cookie(SESSION_COOKIE)
    return response


routes = [register_form, register_submit, login_form, login_submit, logout]

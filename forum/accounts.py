"""Accounts: register, log in and out (sessions), change the password, personal API tokens."""
import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum.catalog import resolve_agency
from forum.errors import NotFound, ValidationFailed
from forum.passwords import check_password_strength, personal_words
from forum.text import clean_line
from models import ApiToken, User, UserSession, utcnow

_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9_.]{1,28})[a-z0-9]$")
EMAIL_TAKEN = "Email sudah terdaftar. Silakan masuk."
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
SESSION_DAYS = 30
TOKEN_TOUCH = timedelta(minutes=10)  # how stale an API token's "last used" time may get
MAX_API_TOKENS = 20  # per member: tokens are for a few scripts, and each is a credential to keep track of
# Verifying against a real hash when the user does not exist keeps response time uniform.
_DUMMY_HASH = _HASHER.hash("tidak-ada-pengguna-ini")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    """The argon2id hash stored for `password`."""
    return _HASHER.hash(password)


def register_user(session: Session, *, username: object, display_name: object, email: object,
                  password: object, agency: object, role: str = "member") -> User:
    """Create a member account; errors name the field and say what to fix."""
    errors: dict[str, str] = {}
    uname = disp = mail = ""
    try:
        uname = clean_line(username, "Nama pengguna", "username", 3, 30).lower()
        if not _USERNAME.match(uname):
            raise ValidationFailed(
                "Nama pengguna hanya boleh huruf kecil, angka, titik, dan garis bawah (3–30 karakter).",
                field="username")
        if session.scalar(select(User.id).where(func.lower(User.username) == uname)):
            raise ValidationFailed("Nama pengguna sudah dipakai. Pilih nama lain.", field="username")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    for key, fn in (("display_name", lambda: clean_line(display_name, "Nama tampilan", "display_name", 2, 80)),
                    ("email", lambda: _clean_email(session, email)),
                    ("password", lambda: check_password_strength(password, uname, personal_words(display_name, email))),
                    ("agency", lambda: resolve_agency(session, agency))):
        try:
            value = fn()
        except ValidationFailed as exc:
            errors.update(exc.fields)
            continue
        if key == "display_name":
            disp = value
        elif key == "email":
            mail = value
        elif key == "agency":
            agency_row = value
    if errors:
        raise ValidationFailed("Periksa kembali isian pendaftaran.", fields=errors)
    user = User(username=uname, display_name=disp, email=mail, password_hash=hash_password(password),
                agency_id=agency_row.id, role=role)
    session.add(user)
    session.flush()
    return user


def _clean_email(session: Session, email: object) -> str:
    mail = clean_line(email, "Email", "email", 3, 254).lower()
    if not _EMAIL.match(mail):
        raise ValidationFailed("Alamat email tidak valid.", field="email")
    if session.scalar(select(User.id).where(User.email == mail)):
        raise ValidationFailed(EMAIL_TAKEN, field="email")
    return mail


def login_key(session: Session, login: str) -> str:
    """What login attempts are counted against: the account the name or email belongs to (so typing the email
    instead of the name gives no second allowance), or the typed text when no account has it."""
    key = login.strip().lower()
    # No name or email holds a NUL, and PostgreSQL refuses one in a query parameter.
    known = key and "\x00" not in key
    user_id = session.scalar(select(User.id).where((User.username == key) | (User.email == key))) if known else None
    return f"akun{user_id}" if user_id is not None else "teks:" + key


def authenticate(session: Session, login: object, password: object) -> User:
    """The active user with this username or email and password, or a generic Indonesian error."""
    wrong = ValidationFailed("Nama pengguna atau kata sandi salah.", field="password")
    if not isinstance(login, str) or not isinstance(password, str) or not login or len(password) > 200 \
            or "\x00" in login:  # PostgreSQL refuses NUL in text
        raise wrong
    key = login.strip().lower()
    user = session.scalar(select(User).where((User.username == key) | (User.email == key)))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise wrong from None
    if user is None:
        raise wrong
    if not user.is_active:
        raise ValidationFailed("Akun ini dinonaktifkan. Hubungi admin.", field="username")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(session: Session, user: User) -> str:
    """Create a login session and return the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_sha256(token), user_id=user.id,
                            expires_at=utcnow() + timedelta(days=SESSION_DAYS)))
    session.flush()
    return token


def user_for_session(session: Session, token: str | None) -> User | None:
    """The active user behind a session cookie, or None."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _sha256(token)))
    if row is None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row.user


def end_session(session: Session, token: str | None) -> None:
    """Log out: forget the session behind this token."""
    if token:
        row = session.scalar(select(UserSession).where(UserSession.token_hash == _sha256(token)))
        if row is not None:
            session.delete(row)


def change_password(session: Session, user: User, *, current: object, new: object, keep_token: str | None) -> int:
    """Set a new password after checking the current one; every other login session of the member ends and
    every API token is revoked (whoever knew the old password could have made one); the login session in use
    (`keep_token`) stays. Returns how many tokens were revoked."""
    try:
        _HASHER.verify(user.password_hash, current if isinstance(current, str) and len(current) <= 200 else "")
    except (VerificationError, InvalidHashError):
        raise ValidationFailed("Kata sandi saat ini salah.", field="current_password") from None
    password = check_password_strength(new, user.username, personal_words(user.display_name, user.email))
    if password == current:
        raise ValidationFailed("Kata sandi baru harus berbeda dari yang sekarang.", field="password")
    user.password_hash = hash_password(password)
    end_other_sessions(session, user, keep_token)
    from forum.password_resets import void_password_resets  # here: that module builds on this one
    void_password_resets(session, user)  # a link an admin made before no longer overrides the new password
    return session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount or 0


def end_other_sessions(session: Session, user: User, keep_token: str | None) -> int:
    """Log the member out everywhere but here (a lost phone, a shared office computer); returns how many."""
    keep = _sha256(keep_token) if keep_token else ""
    ended = session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.token_hash != keep))
    return ended.rowcount or 0


def count_sessions(session: Session, user: User) -> int:
    """How many browsers the member is logged in on."""
    return session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.expires_at >= utcnow())) or 0


def create_api_token(session: Session, user: User, name: object) -> tuple[str, ApiToken]:
    """A new personal API token; the raw value is returned once and only its hash is stored."""
    label = clean_line(name, "Nama token", "name", 1, 80)
    held = session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id))
    if held >= MAX_API_TOKENS:
        raise ValidationFailed(f"Anda sudah punya {MAX_API_TOKENS} token. Cabut token yang tidak dipakai lagi "
                               "sebelum membuat yang baru.", field="name")
    raw = "fap_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=label, token_hash=_sha256(raw), prefix=raw[:10])
    session.add(token)
    session.flush()
    return raw, token


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    """The member's tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    """Delete one of the member's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("Token tidak ditemukan.")
    session.delete(token)


def user_for_api_token(session: Session, raw: str | None) -> User | None:
    """The active user owning this bearer token, or None."""
    if not raw or len(raw) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(raw)))
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    # "Last used" is shown to the minute or so: refreshing it on every request would turn each API read into
    # a write (and, on SQLite, a read that can collide with a concurrent writer).
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH:
        token.last_used_at = now
    return token.user


def get_user(session: Session, username: str) -> User:
    """The user with this username ("@name", as pages show it, too), or NotFound."""
    name = str(username).strip().removeprefix("@").lower()
    user = session.scalar(select(User).where(User.username == name)) if "\x00" not in name else None
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user

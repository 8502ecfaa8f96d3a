"""Forgotten passwords: an admin makes a one-time link for the member, who sets a new password with it.

The forum sends no e-mail (no mail server is assumed in a government office network), so the admin passes the
link on through the agency's own channel. Only the token's hash is stored; a link works once, for a day, and
only the newest one a member was given.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from forum.accounts import hash_password
from forum.passwords import check_password_strength, personal_words
from forum.errors import NotFound, ValidationFailed
from forum.moderation import clean_reason
from forum.moderation_log import log_action
from forum.permissions import check_admin
from models import ApiToken, PasswordReset, User, UserSession, utcnow

VALID_FOR = timedelta(hours=24)
INVALID_LINK = "Tautan atur ulang kata sandi ini tidak berlaku: salah, sudah dipakai, diganti tautan baru, " \
               "atau lewat 24 jam. Minta admin membuat tautan baru."


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_password_reset(session: Session, *, actor: User | None, member: User,
                         reason: object = "") -> tuple[str, PasswordReset]:
    """Admins only: a new one-time link token for `member` (returned raw, once); earlier unused links stop working."""
    actor = check_admin(actor)
    if member.id == actor.id:
        raise ValidationFailed("Ganti kata sandi Anda sendiri di halaman profil Anda.", field="username")
    if not member.is_active:
        raise ValidationFailed("Akun ini dinonaktifkan; aktifkan dulu sebelum membuat tautan.", field="username")
    now = utcnow()
    void_password_resets(session, member)
    raw = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=member.id, token_hash=_sha256(raw), created_by_id=actor.id, created_at=now,
                          expires_at=now + VALID_FOR)
    session.add(reset)
    log_action(session, actor, "password_reset", reason=clean_reason(reason), details={"username": member.username})
    session.flush()
    return raw, reset


def void_password_resets(session: Session, member: User) -> None:
    """Unused links for `member` stop working (they changed their password themselves meanwhile)."""
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == member.id, PasswordReset.used_at.is_(None)))


def find_password_reset(session: Session, raw: object) -> PasswordReset:
    """The unused, unexpired link behind `raw`, or NotFound with the Indonesian reason."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        raise NotFound(INVALID_LINK)
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _sha256(raw)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow() or not reset.user.is_active:
        raise NotFound(INVALID_LINK)
    return reset


def reset_password(session: Session, raw: object, new: object) -> User:
    """Set the member's new password through the link; the link is spent, every login session ends and every
    API token is revoked."""
    reset = find_password_reset(session, raw)
    member = reset.user
    password = check_password_strength(new, member.username, personal_words(member.display_name, member.email))
    # Spent in one statement guarded by used_at: two tabs sending the form at once set the password once.
    spent = session.execute(update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                            .values(used_at=utcnow()))
    if not spent.rowcount:
        raise NotFound(INVALID_LINK)
    member.password_hash = hash_password(password)
    # Whoever was logged in with the forgotten (perhaps stolen) password is logged out everywhere, and the API
    # tokens made while it was known stop working too: the member makes new ones.
    session.execute(delete(UserSession).where(UserSession.user_id == member.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == member.id))
    session.flush()
    return member

"""Device cookies: a browser a member has logged in from keeps its own login allowance while others guess.

Without them, anyone could keep a member (an admin included) locked out for good by sending wrong passwords
for their account from several addresses, which is what the account-wide limit counts. A browser holding a
cookie signed for that account, set at an earlier successful login, is counted on its own instead (OWASP's
"device cookie" defence). The cookie proves nothing about the password: it only chooses the counter.
"""
import hashlib
import hmac
import secrets

from litestar import Request
from litestar.response import Response

DEVICE_COOKIE = "perangkat"
DEVICE_DAYS = 180


def _signature(secret: str, account: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"device:{account}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def remember_device(response: Response, secret: str, account: str, secure: bool) -> None:
    """Mark this browser as one that logged in to `account` (a `login_key`)."""
    nonce = secrets.token_urlsafe(12)
    response.set_cookie(DEVICE_COOKIE, f"{nonce}.{_signature(secret, account, nonce)}", max_age=DEVICE_DAYS * 86400,
                        httponly=True, samesite="lax", secure=secure, path="/masuk")


def known_device(request: Request, secret: str, account: str) -> str | None:
    """This browser's device id when it logged in to `account` before, else None."""
    nonce, _, signature = (request.cookies.get(DEVICE_COOKIE) or "").partition(".")
    if nonce and hmac.compare_digest(signature, _signature(secret, account, nonce)):
        return nonce
    return None

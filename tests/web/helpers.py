"""Helpers for the web tests: CSRF token, logging in, a cheap password hasher, HTML inspection, XSS payloads."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from forum import accounts

XSS_DIR = Path(__file__).resolve().parents[1] / "data" / "xss"
CSRF_COOKIE = "csrftoken"


# --- speed --------------------------------------------------------------------------------------------------

@pytest.fixture
def fast_hashing(monkeypatch):
    """Argon2 with the smallest cost, so tests that create many members stay fast.

    Hashes are still real argon2id hashes verified by argon2-cffi; only the cost parameters are lowered.
    The test that checks the production hash (tests/forum/test_accounts.py) does not use this fixture.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("tidak-ada-pengguna-ini"))
    return cheap


# --- requests -----------------------------------------------------------------------------------------------

def csrf(client) -> str:
    """The CSRF token the app set in the `csrftoken` cookie (made by any GET request)."""
    token = client.cookies.get(CSRF_COOKIE)
    if not token:
        client.get("/topik")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "the app did not set a CSRF cookie"
    return token


def post_form(client, url: str, data: dict | None = None, *, with_token: bool = True, follow: bool = False):
    """Submit an HTML form as a browser would, with the CSRF token as the `_csrf_token` field."""
    data = dict(data or {})
    if with_token:
        data["_csrf_token"] = csrf(client)
    return client.post(url, data=data, follow_redirects=follow)


def login_as(client, db, user) -> str:
    """Log `user` in without the form (a real session row and cookie), skipping password hashing."""
    db.commit()  # a fresh transaction: the test session may hold an old SQLite snapshot
    token = accounts.start_session(db, user)
    db.commit()
    client.cookies.set("sesi", token)
    return token


def fresh(db) -> None:
    """Let the test session see what the app committed: end its transaction (an SQLite WAL snapshot) and
    expire loaded objects (rollback alone expires nothing when no transaction is open)."""
    db.rollback()
    db.expire_all()


def logout(client) -> None:
    """Forget the session cookie on the client side."""
    client.cookies.delete("sesi")


def bearer(raw_token: str) -> dict:
    return {"Authorization": f"Bearer {raw_token}"}


# --- HTML inspection ----------------------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag.lower(), {k.lower(): (v or "") for k, v in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def tags(html: str) -> list[tuple[str, dict]]:
    """Every start tag in the document as (name, {attribute: value}), entities decoded."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def visible_text(html: str) -> str:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.text).split())


def find(html: str, tag: str, **attrs) -> list[dict]:
    """Attributes of each `tag` whose attributes include `attrs` (class_ matches one class word)."""
    out = []
    for name, a in tags(html):
        if name != tag:
            continue
        ok = True
        for key, want in attrs.items():
            if key == "class_":
                ok &= want in a.get("class", "").split()
            else:
                ok &= a.get(key.replace("_", "-")) == want
        if ok:
            out.append(a)
    return out


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcset", "data",
              "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
_ALWAYS_BAD_TAGS = {"script", "iframe", "object", "embed", "svg", "style", "math", "frame", "frameset", "applet",
                    "base", "xss", "isindex"}
# Tags a member's rendered Markdown must never contain (the page layout itself has forms, links, meta).
_FRAGMENT_BAD_TAGS = _ALWAYS_BAD_TAGS | {"form", "input", "button", "textarea", "select", "link", "meta",
                                         "marquee", "body", "html", "head", "title", "plaintext", "video",
                                         "audio", "source", "bgsound", "layer", "ilayer", "xml", "template"}
SITE_SCRIPTS = {"/static/htmx.min.js", "/static/app.js"}


def _normal_url(value: str) -> str:
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def unsafe_markup(html: str, *, fragment: bool) -> list[str]:
    """Problems that could run script: dangerous tags, on* handlers, javascript:/vbscript:/data: URLs.

    `fragment=True` checks a member's rendered Markdown (strict); `fragment=False` a whole page, where only the
    site's own <script src="/static/..."> tags are allowed.
    """
    problems = []
    bad_tags = _FRAGMENT_BAD_TAGS if fragment else _ALWAYS_BAD_TAGS
    for name, attrs in tags(html):
        if name in bad_tags and not (not fragment and name == "script" and attrs.get("src") in SITE_SCRIPTS):
            problems.append(f"<{name} {attrs}>")
        for key, value in attrs.items():
            if key.startswith("on"):
                problems.append(f"<{name}> has event handler {key}={value!r}")
            if key in _URL_ATTRS and _normal_url(value).startswith(_BAD_SCHEMES):
                problems.append(f"<{name}> {key}={value!r}")
            if fragment and key == "style" and not re.fullmatch(r"text-align:\s*(left|right|center);?", value):
                problems.append(f"<{name}> style={value!r}")
    return problems


def page_problems(client, html: str) -> list[str]:
    """unsafe_markup of a whole page, minus what the site layout itself contains for this viewer
    (e.g. its own inline SVG icons), taken from a plain page fetched with the same cookies."""
    from collections import Counter
    layout = Counter(unsafe_markup(client.get("/topik").text, fragment=False))
    return list((Counter(unsafe_markup(html, fragment=False)) - layout).elements())


def links_missing_rel(html: str) -> list[dict]:
    """Links (with an href) that lack rel="nofollow ugc noopener"."""
    return [a for name, a in tags(html)
            if name == "a" and "href" in a and set(a.get("rel", "").split()) != {"nofollow", "ugc", "noopener"}]


def xss_payloads() -> list[str]:
    """Every non-empty line of the public payload lists in tests/data/xss/."""
    payloads = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        payloads += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return payloads

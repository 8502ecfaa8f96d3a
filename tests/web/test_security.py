"""CSRF on every HTML form, and public XSS payloads coming back inert on the pages members see."""
import dataclasses
import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from forum import accounts, posts, threads
from forum.errors import ValidationFailed
from models import ApiToken, Notification, Post, Thread, User, UserSession, Watch
from tests import factories as f
from tests.web.helpers import (fast_hashing, fresh, links_missing_rel, login_as, page_problems,  # noqa: F401
                               post_form, unsafe_markup, xss_payloads)

pytestmark = pytest.mark.usefixtures("fast_hashing")

PAYLOADS = xss_payloads()


def test_the_payload_lists_are_present_and_large():
    assert len(PAYLOADS) > 250
    assert any("<script" in p.lower() for p in PAYLOADS) and any("javascript:" in p.lower() for p in PAYLOADS)


# --- CSRF ---------------------------------------------------------------------------------------------------

@pytest.fixture
def scene(db):
    f.agency(db)
    f.topic(db, "cuti", "Cuti")
    asker, helper = f.user(db, username="ani"), f.user(db, username="budi")
    t = f.thread(db, asker, topic_slugs=("cuti",))
    r = posts.reply(db, author=helper, thread=t, body_md="Jawaban Budi.")
    posts.reply(db, author=asker, thread=t, body_md="Terima kasih.")
    _, token = accounts.create_api_token(db, asker, "skrip")
    db.commit()
    return {"asker": asker, "helper": helper, "thread": t, "reply": r, "token": token}


def _form_routes(s):
    t, r = s["thread"], s["reply"]
    return [
        ("/daftar", {"username": "baru.sekali", "display_name": "Baru", "email": "baru@contoh.go.id",
                     "password": "Rahasia-Kuat-2025", "agency": "bkn"}),
        ("/masuk", {"username": "ani", "password": f.PASSWORD}),
        ("/keluar", {}),
        ("/diskusi/baru", {"title": "Judul diskusi yang cukup panjang", "body_md": "Isi diskusi yang cukup panjang.",
                           "agency": "bkn", "topics": "cuti"}),
        (f"/diskusi/{t.id}/balas", {"body_md": "Balasan tanpa token."}),
        (f"/tulisan/{t.first_post_id}/sunting", {"body_md": "Isi yang diubah tanpa token CSRF."}),
        (f"/diskusi/{t.id}/jawaban", {"post_id": str(r.id)}),
        (f"/diskusi/{t.id}/ikuti", {"aksi": "berhenti"}),
        ("/akun/token", {"name": "token curian"}),
        (f"/akun/token/{s['token'].id}/hapus", {}),
        ("/notifikasi/baca-semua", {}),
        ("/pratinjau", {"body_md": "pratinjau"}),
        ("/akun/kata-sandi", {"current_password": f.PASSWORD, "password": "Sandi-Curian-2026"}),
        ("/akun/keluar-lain", {}),
    ]


def _state(db):
    fresh(db)
    counts = tuple(db.scalar(select(func.count()).select_from(m)) for m in
                   (User, UserSession, Thread, Post, ApiToken, Watch))
    thread = db.scalar(select(Thread).order_by(Thread.id))
    first = db.get(Post, thread.first_post_id)
    unread = db.scalar(select(func.count()).select_from(Notification).where(Notification.read_at.is_(None)))
    return counts, thread.accepted_post_id, first.body_md, unread


@pytest.mark.parametrize("bad_token", [None, "token-palsu"])
def test_every_html_form_rejects_a_post_without_the_csrf_token_with_an_indonesian_403(client, db, scene, bad_token):
    login_as(client, db, scene["asker"])
    client.get("/")  # the browser has a CSRF cookie, the attacker's form just does not carry it
    before = _state(db)
    for url, data in _form_routes(scene):
        payload = dict(data)
        if bad_token:
            payload["_csrf_token"] = bad_token
        response = client.post(url, data=payload, follow_redirects=False)
        assert response.status_code == 403, (url, response.status_code)
        assert "Akses ditolak" in response.text and '<html lang="id">' in response.text, url
        assert "Formulir ini sudah kedaluwarsa" in response.text, url  # not "no permission": reload and resend
    assert _state(db) == before


def test_the_same_forms_work_with_the_token_so_the_403s_above_are_about_csrf(client, db, scene):
    login_as(client, db, scene["asker"])
    statuses = {}
    for url, data in _form_routes(scene):
        if url in ("/daftar", "/masuk", "/keluar"):
            continue  # they need a logged-out client or would end the session
        statuses[url] = post_form(client, url, data).status_code
    assert all(code in (200, 303) for code in statuses.values()), statuses


# --- XSS ------------------------------------------------------------------------------------------------------

def test_every_xss_payload_posted_as_a_reply_is_inert_on_the_thread_page(client, db, scene):
    t = scene["thread"]
    made = []
    for payload in PAYLOADS:
        body = payload if payload.strip() else "kosong"
        made.append(posts.reply(db, author=scene["helper"], thread=t, body_md=body))
    db.commit()
    for post in made:
        assert unsafe_markup(post.body_html, fragment=True) == [], post.body_md
        assert links_missing_rel(post.body_html) == [], post.body_md
    distinct = {p.id for p in made}  # a payload listed twice is the same reply sent again: one post
    assert len(distinct) == len({p.body_md for p in made})
    shown = set()
    for number in range(1, 100):  # every page of the now long thread
        response = client.get(f"/diskusi/{t.id}/{t.slug}?hal={number}")
        assert response.status_code == 200
        shown |= {int(i) for i in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', response.text)}
        assert page_problems(client, response.text) == []
        body_links = [p for p in links_missing_rel(response.text) if not p["href"].startswith(("/", "#"))]
        assert body_links == []
        if 'rel="next"' not in response.text:
            break
    assert distinct <= shown


def test_xss_payloads_sent_through_the_real_reply_and_edit_forms_are_inert(client, db, scene):
    t = scene["thread"]
    login_as(client, db, scene["helper"])
    polyglots = [p for p in PAYLOADS if len(p) > 60][:12]
    for payload in polyglots:
        assert post_form(client, f"/diskusi/{t.id}/balas", {"body_md": payload}).status_code == 303
    assert post_form(client, f"/tulisan/{scene['reply'].id}/sunting", {"body_md": polyglots[0]}).status_code == 303
    page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert page_problems(client, page) == []
    history = client.get(f"/tulisan/{scene['reply'].id}/riwayat").text
    assert page_problems(client, history) == []
    for payload in polyglots[:4]:
        preview = post_form(client, "/pratinjau", {"body_md": payload})
        assert unsafe_markup(preview.text, fragment=True) == []


@pytest.fixture
def big_pages(settings, session_factory):
    from web.app import create_app
    app = create_app(dataclasses.replace(settings, page_size=100), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as c:
        yield c


def test_every_xss_payload_as_a_thread_title_is_escaped_on_the_lists_and_thread_page(big_pages, db, scene):
    made = []
    for payload in PAYLOADS:
        title = payload if len(payload.strip()) >= 10 else f"Judul: {payload}"
        try:
            made.append(threads.create_thread(db, author=scene["asker"], agency="bkn", topics=["cuti"], title=title[:200],
                                              body_md=f"Isi diskusi untuk menguji judul: {payload}"))
        except ValidationFailed:  # not two words with letters (e.g. '<XSS>=&{()}'): the payload behind words
            made.append(threads.create_thread(db, author=scene["asker"], agency="bkn", topics=["cuti"],
                                              title=f"Judul uji {payload}"[:200],
                                              body_md=f"Isi diskusi untuk menguji judul: {payload}"))
    db.commit()
    pages = (len(made) + 1 + 99) // 100
    for page in range(1, pages + 1):
        html = big_pages.get(f"/?urut=terbaru&hal={page}").text
        assert page_problems(big_pages, html) == [], page
    for t in made[::10]:
        html = big_pages.get(f"/diskusi/{t.id}/{t.slug}").text
        assert page_problems(big_pages, html) == [], t.title
    html = big_pages.get("/u/ani").text
    assert page_problems(big_pages, html) == []


def test_xss_payloads_in_filters_query_strings_and_display_names_come_back_escaped(client, db, scene):
    sample = [p for p in PAYLOADS if "<" in p or "javascript" in p.lower()][::8]
    for payload in sample:
        for url, params in (("/", {"instansi": payload}), ("/", {"topik": payload}), ("/", {"urut": payload}),
                            ("/", {"hal": payload}), ("/masuk", {"lanjut": payload}),
                            ("/diskusi/baru", {"topik": payload})):
            response = client.get(url, params=params)
            assert response.status_code in (200, 303, 404), (url, params, response.status_code)
            assert page_problems(client, response.text) == [], (url, params)
    # A display name is shown on profiles, posts and lists.
    user = db.get(User, scene["helper"].id)
    user.display_name = '"><script>alert(1)</script><img src=x onerror=alert(1)>'[:80]
    db.commit()
    t = scene["thread"]
    for url in ("/", "/u/budi", f"/diskusi/{t.id}/{t.slug}"):
        assert page_problems(client, client.get(url).text) == [], url


# --- NUL bytes and other raw input (PostgreSQL refuses NUL in text: it must be a 4xx, never a 500) -----------

def test_nul_bytes_in_slugs_filters_and_form_fields_are_a_4xx_never_a_500(client, db, scene):
    from tests.web.helpers import bearer
    raw, _ = accounts.create_api_token(db, scene["asker"], "nul")
    db.commit()
    nul = "bkn\x00x"
    gets = ["/instansi/bkn%00x", "/topik/cuti%00x", "/u/ani%00x", "/diskusi/baru?topik=cuti%00x",
            "/api/v1/agencies/bkn%00x", "/api/v1/topics/cuti%00x"]
    for url in gets:
        login_as(client, db, scene["asker"])
        assert client.get(url, follow_redirects=False).status_code in (200, 400, 404), url
    for params in ({"instansi": nul}, {"topik": nul}, {"urut": nul}, {"hal": nul}):
        assert client.get("/", params=params).status_code in (200, 400, 404), params
        api_params = {{"instansi": "agency", "topik": "topic", "urut": "sort", "hal": "page"}[k]: v
                      for k, v in params.items()}
        assert client.get("/api/v1/threads", params=api_params).status_code in (200, 400, 404), api_params
    assert post_form(client, "/diskusi/baru", {"title": "Judul yang cukup panjang", "body_md": "Isi yang cukup "
                                               "panjang sekali.", "agency": nul, "topics": "cuti\x00"}).status_code == 400
    response = client.post("/api/v1/threads", headers=bearer(raw),
                           json={"title": "Judul\x00 yang cukup panjang", "body_md": "Isi\x00 yang cukup panjang sekali.",
                                 "agency": nul, "topics": ["cuti\x00"]})
    assert response.status_code == 400 and response.json()["errors"].keys() == {"agency", "topics"}
    client.cookies.delete("sesi")
    assert post_form(client, "/masuk", {"username": "ani\x00", "password": "x\x00y"}).status_code == 400
    assert post_form(client, "/daftar", {"username": "nul\x00", "display_name": "Nul\x00", "email": "a\x00@b.go.id",
                                         "password": "Rahasia\x00-Kuat-2025", "agency": nul}).status_code == 400


def test_form_posts_with_invalid_utf8_bytes_are_not_a_500(client, db, scene):
    login_as(client, db, scene["asker"])
    token = client.cookies.get("csrftoken") or (client.get("/topik") and client.cookies.get("csrftoken"))
    t = scene["thread"]
    body = b"_csrf_token=" + token.encode() + b"&body_md=%FF%FE%C3%28 balasan rusak"
    response = client.post(f"/diskusi/{t.id}/balas", content=body,
                           headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert response.status_code in (303, 400), response.status_code


@pytest.mark.parametrize("url", ["/", "/diskusi/999999", "/api/v1/topics", "/static/app.js", "/cari?q=cuti"])
def test_every_response_forbids_framing_and_foreign_scripts(client, url):
    response = client.get(url)
    assert response.headers["x-frame-options"] == "DENY"
    policy = dict(p.strip().split(" ", 1) for p in response.headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["script-src"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_icon_browsers_ask_for_on_their_own_exists(client):
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")


def test_the_api_description_loads_nothing_from_the_internet(client):
    for url in ("/schema", "/schema/openapi.json"):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["info"]["title"] == "Forum ASN Progresif API"
        assert not re.search(r"https?://(?!testserver)", response.text.split('"paths"')[0]), url

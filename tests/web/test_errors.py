"""Error pages: 404/403/500 in Indonesian inside the site layout; the API answers JSON; never a traceback."""
import pytest

from forum import catalog, posts
from tests import factories as f
from tests.web.helpers import fast_hashing, find, login_as, post_form  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")


def assert_site_page(response, status: int, title: str, message: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="id">' in html and 'class="topbar"' in html and "Forum <strong>ASN Progresif</strong>" in html
    assert f'<p class="error-code">{status}</p>' in html and f"<h1>{title}</h1>" in html
    assert message in html
    assert find(html, "a", href="/")  # a way back
    for leak in ("Traceback", "File \"", "Exception", "sqlalchemy", "litestar"):
        assert leak not in html


def test_an_unknown_address_is_an_indonesian_404_in_the_site_layout(client):
    assert_site_page(client.get("/halaman/yang/tidak/ada"), 404, "Tidak ditemukan", "Halaman tidak ditemukan.")


def test_an_unknown_thread_post_or_member_is_a_404_with_its_own_message(client, db):
    f.agency(db)
    db.commit()
    assert_site_page(client.get("/diskusi/424242/judul"), 404, "Tidak ditemukan", "Diskusi tidak ditemukan.")
    assert_site_page(client.get("/p/424242"), 404, "Tidak ditemukan", "Tulisan tidak ditemukan.")
    assert_site_page(client.get("/u/tidak.ada"), 404, "Tidak ditemukan", "Pengguna tidak ditemukan.")
    assert_site_page(client.get("/instansi/tidak-ada"), 404, "Tidak ditemukan", "Instansi tidak ditemukan.")


def test_a_forbidden_action_is_an_indonesian_403_in_the_site_layout(client, db):
    a, b = f.user(db), f.user(db)
    t = f.thread(db, a)
    r = posts.reply(db, author=b, thread=t, body_md="Balasan milik B.")
    db.commit()
    login_as(client, db, a)
    assert_site_page(client.get(f"/tulisan/{r.id}/sunting"), 403, "Akses ditolak",
                     "Anda tidak dapat menyunting tulisan ini.")


def test_a_wrong_method_is_answered_in_indonesian(client):
    response = client.put("/masuk")
    assert response.status_code == 405
    assert "Metode permintaan tidak didukung" in response.text and '<html lang="id">' in response.text


def test_opening_a_forms_target_address_in_the_browser_leads_to_its_page_instead_of_a_405(client):
    # After a refused form the address bar shows the form's target; reopening it (a restored tab) is a GET.
    for target, page in (("/diskusi/7/balas", "/diskusi/7"), ("/tulisan/12/laporkan", "/p/12"),
                         ("/akun/kata-sandi", "/akun"), ("/moderasi/diskusi/7/tindakan", "/diskusi/7"), ("/keluar", "/")):
        response = client.get(target, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, page), target
    assert client.get("/api/v1/posts/12/report").status_code == 405  # an API client gets the plain answer
    assert client.put("/diskusi/7/balas").status_code == 405


def test_an_unexpected_error_on_a_page_is_a_calm_indonesian_500_without_a_traceback(client, monkeypatch):
    def boom(session):
        raise RuntimeError("koneksi basis data putus: SECRET-DETAIL")

    monkeypatch.setattr(catalog, "list_agencies", boom)
    response = client.get("/instansi")
    assert_site_page(response, 500, "Kesalahan server", "Maaf, terjadi kesalahan di server.")
    assert "SECRET-DETAIL" not in response.text and "RuntimeError" not in response.text


def test_an_unexpected_error_in_the_api_is_a_json_500_with_an_indonesian_detail(client, monkeypatch):
    def boom(session):
        raise RuntimeError("SECRET-DETAIL")

    monkeypatch.setattr(catalog, "list_topics", boom)
    response = client.get("/api/v1/topics")
    assert response.status_code == 500 and response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "Maaf, terjadi kesalahan di server. Tim kami akan memeriksanya.",
                               "status_code": 500}


def test_the_api_answers_unknown_addresses_and_methods_with_json(client):
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code == 404 and response.json()["detail"] == "Halaman tidak ditemukan."
    response = client.delete("/api/v1/agencies")
    assert response.status_code == 405 and "Metode permintaan" in response.json()["detail"]


def test_an_error_page_for_a_logged_in_member_keeps_them_logged_in_in_the_header(client, db):
    user = f.user(db)
    login_as(client, db, user)
    response = client.get("/diskusi/424242/judul")
    assert response.status_code == 404
    assert user.display_name in response.text and "Keluar" in response.text


def test_a_members_pages_and_api_answers_are_private_to_shared_caches_and_a_visitors_are_not(client, db):
    from forum import accounts
    user = f.user(db)
    raw, _ = accounts.create_api_token(db, user, "skrip")
    db.commit()
    assert "private" not in client.get("/").headers.get("cache-control", "")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).headers["cache-control"] == "private"
    login_as(client, db, user)
    for path in ("/notifikasi", "/", f"/u/{user.username}", "/tidak-ada"):
        assert "private" in client.get(path).headers["cache-control"] or "no-store" in client.get(path).headers[
            "cache-control"], path
    assert "private" not in client.get("/static/style.css").headers["cache-control"]  # shared files stay shared


def test_a_head_request_gets_the_pages_status_and_headers_without_a_body(client, db):
    thread = f.thread(db, f.user(db), title="Cara mengajukan cuti besar bagi ASN")
    db.commit()
    for path in ("/", f"/diskusi/{thread.id}", "/api/v1/threads", "/static/style.css"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.content == b"" and get.content
    missing = client.head("/halaman/yang/tidak/ada")
    assert missing.status_code == 404 and missing.content == b""


def test_an_id_no_row_can_have_is_a_404_on_every_kind_of_route_never_a_500(client, db):
    member = f.user(db)
    db.commit()
    login_as(client, db, member)
    huge, negative = "99999999999999999999999", "-9223372036854775809"
    for number in (huge, negative, "0"):
        assert client.get(f"/diskusi/{number}").status_code == 404
        assert post_form(client, f"/akun/token/{number}/hapus").status_code == 404
        assert client.get(f"/api/v1/threads/{number}").status_code == 404
    from tests import moderation_factories as mf
    moderator = mf.api_token(db, f.user(db, role="moderator"))
    for number in (huge, negative):
        answer = client.get(f"/api/v1/moderation/merges/{number}", headers=moderator)
        assert answer.status_code == 404 and answer.json()["detail"] == "Halaman tidak ditemukan."


def test_refusals_from_routing_and_csrf_carry_the_security_headers_and_a_405_says_what_is_allowed(client):
    refusals = [client.get("/halaman/yang/tidak/ada"), client.get("/api/v1/tidak-ada"), client.put("/masuk"),
                client.post("/keluar", data={}), client.get("/api/v1/me", headers={"Authorization": "Bearer salah"})]
    assert [r.status_code for r in refusals] == [404, 404, 405, 403, 401]
    for response in refusals:
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "POST" in refusals[2].headers["allow"]
    assert refusals[4].headers["www-authenticate"].startswith("Bearer")


def test_a_file_sent_in_place_of_a_text_field_is_refused_not_stored_as_its_name(client, db):
    thread = f.thread(db, f.user(db))
    member = f.user(db)
    db.commit()
    login_as(client, db, member)
    from tests.web.helpers import csrf
    answer = client.post(f"/diskusi/{thread.id}/balas", data={"_csrf_token": csrf(client)},
                         files={"body_md": ("a.txt", b"isi berkas", "text/plain")})
    assert answer.status_code == 400 and "tidak menerima berkas" in answer.text
    from forum.threads import thread_posts
    from tests.web.helpers import fresh
    fresh(db)
    assert len(thread_posts(db, thread)) == 1


def test_robots_txt_keeps_crawlers_off_search_moderation_and_password_links(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    for path in ("/cari", "/moderasi", "/atur-ulang-sandi/", "/api/"):
        assert f"Disallow: {path}" in robots.text


def test_static_files_are_cached_for_an_hour_and_set_no_cookie(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and "max-age=3600" in response.headers["cache-control"]
    assert "set-cookie" not in response.headers


def test_a_static_path_holding_a_nul_byte_is_a_404_and_a_newline_in_a_path_cannot_forge_a_log_line(client):
    for path in ("/static/%00", "/static/a%00b.css"):
        assert_site_page(client.get(path), 404, "Tidak ditemukan", "Halaman tidak ditemukan.")
        assert client.head(path).status_code == 404
    import logging

    from litestar.testing import RequestFactory

    from web.errors import server_error_handler
    lines = []
    catch = logging.Handler(logging.ERROR)
    catch.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("forum.web")
    logger.addHandler(catch)
    try:
        request = RequestFactory().get("/diskusi/1/x\n2026-12-07 19:00:00,000 INFO forged-line")  # decoded, as served
        assert server_error_handler(request, RuntimeError("boom")).status_code == 500
    finally:
        logger.removeHandler(catch)
    assert len(lines) == 1 and "forged-line" in lines[0] and "\n" not in lines[0]


def test_an_unknown_address_under_schema_is_the_forums_own_404_not_litestars_english_page(client):
    assert_site_page(client.get("/schema/swagger"), 404, "Tidak ditemukan", "Halaman tidak ditemukan.")
    assert client.get("/schema").status_code == 200


def test_an_api_query_parameter_left_out_is_named_in_indonesian(client, db):
    from tests import moderation_factories as mf
    mod = mf.user(db, "moderator")
    db.commit()
    missing = client.get("/api/v1/moderation/merges/preview?source=1", headers=mf.api_token(db, mod))
    assert missing.status_code == 400 and missing.json()["errors"] == {"target": "Wajib diisi."}
    assert missing.json()["detail"] == "Data yang dikirim tidak valid: periksa target."  # not "kirim … JSON"

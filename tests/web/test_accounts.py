"""Daftar, masuk, keluar through the HTML forms: errors in Indonesian, typed values kept, sessions, rate limit."""
import dataclasses
import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from models import User, UserSession
from tests import factories as f
from tests.web.helpers import fast_hashing, find, login_as, post_form  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("fast_hashing")

GOOD = {"username": "dewi.lestari", "display_name": "Dewi Lestari", "email": "dewi@bkn.go.id",
        "password": "Rahasia-Kuat-2025", "agency": "bkn"}


@pytest.fixture
def agencies(db):
    f.agency(db)
    f.agency(db, "kemenkeu", "Kementerian Keuangan")
    db.commit()


def _input_value(html: str, name: str) -> str | None:
    found = find(html, "input", name=name)
    return found[0].get("value") if found else None


def _selected_agency(html: str) -> list[str]:
    from tests.web.helpers import tags
    in_select, selected = False, []
    for tag, attrs in tags(html):
        if tag == "select":
            in_select = attrs.get("name") == "agency"
        elif tag == "option" and in_select and "selected" in attrs:
            selected.append(attrs.get("value"))
    return selected


def test_registration_creates_the_member_logs_them_in_and_sets_an_httponly_session_cookie(client, db, agencies):
    assert client.get("/daftar").status_code == 200
    response = post_form(client, "/daftar", GOOD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("sesi="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    home = client.get("/")
    assert "Dewi Lestari" in home.text and "Selamat datang, Dewi Lestari" in home.text
    user = db.scalar(select(User).where(User.username == "dewi.lestari"))
    assert user.email == "dewi@bkn.go.id" and user.agency.slug == "bkn" and user.role == "member"
    assert user.password_hash.startswith("$argon2") and GOOD["password"] not in user.password_hash


def test_registration_with_a_taken_username_shows_an_indonesian_error_and_keeps_the_typed_values(client, db, agencies):
    f.user(db, username="dewi.lestari")
    db.commit()
    response = post_form(client, "/daftar", {**GOOD, "email": "lain@kemenkeu.go.id", "agency": "kemenkeu"})
    assert response.status_code == 400
    assert "Nama pengguna sudah dipakai" in response.text
    assert _input_value(response.text, "username") == "dewi.lestari"
    assert _input_value(response.text, "display_name") == "Dewi Lestari"
    assert _input_value(response.text, "email") == "lain@kemenkeu.go.id"
    assert _selected_agency(response.text) == ["kemenkeu"]
    assert _input_value(response.text, "password") in (None, "")
    assert GOOD["password"] not in response.text
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_registration_with_a_taken_email_says_it_is_already_registered(client, db, agencies):
    f.user(db, username="budi")
    db.commit()
    response = post_form(client, "/daftar", {**GOOD, "email": "BUDI@contoh.go.id"})
    assert response.status_code == 400
    assert "Email sudah terdaftar" in response.text
    assert _input_value(response.text, "email") == "BUDI@contoh.go.id"
    assert _input_value(response.text, "username") == "dewi.lestari"


@pytest.mark.parametrize("password, reason", [
    ("Pendek1!", "minimal 10 karakter"),
    ("1234567890", "terlalu lemah"),
    ("aaaaaaaaaa1", "terlalu lemah"),
    ("dewi.lestari2025", "terlalu lemah"),
    ("abcdefghijkl", "huruf dan angka atau simbol"),
    ("98765432101", "huruf dan angka atau simbol"),
    ("", "wajib diisi"),
])
def test_registration_rejects_a_weak_password_with_an_indonesian_reason_and_never_echoes_it(
        client, db, agencies, password, reason):
    response = post_form(client, "/daftar", {**GOOD, "password": password})
    assert response.status_code == 400
    errors = [p for p in find(response.text, "p", class_="field-error") if p.get("id") == "err-password"]
    assert errors, "the password field shows its own error"
    assert reason in response.text
    if password:
        assert password not in response.text
    assert _input_value(response.text, "username") == "dewi.lestari"
    assert db.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("username", ["Dewi Lestari", "ab", "_dewi", "dewi-", "déwi", "x" * 31])
def test_registration_with_an_invalid_username_explains_the_allowed_characters(client, db, agencies, username):
    response = post_form(client, "/daftar", {**GOOD, "username": username})
    assert response.status_code == 400
    assert find(response.text, "p", id="err-username")
    assert "Nama pengguna" in response.text
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_registration_with_an_unknown_agency_is_refused_and_reports_every_problem_at_once(client, db, agencies):
    response = post_form(client, "/daftar", {**GOOD, "agency": "badan-rahasia", "email": "bukan-email",
                                             "display_name": "D"})
    assert response.status_code == 400
    assert "Instansi tidak dikenal" in response.text
    assert "Alamat email tidak valid" in response.text
    assert "Nama tampilan minimal 2 karakter" in response.text
    empty = post_form(client, "/daftar", {**GOOD, "email": "  "})
    assert empty.status_code == 400 and "Email wajib diisi." in empty.text  # missing, not "minimal 3 karakter"
    assert _input_value(response.text, "email") == "bukan-email"


def test_login_by_username_and_by_email_starts_a_session(client, db, agencies):
    user = f.user(db, username="budi.santoso")
    db.commit()
    response = post_form(client, "/masuk", {"username": "budi.santoso", "password": f.PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert user.display_name in client.get("/").text
    post_form(client, "/keluar")
    response = post_form(client, "/masuk", {"username": "  BUDI.SANTOSO@contoh.go.id ", "password": f.PASSWORD})
    assert response.status_code == 303
    assert user.display_name in client.get("/").text
    assert db.scalar(select(func.count()).select_from(UserSession)) == 1


def test_login_with_wrong_credentials_shows_one_generic_indonesian_error_and_keeps_the_login_name(client, db, agencies):
    f.user(db, username="budi.santoso")
    db.commit()
    wrong_password = post_form(client, "/masuk", {"username": "budi.santoso", "password": "Salah-Sekali-99"})
    unknown_user = post_form(client, "/masuk", {"username": "tidak.ada", "password": f.PASSWORD})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 400
        assert "Nama pengguna atau kata sandi salah." in response.text
        assert "sesi" not in response.cookies
    assert _input_value(wrong_password.text, "username") == "budi.santoso"
    assert "Salah-Sekali-99" not in wrong_password.text


def _stays_on_site(location: str) -> bool:
    # What a browser does with a Location: drop tabs/newlines, treat backslashes as slashes.
    normal = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return normal.startswith("/") and not normal.startswith("//")


@pytest.mark.parametrize("target, expected", [
    ("/diskusi/baru", "/diskusi/baru"),
    ("/topik/cuti?urut=terbaru", "/topik/cuti?urut=terbaru"),
    ("https://jahat.example/curi", "/"),
    ("//jahat.example/curi", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
    ("/\\jahat.example/curi", None),
    ("\\\\jahat.example", None),
    ("/\t/jahat.example", None),
    ("/\n/jahat.example", None),
])
def test_login_follows_lanjut_only_to_same_site_paths(client, db, agencies, target, expected):
    f.user(db, username="budi.santoso")
    db.commit()
    form = client.get("/masuk", params={"lanjut": target})
    assert find(form.text, "input", name="lanjut")[0]["value"] == target
    response = post_form(client, "/masuk", {"username": "budi.santoso", "password": f.PASSWORD, "lanjut": target})
    assert response.status_code == 303
    location = response.headers["location"]
    assert _stays_on_site(location), location
    if expected is not None:
        assert location == expected


def test_logout_ends_the_session_on_the_server(client, db, agencies):
    user = f.user(db)
    token = login_as(client, db, user)
    assert user.display_name in client.get("/").text
    response = post_form(client, "/keluar")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert db.scalar(select(func.count()).select_from(UserSession)) == 0
    assert user.display_name not in client.get("/").text
    # The old cookie value no longer works even if a client kept it.
    client.cookies.set("sesi", token)
    response = client.get("/diskusi/baru", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")


def test_pages_for_members_send_visitors_to_the_login_form_and_back(client, db, agencies):
    response = client.get("/diskusi/baru", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?lanjut=/diskusi/baru"
    assert client.get("/notifikasi", follow_redirects=False).headers["location"] == "/masuk?lanjut=/notifikasi"


def test_logged_in_members_visiting_the_login_or_register_form_go_home(client, db, agencies):
    login_as(client, db, f.user(db))
    for url in ("/masuk", "/daftar"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"


def test_login_attempts_are_rate_limited_with_an_indonesian_429(settings, session_factory, db, agencies):
    from web.app import create_app
    f.user(db, username="budi.santoso")
    db.commit()
    app = create_app(dataclasses.replace(settings, login_attempts_per_minute=3), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        for _ in range(3):
            assert post_form(client, "/masuk", {"username": "budi.santoso", "password": "Salah-Sekali-99"}
                             ).status_code == 400
        blocked = post_form(client, "/masuk", {"username": "budi.santoso", "password": "Salah-Sekali-99"})
        assert blocked.status_code == 429
        assert "Terlalu banyak percobaan masuk" in blocked.text
        assert '<html lang="id">' in blocked.text
        assert 'value="budi.santoso"' in blocked.text  # the login form again, with the name typed
        # Even the right password is refused while the limit holds.
        right = post_form(client, "/masuk", {"username": "budi.santoso", "password": f.PASSWORD})
        assert right.status_code == 429 and "sesi" not in right.cookies
        # Another account from the same address is limited only later (per-address limit is higher).
        other = post_form(client, "/masuk", {"username": "orang.lain", "password": "Salah-Sekali-99"})
        assert other.status_code == 400


def test_guessing_from_one_address_does_not_lock_the_member_out_and_the_email_shares_the_names_count(
        settings, session_factory, db, agencies, monkeypatch):
    import web.pages.accounts as pages
    from web.app import create_app
    f.user(db, username="budi.santoso")
    db.commit()
    monkeypatch.setattr(pages, "client_ip", lambda request: request.headers.get("x-test-ip", "10.0.0.1"))
    app = create_app(dataclasses.replace(settings, login_attempts_per_minute=3), session_factory)
    wrong = {"password": "Salah-Sekali-99"}
    with TestClient(app=app, base_url="http://testserver.local") as attacker, \
            TestClient(app=app, base_url="http://testserver.local") as member:
        member.headers["x-test-ip"] = "10.0.0.2"
        codes = [post_form(attacker, "/masuk", {**wrong, "username": name}).status_code
                 for name in ("budi.santoso", "budi.santoso@contoh.go.id", "BUDI.SANTOSO", "budi.santoso@contoh.go.id")]
        assert codes == [400, 400, 400, 429]  # name and email are one account: no second allowance
        assert post_form(attacker, "/masuk", {"username": "budi.santoso", "password": f.PASSWORD}).status_code == 429
        # The member, from their own address, logs in.
        right = post_form(member, "/masuk", {"username": "budi.santoso", "password": f.PASSWORD})
        assert right.status_code == 303 and "sesi" in right.cookies


def test_guessing_from_many_addresses_locks_out_new_browsers_but_not_one_the_member_logged_in_from(
        settings, session_factory, db, agencies, monkeypatch):
    import web.pages.accounts as pages
    from web.app import create_app
    f.user(db, username="budi.santoso")
    f.user(db, username="rina.admin")
    db.commit()
    monkeypatch.setattr(pages, "client_ip", lambda request: request.headers.get("x-test-ip", "10.0.0.1"))
    app = create_app(dataclasses.replace(settings, login_attempts_per_minute=3), session_factory)
    right = {"username": "budi.santoso", "password": f.PASSWORD}
    with TestClient(app=app, base_url="http://testserver.local") as own, \
            TestClient(app=app, base_url="http://testserver.local") as attacker, \
            TestClient(app=app, base_url="http://testserver.local") as borrowed, \
            TestClient(app=app, base_url="http://testserver.local") as other_account:
        own.headers["x-test-ip"] = "10.9.9.9"
        assert post_form(own, "/masuk", right).status_code == 303  # the member's usual browser, last week
        post_form(own, "/keluar")
        post_form(other_account, "/masuk", {"username": "rina.admin", "password": f.PASSWORD})
        # An attacker guesses from 20 addresses, 3 each: the account's own limit (3 x 20 in 15 minutes, the
        # member's login from a then new browser included) is reached.
        codes = []
        for n in range(20):
            attacker.headers["x-test-ip"] = f"10.1.0.{n}"
            codes += [post_form(attacker, "/masuk", {**right, "password": "Salah-Sekali-99"}).status_code
                      for _ in range(3)]
        assert codes == [400] * 59 + [429]
        attacker.headers["x-test-ip"] = "10.2.0.1"
        locked = post_form(attacker, "/masuk", right)
        assert locked.status_code == 429 and "perangkat yang pernah Anda pakai" in locked.text
        # A browser that never logged in to this account is locked out too, even holding another account's cookie.
        other_account.headers["x-test-ip"] = "10.3.0.1"
        assert post_form(other_account, "/masuk", right).status_code == 429
        borrowed.cookies.set("perangkat", "tebakan.0123456789abcdef0123456789abcdef", path="/masuk")
        borrowed.headers["x-test-ip"] = "10.4.0.1"
        assert post_form(borrowed, "/masuk", right).status_code == 429
        # The member's own browser still logs in...
        back = post_form(own, "/masuk", right)
        assert back.status_code == 303 and "sesi" in back.cookies
        post_form(own, "/keluar")
        # ...and guessing from it is limited on its own counter.
        codes = [post_form(own, "/masuk", {**right, "password": "Salah-Sekali-99"}).status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]


def test_a_visitor_sent_to_login_comes_back_to_the_same_page_with_its_query_string(client):
    response = client.get("/diskusi/baru?topik=cuti-kehadiran", follow_redirects=False)
    assert response.status_code == 303
    login = client.get(response.headers["location"])
    assert 'name="lanjut" value="/diskusi/baru?topik=cuti-kehadiran"' in login.text


def test_login_attempts_count_across_workers_and_restarts(settings, session_factory, db, agencies):
    from web.app import create_app
    f.user(db, username="budi.santoso")
    db.commit()
    limited = dataclasses.replace(settings, login_attempts_per_minute=4)
    wrong = {"username": "budi.santoso", "password": "Salah-Sekali-99"}
    # Two workers (two apps on one database): their attempts add up.
    with TestClient(app=create_app(limited, session_factory), base_url="http://testserver.local") as one, \
            TestClient(app=create_app(limited, session_factory), base_url="http://testserver.local") as two:
        assert [post_form(c, "/masuk", wrong).status_code for c in (one, two, one, two)] == [400] * 4
        assert post_form(one, "/masuk", wrong).status_code == 429
        assert post_form(two, "/masuk", wrong).status_code == 429
    # A restarted worker remembers them too.
    with TestClient(app=create_app(limited, session_factory), base_url="http://testserver.local") as again:
        assert post_form(again, "/masuk", {**wrong, "password": f.PASSWORD}).status_code == 429


def test_registration_forms_sent_back_do_not_use_up_the_limit_and_a_refused_one_keeps_what_was_typed(
        client, db, agencies):
    form = {"username": "rina.kusuma", "display_name": "Rina Kusuma", "email": "rina@contoh.go.id",
            "password": "pendek", "agency": "bkn"}
    for _ in range(12):  # a member fixing a weak password a dozen times is not an abuse
        assert post_form(client, "/daftar", form).status_code == 400
    for i in range(10):
        made = post_form(client, "/daftar", {**form, "username": f"anggota{i}", "email": f"a{i}@contoh.go.id",
                                             "password": f.PASSWORD})
        assert made.status_code in (200, 303), i
        client.cookies.clear()
    refused = post_form(client, "/daftar", {**form, "password": f.PASSWORD})
    assert refused.status_code == 429 and "Terlalu banyak pendaftaran" in refused.text
    assert 'value="rina.kusuma"' in refused.text and 'value="rina@contoh.go.id"' in refused.text
    assert db.scalar(select(func.count()).select_from(User).where(User.username == "rina.kusuma")) == 0


def test_trying_address_after_address_to_learn_who_is_registered_is_rate_limited(client, db, agencies):
    for i in range(3):
        f.user(db, username=f"terdaftar{i}")
    db.commit()
    probe = {"username": "", "display_name": "", "password": "", "agency": ""}
    answers = [post_form(client, "/daftar", {**probe, "email": f"terdaftar{i % 3}@contoh.go.id"}) for i in range(11)]
    assert [a.status_code for a in answers] == [400] * 10 + [429]
    assert "Email sudah terdaftar" in answers[0].text and "Email sudah terdaftar" not in answers[-1].text


def test_a_member_changes_their_password_and_every_other_browser_and_api_token_is_logged_out(
        settings, session_factory, db, agencies):
    from forum import accounts
    from web.app import create_app
    member = f.user(db, username="sari.dewi")
    raw, _token = accounts.create_api_token(db, member, "skrip laporan")
    db.commit()
    app = create_app(settings, session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as office, \
            TestClient(app=app, base_url="http://testserver.local") as phone:
        for browser in (office, phone):
            assert post_form(browser, "/masuk", {"username": "sari.dewi", "password": f.PASSWORD}).status_code == 303
        assert "Anda masuk di 2 perangkat" in phone.get("/u/sari.dewi").text
        wrong = post_form(phone, "/akun/kata-sandi", {"current_password": "Bukan-Itu-123", "password": "Sandi-Baru-2026"})
        assert wrong.status_code == 400 and "Kata sandi saat ini salah" in wrong.text
        weak = post_form(phone, "/akun/kata-sandi", {"current_password": f.PASSWORD, "password": "pendek"})
        assert weak.status_code == 400 and "minimal 10 karakter" in weak.text
        assert office.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
        changed = post_form(phone, "/akun/kata-sandi", {"current_password": f.PASSWORD, "password": "Sandi-Baru-2026"},
                            follow=True)
        assert "1 token API dicabut" in changed.text
        # A token made by whoever knew the old password stops working with it.
        assert office.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
        assert phone.get("/notifikasi").status_code == 200  # this browser stays in
        assert office.get("/notifikasi", follow_redirects=False).status_code == 303  # the other one is out
    with TestClient(app=app, base_url="http://testserver.local") as fresh_browser:
        assert post_form(fresh_browser, "/masuk", {"username": "sari.dewi", "password": f.PASSWORD}).status_code == 400
        assert post_form(fresh_browser, "/masuk", {"username": "sari.dewi", "password": "Sandi-Baru-2026"}).status_code == 303


def test_logging_out_everywhere_else_keeps_this_browser(settings, session_factory, db, agencies):
    from web.app import create_app
    f.user(db, username="joko.susilo")
    db.commit()
    from contextlib import ExitStack
    app = create_app(settings, session_factory)
    with ExitStack() as stack:
        browsers = [stack.enter_context(TestClient(app=app, base_url="http://testserver.local")) for _ in range(3)]
        for browser in browsers:
            assert post_form(browser, "/masuk", {"username": "joko.susilo", "password": f.PASSWORD}).status_code == 303
        done = post_form(browsers[0], "/akun/keluar-lain", {}, follow=True)
        assert "Keluar dari 2 perangkat lain" in done.text and "Anda masuk di 1 perangkat" in done.text
        assert [b.get("/notifikasi", follow_redirects=False).status_code for b in browsers] == [200, 303, 303]


def test_an_admin_makes_a_reset_link_and_the_member_sets_a_new_password_with_it(settings, session_factory, db, agencies):
    from web.app import create_app
    admin, member = f.user(db, username="admin.bkn", role="admin"), f.user(db, username="rina.lupa")
    db.commit()
    app = create_app(settings, session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as admin_browser, \
            TestClient(app=app, base_url="http://testserver.local") as member_browser:
        login_as(admin_browser, db, admin)
        login_as(member_browser, db, member)  # logged in on a phone with the forgotten password
        assert find(admin_browser.get("/u/rina.lupa").text, "form", action="/u/rina.lupa/atur-ulang-sandi")
        assert not find(member_browser.get("/u/admin.bkn").text, "form", action="/u/admin.bkn/atur-ulang-sandi")
        assert post_form(member_browser, "/u/admin.bkn/atur-ulang-sandi").status_code == 403
        assert post_form(admin_browser, "/u/rina.lupa/atur-ulang-sandi", with_token=False).status_code == 403
        made = post_form(admin_browser, "/u/rina.lupa/atur-ulang-sandi", {"alasan": "diminta lewat email dinas"})
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        link = find(made.text, "input", id="reset-link")[0]["value"]
        path = link.removeprefix("http://testserver.local")
        assert path.startswith("/atur-ulang-sandi/") and "hanya ditampilkan sekali" in made.text

    with TestClient(app=app, base_url="http://testserver.local") as browser:
        form = browser.get(path)
        assert form.status_code == 200 and "@rina.lupa" in form.text and form.headers["referrer-policy"] == "no-referrer"
        weak = post_form(browser, path, {"password": "rina12345678"})
        assert weak.status_code == 400 and "Kata sandi" in weak.text and find(weak.text, "input", id="password")
        done = post_form(browser, path, {"password": "Kopi-Hujan-Sepeda-27"})
        assert done.status_code == 303 and done.headers["location"].startswith("/masuk")
        assert member_browser.get("/notifikasi", follow_redirects=False).status_code == 303  # the phone is out
        assert post_form(browser, "/masuk", {"username": "rina.lupa", "password": f.PASSWORD}).status_code == 400
        assert post_form(browser, "/masuk", {"username": "rina.lupa", "password": "Kopi-Hujan-Sepeda-27"}).status_code == 303
        spent = browser.get(path)
        assert spent.status_code == 404 and "sudah dipakai" in spent.text
    assert "Lupa kata sandi?" in TestClient(app=app).get("/masuk").text


def test_a_member_edits_their_profile_and_a_refused_edit_keeps_what_was_typed(client, db, agencies):
    member = f.user(db, username="rina.w")
    db.commit()
    login_as(client, db, member)
    page_html = client.get("/u/rina.w").text
    assert find(page_html, "form", action="/akun/profil") and find(page_html, "select", id="agency")
    refused = post_form(client, "/akun/profil", {"display_name": "R", "bio": "Analis SDM", "agency": "bkn"})
    assert refused.status_code == 400 and "Nama tampilan minimal 2 karakter" in refused.text
    assert find(refused.text, "input", id="display_name")[0]["value"] == "R" and "Analis SDM</textarea>" in refused.text
    saved = post_form(client, "/akun/profil", {"display_name": "Rina Wulandari", "bio": "Analis SDM <b>aparatur</b>",
                                               "agency": "kemenkeu"}, follow=True)
    assert "Profil diperbarui." in saved.text and "Rina Wulandari" in saved.text
    assert "Analis SDM &lt;b&gt;aparatur&lt;/b&gt;" in saved.text  # shown as text, never as markup
    assert not find(client.get("/u/rina.w").text.replace("\n", ""), "b")
    assert 'option value="kemenkeu" selected' in client.get("/u/rina.w").text


def test_registering_from_a_thread_returns_there_and_an_expired_session_offers_to_log_in_again(client, db, agencies):
    thread = f.thread(db, f.user(db))
    db.commit()
    here = f"/diskusi/{thread.id}/{thread.slug}"
    assert find(client.get(here).text, "a", href=f"/daftar?lanjut={here}")
    form = client.get(f"/daftar?lanjut={here}").text
    assert _input_value(form, "lanjut") == here
    made = post_form(client, "/daftar", {**GOOD, "lanjut": here})
    assert made.status_code == 303 and made.headers["location"] == here
    client.cookies.delete("sesi")  # the session ended while a reply was being typed
    refused = client.post(f"/diskusi/{thread.id}/balas", headers={"referer": f"http://testserver.local{here}"},
                          data={"body_md": "Balasan yang sempat diketik.", "_csrf_token": client.cookies.get("csrftoken")})
    assert refused.status_code == 401
    assert find(refused.text, "a", data_testid="login-again")[0]["href"] == f"/masuk?lanjut={here}"


def test_a_reset_link_uses_the_configured_public_address_not_the_requests_host(settings, session_factory, db, agencies):
    import dataclasses
    from web.app import create_app
    admin, _member = f.user(db, username="admin.dua", role="admin"), f.user(db, username="budi.lupa")
    db.commit()
    app = create_app(dataclasses.replace(settings, public_url="https://forum.bkn.go.id"), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as browser:
        login_as(browser, db, admin)
        made = post_form(browser, "/u/budi.lupa/atur-ulang-sandi")
    link = find(made.text, "input", id="reset-link")[0]["value"]
    assert link.startswith("https://forum.bkn.go.id/atur-ulang-sandi/")

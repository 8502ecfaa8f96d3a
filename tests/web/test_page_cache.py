"""Pages shared by logged-out visitors: every write shows at once, members never share a page with anyone."""
from urllib.parse import quote

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from forum import posts, read_model
from models import DuplicateLink, Post, Report
from tests import factories as f
from tests.web.helpers import fast_hashing, fresh, login_as, post_form  # noqa: F401
from web.page_cache import TOKEN_PLACEHOLDER, PageCache, Uncacheable, fingerprint

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def anonymous(app):
    """A second browser on the same app, never logged in."""
    with TestClient(app=app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
def world(db):
    asker, helper = f.user(db, username="ani"), f.user(db, username="budi", agency_slug="kemenkeu")
    mod = f.user(db, username="moderator.dodi", role="moderator")
    t = f.thread(db, asker, title="Bagaimana cara mengajukan cuti besar bagi PNS?")
    answer = posts.reply(db, author=helper, thread=t, body_md="Ajukan lewat SIASN ke atasan langsung.")
    db.commit()
    return dict(asker=asker, helper=helper, mod=mod, t=t, answer=answer, url=f"/diskusi/{t.id}/{t.slug}")


def _cache(app):
    return app.state.get("page_cache")


def _served_twice_from_cache(app, anonymous, url: str) -> str:
    """Fetch `url` twice as a visitor; the second answer must come from the cache. Returns the page."""
    first = anonymous.get(url)
    assert first.status_code == 200
    hits = _cache(app).hits
    second = anonymous.get(url)
    assert second.status_code == 200 and _cache(app).hits == hits + 1
    assert second.text.replace(anonymous.cookies["csrftoken"], "") == first.text.replace(
        anonymous.cookies["csrftoken"], "")
    return second.text


def test_a_cached_thread_page_shows_a_new_reply_at_once(client, anonymous, app, db, world):
    _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["asker"])
    sent = post_form(client, f"/diskusi/{world['t'].id}/balas", {"body_md": "Terima kasih, sudah saya coba."})
    assert sent.status_code == 303
    page = anonymous.get(world["url"]).text
    assert "Terima kasih, sudah saya coba." in page and "2 balasan" in page


def test_a_cached_thread_page_shows_an_edit_at_once(client, anonymous, app, db, world):
    assert "Ajukan lewat SIASN" in _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["helper"])
    edited = post_form(client, f"/tulisan/{world['answer'].id}/sunting", {"body_md": "Ajukan lewat aplikasi MySAPK."})
    assert edited.status_code == 303
    page = anonymous.get(world["url"]).text
    assert "MySAPK" in page and "Ajukan lewat SIASN" not in page and "(disunting)" in page


def test_a_thread_hidden_by_a_moderator_is_gone_from_cached_pages_at_once(client, anonymous, app, db, world):
    _served_twice_from_cache(app, anonymous, world["url"])
    assert world["t"].title in _served_twice_from_cache(app, anonymous, "/")
    login_as(client, db, world["mod"])
    hidden = post_form(client, f"/moderasi/diskusi/{world['t'].id}/tindakan", {"aksi": "sembunyikan"})
    assert hidden.status_code == 303
    assert anonymous.get(world["url"]).status_code == 404
    assert world["t"].title not in anonymous.get("/").text
    assert "0 diskusi" in anonymous.get("/").text


def test_a_post_hidden_by_a_moderator_is_gone_from_the_cached_page_at_once(client, anonymous, app, db, world):
    assert "Ajukan lewat SIASN" in _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["asker"])
    assert post_form(client, f"/tulisan/{world['answer'].id}/laporkan", {"alasan": "Informasi ini keliru."}
                     ).status_code == 303
    fresh(db)
    report = db.scalar(select(Report))
    login_as(client, db, world["mod"])
    assert post_form(client, f"/moderasi/laporan/{report.id}/sembunyikan").status_code == 303
    page = anonymous.get(world["url"]).text
    assert "Ajukan lewat SIASN" not in page and "[tulisan disembunyikan moderator]" in page


def test_a_merge_turns_the_cached_source_into_a_redirect_and_the_cached_target_shows_the_moved_posts(
        client, anonymous, app, db, world):
    source = f.thread(db, world["helper"], title="Syarat cuti besar untuk pegawai negeri")
    moved = posts.reply(db, author=world["asker"], thread=source, body_md="Masa kerja minimal lima tahun.")
    db.commit()
    source_url = f"/diskusi/{source.id}/{source.slug}"
    _served_twice_from_cache(app, anonymous, source_url)
    assert "Masa kerja minimal" not in _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["mod"])
    merged = post_form(client, "/moderasi/gabung", {"sumber": str(source.id), "tujuan": str(world["t"].id)})
    assert merged.status_code == 303
    old = anonymous.get(source_url, follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == world["url"]
    target = anonymous.get(world["url"]).text
    assert f'id="post-{moved.id}"' in target and "digabung dari: <em>Syarat cuti besar" in target


def test_a_member_never_gets_the_visitors_cached_page_and_a_visitor_never_gets_a_members_page(
        client, anonymous, app, db, world):
    for url in (world["url"], "/"):
        _served_twice_from_cache(app, anonymous, url)
    login_as(client, db, world["helper"])
    for url in (world["url"], "/"):
        hits = _cache(app).hits
        mine = client.get(url).text
        assert _cache(app).hits == hits  # members are never served from the cache
        assert "Anggota" in mine and 'action="/keluar"' in mine and 'class="bell"' in mine
        theirs = anonymous.get(url).text
        assert 'action="/keluar"' not in theirs and 'class="bell"' not in theirs and 'href="/masuk' in theirs
    thread_page = client.get(world["url"]).text
    assert f'href="/tulisan/{world["answer"].id}/sunting"' in thread_page and "Tulis balasan" in thread_page
    assert "Tulis balasan" not in anonymous.get(world["url"]).text


def test_a_members_page_rendered_first_is_never_stored_for_visitors(client, anonymous, app, db, world):
    login_as(client, db, world["asker"])
    assert "Pilih sebagai jawaban" in client.get(world["url"]).text
    assert _cache(app) is None or not _cache(app)._entries
    page = anonymous.get(world["url"]).text
    assert "Pilih sebagai jawaban" not in page and 'action="/keluar"' not in page


def test_every_visitor_gets_their_own_csrf_token_in_a_shared_page(anonymous, app, world):
    first = _served_twice_from_cache(app, anonymous, world["url"])
    mine = anonymous.cookies["csrftoken"]
    assert f'"x-csrftoken": "{mine}"' in first
    with TestClient(app=app, base_url="http://testserver.local") as other:
        page = other.get(world["url"]).text
        theirs = other.cookies["csrftoken"]
    assert theirs != mine and f'"x-csrftoken": "{theirs}"' in page and mine not in page


def test_a_flash_message_is_shown_once_and_never_shared(anonymous, app, world):
    _served_twice_from_cache(app, anonymous, "/")
    anonymous.cookies.set("pesan", quote("Anda sudah keluar."))
    assert "Anda sudah keluar." in anonymous.get("/").text
    anonymous.cookies.delete("pesan")
    assert "Anda sudah keluar." not in anonymous.get("/").text


def test_the_cached_home_page_follows_new_threads_and_accepted_answers(client, anonymous, app, db, world):
    assert "✔ terjawab" not in _served_twice_from_cache(app, anonymous, "/")
    assert world["t"].title in _served_twice_from_cache(app, anonymous, "/?urut=belum-terjawab")
    login_as(client, db, world["asker"])
    assert post_form(client, f"/diskusi/{world['t'].id}/jawaban", {"post_id": str(world["answer"].id)}
                     ).status_code == 303
    assert "✔ terjawab" in anonymous.get("/").text
    assert world["t"].title not in anonymous.get("/?urut=belum-terjawab").text
    new = f.thread(db, world["helper"], title="Berapa lama proses kenaikan pangkat reguler?")
    db.commit()
    page = anonymous.get("/").text
    assert new.title in page and "2 diskusi" in page


def test_a_related_thread_hidden_by_a_moderator_leaves_the_cached_page_at_once(client, anonymous, app, db, world):
    other = f.thread(db, world["helper"], title="Syarat cuti besar untuk pegawai negeri sipil")
    db.add(DuplicateLink(thread_id=other.id, other_thread_id=world["t"].id, similarity=0.9, judge_score=0.1,
                         reasons={}))
    db.commit()
    assert other.title in _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["mod"])
    assert post_form(client, f"/moderasi/diskusi/{other.id}/tindakan", {"aksi": "sembunyikan"}).status_code == 303
    page = anonymous.get(world["url"]).text
    assert other.title not in page and 'data-testid="related"' not in page


def test_a_reply_to_a_related_thread_shows_in_the_cached_related_list(client, anonymous, app, db, world):
    other = f.thread(db, world["helper"], title="Syarat cuti besar untuk pegawai negeri sipil")
    db.add(DuplicateLink(thread_id=other.id, other_thread_id=world["t"].id, similarity=0.9, judge_score=0.1,
                         reasons={}))
    db.commit()
    assert "· 0 balasan" in _served_twice_from_cache(app, anonymous, world["url"])
    posts.reply(db, author=world["asker"], thread=db.get(type(other), other.id), body_md="Minimal lima tahun.")
    db.commit()
    assert "· 1 balasan" in anonymous.get(world["url"]).text


def test_a_moderator_sees_hidden_posts_controls_while_visitors_share_the_plain_page(client, anonymous, app, db, world):
    fresh(db)
    db.get(Post, world["answer"].id).is_hidden = True
    db.get(type(world["t"]), world["t"].id).version += 1
    db.commit()
    assert "[tulisan disembunyikan moderator]" in _served_twice_from_cache(app, anonymous, world["url"])
    login_as(client, db, world["mod"])
    assert "Tampilkan lagi" in client.get(world["url"]).text
    assert "Tampilkan lagi" not in anonymous.get(world["url"]).text


def test_stored_pages_expire_after_the_ttl_and_the_oldest_go_first_when_full():
    now = [100.0]
    cache = PageCache(ttl=10, max_entries=2, clock=lambda: now[0])
    assert cache.put("a", f"<b>{TOKEN_PLACEHOLDER}</b>") == (b"<b>", b"</b>")
    cache.put("b", "B")
    assert cache.get("a") == (b"<b>", b"</b>")  # "a" is now the most recently used
    cache.put("c", "C")
    assert cache.get("b") is None and cache.get("c") == (b"C",)
    now[0] += 10.5  # relative times ("5 menit lalu") are never older than the TTL
    assert cache.get("a") is None and cache.get("c") is None


def test_keys_holding_orm_objects_are_refused_so_such_pages_are_rendered_each_time(db, world):
    head = read_model.thread_head(db, world["t"].id)
    assert fingerprint({"b": [head], "a": None}) == fingerprint({"a": None, "b": (head,)})
    with pytest.raises(Uncacheable):
        fingerprint({"thread": world["t"]})

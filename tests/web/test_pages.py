"""The HTML pages a member uses: beranda, instansi, topik, halaman diskusi, composer, profil, notifikasi."""
import dataclasses
import hashlib
import re
from datetime import datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from forum import posts
from forum.post_deletion import delete_post
from models import ApiToken, Notification, Post, PostRevision, Thread, Watch
from tests import factories as f
from tests.web.helpers import bearer, fast_hashing, find, fresh, login_as, post_form, tags, visible_text  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")

T0 = datetime(2026, 3, 1, 8, 0)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def listed_ids(html: str) -> list[int]:
    """Thread ids in the order the list shows them."""
    return [int(a["href"].split("/")[2]) for a in find(html, "a", class_="thread-title")]


def article_ids(html: str) -> list[int]:
    """Post ids in the order the thread page shows them."""
    return [int(a["data-post-id"]) for a in find(html, "article")]


def reply_depths(html: str) -> list[tuple[int, int]]:
    """(post id, depth) for each post inside the reply tree, in display order."""
    out, depth = [], None
    for name, attrs in tags(html):
        classes = attrs.get("class", "").split()
        if name == "div" and "reply" in classes:
            depth = int(next(c for c in classes if c.startswith("depth-")).removeprefix("depth-"))
        elif name == "article" and depth is not None:
            out.append((int(attrs["id"].removeprefix("post-")), depth))
            depth = None
    return out


@pytest.fixture
def board(db):
    """Two agencies, three topics, three members and a moderator; threads are added per test."""
    f.agency(db, "bkn", "Badan Kepegawaian Negara")
    f.agency(db, "kemenkeu", "Kementerian Keuangan")
    for slug, name in (("cuti", "Cuti & Kehadiran"), ("gaji", "Gaji & Tunjangan"), ("karier", "Kepegawaian & Karier"),
                       ("pengadaan", "Pengadaan Barang/Jasa")):
        f.topic(db, slug, name)
    members = dict(asker=f.user(db, username="ani"), helper=f.user(db, username="budi", agency_slug="kemenkeu"),
                   other=f.user(db, username="citra"), mod=f.user(db, username="moderator.dodi", role="moderator"))
    db.commit()
    return members


def _thread(db, author, title, agency="bkn", topics=("cuti",), hours=0.0, **kw):
    return f.thread(db, author, title=title, agency_slug=agency, topic_slugs=topics, now=_at(hours),
                    body=kw.pop("body", "Mohon penjelasan dari rekan-rekan yang sudah berpengalaman."), **kw)


# --- lists --------------------------------------------------------------------------------------------------

def test_home_lists_threads_by_latest_activity_with_agency_topics_author_replies_and_the_answered_badge(client, db, board):
    old = _thread(db, board["asker"], "Syarat cuti besar bagi PNS", topics=("cuti", "karier"), hours=0)
    new = _thread(db, board["helper"], "Tunjangan kinerja bulan Maret", agency="kemenkeu", topics=("gaji",), hours=1)
    answer = posts.reply(db, author=board["helper"], thread=old, body_md="Minimal lima tahun bekerja.", now=_at(2))
    posts.accept_answer(db, actor=board["asker"], thread=old, post=answer)
    db.commit()
    html = client.get("/").text
    assert listed_ids(html) == [old.id, new.id]  # the reply made the older thread the most active
    rows = html.split('class="thread-row')[1:]
    first_row = rows[0]
    assert "Syarat cuti besar bagi PNS" in first_row and "terjawab" in first_row
    assert 'href="/instansi/bkn"' in first_row and "Badan Kepegawaian Negara" in first_row
    assert 'href="/topik/cuti"' in first_row and 'href="/topik/karier"' in first_row
    assert 'href="/u/ani"' in first_row and "<strong>1</strong> balasan" in first_row
    assert "terjawab" not in rows[1] and "Kementerian Keuangan" in rows[1]
    assert "2 diskusi" in html


def test_home_filters_by_agency_and_by_topic_and_the_filters_combine(client, db, board):
    a = _thread(db, board["asker"], "Cuti besar di lingkungan BKN", topics=("cuti",), hours=0)
    b = _thread(db, board["asker"], "Gaji ke-13 di lingkungan BKN", topics=("gaji",), hours=1)
    c = _thread(db, board["helper"], "Cuti tahunan di Kemenkeu", agency="kemenkeu", topics=("cuti", "gaji"), hours=2)
    db.commit()
    assert set(listed_ids(client.get("/?instansi=bkn").text)) == {a.id, b.id}
    assert set(listed_ids(client.get("/?topik=cuti").text)) == {a.id, c.id}
    assert listed_ids(client.get("/?instansi=bkn&topik=cuti").text) == [a.id]
    assert listed_ids(client.get("/?instansi=kemenkeu&topik=gaji").text) == [c.id]
    assert listed_ids(client.get("/?instansi=kemenkeu&topik=karier").text) == []
    html = client.get("/?instansi=bkn&topik=cuti").text
    assert find(html, "option", value="bkn")[0].get("selected") is not None
    missing = client.get("/?instansi=tidak-ada")
    assert missing.status_code == 404 and "Instansi tidak ditemukan" in missing.text


def test_the_three_sorts_order_by_activity_by_creation_and_show_unanswered_threads_only(client, db, board):
    first = _thread(db, board["asker"], "Diskusi pertama yang dibuat", hours=0)
    second = _thread(db, board["asker"], "Diskusi kedua yang dibuat", hours=1)
    third = _thread(db, board["asker"], "Diskusi ketiga yang dibuat", hours=2)
    answer = posts.reply(db, author=board["helper"], thread=first, body_md="Jawaban yang tepat.", now=_at(3))
    posts.reply(db, author=board["helper"], thread=second, body_md="Balasan biasa.", now=_at(4))
    posts.accept_answer(db, actor=board["asker"], thread=first, post=answer)
    db.commit()
    assert listed_ids(client.get("/?urut=aktivitas").text) == [second.id, first.id, third.id]
    assert listed_ids(client.get("/").text) == [second.id, first.id, third.id]
    assert listed_ids(client.get("/?urut=terbaru").text) == [third.id, second.id, first.id]
    # Unanswered: the accepted one drops out; threads nobody replied to come first.
    assert listed_ids(client.get("/?urut=belum-terjawab").text) == [third.id, second.id]
    html = client.get("/?urut=belum-terjawab").text
    assert find(html, "option", value="belum-terjawab")[0].get("selected") is not None


def test_pinned_threads_come_first_in_the_activity_sort(client, db, board):
    pinned = _thread(db, board["asker"], "Aturan forum: baca dulu sebelum bertanya", hours=0)
    newer = _thread(db, board["asker"], "Pertanyaan yang lebih baru", hours=5)
    pinned.is_pinned = True
    db.commit()
    html = client.get("/").text
    assert listed_ids(html) == [pinned.id, newer.id]
    assert "pinned" in find(html, "li", class_="thread-row")[0]["class"]
    assert listed_ids(client.get("/?urut=terbaru").text) == [newer.id, pinned.id]


@pytest.fixture
def small_pages(settings, session_factory):
    """A client on an app showing two threads per page."""
    from web.app import create_app
    app = create_app(dataclasses.replace(settings, page_size=2), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as c:
        yield c


def test_lists_are_paginated_and_bad_or_past_the_end_page_numbers_fall_back_instead_of_failing(small_pages, db, board):
    made = [_thread(db, board["asker"], f"Pertanyaan nomor {i} tentang cuti", hours=i) for i in range(5)]
    db.commit()
    newest_first = [t.id for t in reversed(made)]
    page1 = small_pages.get("/?urut=terbaru").text
    assert listed_ids(page1) == newest_first[:2]
    assert "Halaman 1 dari 3" in page1
    next_link = find(page1, "a", rel="next")[0]["href"]
    assert "urut=terbaru" in next_link and "hal=2" in next_link
    assert listed_ids(small_pages.get(next_link).text) == newest_first[2:4]
    assert listed_ids(small_pages.get("/?urut=terbaru&hal=3").text) == newest_first[4:]
    for bad in ("abc", "-3", "0", "1.5", "99999999999999999999999", "%00", "１"):
        response = small_pages.get(f"/?hal={bad}")
        assert response.status_code == 200, bad
    assert listed_ids(small_pages.get("/?urut=terbaru&hal=-3").text) == newest_first[:2]
    past_end = small_pages.get("/?urut=terbaru&hal=5000").text  # an old link: the last page, and why
    assert listed_ids(past_end) == newest_first[4:] and "Halaman 3 dari 3" in past_end
    assert "Halaman 5000 tidak ada: daftar ini hanya 3 halaman." in past_end and "Belum ada diskusi" not in past_end
    huge = small_pages.get("/?urut=terbaru&hal=99999").text  # past the cap: the page asked for is not named as 10000
    assert "Halaman yang diminta tidak ada: daftar ini hanya 3 halaman." in huge and "Halaman 10000" not in huge
    assert small_pages.get("/?urut=ngawur").status_code == 200
    assert small_pages.get("/instansi/bkn?hal=ngawur").status_code == 200
    assert small_pages.get("/u/ani?hal=-1").status_code == 200
    profile_past_end = small_pages.get("/u/ani?hal=40").text  # ani asked all five: three pages of two
    assert "Halaman 40 tidak ada: daftar ini hanya 3 halaman." in profile_past_end
    assert listed_ids(profile_past_end) == newest_first[4:]


def test_hidden_threads_are_not_listed_or_shown_to_members_but_moderators_see_them(client, db, board):
    visible = _thread(db, board["asker"], "Diskusi yang terlihat semua", hours=0)
    hidden = _thread(db, board["asker"], "Diskusi yang disembunyikan", hours=1)
    hidden.is_hidden = True
    db.commit()
    assert listed_ids(client.get("/").text) == [visible.id]
    assert client.get(f"/diskusi/{hidden.id}/{hidden.slug}").status_code == 404
    login_as(client, db, board["other"])
    assert listed_ids(client.get("/").text) == [visible.id]
    assert listed_ids(client.get("/instansi/bkn").text) == [visible.id]
    assert listed_ids(client.get("/topik/cuti").text) == [visible.id]
    assert client.get(f"/diskusi/{hidden.id}/{hidden.slug}").status_code == 404
    login_as(client, db, board["mod"])
    assert listed_ids(client.get("/").text) == [hidden.id, visible.id]
    assert client.get(f"/diskusi/{hidden.id}/{hidden.slug}").status_code == 200


def test_agency_and_topic_pages_list_their_threads_and_the_indexes_link_to_them(client, db, board):
    bkn = _thread(db, board["asker"], "Kenaikan pangkat di BKN", topics=("karier",), hours=0)
    kemenkeu = _thread(db, board["helper"], "Tunjangan di Kemenkeu", agency="kemenkeu", topics=("gaji", "karier"),
                       hours=1)
    db.commit()
    agency_page = client.get("/instansi/kemenkeu")
    assert agency_page.status_code == 200 and "<h1>Kementerian Keuangan</h1>" in agency_page.text
    assert listed_ids(agency_page.text) == [kemenkeu.id]
    assert listed_ids(client.get("/instansi/bkn?topik=karier").text) == [bkn.id]
    topic_page = client.get("/topik/karier")
    assert "Kepegawaian &amp; Karier" in topic_page.text
    assert listed_ids(topic_page.text) == [kemenkeu.id, bkn.id]
    assert listed_ids(client.get("/topik/karier?instansi=bkn").text) == [bkn.id]
    assert {a["href"] for a in find(client.get("/instansi").text, "a")} >= {"/instansi/bkn", "/instansi/kemenkeu"}
    assert {a["href"] for a in find(client.get("/topik").text, "a")} >= {"/topik/cuti", "/topik/pengadaan"}
    for url in ("/instansi/tidak-ada", "/topik/tidak-ada"):
        response = client.get(url)
        assert response.status_code == 404 and "tidak ditemukan" in response.text


# --- thread page ----------------------------------------------------------------------------------------------

def test_thread_page_shows_the_reply_tree_indented_and_flattened_below_the_maximum_depth(client, db, board):
    a, b = board["asker"], board["helper"]
    t = _thread(db, a, "Prosedur mutasi antarinstansi")
    chain, parent = [], None
    for i in range(6):
        parent = posts.reply(db, author=b if i % 2 == 0 else a, thread=t, body_md=f"Balasan tingkat {i + 1}",
                             reply_to=parent.id if parent else None, now=_at(1 + i))
        chain.append(parent)
    sibling = posts.reply(db, author=board["other"], thread=t, body_md="Balasan langsung ke pertanyaan", now=_at(9))
    db.commit()
    html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert reply_depths(html) == [(chain[0].id, 1), (chain[1].id, 2), (chain[2].id, 3), (chain[3].id, 4),
                                  (chain[4].id, 4), (chain[5].id, 4), (sibling.id, 1)]
    # Below the maximum depth a post says whom it answers, linking to that post.
    assert re.search(rf'membalas <a href="#post-{chain[3].id}">@{chain[3].author.username}</a>', html)
    assert re.search(rf'membalas <a href="#post-{chain[4].id}">@{chain[4].author.username}</a>', html)
    assert html.count("membalas <a") == 2
    assert "Balasan tingkat 6" in html and "7 balasan" in html


def test_the_accepted_answer_is_shown_first_under_the_question_marked_jawaban_terpilih(client, db, board):
    t = _thread(db, board["asker"], "Cara menghitung tunjangan")
    early = posts.reply(db, author=board["other"], thread=t, body_md="Balasan pertama.", now=_at(1))
    best = posts.reply(db, author=board["helper"], thread=t, body_md="Jawaban terbaik.", now=_at(2))
    posts.accept_answer(db, actor=board["asker"], thread=t, post=best)
    db.commit()
    html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert article_ids(html)[:3] == [t.first_post_id, best.id, early.id]
    accepted_block = html.split('class="accepted-block"')[1].split("</section>")[0]
    assert "Jawaban terpilih" in accepted_block and f'data-post-id="{best.id}"' in accepted_block
    # Shown twice (under the question and in its place among the replies), it has one id: the reply's.
    assert html.count(f'id="post-{best.id}"') == 1 and f'href="#post-{best.id}"' in accepted_block
    assert "Lihat di antara balasan" in accepted_block
    assert "accepted" in find(html, "article", id=f"post-{best.id}")[0]["class"].split()
    assert "terjawab" in html.split('class="thread-head"')[1].split("</div>")[0]


def test_every_post_has_a_permalink_and_short_urls_redirect_to_the_canonical_one(client, db, board):
    t = _thread(db, board["asker"], "Jadwal pelatihan kepemimpinan")
    r = posts.reply(db, author=board["helper"], thread=t, body_md="Jadwal ada di situs LAN.")
    db.commit()
    canonical = f"/diskusi/{t.id}/{t.slug}"
    html = client.get(canonical).text
    for post_id in (t.first_post_id, r.id):
        assert find(html, "article", id=f"post-{post_id}")
        assert find(html, "a", href=f"#post-{post_id}", class_="permalink")
    short = client.get(f"/p/{r.id}", follow_redirects=False)
    assert short.status_code == 302 and short.headers["location"] == f"{canonical}#post-{r.id}"
    by_id = client.get(f"/diskusi/{t.id}", follow_redirects=False)
    assert by_id.status_code == 301 and by_id.headers["location"] == canonical
    wrong_slug = client.get(f"/diskusi/{t.id}/judul-lama", follow_redirects=False)
    assert wrong_slug.status_code == 301 and wrong_slug.headers["location"] == canonical
    for url in ("/p/999999", f"/diskusi/{t.id + 1000}/x", "/diskusi/99999999999999999999999/x", "/p/0"):
        assert client.get(url, follow_redirects=False).status_code == 404, url


def _a_reply_seen_by_the_helper(client, db, board):
    """A question with one reply (by `other`), and `helper` logged in to answer it."""
    t = _thread(db, board["asker"], "Cara mengurus kenaikan gaji berkala")
    first_reply = posts.reply(db, author=board["other"], thread=t, body_md="Lewat aplikasi SIASN.")
    db.commit()
    login_as(client, db, board["helper"])
    return t, first_reply


def test_replying_through_the_form_shows_the_reply_and_notifies_the_author(client, db, board):
    t, first_reply = _a_reply_seen_by_the_helper(client, db, board)
    response = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "Setuju, **lampirkan** SK terakhir.",
                                                             "reply_to": str(first_reply.id)})
    assert response.status_code == 303
    new_post = db.scalar(select(Post).where(Post.author_id == board["helper"].id))
    assert response.headers["location"] == f"/diskusi/{t.id}/{t.slug}#post-{new_post.id}"
    assert new_post.reply_to_id == first_reply.id
    html = client.get(response.headers["location"]).text
    assert "<strong>lampirkan</strong>" in html and "Balasan terkirim." in html
    assert reply_depths(html) == [(first_reply.id, 1), (new_post.id, 2)]
    fresh(db)
    assert db.get(Thread, t.id).reply_count == 2
    kinds = {n.kind for n in db.scalars(select(Notification).where(Notification.post_id == new_post.id))}
    assert kinds == {"reply_post", "reply_thread"}


def test_the_balas_link_prepares_a_reply_to_that_post_without_javascript(client, db, board):
    t, first_reply = _a_reply_seen_by_the_helper(client, db, board)
    html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert f'href="?balas={first_reply.id}#balas"' in html
    html = client.get(f"/diskusi/{t.id}/{t.slug}?balas={first_reply.id}").text
    assert find(html, "input", name="reply_to")[0]["value"] == str(first_reply.id)
    assert f'<span id="reply-target-name">@{board["other"].username}</span>' in html
    for old_address in (f"/diskusi/{t.id}", f"/diskusi/{t.id}/judul-lama"):  # the short or an outdated address
        moved = client.get(f"{old_address}?balas={first_reply.id}", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/diskusi/{t.id}/{t.slug}?balas={first_reply.id}"
    for wrong in ("999999", "abc", "9" * 23):  # no such post here: an ordinary reply box
        html = client.get(f"/diskusi/{t.id}/{t.slug}?balas={wrong}").text
        assert find(html, "input", name="reply_to")[0]["value"] == "" and 'id="reply-target" hidden' in html


def test_a_reply_with_errors_comes_back_with_400_and_the_typed_text(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan tentang absensi daring")
    db.commit()
    login_as(client, db, board["helper"])
    too_short = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "x"})
    assert too_short.status_code == 400 and too_short.text.count("Balasan minimal 2 karakter") == 1  # said once
    assert "Periksa isian yang ditandai di bawah." in too_short.text  # the alert above points to the field
    assert re.search(r'<textarea name="body_md"[^>]*>x</textarea>', too_short.text)
    typed = "Jawaban panjang yang saya ketik dengan susah payah & <hati-hati>."
    bad_parent = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": typed, "reply_to": "999999"})
    assert bad_parent.status_code == 400 and "tidak ada di diskusi ini" in bad_parent.text
    assert "Jawaban panjang yang saya ketik dengan susah payah &amp; &lt;hati-hati&gt;." in bad_parent.text
    not_a_number = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": typed, "reply_to": "abc"})
    assert not_a_number.status_code == 400
    huge = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": typed, "reply_to": "9" * 23})  # past 64 bits
    assert huge.status_code == 400 and "&lt;hati-hati&gt;" in huge.text
    assert db.scalar(select(func.count()).select_from(Post)) == 1


def test_editing_your_own_post_keeps_the_old_version_and_shows_disunting_linking_to_the_history(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal cuti melahirkan")
    r = posts.reply(db, author=board["helper"], thread=t, body_md="Cuti melahirkan tiga bulan.")
    db.commit()
    login_as(client, db, board["helper"])
    before = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert "(disunting)" not in before
    assert find(before, "a", href=f"/tulisan/{r.id}/sunting")
    form = client.get(f"/tulisan/{r.id}/sunting")
    assert form.status_code == 200 and "Cuti melahirkan tiga bulan." in form.text
    response = post_form(client, f"/tulisan/{r.id}/sunting", {"body_md": "Cuti melahirkan **tiga bulan**, lihat PP 11/2017."})
    assert response.status_code == 303 and response.headers["location"].endswith(f"#post-{r.id}")
    html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert "<strong>tiga bulan</strong>" in html
    marker = find(html, "a", href=f"/tulisan/{r.id}/riwayat")
    assert marker and "(disunting)" in html
    history = client.get(f"/tulisan/{r.id}/riwayat").text
    assert "Cuti melahirkan tiga bulan." in history and "<strong>tiga bulan</strong>" in history
    assert [rev.body_md for rev in db.scalars(select(PostRevision))] == ["Cuti melahirkan tiga bulan."]


def test_an_edit_with_errors_comes_back_with_400_and_the_typed_text(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal tunjangan keluarga")
    db.commit()
    login_as(client, db, board["asker"])
    response = post_form(client, f"/tulisan/{t.first_post_id}/sunting", {"body_md": "Terlalu pendek"})
    assert response.status_code == 400
    assert "minimal 20 karakter" in response.text and "Terlalu pendek</textarea>" in response.text
    fresh(db)
    assert db.get(Post, t.first_post_id).edited_at is None


def test_a_save_from_an_edit_form_opened_before_another_save_shows_both_texts_and_overwrites_nothing(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal lembur")
    r = posts.reply(db, author=board["helper"], thread=t, body_md="Lembur dibayar per jam sesuai PMK.")
    db.commit()
    login_as(client, db, board["helper"])
    url = f"/tulisan/{r.id}/sunting"
    seen = [find(client.get(url).text, "input", name="versi")[0]["value"] for _tab in range(2)]  # two tabs
    first = post_form(client, url, {"body_md": "Lembur dibayar per jam sesuai PMK standar biaya.", "versi": seen[0]})
    assert first.status_code == 303
    late = post_form(client, url, {"body_md": "Lembur dibayar per jam, maksimal 14 jam seminggu.", "versi": seen[1]})
    assert late.status_code == 409 and "sudah diubah" in late.text
    assert "maksimal 14 jam seminggu.</textarea>" in late.text  # what this tab typed stays in the box
    assert "PMK standar biaya." in late.text  # the newer saved text is shown beside it
    fresh(db)
    assert db.get(Post, r.id).body_md == "Lembur dibayar per jam sesuai PMK standar biaya."
    merged = post_form(client, url, {"body_md": "Lembur dibayar per jam sesuai PMK standar biaya, maks. 14 jam.",
                                     "versi": find(late.text, "input", name="versi")[0]["value"]})
    assert merged.status_code == 303


def test_a_conflict_over_a_question_shows_the_newer_title_too(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal lembur ASN")
    body = db.get(Post, t.first_post_id).body_md
    db.commit()
    login_as(client, db, board["asker"])
    url = f"/tulisan/{t.first_post_id}/sunting"
    seen = [find(client.get(url).text, "input", name="versi")[0]["value"] for _tab in range(2)]
    assert post_form(client, url, {"title": "Berapa tarif lembur ASN golongan III?", "body_md": body,
                                   "versi": seen[0]}).status_code == 303
    late = post_form(client, url, {"title": "Pertanyaan soal lembur ASN", "body_md": body, "versi": seen[1]})
    assert late.status_code == 409
    assert "Berapa tarif lembur ASN golongan III?" in late.text.split('data-testid="newer-title">')[1].split("<")[0]


def test_the_asker_renames_the_thread_the_old_address_redirects_and_the_history_shows_the_old_title(
        client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal cuti melahirkan")
    db.commit()
    old_url, body = f"/diskusi/{t.id}/{t.slug}", db.get(Post, t.first_post_id).body_md
    login_as(client, db, board["asker"])
    form = client.get(f"/tulisan/{t.first_post_id}/sunting").text
    assert find(form, "input", name="title")[0]["value"] == "Pertanyaan soal cuti melahirkan"
    bad = post_form(client, f"/tulisan/{t.first_post_id}/sunting", {"title": "??", "body_md": body})
    assert bad.status_code == 400 and find(bad.text, "input", name="title")[0]["value"] == "??"
    saved = post_form(client, f"/tulisan/{t.first_post_id}/sunting",
                      {"title": "Berapa lama cuti melahirkan untuk PPPK?", "body_md": body})
    assert saved.status_code == 303
    moved = client.get(old_url, follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/diskusi/{t.id}/berapa-lama-cuti-melahirkan-untuk-pppk"
    assert "<h1>Berapa lama cuti melahirkan untuk PPPK?</h1>" in client.get(moved.headers["location"]).text
    history = client.get(f"/tulisan/{t.first_post_id}/riwayat").text
    assert "Pertanyaan soal cuti melahirkan" in history and "Berapa lama cuti melahirkan untuk PPPK?" in history


def test_members_cannot_edit_another_members_post_and_get_an_indonesian_403(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan soal kenaikan pangkat")
    r = posts.reply(db, author=board["helper"], thread=t, body_md="Jawaban asli dari Budi.")
    db.commit()
    login_as(client, db, board["other"])
    html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert not find(html, "a", href=f"/tulisan/{r.id}/sunting")
    for response in (client.get(f"/tulisan/{r.id}/sunting"),
                     post_form(client, f"/tulisan/{r.id}/sunting", {"body_md": "Diubah oleh orang lain."})):
        assert response.status_code == 403
        assert "Anda tidak dapat menyunting tulisan ini." in response.text
        assert '<html lang="id">' in response.text
    fresh(db)
    assert db.get(Post, r.id).body_md == "Jawaban asli dari Budi."
    # A moderator may edit, and the edit is logged as theirs.
    login_as(client, db, board["mod"])
    assert post_form(client, f"/tulisan/{r.id}/sunting", {"body_md": "Dirapikan moderator."}).status_code == 303


def test_only_the_thread_author_or_a_moderator_can_accept_an_answer_and_change_it(client, db, board):
    t = _thread(db, board["asker"], "Bagaimana cara klaim lembur?")
    one = posts.reply(db, author=board["helper"], thread=t, body_md="Jawaban satu.")
    two = posts.reply(db, author=board["other"], thread=t, body_md="Jawaban dua.")
    db.commit()
    url = f"/diskusi/{t.id}/jawaban"

    login_as(client, db, board["other"])
    assert not find(client.get(f"/diskusi/{t.id}/{t.slug}").text, "form", action=url)
    refused = post_form(client, url, {"post_id": str(two.id)})
    assert refused.status_code == 403 and "Hanya penanya atau moderator" in refused.text

    login_as(client, db, board["asker"])
    assert find(client.get(f"/diskusi/{t.id}/{t.slug}").text, "form", action=url)
    response = post_form(client, url, {"post_id": str(one.id)})
    assert response.status_code == 303 and response.headers["location"].endswith(f"#post-{one.id}")
    fresh(db)
    assert db.get(Thread, t.id).accepted_post_id == one.id
    assert db.scalar(select(Notification).where(Notification.kind == "answer_accepted")).user_id == board["helper"].id

    login_as(client, db, board["mod"])
    assert post_form(client, url, {"post_id": str(two.id)}).status_code == 303
    fresh(db)
    assert db.get(Thread, t.id).accepted_post_id == two.id

    login_as(client, db, board["asker"])
    page_html = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert find(page_html, "button", data_testid="unaccept")  # the asker can take the choice back from the page
    assert post_form(client, url, {"post_id": ""}).status_code == 303
    fresh(db)
    assert db.get(Thread, t.id).accepted_post_id is None
    assert "Batalkan jawaban terpilih" not in client.get(f"/diskusi/{t.id}/{t.slug}").text


def test_the_question_itself_or_a_post_of_another_thread_cannot_be_the_accepted_answer(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan pertama di forum")
    other_thread = _thread(db, board["asker"], "Pertanyaan kedua di forum")
    elsewhere = posts.reply(db, author=board["helper"], thread=other_thread, body_md="Balasan di tempat lain.")
    db.commit()
    login_as(client, db, board["asker"])
    assert post_form(client, f"/diskusi/{t.id}/jawaban", {"post_id": str(t.first_post_id)}).status_code == 400
    assert post_form(client, f"/diskusi/{t.id}/jawaban", {"post_id": str(elsewhere.id)}).status_code == 404
    assert post_form(client, f"/diskusi/{t.id}/jawaban", {"post_id": "abc"}).status_code == 400
    fresh(db)
    assert db.get(Thread, t.id).accepted_post_id is None


def test_watching_a_thread_brings_its_replies_to_the_bell_and_unwatching_stops_them(client, db, board):
    t = _thread(db, board["asker"], "Info seleksi PPPK tahun ini")
    db.commit()
    watcher = board["other"]
    login_as(client, db, watcher)
    page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert "Ikuti diskusi" in page
    assert post_form(client, f"/diskusi/{t.id}/ikuti").status_code == 303
    assert db.get(Watch, (watcher.id, t.id)) is not None
    assert "✓ Mengikuti" in client.get(f"/diskusi/{t.id}/{t.slug}").text
    posts.reply(db, author=board["helper"], thread=t, body_md="Pendaftaran dibuka bulan depan.")
    db.commit()
    assert find(client.get("/").text, "span", data_testid="unread")
    assert post_form(client, f"/diskusi/{t.id}/ikuti", {"aksi": "berhenti"}).status_code == 303
    fresh(db)
    assert db.get(Watch, (watcher.id, t.id)) is None
    assert "Ikuti diskusi" in client.get(f"/diskusi/{t.id}/{t.slug}").text  # opening it marked its bell read
    fresh(db)  # that was a write by the app: this session's snapshot predates it
    posts.reply(db, author=board["helper"], thread=t, body_md="Ralat: dua bulan lagi.")
    db.commit()
    assert db.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == watcher.id)) == 1


def test_the_bell_counts_unread_notifications_lists_them_and_marks_them_read(client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan tentang SKP tahunan")
    r = posts.reply(db, author=board["helper"], thread=t, body_md="Isi SKP di e-Kinerja.")
    posts.reply(db, author=board["other"], thread=t, body_md="Jangan lupa tanda tangan atasan.", reply_to=r.id)
    posts.accept_answer(db, actor=board["asker"], thread=t, post=r)
    db.commit()
    login_as(client, db, board["helper"])
    home = client.get("/").text
    assert visible_text(home).count("🔔2") == 1 or find(home, "span", data_testid="unread")
    badge = re.search(r'data-testid="unread">(\d+)<', home)
    assert badge and badge.group(1) == "2"
    listing = client.get("/notifikasi").text
    assert "membalas tulisan Anda" in listing and "Jawaban Anda dipilih" in listing
    unread_links = [a["href"] for a in find(listing, "a") if a["href"].startswith("/notifikasi/")]
    assert len(unread_links) == 2
    opened = client.get(unread_links[-1], follow_redirects=False)
    assert opened.status_code == 302 and f"/diskusi/{t.id}/" in opened.headers["location"]
    assert re.search(r'data-testid="unread">1<', client.get("/").text)
    assert post_form(client, "/notifikasi/baca-semua").status_code == 303
    assert 'data-testid="unread"' not in client.get("/").text
    # Another member's notification cannot be opened through its id.
    login_as(client, db, board["asker"])
    assert client.get(unread_links[0], follow_redirects=False).headers["location"] == "/notifikasi"


def test_opening_a_thread_marks_its_notifications_read_and_the_bell_on_that_page_already_counts_them_out(
        client, db, board):
    t = _thread(db, board["asker"], "Pertanyaan tentang SKP tahunan")
    other = _thread(db, board["asker"], "Pertanyaan tentang cuti bersama")
    posts.reply(db, author=board["helper"], thread=t, body_md="Isi SKP di e-Kinerja.")
    posts.reply(db, author=board["other"], thread=t, body_md="Jangan lupa tanda tangan atasan.")
    posts.reply(db, author=board["helper"], thread=other, body_md="Cuti bersama memotong cuti tahunan.")
    db.commit()
    login_as(client, db, board["asker"])
    assert re.search(r'data-testid="unread">3<', client.get("/").text)
    opened = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert re.search(r'data-testid="unread">1<', opened)  # the two about this thread are read as it opens
    fresh(db)
    unread = db.scalars(select(Notification).where(Notification.user_id == board["asker"].id,
                                                   Notification.read_at.is_(None))).all()
    assert [n.thread_id for n in unread] == [other.id]


def test_older_notifications_are_a_page_away_on_the_site_and_in_the_api(client, db, board, monkeypatch):
    from forum import notifications
    from tests import moderation_factories as mf
    from web.api import following
    from web.pages import notifications as notification_pages
    monkeypatch.setattr(notification_pages, "PER_PAGE", 2)
    monkeypatch.setattr(following, "NOTES_PER_PAGE", 2)
    member = board["asker"]
    made = [notifications.notify(db, member.id, "similar", f"Pemberitahuan nomor {i}", "/") for i in range(5)]
    db.commit()
    login_as(client, db, member)
    seen, url = [], "/notifikasi"
    while url:
        html = client.get(url).text
        seen += [a["href"] for a in find(html, "a") if a["href"].startswith("/notifikasi/")]
        older = find(html, "a", data_testid="older-notes")
        url = older[0]["href"] if older else None
    assert seen == [f"/notifikasi/{n.id}" for n in reversed(made)]
    headers, ids, before = mf.api_token(db, member), [], None
    while True:
        page = client.get("/api/v1/notifications", params={"before": before} if before else {}, headers=headers).json()
        ids += [n["id"] for n in page["items"]]
        if not (before := page["next_before"]):
            break
    assert ids == [n.id for n in reversed(made)]


def test_a_member_sees_the_threads_they_follow_on_one_page(client, db, board):
    from forum import threads as thread_verbs
    own = _thread(db, board["asker"], "Pertanyaan soal tunjangan kinerja")
    other = _thread(db, board["helper"], "Pertanyaan soal cuti besar")
    unrelated = _thread(db, board["helper"], "Pertanyaan soal SPPD")
    thread_verbs.watch_thread(db, board["asker"], other)
    db.commit()
    assert client.get("/diikuti", follow_redirects=False).status_code == 303  # members only
    login_as(client, db, board["asker"])
    listed = {a["href"] for a in find(client.get("/diikuti").text, "a") if a["href"].startswith("/diskusi/")}
    assert {f"/diskusi/{own.id}/{own.slug}", f"/diskusi/{other.id}/{other.slug}"} <= listed
    assert f"/diskusi/{unrelated.id}/{unrelated.slug}" not in listed
    other.is_pinned = True  # pinned for the whole forum: still listed by its own latest activity here
    posts.reply(db, author=board["helper"], thread=own, body_md="Balasan terbaru di diskusi ini.")
    db.commit()
    order = [a["href"] for a in find(client.get("/diikuti").text, "a") if a["href"].startswith("/diskusi/")]
    assert order.index(f"/diskusi/{own.id}/{own.slug}") < order.index(f"/diskusi/{other.id}/{other.slug}")
    thread_verbs.unwatch_thread(db, board["asker"], other)
    db.commit()
    assert f"/diskusi/{other.id}/{other.slug}" not in client.get("/diikuti").text


# --- composer ---------------------------------------------------------------------------------------------

def test_new_thread_with_one_to_three_topics_is_published_and_the_author_follows_it(client, db, board):
    login_as(client, db, board["asker"])
    form = client.get("/diskusi/baru?topik=gaji").text
    assert find(form, "input", name="topics", value="gaji")[0].get("checked") is not None
    assert find(form, "option", value="bkn")[0].get("selected") is not None  # the member's own agency
    for topics in (["cuti"], ["cuti", "gaji", "karier"]):
        response = post_form(client, "/diskusi/baru", {"title": f"Pertanyaan dengan {len(topics)} topik",
                                                      "body_md": "Isi pertanyaan yang cukup panjang untuk diterima.",
                                                      "agency": "kemenkeu", "topics": topics})
        assert response.status_code == 303
        fresh(db)
        thread = db.scalar(select(Thread).order_by(Thread.id.desc()))
        assert response.headers["location"] == f"/diskusi/{thread.id}/{thread.slug}"
        assert sorted(tp.slug for tp in thread.topics) == sorted(topics)
        assert thread.agency.slug == "kemenkeu" and thread.author_id == board["asker"].id
        assert db.get(Watch, (board["asker"].id, thread.id)) is not None
    page = client.get(response.headers["location"]).text
    assert "Pertanyaan dengan 3 topik" in page and "Diskusi Anda sudah terbit." in page


@pytest.mark.parametrize("topics", [[], ["cuti", "gaji", "karier", "pengadaan"], ["tidak-ada"]])
def test_a_new_thread_with_invalid_topics_comes_back_with_400_and_everything_typed(client, db, board, topics):
    login_as(client, db, board["asker"])
    title, body = "Judul yang saya ketik <penting>", "Isi panjang yang tidak boleh hilang & harus kembali."
    response = post_form(client, "/diskusi/baru", {"title": title, "body_md": body, "agency": "kemenkeu",
                                                  "topics": topics})
    assert response.status_code == 400
    assert find(response.text, "p", id="err-topics")
    assert find(response.text, "input", name="title")[0]["value"] == title
    assert "Isi panjang yang tidak boleh hilang &amp; harus kembali.</textarea>" in response.text
    assert find(response.text, "option", value="kemenkeu")[0].get("selected") is not None
    checked = {i["value"] for i in find(response.text, "input", name="topics") if "checked" in i}
    assert checked == set(topics) & {"cuti", "gaji", "karier", "pengadaan"}
    assert db.scalar(select(func.count()).select_from(Thread)) == 0


def test_a_new_thread_with_several_errors_reports_each_field_in_indonesian(client, db, board):
    login_as(client, db, board["asker"])
    response = post_form(client, "/diskusi/baru", {"title": "pendek", "body_md": "singkat", "agency": "",
                                                  "topics": ["cuti"]})
    assert response.status_code == 400
    assert "Judul minimal 10 karakter" in response.text
    assert "Isi diskusi minimal 20 karakter" in response.text
    assert "Pilih instansi." in response.text
    assert find(response.text, "input", name="topics", value="cuti")[0].get("checked") is not None


def test_a_member_deletes_their_own_reply_after_a_confirmation_page_and_the_thread_shows_its_place(client, db, board):
    t = _thread(db, board["asker"], "Bagaimana cara mengajukan cuti besar?")
    mine = posts.reply(db, author=board["helper"], thread=t, body_md="Salah kirim: nomor HP saya 0812xxxx.")
    theirs = posts.reply(db, author=board["other"], thread=t, body_md="Ajukan lewat SIASN.")
    db.commit()
    login_as(client, db, board["helper"])
    html = client.get(f"/diskusi/{t.id}").text
    assert [a.get("href") for a in find(html, "a", **{"data-testid": "delete-post"})] == [f"/tulisan/{mine.id}/hapus"]
    confirm = client.get(f"/tulisan/{mine.id}/hapus")
    assert confirm.status_code == 200 and "Hapus tulisan ini?" in confirm.text and "0812xxxx" in confirm.text
    assert client.get(f"/tulisan/{theirs.id}/hapus").status_code == 403
    done = post_form(client, f"/tulisan/{mine.id}/hapus", follow=True)
    assert done.status_code == 200 and "Tulisan dihapus." in done.text
    assert "[tulisan dihapus]" in done.text
    # The author still finds their words folded away under the placeholder, with a way back; nobody else does.
    folded = re.findall(r'<details class="deleted-body">(.*?)</details>', done.text, re.S)
    assert len(folded) == 1 and "0812xxxx" in folded[0] and done.text.count("0812xxxx") == 1
    assert len(find(done.text, "button", **{"data-testid": "restore-post"})) == 1
    fresh(db)
    assert db.get(Post, mine.id).is_deleted and db.get(Thread, t.id).reply_count == 1
    login_as(client, db, board["other"])
    assert "0812xxxx" not in client.get(f"/diskusi/{t.id}").text
    restore_refused = post_form(client, f"/tulisan/{mine.id}/pulihkan")
    assert restore_refused.status_code == 403 and "tidak dapat memulihkan" in restore_refused.text


def test_a_reply_sent_to_a_reply_deleted_meanwhile_lands_in_the_thread_and_says_why(client, db, board):
    t = _thread(db, board["asker"], "Bagaimana cara mengajukan cuti besar?")
    theirs = posts.reply(db, author=board["other"], thread=t, body_md="Ajukan lewat SIASN dengan surat atasan.")
    db.commit()
    login_as(client, db, board["helper"])
    assert 'value="' + str(theirs.id) + '"' in client.get(f"/diskusi/{t.id}?balas={theirs.id}").text
    delete_post(db, post=theirs, actor=board["other"])
    db.commit()
    assert 'id="reply_to" data-draft-keep value=""' in client.get(f"/diskusi/{t.id}?balas={theirs.id}").text
    sent = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "Terima kasih, sangat membantu.",
                                                        "reply_to": str(theirs.id)}, follow=True)
    assert sent.status_code == 200 and "tulisan yang Anda balas baru saja dihapus" in sent.text
    assert "Terima kasih, sangat membantu." in sent.text
    login_as(client, db, f.user(db, role="moderator"))
    moderators_view = client.get(f"/diskusi/{t.id}").text
    assert "[tulisan dihapus]" in moderators_view and "hanya untuk penulisnya dan moderator" in moderators_view


def test_an_asker_deletes_their_unanswered_question_after_a_confirmation_page(client, db, board):
    t = _thread(db, board["asker"], "Bagaimana cara mengajukan cuti besar?")
    answered = _thread(db, board["asker"], "Syarat kenaikan pangkat pilihan bagi fungsional")
    posts.reply(db, author=board["helper"], thread=answered, body_md="Lihat Peraturan BKN terbaru.")
    db.commit()
    login_as(client, db, board["helper"])
    assert not find(client.get(f"/diskusi/{t.id}").text, "a", **{"data-testid": "withdraw-question"})
    assert client.get(f"/diskusi/{t.id}/hapus").status_code == 403
    login_as(client, db, board["asker"])
    assert not find(client.get(f"/diskusi/{answered.id}").text, "a", **{"data-testid": "withdraw-question"})
    refused = client.get(f"/diskusi/{answered.id}/hapus")
    assert refused.status_code == 400 and "sudah dibalas anggota lain" in refused.text
    links = find(client.get(f"/diskusi/{t.id}").text, "a", **{"data-testid": "withdraw-question"})
    assert [a["href"] for a in links] == [f"/diskusi/{t.id}/hapus"]
    confirm = client.get(f"/diskusi/{t.id}/hapus")
    assert confirm.status_code == 200 and "Hapus pertanyaan ini?" in confirm.text
    done = post_form(client, f"/diskusi/{t.id}/hapus", follow=True)
    assert done.status_code == 200 and "Pertanyaan Anda dihapus." in done.text and f"/diskusi/{t.id}/" not in done.text
    assert client.get(f"/diskusi/{t.id}").status_code == 404
    again = post_form(client, f"/diskusi/{t.id}/hapus", follow=True)  # Back, then the same form again
    assert again.status_code == 200 and "Pertanyaan Anda dihapus." in again.text
    fresh(db)
    assert db.get(Thread, t.id).is_hidden and not db.get(Thread, answered.id).is_hidden
    login_as(client, db, board["helper"])  # was typing a reply meanwhile
    lost = post_form(client, f"/diskusi/{t.id}/balas", {"body_md": "Ajukan lewat SIASN, sudah saya coba."})
    assert lost.status_code == 404 and "balasan Anda belum terkirim" in lost.text
    assert re.search(r'<textarea[^>]*data-testid="unsent">Ajukan lewat SIASN, sudah saya coba.</textarea>', lost.text)


def test_a_member_restores_their_deleted_reply_from_its_place_and_it_is_back_in_the_thread(client, db, board):
    t = _thread(db, board["asker"], "Bagaimana cara mengajukan cuti besar?")
    mine = posts.reply(db, author=board["helper"], thread=t, body_md="Ajukan lewat SIASN dengan surat atasan.")
    db.commit()
    login_as(client, db, board["helper"])
    post_form(client, f"/tulisan/{mine.id}/hapus")
    assert client.get(f"/tulisan/{mine.id}/pulihkan", follow_redirects=False).status_code == 303  # the page instead
    back = post_form(client, f"/tulisan/{mine.id}/pulihkan", follow=True)
    assert back.status_code == 200 and "Tulisan dipulihkan." in back.text
    assert "[tulisan dihapus]" not in back.text and "surat atasan" in back.text
    fresh(db)
    assert not db.get(Post, mine.id).is_deleted and db.get(Thread, t.id).reply_count == 1


def test_the_live_preview_renders_sanitized_markdown(client, db, board):
    assert post_form(client, "/pratinjau", {"body_md": "**tebal**"}).status_code == 401  # members only
    login_as(client, db, board["helper"])
    response = post_form(client, "/pratinjau", {"body_md": "**tebal** <script>alert(1)</script> [x](javascript:alert(1))"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<strong>tebal</strong>" in response.text
    assert not find(response.text, "script")
    assert all("javascript" not in a.get("href", "") for a in find(response.text, "a"))
    assert "&lt;script&gt;" in response.text
    # htmx sends the token as a header.
    token = client.cookies.get("csrftoken")
    via_header = client.post("/pratinjau", data={"body_md": "| a | b |\n|---|---|\n| 1 | 2 |"},
                             headers={"x-csrftoken": token})
    assert via_header.status_code == 200 and "<table>" in via_header.text
    empty = post_form(client, "/pratinjau", {"body_md": "   "})
    assert "Pratinjau akan muncul di sini." in empty.text
    deep = post_form(client, "/pratinjau", {"body_md": "Pembuka\n\n" + ">" * 25 + " kutipan\n\nAkhir."})
    assert "bertingkat terlalu dalam" in deep.text  # said while typing, before the send is refused for it



def test_previews_of_long_texts_are_limited_per_member_and_typing_a_normal_post_is_not(client, app, db, board):
    login_as(client, db, board["helper"])
    hostile = "Teks panjang. " * 3_572  # 50,000 characters, the size at which "![" x 25,000 took a second to render
    codes = [post_form(client, "/pratinjau", {"body_md": hostile}).status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]
    refused = post_form(client, "/pratinjau", {"body_md": hostile})
    assert "terlalu banyak dalam semenit" in refused.text and int(refused.headers["retry-after"]) > 0
    assert "Tulisan Anda tetap utuh" in refused.text and not find(refused.text, "html")  # a fragment for the box
    with TestClient(app=app, base_url="http://testserver.local") as colleague:
        login_as(colleague, db, board["other"])
        typed = [post_form(colleague, "/pratinjau", {"body_md": "Menurut saya " * n}).status_code for n in range(60)]
        assert set(typed) == {200}  # a minute of typing a normal post, a preview at each pause

# --- profile and tokens ----------------------------------------------------------------------------------

def test_the_profile_page_shows_a_members_agency_threads_and_replies(client, db, board):
    asked = _thread(db, board["helper"], "Pertanyaan Budi tentang pensiun dini")
    other = _thread(db, board["asker"], "Pertanyaan Ani tentang cuti sakit")
    reply = posts.reply(db, author=board["helper"], thread=other, body_md="Cuti sakit perlu surat dokter.")
    db.commit()
    html = client.get("/u/budi").text
    assert board["helper"].display_name in html and 'href="/instansi/kemenkeu"' in html
    assert listed_ids(html) == [asked.id]
    assert find(html, "a", href=f"/p/{reply.id}") and "Cuti sakit perlu surat dokter." in html
    assert "Token API pribadi" not in html  # visitors never see the token section
    assert client.get("/u/tidak.ada").status_code == 404
    login_as(client, db, board["helper"])
    assert client.get("/akun", follow_redirects=False).headers["location"] == "/u/budi"
    assert "Token API pribadi" in client.get("/u/budi").text
    assert "Token API pribadi" not in client.get("/u/ani").text


def test_an_api_token_is_shown_once_stored_hashed_works_as_bearer_and_can_be_revoked(client, db, board):
    login_as(client, db, board["asker"])
    created = post_form(client, "/akun/token", {"name": "skrip laporan"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    shown = find(created.text, "code", data_testid="new-token")
    assert shown
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)
    stored = db.scalar(select(ApiToken))
    assert stored.name == "skrip laporan" and stored.user_id == board["asker"].id
    assert stored.token_hash != raw and raw not in stored.token_hash
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in client.get("/u/ani").text  # only shown once
    client.cookies.delete("sesi")
    me = client.get("/api/v1/me", headers=bearer(raw))
    assert me.status_code == 200 and me.json()["username"] == "ani"
    login_as(client, db, board["asker"])
    revoked = post_form(client, f"/akun/token/{stored.id}/hapus")
    assert revoked.status_code == 303
    fresh(db)
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0
    client.cookies.delete("sesi")
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_token_needs_a_name_and_nobody_can_revoke_another_members_token(client, db, board):
    from forum import accounts
    raw, token = accounts.create_api_token(db, board["helper"], "milik Budi")
    db.commit()
    login_as(client, db, board["asker"])
    nameless = post_form(client, "/akun/token", {"name": "  "})
    assert nameless.status_code == 400 and "Nama token wajib diisi." in nameless.text
    assert post_form(client, f"/akun/token/{token.id}/hapus").status_code == 404
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_a_member_holds_at_most_twenty_tokens_and_revoking_one_makes_room(client, db, board):
    from forum.accounts import MAX_API_TOKENS
    login_as(client, db, board["asker"])
    made = [post_form(client, "/akun/token", {"name": f"skrip {n}"}).status_code for n in range(MAX_API_TOKENS + 1)]
    assert made == [200] * MAX_API_TOKENS + [400]
    refused = post_form(client, "/akun/token", {"name": "satu lagi"})
    assert "Anda sudah punya 20 token" in refused.text
    fresh(db)
    oldest = db.scalar(select(ApiToken).where(ApiToken.user_id == board["asker"].id).order_by(ApiToken.id))
    assert post_form(client, f"/akun/token/{oldest.id}/hapus").status_code == 303
    assert post_form(client, "/akun/token", {"name": "pengganti"}).status_code == 200


def test_times_are_shown_in_wib_with_the_day_they_fall_on_there():
    from datetime import datetime

    from web.render import format_date, format_datetime
    late_evening_utc = datetime(2026, 11, 28, 18, 5)  # stored naive UTC: already the 29th in Jakarta
    assert format_datetime(late_evening_utc) == "29 Nov 2026 01.05 WIB"
    assert format_date(late_evening_utc) == "29 Nov 2026"
    assert format_datetime(datetime(2026, 1, 1, 2, 0)) == "1 Jan 2026 09.00 WIB"


def test_the_api_reference_page_lists_every_operation_in_indonesian(client):
    html = client.get("/dokumentasi-api").text
    rows = visible_text(html)
    assert "GET /api/v1/search Cari diskusi" in rows and "DELETE /api/v1/posts/{post_id} Hapus balasan" in rows
    assert "(perlu token)" in rows and 'href="/schema/openapi.json"' in html
    assert client.get("/schema/openapi.json").json()["info"]["title"] == "Forum ASN Progresif API"

"""“Ya, ini menjawab pertanyaan saya” on a composer suggestion: recorded once, credited, counted for moderators."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import answered_before_asking, asker_verdicts, merging, posts, question_stats
from forum.errors import NotAuthenticated, NotFound
from forum.notifications import list_notifications
from models import AnsweredBeforeAsking, DuplicateLink, Post, utcnow
from tests import factories as f
from tests.search.test_web_search import search_client  # noqa: F401
from tests.web.helpers import bearer, fresh, login_as, post_form

mark = answered_before_asking.mark_answered_before_asking


@pytest.fixture
def answered(db, forum):
    """The formal cuti thread with an accepted answer by a member from another agency."""
    cuti = forum["cuti"]
    answer = posts.reply(db, author=f.user(db, "penjawab_bkd"), thread=cuti,
                         body_md="Belum bisa: cuti besar mensyaratkan masa kerja paling singkat lima tahun.")
    posts.accept_answer(db, actor=cuti.author, thread=cuti, post=answer)
    db.commit()
    return cuti


def _rows(db):
    return db.scalar(select(func.count(AnsweredBeforeAsking.id)))


def test_saying_a_suggestion_answers_is_recorded_once_and_the_answerer_hears_it_once(db, answered):
    member = f.user(db, "calon_penanya")
    mark(db, actor=member, thread=answered, question="gimana   ngajuin cuti besar\x00 baru 4 tahun")
    row = mark(db, actor=member, thread=answered, question="cuti besar kalau baru kerja 4 tahun?")  # second tab
    db.commit()
    assert _rows(db) == 1 and row.question == "cuti besar kalau baru kerja 4 tahun?" and row.user_id == member.id
    answerer_id = db.get(Post, answered.accepted_post_id).author_id
    notes = [n for n in list_notifications(db, answerer_id) if n.kind == "answer_helped"]
    assert len(notes) == 1 and "sebelum ia perlu bertanya" in notes[0].message and answered.title in notes[0].message
    assert notes[0].url.endswith(f"#post-{answered.accepted_post_id}")


def test_the_wording_kept_for_moderators_holds_no_nip_or_email_the_member_typed(db, answered):
    row = mark(db, actor=f.user(db), thread=answered,
               question="cuti besar nip 19850101 201001 1 001, balas ke budi.s@bkn.go.id")
    assert row.question == "cuti besar nip [angka], balas ke [email]"


def test_the_author_of_the_reply_the_suggestion_showed_is_thanked_not_the_earlier_asker(db, forum):
    unanswered = forum["sppd"]  # no accepted answer: its suggestion shows the matching reply
    helper = f.user(db, "penjawab_sppd")
    reply = posts.reply(db, author=helper, thread=unanswered, body_md="Uang harian golongan III ikut PMK terbaru.")
    hidden = posts.reply(db, author=f.user(db, "disembunyikan"), thread=unanswered, body_md="Balasan yang disembunyikan.")
    hidden.is_hidden = True
    db.commit()
    mark(db, actor=f.user(db), thread=unanswered, question="uang harian dinas gol 3", shown_answer=reply.id)
    db.commit()
    assert [n.post_id for n in list_notifications(db, helper.id) if n.kind == "answer_helped"] == [reply.id]
    assert not [n for n in list_notifications(db, unanswered.author_id) if n.kind == "answer_helped"]
    # A hidden reply, another thread's post or nonsense falls back to the earlier thread's asker.
    for shown in (hidden.id, forum["cuti"].first_post_id, "abc", 10 ** 23):
        mark(db, actor=f.user(db), thread=unanswered, question="uang harian", shown_answer=shown)
    db.commit()
    assert len([n for n in list_notifications(db, unanswered.author_id) if n.kind == "answer_helped"]) == 4


def test_a_visitor_must_log_in_and_a_hidden_thread_cannot_be_credited(db, answered):
    with pytest.raises(NotAuthenticated):
        mark(db, actor=None, thread=answered, question="cuti besar")
    answered.is_hidden = True
    db.commit()
    with pytest.raises(NotFound):
        mark(db, actor=f.user(db), thread=answered, question="cuti besar")
    assert _rows(db) == 0


def test_a_merged_thread_credits_the_thread_that_holds_the_answer_now(db, answered, forum):
    late = f.thread(db, f.user(db), title="Cuti panjang PNS empat tahun", body="Sudah empat tahun, bisa cuti panjang?")
    merging.merge_threads(db, source=late, target=answered, actor=f.user(db, role="moderator"), reason="Duplikat")
    db.commit()
    row = mark(db, actor=f.user(db), thread=late, question="cuti panjang 4 tahun")
    assert row.thread_id == answered.id


def test_the_figures_count_answered_questions_minus_those_asked_anyway_and_skip_hidden_threads(db, answered, forum):
    now = utcnow()
    quiet, eager, late_asker = f.user(db, "puas"), f.user(db, "tetap_tanya"), f.user(db, "tanya_besok")
    for member in (quiet, eager, late_asker):
        mark(db, actor=member, thread=answered, question=f"cuti besar {member.username}")
    mark(db, actor=quiet, thread=forum["skp"], question="isi skp")
    old = mark(db, actor=eager, thread=forum["latsar"], question="latsar lama")
    old.created_at = now - timedelta(days=40)  # outside the 30-day window
    db.flush()
    eager_thread = f.thread(db, eager, title="Tetap bertanya soal cuti besar", body="Saya tetap ingin bertanya.")
    late_thread = f.thread(db, late_asker, title="Pertanyaan lain keesokan hari", body="Soal lain sama sekali.")
    late_thread.created_at = now + timedelta(hours=3)
    asker = f.user(db)
    new = f.thread(db, asker, title="Baru empat tahun, cuti besar?", body="Apakah sudah bisa mengajukan cuti besar?")
    spam = f.thread(db, asker, title="Jual pulsa murah sekali", body="Hubungi nomor ini untuk pulsa murah.")
    spam.is_hidden = True  # removed by a moderator: not a question anyone asked
    db.add(DuplicateLink(thread_id=new.id, other_thread_id=answered.id, similarity=0.9, judge_score=0.2))
    db.flush()
    asker_verdicts.give_asker_verdict(db, actor=asker, thread=new, other_id=answered.id, verdict="terjawab")
    db.commit()
    threads_now = 4 + 3  # the forum fixture's four, plus eager's, late_asker's and the asker's (not the spam)
    stats = question_stats.question_stats(db, f.user(db, role="moderator"), 30, now=now + timedelta(hours=4))
    assert (stats.answered_before_asking, stats.asked_anyway, stats.not_asked) == (4, 1, 3)
    assert stats.new_threads == threads_now and stats.asker_confirmed == 1
    assert stats.not_asked_percent == round(100 * 3 / (3 + threads_now), 1)
    assert stats.top_threads[0] == (answered, 4) and (forum["skp"], 1) in stats.top_threads
    assert {q for q, _, _ in stats.recent} == {"cuti besar puas", "cuti besar tetap_tanya", "cuti besar tanya_besok",
                                               "isi skp"}
    assert eager_thread.id and question_stats.question_stats(db, None, 7).days == 7


def test_the_figures_list_only_threads_the_viewer_may_see(db, answered, forum):
    mark(db, actor=f.user(db), thread=forum["skp"], question="isi skp")
    mark(db, actor=f.user(db), thread=answered, question="cuti besar")
    forum["skp"].is_hidden = True
    db.commit()
    member_view = question_stats.question_stats(db, f.user(db))
    assert [t.id for t, _ in member_view.top_threads] == [answered.id] and member_view.answered_before_asking == 2
    moderator_view = question_stats.question_stats(db, f.user(db, role="moderator"))
    assert {t.id for t, _ in moderator_view.top_threads} == {answered.id, forum["skp"].id}


def test_the_composer_suggestion_takes_the_members_yes_and_opens_the_accepted_answer(search_client, db, answered):
    visitor_html = search_client.get("/api/v1/suggest", params={"title": "gimana ngajuin cuti besar baru 4 tahun",
                                                                "format": "html"}).text
    assert answered.title in visitor_html and 'data-testid="answered-before-asking"' not in visitor_html
    member = f.user(db, "calon_penanya")
    login_as(search_client, db, member)
    assert search_client.get("/diskusi/baru").status_code == 200
    html = search_client.get("/api/v1/suggest", params={"title": "gimana ngajuin  cuti besar baru 4 tahun",
                                                        "format": "html"}).text
    form = re.search(rf'<form method="post" action="/diskusi/{answered.id}/menjawab-saya".*?</form>', html, re.S)
    assert form and "Ya, ini menjawab pertanyaan saya" in form.group(0)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.group(0)).group(1)
    assert token == search_client.cookies.get("csrftoken")
    assert 'name="judul" value="gimana ngajuin cuti besar baru 4 tahun"' in form.group(0)
    url = f"/diskusi/{answered.id}/menjawab-saya"
    assert post_form(search_client, url, {"judul": "x"}, with_token=False).status_code == 403
    response = search_client.post(url, data={"_csrf_token": token, "judul": "gimana ngajuin cuti besar"},
                                 follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"#post-{answered.accepted_post_id}")
    # The suggestion showed another reply (a thread without an accepted answer): that reply opens.
    other = posts.reply(db, author=f.user(db), thread=answered, body_md="Tambahan: ajukan lewat SIASN.")
    db.commit()
    again = search_client.post(url, data={"_csrf_token": token, "judul": "cuti", "jawaban": str(other.id)},
                               follow_redirects=False)
    assert again.headers["location"].endswith(f"#post-{other.id}")
    page = search_client.get(response.headers["location"]).text
    assert "Senang pertanyaan Anda sudah terjawab" in page
    fresh(db)
    assert db.scalar(select(AnsweredBeforeAsking.question)) == "cuti"  # one row, the latest wording


def test_bad_or_hidden_targets_are_indonesian_4xx_and_record_nothing(search_client, db, answered, forum):
    login_as(search_client, db, f.user(db))
    assert post_form(search_client, "/diskusi/999999/menjawab-saya", {"judul": "x"}).status_code == 404
    forum["skp"].is_hidden = True
    db.commit()
    for shown in ("abc", "1.5", "\x00"):
        bad = post_form(search_client, f"/diskusi/{answered.id}/menjawab-saya", {"judul": "x", "jawaban": shown})
        assert bad.status_code == 400 and "Nilai tidak valid" in bad.text, (shown, bad.status_code)
    hidden = post_form(search_client, f"/diskusi/{forum['skp'].id}/menjawab-saya", {"judul": "x"})
    assert hidden.status_code == 404 and "tidak ditemukan" in hidden.text
    fresh(db)
    assert _rows(db) == 0
    # An answer id that is not (or no longer) there falls back to the accepted answer: still recorded.
    stale = post_form(search_client, f"/diskusi/{answered.id}/menjawab-saya", {"judul": "x", "jawaban": "9" * 30})
    assert stale.status_code == 303 and stale.headers["location"].endswith(f"#post-{answered.accepted_post_id}")


def test_moderators_see_the_figures_members_do_not(search_client, db, answered):
    mark(db, actor=f.user(db), thread=answered, question="cuti besar belum lima tahun")
    db.commit()
    login_as(search_client, db, f.user(db))
    assert search_client.get("/moderasi/statistik").status_code == 403
    login_as(search_client, db, f.user(db, role="moderator"))
    html = search_client.get("/moderasi/statistik", params={"hari": "7"}).text
    assert 'data-testid="stat-not-asked">1<' in html and "“cuti besar belum lima tahun”" in html
    assert answered.title in html and 'value="7" selected' in html
    assert search_client.get("/moderasi/statistik", params={"hari": "x\x00"}).status_code == 200  # falls back to 30


def test_the_api_records_a_yes_with_a_token(search_client, db, answered):
    from forum import accounts
    raw, _ = accounts.create_api_token(db, f.user(db), "cli")
    db.commit()
    url = f"/api/v1/threads/{answered.id}/answered-my-question"
    assert search_client.post(url, json={"question": "cuti besar"}).status_code in (401, 403)
    done = search_client.post(url, headers=bearer(raw), json={"question": "cuti besar 4 tahun"})
    assert done.status_code == 200 and done.json() == {"thread_id": answered.id, "question": "cuti besar 4 tahun"}
    assert search_client.post("/api/v1/threads/999999/answered-my-question", headers=bearer(raw),
                              json={"question": "x"}).status_code == 404

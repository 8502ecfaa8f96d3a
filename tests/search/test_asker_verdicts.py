"""The asker's verdict on a similar earlier thread: a confirmed banner, the queue's first place, judge labels."""
import pytest

from forum import asker_verdicts, duplicate_detection, duplicate_queue, duplicates, posts
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from models import DuplicateLink
from tests import factories as f
from tests.search.test_web_search import search_client  # noqa: F401


@pytest.fixture
def pair(db, forum):
    """The formal cuti thread with an accepted answer, a newer question linked to it below the banner threshold."""
    cuti = forum["cuti"]
    answer = posts.reply(db, author=f.user(db), thread=cuti, body_md="Belum bisa: syaratnya masa kerja lima tahun.")
    posts.accept_answer(db, actor=cuti.author, thread=cuti, post=answer)
    asker = f.user(db, "penanya_baru")
    new = f.thread(db, asker, title="Baru kerja 4 tahun, bisa ambil cuti panjang?", body="Saya ingin cuti tiga bulan.")
    link = DuplicateLink(thread_id=new.id, other_thread_id=cuti.id, similarity=0.88, judge_score=0.3)
    db.add(link)
    db.commit()
    return {"new": new, "old": cuti, "asker": asker, "link": link}


def test_the_askers_answered_verdict_puts_a_confirmed_banner_for_every_reader(db, pair):
    judge = duplicate_detection.load_judge()
    assert pair["link"].judge_score < judge.threshold  # the judge alone would not banner this pair
    assert duplicates.duplicate_banner(db, None, pair["new"]) is None
    asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                      verdict="terjawab")
    db.commit()
    for viewer in (None, f.user(db)):
        banner = duplicates.duplicate_banner(db, viewer, pair["new"])
        assert banner.thread.id == pair["old"].id and banner.confirmed and "lima tahun" in banner.answer_excerpt
    related = duplicates.related_threads(db, None, pair["new"])
    assert related[0].thread.id == pair["old"].id and related[0].confirmed


def test_a_different_verdict_keeps_a_high_scoring_pair_off_the_banner_and_can_be_withdrawn(db, pair):
    pair["link"].judge_score = 0.99
    db.commit()
    assert duplicates.duplicate_banner(db, None, pair["new"]).thread.id == pair["old"].id
    asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                      verdict="berbeda")
    db.commit()
    assert duplicates.duplicate_banner(db, None, pair["new"]) is None
    assert pair["old"].id in [r.thread.id for r in duplicates.related_threads(db, None, pair["new"])]  # still related
    asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                      verdict="batal")
    db.commit()
    assert pair["link"].asker_verdict is None and duplicates.duplicate_banner(db, None, pair["new"]) is not None


def test_only_the_asker_of_the_newer_thread_may_give_a_verdict(db, pair):
    other_member, moderator = f.user(db), f.user(db, role="moderator")
    for actor in (other_member, moderator):
        with pytest.raises(PermissionDenied, match="Hanya penanya"):
            asker_verdicts.give_asker_verdict(db, actor=actor, thread=pair["new"], other_id=pair["old"].id,
                                              verdict="terjawab")
    # The earlier thread's asker has no say on whether a later question is answered in their thread.
    with pytest.raises(NotFound):
        asker_verdicts.give_asker_verdict(db, actor=pair["old"].author, thread=pair["old"], other_id=pair["new"].id,
                                          verdict="terjawab")
    with pytest.raises(ValidationFailed, match="terjawab"):
        asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                          verdict="mungkin")
    unrelated = f.thread(db, f.user(db), title="Jadwal apel pagi di kantor kecamatan", body="Jam berapa apel dimulai?")
    with pytest.raises(NotFound):
        asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=unrelated.id,
                                          verdict="terjawab")
    pair["old"].is_hidden = True
    db.commit()
    with pytest.raises(NotFound):  # a hidden thread cannot be confirmed (nor its existence probed)
        asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                          verdict="terjawab")
    assert pair["link"].asker_verdict is None


def test_a_pair_the_moderators_decided_no_longer_takes_a_verdict(db, pair):
    moderator = f.user(db, role="moderator")
    duplicate_queue.mark_not_duplicate(db, link=pair["link"], actor=moderator, reason="Beda pertanyaan")
    db.commit()
    with pytest.raises(ValidationFailed, match="Moderator sudah memutuskan"):
        asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                          verdict="terjawab")


def test_an_answered_verdict_puts_a_low_scoring_pair_first_in_the_moderators_queue(db, pair, forum):
    moderator = f.user(db, role="moderator")
    strong = DuplicateLink(thread_id=forum["skp"].id, other_thread_id=forum["latsar"].id, similarity=0.9,
                           judge_score=0.97)
    db.add(strong)
    db.commit()
    queue = [c.link.id for c in duplicate_queue.list_candidates(db, moderator)]
    assert queue == [strong.id]  # 0.3 is below the queue's floor
    asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                      verdict="terjawab")
    db.commit()
    assert [c.link.id for c in duplicate_queue.list_candidates(db, moderator)] == [pair["link"].id, strong.id]


def test_verdicts_become_labelled_pairs_for_retraining_the_judge(db, pair, forum):
    other = f.thread(db, f.user(db), title="Cuti besar bagi PPPK, berlaku?", body="Apakah PPPK dapat cuti besar?")
    db.add(DuplicateLink(thread_id=other.id, other_thread_id=forum["cuti"].id, similarity=0.9, judge_score=0.8,
                         asker_verdict="different"))
    db.commit()
    assert duplicates.decided_pairs(db) == [(duplicate_detection.question_text(db, other),
                                             duplicate_detection.question_text(db, forum["cuti"]), 0)]
    asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                      verdict="terjawab")
    db.commit()
    labels = {(a, b): y for a, b, y in duplicates.decided_pairs(db)}
    assert labels[(duplicate_detection.question_text(db, pair["new"]), duplicate_detection.question_text(db, pair["old"]))] == 1


def test_the_asker_confirms_on_the_thread_page_and_readers_then_see_where_it_was_answered(search_client, db, pair):
    from tests.web.helpers import fresh, login_as, logout, post_form
    new, old = pair["new"], pair["old"]
    url = f"/diskusi/{new.id}/{new.slug}"
    login_as(search_client, db, f.user(db, "orang_lain"))
    assert 'data-testid="asker-verdict"' not in search_client.get(url).text  # only the asker gets the buttons
    response = post_form(search_client, f"/diskusi/{new.id}/serupa", {"lain": old.id, "penilaian": "terjawab"})
    assert response.status_code == 403 and "Hanya penanya" in response.text
    login_as(search_client, db, pair["asker"])
    html = search_client.get(url).text
    assert 'data-testid="related"' in html and 'data-testid="asker-verdict"' in html
    assert post_form(search_client, f"/diskusi/{new.id}/serupa", {"lain": old.id, "penilaian": "terjawab"},
                     with_token=False).status_code == 403
    response = post_form(search_client, f"/diskusi/{new.id}/serupa", {"lain": old.id, "penilaian": "terjawab"},
                         follow=True)
    assert response.status_code == 200 and "Terima kasih" in response.text
    assert "✓ Anda menandai diskusi ini menjawab pertanyaan Anda." in response.text
    fresh(db)
    assert db.get(DuplicateLink, pair["link"].id).asker_verdict == "answered"
    logout(search_client)
    html = search_client.get(url).text
    assert "Penanya menyatakan pertanyaan ini sudah terjawab di" in html and old.title in html
    assert "lima tahun" in html and 'data-testid="asker-verdict"' not in html
    bad = post_form(search_client, f"/diskusi/{new.id}/serupa", {"lain": "x", "penilaian": "terjawab"})
    assert bad.status_code in (401, 403)  # logged out: asked to log in first


def test_a_bad_verdict_form_is_an_indonesian_4xx(search_client, db, pair):
    from tests.web.helpers import login_as, post_form
    login_as(search_client, db, pair["asker"])
    for data in ({"lain": "abc", "penilaian": "terjawab"}, {"lain": pair["old"].id, "penilaian": "mungkin"},
                 {"lain": 999999, "penilaian": "terjawab"}, {"lain": pair["old"].id, "penilaian": "\x00"},
                 {"lain": "9" * 23, "penilaian": "terjawab"}):  # past 64 bits: the database cannot compare it
        response = post_form(search_client, f"/diskusi/{pair['new'].id}/serupa", data)
        assert 400 <= response.status_code < 500, (data, response.status_code)
        assert "Nilai tidak valid" in response.text or "Pilih" in response.text or "tidak ditemukan" in response.text


def test_the_api_takes_the_askers_verdict_with_a_token_and_reports_it_on_similar(search_client, db, pair):
    from forum import accounts
    from tests.web.helpers import bearer
    raw, _ = accounts.create_api_token(db, pair["asker"], "cli")
    intruder_raw, _ = accounts.create_api_token(db, f.user(db), "cli")
    db.commit()
    url = f"/api/v1/threads/{pair['new'].id}/similar/{pair['old'].id}/verdict"
    denied = search_client.post(url, headers=bearer(intruder_raw), json={"penilaian": "terjawab"})
    assert denied.status_code == 403 and "Hanya penanya" in denied.text
    assert search_client.post(url, headers=bearer(raw), json={"penilaian": "entah"}).status_code == 400
    done = search_client.post(url, headers=bearer(raw), json={"penilaian": "terjawab"})
    assert done.status_code == 200 and done.json()["verdict"] == "answered"
    similar = search_client.get(f"/api/v1/threads/{pair['new'].id}/similar").json()
    assert similar["duplicate_of"]["thread"]["id"] == pair["old"].id and similar["duplicate_of"]["confirmed_by_asker"]


def test_the_earlier_answerer_hears_once_that_their_answer_also_answered_a_new_question(db, pair, forum):
    from forum.notifications import list_notifications
    from models import Post
    answerer_id = db.get(Post, pair["old"].accepted_post_id).author_id
    for verdict in ("terjawab", "batal", "terjawab"):
        asker_verdicts.give_asker_verdict(db, actor=pair["asker"], thread=pair["new"], other_id=pair["old"].id,
                                          verdict=verdict)
    db.commit()
    notes = [n for n in list_notifications(db, answerer_id) if n.kind == "answer_helped"]
    assert len(notes) == 1 and pair["new"].title in notes[0].message and "Jawaban Anda" in notes[0].message
    assert notes[0].url == f"/diskusi/{pair['new'].id}/{pair['new'].slug}"
    # No accepted answer there: the earlier thread's asker hears it instead.
    third = f.thread(db, f.user(db, "penanya_ketiga"), title="Cuti besar empat tahun kerja?",
                 body="Apakah cuti besar bisa diambil setelah empat tahun bekerja?")
    db.add(DuplicateLink(thread_id=third.id, other_thread_id=forum["skp"].id, similarity=0.8, judge_score=0.2))
    db.commit()
    asker_verdicts.give_asker_verdict(db, actor=third.author, thread=third, other_id=forum["skp"].id, verdict="terjawab")
    db.commit()
    notes = [n for n in list_notifications(db, forum["skp"].author_id) if n.kind == "answer_helped"]
    assert len(notes) == 1 and "Diskusi Anda" in notes[0].message

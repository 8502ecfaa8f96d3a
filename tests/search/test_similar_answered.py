"""An accepted answer reaches the askers of similar threads still waiting for one, once, and only them."""
import pytest

from forum import asker_verdicts, posts
from forum.notifications import list_notifications
from models import DuplicateLink
from tests import factories as f


def _link(db, newer, earlier, judge_score=0.5, **fields):
    link = DuplicateLink(thread_id=newer.id, other_thread_id=earlier.id, similarity=0.85, judge_score=judge_score,
                         **fields)
    db.add(link)
    db.commit()
    return link


def _told(db, user_id):
    return [n for n in list_notifications(db, user_id) if n.kind == "similar_answered"]


@pytest.fixture
def waiting(db, forum):
    """A newer, unanswered question linked to the (unanswered) formal cuti thread."""
    asker = f.user(db, "menunggu_jawaban")
    newer = f.thread(db, asker, title="Cuti panjang kalau baru kerja empat tahun?",
                     body="Saya baru empat tahun bekerja, bisakah mengajukan cuti panjang?")
    _link(db, newer, forum["cuti"])
    return newer


def _accept(db, thread, body="Belum bisa: cuti besar mensyaratkan masa kerja lima tahun."):
    answer = posts.reply(db, author=f.user(db), thread=thread, body_md=body)
    posts.accept_answer(db, actor=thread.author, thread=thread, post=answer)
    db.commit()
    return answer


def test_an_accepted_answer_tells_the_asker_of_a_newer_similar_thread_once(db, forum, waiting):
    answer = _accept(db, forum["cuti"])
    told = _told(db, waiting.author_id)
    assert len(told) == 1 and forum["cuti"].title in told[0].message and waiting.title in told[0].message
    assert told[0].url.endswith(f"#post-{answer.id}")
    _accept(db, forum["cuti"], "Koreksi: hitung masa kerja sejak TMT CPNS, syaratnya tetap lima tahun.")
    assert len(_told(db, waiting.author_id)) == 1  # a second accepted answer does not tell them again


def test_the_earlier_asker_is_told_when_the_newer_duplicate_is_answered_first(db, forum, waiting):
    _accept(db, waiting, "Bisa diajukan setelah lima tahun; empat tahun belum memenuhi syarat.")
    assert len(_told(db, forum["cuti"].author_id)) == 1


def test_answered_hidden_different_or_dismissed_threads_are_not_told(db, forum, waiting):
    others = {}
    for key, title in (("answered", "Cuti besar untuk PNS empat tahun masa kerja"),
                       ("hidden", "Cuti besar sebelum lima tahun kerja boleh?"),
                       ("different", "Cuti besar bagi PPPK yang baru empat tahun"),
                       ("dismissed", "Cuti besar empat tahun kerja, sudah boleh?")):
        others[key] = f.thread(db, f.user(db), title=title, body="Apakah sudah boleh mengajukan cuti besar?")
    _accept(db, others["answered"], "Sudah ada jawabannya di sini: belum boleh.")
    others["hidden"].is_hidden = True
    _link(db, others["answered"], forum["cuti"])
    _link(db, others["hidden"], forum["cuti"])
    _link(db, others["different"], forum["cuti"])
    asker_verdicts.give_asker_verdict(db, actor=others["different"].author, thread=others["different"],
                                      other_id=forum["cuti"].id, verdict="berbeda")
    _link(db, others["dismissed"], forum["cuti"], status="not_duplicate")
    _accept(db, forum["cuti"])
    assert len(_told(db, waiting.author_id)) == 1
    for key, thread in others.items():
        assert _told(db, thread.author_id) == [], key


def test_only_threads_that_list_it_among_their_first_three_related_are_told(db, forum, waiting):
    for n, key in enumerate(("sppd", "skp", "latsar")):
        _link(db, waiting, forum[key], judge_score=0.9 - n * 0.01)  # three stronger links push cuti to fourth
    _accept(db, forum["cuti"])
    assert _told(db, waiting.author_id) == []
    _accept(db, forum["skp"], "Isi lewat menu Perencanaan Kinerja.")
    assert len(_told(db, waiting.author_id)) == 1

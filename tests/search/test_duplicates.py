"""New questions are linked to earlier ones; the banner only shows a judged duplicate with its answer."""
import pytest
from sqlalchemy import select

from forum import duplicates, posts
from models import DuplicateLink
from tests import factories as f


def _ask(db, title, body, agency="bkn"):
    return f.thread(db, f.user(db, agency_slug=agency), title=title, body=body, agency_slug=agency)


def test_a_new_question_gets_candidate_links_to_similar_earlier_threads(db, forum, open_search, session_factory):
    engine = open_search()
    engine.index.on_indexed.append(lambda ids: duplicates.after_indexed(session_factory, engine, ids))
    new = _ask(db, "Boleh gak ambil cuti besar padahal baru kerja 4 tahun?",
               "Masa kerja saya baru empat tahun, apakah sudah bisa mengajukan cuti besar?", agency="kemenkeu")
    db.commit()
    engine.index.catch_up()
    db.expire_all()
    links = list(db.scalars(select(DuplicateLink).where(DuplicateLink.thread_id == new.id)))
    assert links and links[0].other_thread_id == forum["cuti"].id or forum["cuti"].id in [l.other_thread_id for l in links]
    link = next(l for l in links if l.other_thread_id == forum["cuti"].id)
    assert link.status == "candidate" and link.similarity > 0.8 and "kemiripan_makna" in link.reasons
    related = duplicates.related_threads(db, None, forum["cuti"])
    assert new.id in [r.thread.id for r in related]


def test_two_workers_detecting_the_same_new_question_store_its_links_once(db, forum, open_search, session_factory):
    from sqlalchemy import event

    from models import Thread
    engine = open_search()
    new = _ask(db, "Boleh gak ambil cuti besar padahal baru kerja 4 tahun?",
               "Masa kerja saya baru empat tahun, apakah sudah bisa mengajukan cuti besar?", agency="kemenkeu")
    db.commit()
    engine.index.catch_up()
    raced = []

    def racing_sessions():
        """Sessions in which another worker stores the same links just before this one writes its own."""
        session = session_factory()

        @event.listens_for(session, "before_flush")
        def other_worker_first(*_):
            if not raced:
                raced.append(True)
                with session_factory() as other:
                    duplicates.detect_duplicates(other, engine, other.get(Thread, new.id))
                    other.commit()
        return session

    duplicates.after_indexed(racing_sessions, engine, [new.first_post_id])
    db.expire_all()
    pairs = [l.other_thread_id for l in db.scalars(select(DuplicateLink).where(DuplicateLink.thread_id == new.id))]
    assert raced and forum["cuti"].id in pairs and len(pairs) == len(set(pairs))


def test_a_moderators_not_duplicate_decision_removes_the_pair_from_related_and_is_kept(db, forum, open_search):
    engine = open_search()
    new = _ask(db, "Cuti besar untuk masa kerja empat tahun bisa?", "Apakah PNS dengan masa kerja empat tahun boleh cuti besar?")
    db.commit()
    engine.index.catch_up()
    links = duplicates.detect_duplicates(db, engine, new)
    link = next(l for l in links if l.other_thread_id == forum["cuti"].id)
    duplicates.record_decision(db, link, "not_duplicate", f.user(db, role="moderator"))
    db.commit()
    duplicates.detect_duplicates(db, engine, new)  # recomputing keeps the verdict
    assert link.status == "not_duplicate"
    assert forum["cuti"].id not in [r.thread.id for r in duplicates.related_threads(db, None, new)]
    assert duplicates.duplicate_banner(db, None, new) is None
    assert (duplicates.question_text(db, new), duplicates.question_text(db, forum["cuti"]), 0) in duplicates.decided_pairs(db)


def test_the_judge_scores_a_reworded_duplicate_above_a_look_alike(db, forum, open_search):
    assert duplicates.load_judge() is not None, "the judge ships in search/data"
    engine = open_search()
    twin = _ask(db, "PNS masa kerja belum 5 tahun boleh cuti besar?",
                "Apakah pegawai negeri yang masa kerjanya belum lima tahun boleh mengajukan cuti besar?")
    look_alike = _ask(db, "Prosedur pengajuan cuti melahirkan bagi PNS dengan masa kerja kurang dari lima tahun",
                      "Apakah PNS yang masa kerjanya belum lima tahun dapat mengajukan cuti melahirkan? Bagaimana prosedurnya?")
    db.commit()
    engine.index.catch_up()
    score = {}
    for thread in (twin, look_alike):
        link = next(l for l in duplicates.detect_duplicates(db, engine, thread) if l.other_thread_id == forum["cuti"].id)
        score[thread.id] = link.judge_score
    assert score[twin.id] > score[look_alike.id]
    db.commit()
    shown = duplicates.duplicate_banner(db, None, look_alike)
    assert shown is None or shown.thread.id != forum["cuti"].id


def test_the_banner_shows_the_earlier_accepted_answer_only_above_the_judges_threshold(db, forum):
    judge = duplicates.load_judge()
    assert judge is not None, "the judge ships in search/data"
    cuti = forum["cuti"]
    answer = posts.reply(db, author=f.user(db), thread=cuti, body_md="Belum bisa: cuti besar mensyaratkan masa kerja minimal lima tahun.")
    posts.accept_answer(db, actor=cuti.author, thread=cuti, post=answer)
    new = _ask(db, "PNS masa kerja belum 5 tahun boleh cuti besar?", "Masa kerja saya baru empat tahun, boleh cuti besar?")
    link = DuplicateLink(thread_id=new.id, other_thread_id=cuti.id, similarity=0.93, judge_score=judge.threshold - 0.01)
    db.add(link)
    db.commit()
    assert duplicates.duplicate_banner(db, None, new) is None
    link.judge_score = judge.threshold + 0.01
    db.commit()
    banner = duplicates.duplicate_banner(db, None, new)
    assert banner.thread.id == cuti.id and "lima tahun" in banner.answer_excerpt
    cuti.is_hidden = True  # a banner never points members at a thread they may not see
    db.commit()
    assert duplicates.duplicate_banner(db, None, new) is None

"""New questions are linked to earlier ones; the banner only shows a judged duplicate with its answer."""
from sqlalchemy import select

from forum import duplicate_detection, duplicates, posts
from models import DuplicateLink, Post
from tests import factories as f


def _ask(db, title, body, agency="bkn"):
    return f.thread(db, f.user(db, agency_slug=agency), title=title, body=body, agency_slug=agency)


def test_a_new_question_gets_candidate_links_to_similar_earlier_threads(db, forum, open_search, session_factory):
    engine = open_search()
    engine.index.on_indexed.append(lambda ids: duplicate_detection.after_indexed(session_factory, engine, ids))
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
                    duplicate_detection.detect_duplicates(other, engine, other.get(Thread, new.id))
                    other.commit()
        return session

    duplicate_detection.after_indexed(racing_sessions, engine, [new.first_post_id])
    db.expire_all()
    pairs = [l.other_thread_id for l in db.scalars(select(DuplicateLink).where(DuplicateLink.thread_id == new.id))]
    assert raced and forum["cuti"].id in pairs and len(pairs) == len(set(pairs))


def test_a_moderators_not_duplicate_decision_removes_the_pair_from_related_and_is_kept(db, forum, open_search):
    engine = open_search()
    new = _ask(db, "Cuti besar untuk masa kerja empat tahun bisa?", "Apakah PNS dengan masa kerja empat tahun boleh cuti besar?")
    db.commit()
    engine.index.catch_up()
    links = duplicate_detection.detect_duplicates(db, engine, new)
    link = next(l for l in links if l.other_thread_id == forum["cuti"].id)
    duplicates.record_decision(db, link, "not_duplicate", f.user(db, role="moderator"))
    db.commit()
    duplicate_detection.detect_duplicates(db, engine, new)  # recomputing keeps the verdict
    assert link.status == "not_duplicate"
    assert forum["cuti"].id not in [r.thread.id for r in duplicates.related_threads(db, None, new)]
    assert duplicates.duplicate_banner(db, None, new) is None
    assert (duplicate_detection.question_text(db, new), duplicate_detection.question_text(db, forum["cuti"]), 0) in duplicates.decided_pairs(db)


def test_the_judge_scores_a_reworded_duplicate_above_a_look_alike(db, forum, open_search):
    assert duplicate_detection.load_judge() is not None, "the judge ships in search/data"
    engine = open_search()
    twin = _ask(db, "PNS masa kerja belum 5 tahun boleh cuti besar?",
                "Apakah pegawai negeri yang masa kerjanya belum lima tahun boleh mengajukan cuti besar?")
    look_alike = _ask(db, "Prosedur pengajuan cuti melahirkan bagi PNS dengan masa kerja kurang dari lima tahun",
                      "Apakah PNS yang masa kerjanya belum lima tahun dapat mengajukan cuti melahirkan? Bagaimana prosedurnya?")
    db.commit()
    engine.index.catch_up()
    score = {}
    for thread in (twin, look_alike):
        link = next(l for l in duplicate_detection.detect_duplicates(db, engine, thread) if l.other_thread_id == forum["cuti"].id)
        score[thread.id] = link.judge_score
    assert score[twin.id] > score[look_alike.id]
    db.commit()
    shown = duplicates.duplicate_banner(db, None, look_alike)
    assert shown is None or shown.thread.id != forum["cuti"].id


def test_the_banner_shows_the_earlier_accepted_answer_only_above_the_judges_threshold(db, forum):
    judge = duplicate_detection.load_judge()
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


SKP_QUESTIONS = [
    ("Target SKP tahunan belum disetujui atasan", "Rencana SKP saya di e-Kinerja belum disetujui atasan, apa yang harus dilakukan?"),
    ("Menu realisasi SKP e-Kinerja tidak muncul", "Kenapa menu realisasi SKP di aplikasi e-Kinerja BKN tidak muncul di akun saya?"),
    ("Cara menambah indikator kinerja di SKP", "Bagaimana menambahkan indikator kinerja individu pada rencana SKP di e-Kinerja?"),
    ("Penilaian perilaku kerja di SKP terbaru", "Siapa yang memberi nilai perilaku kerja pada SKP model baru di e-Kinerja?"),
    ("SKP pejabat fungsional di e-Kinerja", "Bagaimana menyusun SKP untuk jabatan fungsional di aplikasi e-Kinerja BKN?"),
    ("Evaluasi kinerja triwulan di e-Kinerja", "Apakah evaluasi kinerja triwulanan wajib diisi di e-Kinerja setiap tiga bulan?"),
    ("Lupa mengisi SKP bulan lalu", "Saya lupa mengisi realisasi SKP bulan lalu di e-Kinerja, apakah masih bisa diisi?"),
    ("Predikat kinerja SKP untuk kenaikan pangkat", "Predikat kinerja SKP apa yang dibutuhkan untuk kenaikan pangkat reguler?"),
    ("Atasan langsung berganti saat mengisi SKP", "Atasan saya mutasi, siapa yang menyetujui SKP saya di e-Kinerja sekarang?"),
]


def _watching(engine, session_factory):
    engine.index.on_indexed.append(lambda ids: duplicate_detection.after_indexed(session_factory, engine, ids))
    return engine


def _links_from(db, thread):
    db.expire_all()
    return {l.other_thread_id: l for l in db.scalars(select(DuplicateLink).where(DuplicateLink.thread_id == thread.id))}


def _cuti_question_among_skp_ones(db, forum, open_search, session_factory):
    """A forum with more than CANDIDATES SKP questions, then a cuti besar question linked to the cuti thread."""
    engine = _watching(open_search(), session_factory)
    for title, body in SKP_QUESTIONS:  # closer to an SKP question than the cuti thread is: they fill its top 8
        _ask(db, title, body)
    new = _ask(db, "Boleh gak ambil cuti besar padahal baru kerja 4 tahun?",
               "Masa kerja saya baru empat tahun, apakah sudah bisa mengajukan cuti besar?")
    db.commit()
    engine.index.catch_up()
    assert forum["cuti"].id in _links_from(db, new)
    return engine, new


def test_an_edited_question_drops_the_links_it_no_longer_earns_and_keeps_every_ruled_pair(
        db, forum, open_search, session_factory):
    engine, new = _cuti_question_among_skp_ones(db, forum, open_search, session_factory)
    # Pairs someone ruled on: the asker called one different, a moderator called another not a duplicate.
    links = _links_from(db, new)
    for key in ("sppd", "latsar"):
        if forum[key].id not in links:
            links[forum[key].id] = DuplicateLink(thread_id=new.id, other_thread_id=forum[key].id, similarity=0.85,
                                                 judge_score=0.1)
            db.add(links[forum[key].id])
    links[forum["sppd"].id].asker_verdict = "different"
    links[forum["latsar"].id].status = "not_duplicate"
    db.commit()

    posts.edit_post(db, editor=new.author, post=db.get(Post, new.first_post_id), title="Cara mengisi SKP di aplikasi e-Kinerja",
                    body_md="Bagaimana menyusun sasaran kinerja pegawai di e-Kinerja BKN? Saya bingung menu rencana SKP.")
    db.commit()
    engine.index.catch_up()
    links = _links_from(db, new)
    assert forum["cuti"].id not in links, "the question is no longer about cuti besar"
    assert forum["skp"].id in links and links[forum["skp"].id].status == "candidate"
    assert links[forum["sppd"].id].asker_verdict == "different"
    assert links[forum["latsar"].id].status == "not_duplicate"
    assert forum["cuti"].id not in [r.thread.id for r in duplicates.related_threads(db, None, new)]


def test_an_earlier_question_rewritten_loses_the_link_a_later_question_held_to_it(db, forum, open_search, session_factory):
    engine, new = _cuti_question_among_skp_ones(db, forum, open_search, session_factory)
    cuti = forum["cuti"]
    posts.edit_post(db, editor=cuti.author, post=db.get(Post, cuti.first_post_id), title="Resep rendang untuk syukuran kantor",
                    body_md="Ada yang punya resep rendang daging sapi yang empuk untuk tumpengan syukuran ulang tahun kantor?")
    db.commit()
    engine.index.catch_up()
    links = _links_from(db, new)
    assert cuti.id not in links and links, "only the rewritten question's link goes"
    assert new.id not in [r.thread.id for r in duplicates.related_threads(db, None, cuti)]

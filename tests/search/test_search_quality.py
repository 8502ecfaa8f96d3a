"""Hybrid search finds what members mean, in their own words."""
from forum.search import search_threads


def titles(page):
    return [h.thread.title for h in page.hits]


def test_an_informal_question_finds_the_formal_thread(db, forum, open_search):
    engine = open_search()
    page = search_threads(db, engine, None, "gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?")
    assert page.hits[0].thread.id == forum["cuti"].id


def test_slang_and_acronyms_find_the_formal_wording(db, forum, open_search):
    engine = open_search()
    assert search_threads(db, engine, None, "uang harian perjadin gol 3 brp ya").hits[0].thread.id == forum["sppd"].id
    assert search_threads(db, engine, None, "latihan dasar cpns kapan mulai").hits[0].thread.id == forum["latsar"].id


def test_an_answer_buried_in_a_reply_surfaces_its_thread_with_that_reply_as_snippet(db, forum, open_search):
    engine = open_search()
    page = search_threads(db, engine, None, "kapan thr pppk cair")
    top = page.hits[0]
    assert top.thread.id == forum["skp"].id
    assert top.post.id != forum["skp"].first_post_id
    assert "<mark>" in str(top.snippet) and "THR" in str(top.snippet)


def test_snippets_escape_member_text_before_highlighting(db, open_search):
    from tests import factories as f
    author = f.user(db)
    f.thread(db, author, title="Skrip aneh muncul di aplikasi cuti online",
             body="Muncul tulisan <script>alert(1)</script> saat saya membuka aplikasi cuti online kantor.")
    db.commit()
    page = search_threads(db, open_search(), None, "aplikasi cuti online error")
    snippet = str(page.hits[0].snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "<mark>" in snippet


def test_a_lone_rare_keyword_finds_the_one_reply_that_holds_it(db, forum, open_search):
    from forum import posts
    from tests import factories as f
    member = f.user(db)
    asked = f.thread(db, member, title="Syarat kenaikan pangkat penyesuaian ijazah apa saja?",
                     body="Saya baru lulus S1 dengan izin belajar. Apa saja yang perlu disiapkan?",
                     agency_slug="bkn", topic_slugs=("kepegawaian",))
    reply = posts.reply(db, author=f.user(db), thread=asked, body_md=(
        "Kenaikan pangkat penyesuaian ijazah termasuk kenaikan pangkat pilihan. Syaratnya ijazah diperoleh dengan "
        "izin belajar atau tugas belajar, lulus ujian penyesuaian, minimal satu tahun dalam pangkat terakhir, dan "
        "SKP dua tahun terakhir minimal baik. Dokumen yang diunggah di SIASN: SK pangkat terakhir, ijazah dan "
        "transkrip, surat izin belajar, surat kelulusan ujian, serta SK jabatan. Usul diajukan admin instansi."))
    db.commit()
    page = search_threads(db, open_search(), None, "transkrip")
    # e5 scores the lone word under its noise floor against that long reply: the typed word must still count.
    assert [h.thread.id for h in page.hits] == [asked.id]
    assert page.hits[0].post.id == reply.id and "<mark>transkrip</mark>" in str(page.hits[0].snippet)


def test_an_abbreviation_typed_alone_ranks_first_the_thread_that_spells_it_out(db, forum, open_search):
    from tests import factories as f
    # e5 has never seen "cuber": its cosines to every thread are near-ties. Two threads mention both words apart.
    for title, body in (("Cuti tahunan yang tersisa besar, bisa diuangkan?", "Sisa cuti saya cukup besar tahun ini."),
                        ("Besaran tunjangan selama cuti sakit", "Apakah tunjangan tetap besar selama cuti sakit?")):
        f.thread(db, f.user(db), title=title, body=body)
    db.commit()
    engine = open_search()
    for query in ("cuber", "cuber pns"):
        page = search_threads(db, engine, None, query)
        assert page.hits[0].thread.id == forum["cuti"].id, query


def test_a_typed_word_held_only_through_its_synonym_matches_as_a_phrase(db, forum):
    from search.typed_match import groups_holding_every_term
    from tests import factories as f
    apart = f.thread(db, f.user(db), title="Cuti tahunan yang tersisa besar, bisa diuangkan?",
                     body="Sisa cuti saya cukup besar tahun ini.")
    db.commit()
    every = {t.id for t in forum.values()} | {apart.id}
    assert groups_holding_every_term(db, "cuber", every) == {forum["cuti"].id}
    assert groups_holding_every_term(db, "zorbanita cuber", every) == {forum["cuti"].id}  # a typo narrows nothing



def test_a_thread_saying_pakai_does_not_hold_the_typed_word_pppk(db, forum, open_search):
    from search.typed_match import groups_holding_every_term
    from tests import factories as f
    # "pppk" was read as "pk", the chat word for "pakai": a chatty thread saying "pakai" held every typed word
    # and was listed above the PPPK thread (QA pass).
    pppk = f.thread(db, f.user(db), title="Syarat cuti besar untuk PPPK",
                    body="Apakah pegawai PPPK berhak atas cuti besar seperti PNS, dan apa syaratnya?")
    chat = f.thread(db, f.user(db), title="gimana sih caranya ambil cuti besar 3 bulan?",
                    body="udah kerja 6 taun, katanya harus pakai formulir dari kepegawaian, bener ga sih?")
    db.commit()
    for query in ("cuti besar pppk", "Cuti besar PPPK"):
        assert groups_holding_every_term(db, query, {pppk.id, chat.id}) == {pppk.id}, query
        assert search_threads(db, open_search(), None, query).hits[0].thread.id == pppk.id, query


def test_a_lowercase_pk_typed_on_a_phone_finds_the_post_that_writes_pk_in_capitals(db, forum, open_search):
    from search.typed_match import groups_holding_every_term
    from tests import factories as f
    contract = f.thread(db, f.user(db), title="Perpanjangan PK PPPK setelah lima tahun",
                        body="Bagaimana prosedur perpanjangan PK bagi PPPK yang kontraknya habis tahun ini?")
    db.commit()
    assert groups_holding_every_term(db, "pk pppk", {contract.id}) == {contract.id}

"""Moderation through the browser pages and the JSON API, end to end on the real app."""
from litestar.testing import TestClient
from sqlalchemy import select

from forum import merging, moderation, posts
from models import DuplicateLink, ModerationLog, Post, Report, SearchDocument, SearchSynonymGroup, Thread
from tests import moderation_factories as mf
from tests.forum.merge_dump import dump_threads


def _pair(db):
    asker, helper, mod = mf.user(db), mf.user(db), mf.user(db, "moderator")
    t = mf.thread(db, asker, "Cara mengajukan cuti besar bagi PNS", 0)
    t1 = mf.reply(db, helper, t, "Ajukan lewat SIASN.", 10)
    posts.accept_answer(db, actor=asker, thread=t, post=t1)
    s = mf.thread(db, helper, "Syarat cuti besar untuk pegawai negeri", 5, topic_slugs=("kepegawaian",))
    s1 = mf.reply(db, asker, s, "Masa kerja minimal lima tahun.", 20)
    s2 = mf.reply(db, mod, s, "Benar, lihat PP 11/2017.", 25, reply_to=s1.id)
    posts.accept_answer(db, actor=helper, thread=s, post=s1)
    db.add(DuplicateLink(thread_id=s.id, other_thread_id=t.id, similarity=0.93, judge_score=0.9,
                         reasons={"shared_terms": ["cuti", "besar"], "cosine": 0.93}))
    db.commit()
    return t, s, s1, s2, mod, asker


def test_merge_from_the_queue_redirects_old_links_and_undo_restores_every_byte(client, db, app):
    t, s, s1, s2, mod, _ = _pair(db)
    before = dump_threads(db, s.id, t.id)
    token = mf.csrf(client)
    mf.login(client, db, mod)
    queue = client.get("/moderasi").text
    assert 'data-testid="queue-merge"' in queue and "Kata kunci yang sama: cuti, besar" in queue
    merge_url = f"/moderasi/gabung?sumber={s.id}&amp;tujuan={t.id}"
    assert merge_url in queue
    preview = client.get(merge_url.replace("&amp;", "&"))
    assert preview.status_code == 200 and 'data-testid="merge-confirm"' in preview.text
    assert "Kedua diskusi punya jawaban terpilih" in preview.text
    form = {"sumber": str(s.id), "tujuan": str(t.id), "topics": ["cuti-kehadiran", "kepegawaian"],
            "alasan": "Pertanyaan yang sama", "_csrf_token": token}
    refused = client.post("/moderasi/gabung", data=form, follow_redirects=False)
    assert refused.status_code == 400 and "pilih jawaban mana yang dipertahankan" in refused.text
    done = client.post("/moderasi/gabung", data={**form, "jawaban": "source"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/diskusi/{t.id}/{t.slug}"

    with TestClient(app=app, base_url="http://testserver.local") as anonymous:
        old = anonymous.get(f"/diskusi/{s.id}/{s.slug}", follow_redirects=False)
        assert old.status_code == 301 and old.headers["location"] == f"/diskusi/{t.id}/{t.slug}"
        permalink = anonymous.get(f"/p/{s2.id}", follow_redirects=False)
        assert permalink.status_code == 302 and permalink.headers["location"] == f"/diskusi/{t.id}/{t.slug}#post-{s2.id}"
        merged_page = anonymous.get(f"/diskusi/{t.id}/{t.slug}").text
        assert f'id="post-{s2.id}"' in merged_page and f'id="post-{s.first_post_id}"' in merged_page
        assert "digabung dari: <em>Syarat cuti besar untuk pegawai negeri</em>" in merged_page
        assert 'data-testid="unmerge-button"' not in merged_page

    target_page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert 'data-testid="unmerge-button"' in target_page
    undo = client.post(f"/moderasi/diskusi/{t.id}/batalkan-gabung", data={"sumber": str(s.id), "_csrf_token": token},
                       follow_redirects=False)
    assert undo.status_code == 303 and undo.headers["location"] == f"/diskusi/{s.id}/{s.slug}"
    assert dump_threads(db, s.id, t.id) == before
    assert client.get(f"/diskusi/{s.id}/{s.slug}", follow_redirects=False).status_code == 200


def test_a_merged_question_stays_on_its_askers_profile_pointing_where_it_went(client, db):
    t, s, _, _, mod, _ = _pair(db)
    asker = s.author
    merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    db.commit()
    profile = client.get(f"/u/{asker.username}").text
    merged = profile.split('data-testid="merged-questions"')[1].split("</ul>")[0]
    assert "Syarat cuti besar untuk pegawai negeri" in merged and f'href="/diskusi/{t.id}/{t.slug}"' in merged
    moderation.hide_thread(db, db.get(Thread, t.id), mod, "Data pribadi")
    db.commit()
    assert 'data-testid="merged-questions"' not in client.get(f"/u/{asker.username}").text  # nowhere to point


def test_a_moderator_reaches_the_merge_preview_from_a_similar_thread_newer_into_older(client, db):
    t, s, _, _, mod, asker = _pair(db)
    mf.csrf(client)
    mf.login(client, db, asker)
    assert 'data-testid="merge-shortcut"' not in client.get(f"/diskusi/{s.id}/{s.slug}").text  # members: no
    mf.login(client, db, mod)
    newer_page = client.get(f"/diskusi/{s.id}/{s.slug}").text
    assert f"/moderasi/gabung?sumber={s.id}&amp;tujuan={t.id}" in newer_page and "Gabungkan diskusi ini ke sana" in newer_page
    older_page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert f"/moderasi/gabung?sumber={s.id}&amp;tujuan={t.id}" in older_page and "Gabungkan ke diskusi ini" in older_page
    preview = client.get("/moderasi/gabung", params={"sumber": s.id, "tujuan": t.id})
    assert preview.status_code == 200 and "lebih lama daripada" not in preview.text


def test_a_decision_on_a_pair_another_moderator_already_ruled_on_shows_the_queue_with_the_reason(client, db):
    t, s, _, _, mod, _ = _pair(db)
    link = db.scalar(select(DuplicateLink).where(DuplicateLink.thread_id == s.id))
    token = mf.csrf(client)
    mf.login(client, db, mod)
    done = client.post(f"/moderasi/duplikat/{link.id}/bukan-duplikat", data={"_csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    late = client.post(f"/moderasi/duplikat/{link.id}/varian", data={"_csrf_token": token}, follow_redirects=False)
    assert late.status_code == 400 and 'data-testid="queue-error"' in late.text
    assert "Pasangan ini sudah diputuskan sebelumnya." in late.text and "Antrean duplikat" in late.text
    mf.fresh(db)
    assert db.get(DuplicateLink, link.id).status == "not_duplicate"  # the first decision stands


def test_the_queue_says_which_pairs_readers_see_a_banner_for(client, db):
    from forum.duplicates import banner_threshold
    t, s, _, _, mod, _ = _pair(db)
    link = db.scalar(select(DuplicateLink).where(DuplicateLink.thread_id == s.id))
    mf.csrf(client)
    mf.login(client, db, mod)
    link.judge_score = banner_threshold() - 0.001  # "0.94" both, to two places
    db.commit()
    assert 'data-testid="banner-shown"' not in client.get("/moderasi").text
    assert 'data-testid="duplicate-banner"' not in client.get(f"/diskusi/{s.id}/{s.slug}").text
    link.judge_score = banner_threshold()
    db.commit()
    queue = client.get("/moderasi").text
    assert 'data-testid="banner-shown"' in queue and f"penilai {banner_threshold():.3f}" in queue
    assert 'data-testid="duplicate-banner"' in client.get(f"/diskusi/{s.id}/{s.slug}").text  # the same rule


def test_only_the_newest_merge_into_a_thread_offers_undo_and_the_older_says_why(client, db):
    t, s, _, _, mod, asker = _pair(db)
    v = mf.thread(db, asker, "Cuti besar dan tunjangan kinerja", 30)
    db.commit()
    older = merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    newer = merging.merge_threads(db, source=v, target=t, actor=mod)
    db.commit()
    mf.csrf(client)
    mf.login(client, db, mod)
    log = client.get("/moderasi/log").text
    assert f'/moderasi/gabungan/{newer.id}/batalkan' in log and f'/moderasi/gabungan/{older.id}/batalkan' not in log
    assert 'data-testid="unmerge-blocked"' in log and "Batalkan yang terbaru terlebih dahulu" in log
    page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert page.count('data-testid="unmerge-button"') == 1 and page.count('data-testid="unmerge-blocked"') == 1
    token = mf.csrf(client)
    client.post(f"/moderasi/gabungan/{newer.id}/batalkan", data={"_csrf_token": token}, follow_redirects=False)
    log = client.get("/moderasi/log").text  # the older merge is now the newest still in effect
    assert f'/moderasi/gabungan/{older.id}/batalkan' in log and 'data-testid="unmerge-blocked"' not in log


def test_the_json_api_merges_refuses_a_second_merge_and_undoes(client, db):
    t, s, _, _, mod, _ = _pair(db)
    headers = mf.api_token(db, mod)
    preview = client.get(f"/api/v1/moderation/merges/preview?source={s.id}&target={t.id}", headers=headers).json()
    assert preview["need_accepted_choice"] and preview["topics"] == ["cuti-kehadiran", "kepegawaian"]
    body = {"source": s.id, "target": t.id, "accepted": "target", "reason": "Duplikat"}
    created = client.post("/api/v1/moderation/merges", json=body, headers=headers)
    assert created.status_code == 201, created.text
    again = client.post("/api/v1/moderation/merges", json=body, headers=headers)
    assert again.status_code == 409 and "sudah digabungkan" in again.json()["detail"]
    undone = client.post(f"/api/v1/moderation/merges/{created.json()['id']}/undo", json={}, headers=headers)
    assert undone.status_code == 200 and undone.json()["restored"]["id"] == s.id
    twice = client.post(f"/api/v1/moderation/merges/{created.json()['id']}/undo", json={}, headers=headers)
    assert twice.status_code == 409 and twice.json()["detail"] == "Penggabungan ini sudah dibatalkan sebelumnya."


def test_the_toolbar_locks_hides_and_pins_and_the_log_records_and_filters_it(client, db, app):
    t, s, *_ = _pair(db)
    admin = mf.user(db, "admin", username="admin.pusat")
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, admin)
    for action in ("kunci", "sematkan", "sembunyikan"):
        r = client.post(f"/moderasi/diskusi/{t.id}/tindakan", data={"aksi": action, "alasan": "uji " + action,
                                                                    "_csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
    mf.fresh(db)
    thread = db.get(Thread, t.id)
    assert (thread.is_locked, thread.is_pinned, thread.is_hidden) == (True, True, True)
    assert db.scalar(select(SearchDocument).where(SearchDocument.group_id == t.id)) is None
    with TestClient(app=app, base_url="http://testserver.local") as anonymous:
        assert anonymous.get(f"/diskusi/{t.id}/{t.slug}").status_code == 404
    log = client.get("/moderasi/log?aksi=hide").text
    assert log.count('data-testid="log-entry"') == 1 and "uji sembunyikan" in log
    assert client.get("/moderasi/log?pelaku=admin.pusat").text.count('data-testid="log-entry"') == 3
    assert client.get(f"/moderasi/log?diskusi={s.id}").text.count('data-testid="log-entry"') == 0
    shown = client.post(f"/moderasi/diskusi/{t.id}/tindakan", data={"aksi": "tampilkan", "_csrf_token": token},
                        follow_redirects=False)
    assert shown.status_code == 303
    mf.fresh(db)
    assert db.scalar(select(SearchDocument.doc_id).where(SearchDocument.doc_id == t.first_post_id)) is not None


def _reporter_on_a_reply(client, db):
    """The pair of threads, a member logged in to report, and the earlier thread's reply."""
    t, _, _, _, mod, _ = _pair(db)
    reporter = mf.user(db)
    reply = db.scalar(select(Post).where(Post.thread_id == t.id, Post.id != t.first_post_id))
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, reporter)
    return t, reply, mod, token


def test_a_member_reports_a_post_and_a_moderator_hides_it_from_the_report_queue(client, db, app):
    t, reply, mod, token = _reporter_on_a_reply(client, db)
    page = client.get(f"/diskusi/{t.id}/{t.slug}").text
    assert f'action="/tulisan/{reply.id}/laporkan"' in page
    sent = client.post(f"/tulisan/{reply.id}/laporkan", data={"alasan": "Informasi keliru dan menyesatkan",
                                                              "_csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303
    assert client.get("/moderasi/laporan").status_code == 403
    mf.login(client, db, mod)
    queue = client.get("/moderasi/laporan").text
    assert "Informasi keliru dan menyesatkan" in queue
    mf.fresh(db)
    report = db.scalar(select(Report))
    hidden = client.post(f"/moderasi/laporan/{report.id}/sembunyikan", data={"_csrf_token": token},
                         follow_redirects=False)
    assert hidden.status_code == 303
    with TestClient(app=app, base_url="http://testserver.local") as anonymous:
        assert "[tulisan disembunyikan moderator]" in anonymous.get(f"/diskusi/{t.id}/{t.slug}").text
    mf.fresh(db)
    assert db.scalar(select(ModerationLog.action).order_by(ModerationLog.id.desc())) == "hide_post"
    assert "Tidak ada laporan yang menunggu" in client.get("/moderasi/laporan").text


def test_a_report_dismissed_by_mistake_is_opened_again_from_the_list(client, db):
    t, reply, mod, token = _reporter_on_a_reply(client, db)
    client.post(f"/tulisan/{reply.id}/laporkan", data={"alasan": "Informasi keliru dan menyesatkan", "_csrf_token": token})
    mf.login(client, db, mod)
    mf.fresh(db)
    report = db.scalar(select(Report))
    client.post(f"/moderasi/laporan/{report.id}/abaikan", data={"_csrf_token": token})
    dismissed = client.get("/moderasi/laporan?status=dismissed").text
    assert f'action="/moderasi/laporan/{report.id}/buka-lagi"' in dismissed
    reopened = client.post(f"/moderasi/laporan/{report.id}/buka-lagi", data={"_csrf_token": token}, follow_redirects=False)
    assert reopened.status_code == 303
    assert "Informasi keliru dan menyesatkan" in client.get("/moderasi/laporan").text


def test_not_duplicate_and_variant_leave_the_queue_and_are_never_suggested_again(client, db, app):
    t, s, _, _, mod, _ = _pair(db)
    u = mf.thread(db, mod, "Cuti besar di pemerintah provinsi", 50, agency_slug="bkd-jatim")
    db.add(DuplicateLink(thread_id=u.id, other_thread_id=t.id, similarity=0.7, judge_score=0.6, reasons={}))
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, mod)
    links = {link.thread_id: link.id for link in db.scalars(select(DuplicateLink))}
    client.post(f"/moderasi/duplikat/{links[s.id]}/bukan-duplikat", data={"_csrf_token": token})
    client.post(f"/moderasi/duplikat/{links[u.id]}/varian", data={"_csrf_token": token})
    assert 'data-testid="queue-empty"' in client.get("/moderasi").text
    mf.fresh(db)
    assert {link.status for link in db.scalars(select(DuplicateLink))} == {"not_duplicate", "variant"}
    again = client.post(f"/moderasi/duplikat/{links[s.id]}/varian", data={"_csrf_token": token},
                        headers={"referer": "http://testserver.local/moderasi"})
    assert again.status_code == 400 and "sudah diputuskan" in again.text
    assert 'data-testid="queue-error"' in again.text and 'data-testid="queue-empty"' in again.text  # the queue, as it is
    # Members see the confirmed variant under "Diskusi serupa", marked as such; the rejected pair is gone.
    with TestClient(app=app, base_url="http://testserver.local") as anonymous:
        page = anonymous.get(f"/diskusi/{t.id}/{t.slug}").text
    related = page.split('data-testid="related"', 1)[1].split("</section>", 1)[0]
    assert "Cuti besar di pemerintah provinsi" in related and 'data-testid="variant"' in related
    assert s.title not in related


def test_an_admin_appoints_a_moderator_limited_to_one_agency(client, db):
    admin, member = mf.user(db, "admin"), mf.user(db)
    mf.thread(db, member, "Cuti besar di pemerintah provinsi", 0, agency_slug="bkd-jatim")
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, admin)
    r = client.post("/moderasi/peran", data={"username": member.username, "role": "moderator",
                                             "agencies": ["bkd-jatim"], "_csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    staff = client.get("/moderasi/peran").text
    assert f"@{member.username}" in staff and "Terbatas pada: BKD-JATIM" in staff
    bad = client.post("/moderasi/peran", data={"username": "tidak.ada", "role": "moderator", "_csrf_token": token})
    assert bad.status_code == 400 and "Pengguna tidak ditemukan" in bad.text
    mf.fresh(db)
    assert db.scalar(select(ModerationLog.details).where(ModerationLog.action == "set_role"))["to"] == {
        "role": "moderator", "agencies": ["bkd-jatim"], "topics": []}


def test_a_reply_sent_from_a_page_opened_before_a_merge_is_offered_on_the_target_with_its_text(client, db):
    t, s, _, _, mod, asker = _pair(db)
    token = mf.csrf(client)
    mf.login(client, db, asker)
    merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    db.commit()
    typed = "Balasan yang saya ketik sebelum digabungkan: cuti besar diajukan 1 bulan sebelumnya."
    sent = client.post(f"/diskusi/{s.id}/balas", data={"body_md": typed, "_csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 400
    assert "sudah digabungkan ke “Cara mengajukan cuti besar bagi PNS”" in sent.text
    assert f'action="/diskusi/{t.id}/balas"' in sent.text and typed in sent.text
    assert db.scalar(select(Post).where(Post.body_md == typed)) is None  # nothing was posted behind their back


def test_a_reply_sent_before_a_merge_into_a_locked_thread_keeps_its_text_without_offering_to_send_it(client, db):
    t, s, _, _, mod, asker = _pair(db)
    token = mf.csrf(client)
    mf.login(client, db, asker)
    moderation.lock_thread(db, t, mod, "Sudah lengkap")
    merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    db.commit()
    typed = "Balasan yang saya ketik sebelum digabungkan ke diskusi yang dikunci."
    sent = client.post(f"/diskusi/{s.id}/balas", data={"body_md": typed, "_csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 400 and "diskusi itu dikunci moderator" in sent.text
    assert "kirim di sini" not in sent.text and f'action="/diskusi/{t.id}/balas"' not in sent.text
    assert 'data-testid="unsent-reply"' in sent.text and typed in sent.text


def test_an_edit_saved_after_the_thread_was_locked_comes_back_with_its_text_and_the_reason(client, db):
    t, s, s1, _, mod, asker = _pair(db)
    token = mf.csrf(client)
    mf.login(client, db, asker)
    assert client.get(f"/tulisan/{s1.id}/sunting").status_code == 200
    moderation.lock_thread(db, s, mod, "Sudah terjawab")
    db.commit()
    typed = "Masa kerja minimal lima tahun, dihitung sejak CPNS."
    saved = client.post(f"/tulisan/{s1.id}/sunting", data={"body_md": typed, "_csrf_token": token},
                        follow_redirects=False)
    assert saved.status_code == 403
    assert "Diskusi ini dikunci moderator, jadi tulisan di dalamnya tidak dapat disunting lagi." in saved.text
    assert typed in saved.text and f'action="/tulisan/{s1.id}/sunting"' in saved.text
    db.expire_all()
    assert db.get(Post, s1.id).body_md == "Masa kerja minimal lima tahun."


def test_a_merge_that_cannot_happen_shows_why_and_no_form(client, db):
    t, s, _, _, mod, _ = _pair(db)
    mf.login(client, db, mod)
    same = client.get(f"/moderasi/gabung?sumber={t.id}&tujuan={t.id}")
    assert "dirinya sendiri" in same.text
    assert 'data-testid="merge-confirm"' not in same.text and 'data-testid="merge-blocked"' in same.text
    assert "digabung dari" not in same.text


def test_a_mistyped_thread_in_merge_here_is_refused_on_the_thread_page_beside_the_box_with_the_typed_text(client, db):
    t, s, _, _, mod, _ = _pair(db)
    mf.login(client, db, mod)
    for typed, reason in (("abc", "Pilih dua diskusi"), ("999999", "tidak ditemukan: periksa nomor")):
        refused = client.get(f"/moderasi/gabung?tujuan={t.id}&sumber={typed}")
        assert refused.status_code in (400, 404) and f"<h1>{t.title}</h1>" in refused.text  # still on the thread
        assert reason in refused.text and 'data-testid="merge-here-error"' in refused.text
        assert f'name="sumber" placeholder="Nomor atau alamat diskusi duplikat" aria-label="Diskusi yang akan digabungkan ke sini" required value="{typed}"' in refused.text
    assert client.get("/moderasi/gabung?tujuan=999999&sumber=abc").status_code == 400  # no thread to go back to


def test_a_not_duplicate_decision_is_taken_back_from_the_log_and_the_pair_returns_to_the_queue(client, db):
    t, s, _, _, mod, _ = _pair(db)
    link = db.scalar(select(DuplicateLink))
    token = mf.csrf(client)
    mf.login(client, db, mod)
    decided = client.post(f"/moderasi/duplikat/{link.id}/bukan-duplikat", data={"_csrf_token": token},
                          follow_redirects=False)
    assert decided.status_code == 303 and 'data-testid="queue-merge"' not in client.get("/moderasi").text
    log = client.get("/moderasi/log").text
    assert f'action="/moderasi/duplikat/{link.id}/buka-lagi"' in log
    reopened = client.post(f"/moderasi/duplikat/{link.id}/buka-lagi", data={"_csrf_token": token}, follow_redirects=False)
    assert reopened.status_code == 303
    assert 'data-testid="queue-merge"' in client.get("/moderasi").text
    log = client.get("/moderasi/log").text
    assert "Batalkan keputusan duplikat" in log and 'data-testid="reopen-pair"' not in log


def test_a_reply_refused_because_the_thread_was_locked_meanwhile_is_shown_back_to_copy(client, db):
    t, s, _, _, mod, asker = _pair(db)
    token = mf.csrf(client)
    mf.login(client, db, asker)
    moderation.lock_thread(db, s, mod, "Sudah terjawab")
    db.commit()
    typed = "Balasan yang saya tulis sebelum diskusi dikunci, cukup panjang."
    sent = client.post(f"/diskusi/{s.id}/balas", data={"body_md": typed, "_csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 403 and "dikunci" in sent.text
    assert 'data-testid="unsent-reply"' in sent.text and typed in sent.text


def test_a_report_refused_for_too_short_a_reason_comes_back_open_with_what_was_typed(client, db):
    _, reply, _, token = _reporter_on_a_reply(client, db)
    short = client.post(f"/tulisan/{reply.id}/laporkan", data={"alasan": "Spm", "_csrf_token": token},
                        follow_redirects=False)
    assert short.status_code == 400 and 'data-testid="report-error"' in short.text
    assert 'value="Spm"' in short.text and '<details class="report-form" open>' in short.text
    mf.fresh(db)
    assert db.scalar(select(Report)) is None


def test_a_merge_confirmed_from_a_preview_opened_before_a_change_is_refused_and_shown_again(client, db):
    import re
    t, s, _, _, mod, _ = _pair(db)
    token = mf.csrf(client)
    mf.login(client, db, mod)
    # A thread address pasted with its host resolves to that thread, not to the first number in it (the port).
    preview = client.get("/moderasi/gabung", params={"sumber": f"http://127.0.0.1:8013/diskusi/{s.id}/{s.slug}",
                                                     "tujuan": str(t.id)}).text
    fields = dict(re.findall(r'name="(versi_sumber|versi_tujuan)" value="(\d+)"', preview))
    assert set(fields) == {"versi_sumber", "versi_tujuan"} and f'name="sumber" value="{s.id}"' in preview
    moderation.lock_thread(db, db.get(Thread, s.id), mod, "Dikunci dulu")  # meanwhile, in another tab
    db.commit()
    form = {"sumber": str(s.id), "tujuan": str(t.id), "jawaban": "target", "topics": ["cuti-kehadiran"],
            "_csrf_token": token, **fields}
    stale = client.post("/moderasi/gabung", data=form, follow_redirects=False)
    assert stale.status_code == 409 and "moderator lain" in stale.text and 'data-testid="merge-confirm"' in stale.text
    mf.fresh(db)
    assert db.get(Thread, s.id).merged_into_id is None
    fresh_fields = dict(re.findall(r'name="(versi_sumber|versi_tujuan)" value="(\d+)"', stale.text))
    done = client.post("/moderasi/gabung", data={**form, **fresh_fields}, follow_redirects=False)
    assert done.status_code == 303


def test_the_api_merge_checks_the_versions_the_client_read(client, db):
    t, s, _, _, mod, _ = _pair(db)
    headers = mf.api_token(db, mod)
    body = {"source": s.id, "target": t.id, "accepted": "target"}
    for stale in (s.version - 1, 2**70):
        refused = client.post("/api/v1/moderation/merges", json={**body, "source_version": stale}, headers=headers)
        assert refused.status_code == 409, refused.text
    current = client.get(f"/api/v1/threads/{s.id}").json()["version"]
    assert client.post("/api/v1/moderation/merges", json={**body, "source_version": current}, headers=headers).status_code == 201


def test_the_api_merge_refuses_an_unknown_accepted_choice_even_when_only_one_thread_has_an_answer(client, db):
    t, s, _, _, mod, _ = _pair(db)
    s.accepted_post_id = None  # only the target has an accepted answer now: no choice is needed
    db.commit()
    headers = mf.api_token(db, mod)
    refused = client.post("/api/v1/moderation/merges", json={"source": s.id, "target": t.id, "accepted": "zzz"},
                          headers=headers)
    assert refused.status_code == 400 and "Pilihan jawaban terpilih tidak dikenal" in refused.text
    assert db.get(Thread, s.id).merged_into_id is None
    fine = client.post("/api/v1/moderation/merges", json={"source": s.id, "target": t.id}, headers=headers)
    assert fine.status_code == 201, fine.text


def test_the_duplicate_queue_pages_on_the_site_and_in_the_api(client, db, monkeypatch):
    from tests.web.moderation_world import build_world
    from web.pages import moderation as moderation_pages
    monkeypatch.setattr(moderation_pages, "QUEUE_PAGE", 3)
    w = build_world(db)  # four open candidate pairs
    mf.login(client, db, w["admin"])
    first, second = client.get("/moderasi").text, client.get("/moderasi?hal=2").text
    assert first.count('data-testid="dup-pair"') == 3 and 'href="/moderasi?hal=2"' in first
    assert second.count('data-testid="dup-pair"') == 1 and 'data-testid="queue-next"' not in second
    assert "Kembali ke awal antrean" in client.get("/moderasi?hal=3").text
    token = mf.api_token(db, w["admin"])
    pages = [client.get("/api/v1/moderation/duplicates", params={"page_size": 3, "page": n}, headers=token).json()
             for n in (1, 2)]
    assert [len(p) for p in pages] == [3, 1]
    assert {p["id"] for page in pages for p in page} == {w[f"link{i}"].id for i in range(4)}


def test_a_moderation_api_action_whose_fields_are_all_optional_accepts_an_empty_body(client, db):
    moderator = mf.user(db, "moderator")
    t = mf.thread(db, mf.user(db), "Cara mengajukan cuti besar bagi PNS", 0)
    db.commit()
    headers = mf.api_token(db, moderator)
    for body in (None, b""):
        locked = client.post(f"/api/v1/moderation/threads/{t.id}/lock", content=body, headers=headers)
        assert locked.status_code == 200, locked.text
        client.post(f"/api/v1/moderation/threads/{t.id}/unlock", json={}, headers=headers)
    mf.fresh(db)
    assert [e.action for e in db.scalars(select(ModerationLog).order_by(ModerationLog.id))][:2] == ["lock", "unlock"]


def test_a_moderator_sending_too_fast_gets_each_form_back_with_what_was_typed(settings, session_factory, db):
    import dataclasses

    from web.app import create_app
    t, s, _s1, _s2, mod, _asker = _pair(db)
    admin = mf.user(db, "admin")
    db.commit()
    app = create_app(dataclasses.replace(settings, writes_per_minute=1), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        token = mf.csrf(client)
        mf.login(client, db, admin)
        sent = client.post("/moderasi/sinonim", data={"istilah": "lkh, laporan kinerja harian", "_csrf_token": token},
                           follow_redirects=False)
        assert sent.status_code == 303  # the minute's one write
        forms = {
            "/moderasi/sinonim": {"istilah": "bimtek, bimbingan teknis", "alasan": "istilah di daerah"},
            "/moderasi/gabung": {"sumber": str(s.id), "tujuan": str(t.id), "jawaban": "target",
                                 "alasan": "pertanyaan yang sama persis"},
            f"/moderasi/diskusi/{s.id}/pindah": {"agency": "bkn", "topics": ["kepegawaian"], "alasan": "ketikan saya"},
            "/moderasi/peran": {"username": mod.username, "role": "member", "alasan": "pindah tugas"},
        }
        for url, form in forms.items():
            refused = client.post(url, data={**form, "_csrf_token": token}, follow_redirects=False)
            assert refused.status_code == 429 and "terlalu cepat" in refused.text, url
            assert f'value="{form["alasan"]}"' in refused.text, url  # the typed reason is still in the form
        assert "bimtek, bimbingan teknis</textarea>" in client.post(
            "/moderasi/sinonim", data={**forms["/moderasi/sinonim"], "_csrf_token": token}).text


def test_a_synonym_reason_is_held_to_500_characters_like_every_moderators_reason(client, db):
    admin = mf.user(db, "admin")
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, admin)
    long_reason = "Q" * 501
    added = client.post("/moderasi/sinonim", data={"istilah": "lkh, laporan kinerja harian", "alasan": long_reason,
                                                   "_csrf_token": token}, follow_redirects=False)
    assert added.status_code == 400 and "Alasan" in added.text and "lkh, laporan kinerja harian</textarea>" in added.text
    ok = client.post("/moderasi/sinonim", data={"istilah": "lkh, laporan kinerja harian", "_csrf_token": token},
                     follow_redirects=False)
    assert ok.status_code == 303
    group = db.scalar(select(SearchSynonymGroup.id))
    removed = client.post(f"/moderasi/sinonim/{group}/hapus", data={"alasan": long_reason, "_csrf_token": token},
                          follow_redirects=False)
    assert removed.status_code == 400 and "Alasan" in removed.text
    assert db.scalar(select(SearchSynonymGroup.id)) == group
    assert all(len(r or "") <= 500 for r in db.scalars(select(ModerationLog.reason)))


def test_the_api_has_the_webs_unhide_and_take_back_a_duplicate_decision_and_names_log_actions(client, db):
    from forum import reports, roles
    t, s, s1, _s2, mod, asker = _pair(db)
    admin = mf.user(db, "admin")
    report = reports.report_post(db, reporter=mf.user(db), post=s1, reason="Tidak sopan")
    reports.hide_reported_post(db, report=report, actor=mod)
    roles.set_role(db, actor=admin, user=asker, role="moderator", agencies=["bkn"])
    db.commit()
    headers = mf.api_token(db, mod)
    member = mf.api_token(db, mf.user(db))
    assert client.post(f"/api/v1/moderation/posts/{s1.id}/unhide", json={}, headers=member).status_code == 403
    shown = client.post(f"/api/v1/moderation/posts/{s1.id}/unhide", json={"reason": "Sudah disunting"}, headers=headers)
    assert shown.status_code == 200 and shown.json() == {"id": s1.id, "thread_id": s.id, "is_hidden": False}
    link = db.scalar(select(DuplicateLink))
    decided = client.post(f"/api/v1/moderation/duplicates/{link.id}/variant", headers=headers)
    assert decided.status_code == 200 and decided.json()["status"] == "variant"
    reopened = client.post(f"/api/v1/moderation/duplicates/{link.id}/reopen", headers=headers)
    assert reopened.status_code == 200 and reopened.json()["status"] == "candidate"
    actions = [e["action"] for e in client.get("/api/v1/moderation/log", headers=headers).json()]
    assert {"unhide_post", "variant", "reopen_duplicate"} <= set(actions)
    unknown = client.get("/api/v1/moderation/log?action=zzz", headers=headers)
    assert unknown.status_code == 400 and "Tindakan tidak dikenal" in unknown.json()["detail"]
    db.commit()  # end this session's read snapshot before it writes (SQLite)
    mf.login(client, db, admin)
    page = client.get("/moderasi/log?aksi=set_role").text
    assert f"@{asker.username}: Moderator (instansi: bkn)" in page
    assert "Tampilkan tulisan" in client.get("/moderasi/log?aksi=unhide_post").text


def test_a_merge_sent_again_says_why_once(client, db):
    t, s, _s1, _s2, mod, _ = _pair(db)
    merging.merge_threads(db, source=s, target=t, actor=mod, accepted_choice="target")
    db.commit()
    token = mf.csrf(client)
    mf.login(client, db, mod)
    again = client.post("/moderasi/gabung", data={"sumber": str(s.id), "tujuan": str(t.id), "jawaban": "target",
                                                  "alasan": "klik kedua", "_csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409 and again.text.count("Diskusi sumber sudah digabungkan ke diskusi lain.") == 1

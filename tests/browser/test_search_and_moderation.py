"""On the demo forum in real Chromium: the composer finds the earlier answer, the new thread's page shows its
similar threads without a reload, the search page finds the answer in plain words (by relevance or by date),
an asker confirms an earlier answer, and a moderator clears a duplicate from the queue, follows the old link
and undoes the merge."""
import os
import re
import subprocess
import sys
import time
from urllib.parse import quote

from forum.demo import DEMO_PASSWORD, seed_demo
from models.db import make_engine, make_session_factory
from scripts.cli import DEMO_DATA
from tests.browser.conftest import ROOT, SCREENSHOTS, log_in
from tests.conftest import TEST_EMBEDDING_CACHE


def _seed_and_index(db_url, tmp_path):
    """What `scripts/start.sh` does before serving: load the demo, then `forum reindex`."""
    engine = make_engine(db_url)
    with make_session_factory(engine)() as db:
        seed_demo(db, DEMO_DATA)
        db.commit()
    engine.dispose()
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data"),
           "FORUM_CACHE_DIR": str(TEST_EMBEDDING_CACHE)}
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "reindex"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]


def _login(page, base, username):
    log_in(page, base, username, DEMO_PASSWORD)


def _wait_for_queue(page, base, timeout=240):
    """The server indexes the demo in the background; duplicate candidates appear when it is done."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        page.goto(base + "/moderasi")
        if page.locator("[data-testid=dup-pair]").count():
            return
        time.sleep(3)
    raise AssertionError("antrean duplikat tetap kosong setelah pengindeksan")


def _asker_confirms_an_earlier_answer(browser, base, db_url):
    """The asker of a thread with a similar earlier one says it answers their question; a visitor then sees so."""
    from sqlalchemy import select
    from models import DuplicateLink, Thread, User
    engine = make_engine(db_url)
    with make_session_factory(engine)() as db:
        thread_id, username = db.execute(
            select(Thread.id, User.username).join(DuplicateLink, DuplicateLink.thread_id == Thread.id)
            .join(User, User.id == Thread.author_id).where(DuplicateLink.status == "candidate")
            .order_by(DuplicateLink.judge_score.desc()).limit(1)).one()
    engine.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    _login(page, base, username)
    page.goto(f"{base}/diskusi/{thread_id}")
    form = page.locator("[data-testid=asker-verdict] >> nth=0")
    other_id = form.locator("input[name=lain]").get_attribute("value")
    form.locator("button[value=terjawab]").click()
    page.wait_for_selector(".flash")
    assert "Terima kasih" in page.inner_text(".flash")
    context.close()
    visitor = browser.new_context(viewport={"width": 375, "height": 800}, locale="id-ID")
    page = visitor.new_page()
    page.goto(f"{base}/diskusi/{thread_id}")
    banner = page.locator("[data-testid=duplicate-banner]")
    assert "Penanya menyatakan pertanyaan ini sudah terjawab di" in banner.inner_text()
    assert banner.locator(f"a[href^='/diskusi/{other_id}/']").count() == 1
    if banner.locator(".answer-excerpt").count():
        assert banner.locator("[data-testid=banner-read-answer]").get_attribute("href").startswith("/p/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The banner's answer is three lines on a phone: the question itself starts on the first screen (it was
    # ~900-1,150 px down, under a banner 420-530 px tall).
    question_top = page.evaluate("document.querySelector('article.post').getBoundingClientRect().top + scrollY")
    assert question_top < 800, question_top
    page.screenshot(path=str(SCREENSHOTS / "thread-banner-phone.png"))
    visitor.close()


def test_composer_and_search_find_the_earlier_answer_and_a_moderator_merges_and_undoes_from_the_queue(
        db_url, browser, request, tmp_path):
    _seed_and_index(db_url, tmp_path)
    base = request.getfixturevalue("live_server")
    member = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = member.new_page()
    _login(page, base, "agus_setiawan")
    page.goto(base + "/diskusi/baru")
    page.fill("#title", "gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?")
    suggestions = page.wait_for_selector("[data-testid=suggestions]", timeout=240_000)
    text = suggestions.inner_text()
    assert re.search(r"cuti besar", text, re.I), text
    assert "Apakah ini menjawab pertanyaan Anda?" in text
    page.screenshot(path=str(SCREENSHOTS / "composer-suggestions.png"), full_page=False)
    # "Ya, ini menjawab pertanyaan saya": the earlier answer opens; what was typed stays as a draft.
    page.locator("[data-testid=answered-before-asking] button").first.click()
    page.wait_for_selector(".flash:has-text('sudah terjawab')")
    assert re.search(r"/diskusi/\d+/.+#post-\d+$", page.url), page.url  # at the answer it showed
    # ...with the thanks just above that answer, where the member is looking (not at the top of the page).
    assert page.evaluate("document.querySelector('.flash').nextElementSibling.id") == page.url.split("#")[1]

    # A question the demo forum never discussed: its threads are listed under a note naming the unknown words.
    page.goto(base + "/cari?q=resep+rendang+padang+yang+empuk")
    note = page.inner_text("[data-testid=loose-matches]")
    assert "Tidak ada tulisan di forum ini yang memuat" in note and "rendang" in note, note
    assert "mirip samar" in page.inner_text("[data-testid=search-total]")
    assert page.locator("[data-testid=search-facets]").count() == 0  # narrowing loose matches leads nowhere
    page.screenshot(path=str(SCREENSHOTS / "search-unfamiliar.png"), full_page=False)

    # The search page, in plain words; ordered by date it lists the strongest matches, newest first.
    page.goto(base + "/cari")
    page.fill("#q", "cara ngajuin cuti besar")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector(".search-hit")
    relevant = page.locator(".search-hit .thread-title").all_inner_texts()
    assert re.search(r"cuti besar", relevant[0], re.I), relevant
    total = int(page.inner_text("[data-testid=search-total]").split()[0])
    page.screenshot(path=str(SCREENSHOTS / "search-results.png"), full_page=False)
    page.select_option("select[name=urut]", "terbaru")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url(re.compile(r"urut=terbaru"))
    assert page.input_value("select[name=urut]") == "terbaru"
    note = page.inner_text("[data-testid=search-total]")
    assert "diurutkan dari yang terbaru" in note and 1 <= int(note.split()[0]) <= total  # the strongest matches
    # A broad list offers to narrow it: "belum terjawab" keeps only threads still waiting for an answer.
    page.goto(base + "/cari?q=" + quote("cara ngajuin cuti besar"))
    page.click("[data-testid=search-facets] [data-facet=status] a.facet:has-text('belum terjawab')")
    page.wait_for_url(re.compile(r"status%3Abelum"))
    assert page.input_value("#q") == "cara ngajuin cuti besar status:belum"
    assert page.locator(".search-hit").count() >= 1 and page.locator(".search-hit .tag.answered").count() == 0
    # Not answered there: asking it starts from the searched words, and the composer shows similar questions.
    page.click("[data-testid=ask-from-search]")
    page.wait_for_url(re.compile(r"/diskusi/baru\?judul="))
    # The title typed in the composer earlier was never sent: that draft comes back first; discarding it
    # returns to the searched words.
    assert page.input_value("#title") == "gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?"
    page.click("[data-testid=draft-restored] button:has-text('Buang draf')")
    assert page.input_value("#title") == "cara ngajuin cuti besar"
    assert re.search(r"cuti besar", page.wait_for_selector("[data-testid=suggestions]", timeout=120_000).inner_text(), re.I)

    # Posted anyway: the new thread's page shows its similar earlier threads as soon as they are found,
    # without a reload, with the asker's "sudah terjawab di sana" buttons.
    page.fill("#body_md", "Masa kerja saya baru empat tahun. Apakah sudah boleh mengajukan cuti besar?")
    page.select_option("#agency", index=1)
    page.check("input[name=topics] >> nth=0")
    page.click("button:has-text('Terbitkan diskusi')")
    page.wait_for_selector(".flash:has-text('sudah terbit')")
    fresh = page.wait_for_selector("[data-testid=fresh-similar] [data-testid=related]", timeout=120_000)
    assert re.search(r"cuti besar", fresh.inner_text(), re.I)
    assert page.locator("[data-testid=fresh-similar] [data-testid=asker-verdict]").count() >= 1
    # Under the question, not above it (five of them put a phone's question ~1,400 px down).
    assert page.evaluate("document.querySelector('article.post').compareDocumentPosition("
                         "document.querySelector('[data-testid=fresh-similar]')) & Node.DOCUMENT_POSITION_FOLLOWING")
    member.close()

    moderator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = moderator.new_page()
    _login(page, base, "moderator")
    _wait_for_queue(page, base)
    _asker_confirms_an_earlier_answer(browser, base, db_url)
    # A search nothing answers (no thread that old) is listed for moderators.
    page.goto(base + "/cari?q=" + quote("uang harian SPPD luar negeri sebelum:2001-01-01"))
    page.wait_for_selector("text=Tidak ada diskusi yang cocok")
    # The member said a suggestion answered them, then posted anyway within the hour: counted as such.
    page.goto(base + "/moderasi/statistik")
    stats = page.inner_text("[data-testid=question-stats]")
    assert page.inner_text("[data-testid=stat-not-asked]") == "0" and "1 lainnya tetap bertanya" in stats, stats
    assert "“gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?”" in page.inner_text("[data-testid=stat-recent]")
    page.screenshot(path=str(SCREENSHOTS / "moderation-stats.png"), full_page=False)
    # The member's search on /cari, then the thread they posted within the hour: where search fell short.
    asked_after = page.inner_text("[data-testid=stat-asked-after]")
    assert re.search(r"“cara ngajuin cuti besar[^”]*” \(\d+ hasil\) → cara ngajuin cuti besar", asked_after, re.I), asked_after
    # ...with the earlier thread search should have shown, one click from the merge preview.
    similar = page.locator("[data-testid=asked-after-similar]").first
    assert re.search(r"cuti", similar.inner_text(), re.I) and "bandingkan dan gabungkan" in similar.inner_text()
    assert int(page.inner_text("[data-testid=stat-searches]")) >= 3
    assert page.inner_text("[data-testid=stat-found-nothing]") == "1"
    assert "“uang harian sppd luar negeri sebelum:2001-01-01” · 1 kali" in page.inner_text("[data-testid=stat-missing]")
    page.locator("[data-testid=search-gaps]").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "moderation-search-gaps.png"), full_page=False)
    # From that list to the search dictionary: the words come prefilled (without the operator); a group
    # needs two terms, and the page keeps what was typed when it says so.
    page.click("[data-testid=add-synonym-link]")
    page.wait_for_url(re.compile(r"/moderasi/sinonim\?istilah="))
    assert page.input_value("#istilah") == "uang harian sppd luar negeri"
    page.click("[data-testid=synonym-save]")
    page.wait_for_selector(".alert:has-text('dua istilah')")
    assert page.input_value("#istilah") == "uang harian sppd luar negeri"
    page.fill("#istilah", "sipd, sistem informasi pemerintahan daerah")
    page.click("[data-testid=synonym-save]")
    page.wait_for_selector(".flash:has-text('Sinonim ditambahkan')")
    assert page.inner_text("[data-testid=synonym-group]").startswith("sipd, sistem informasi pemerintahan daerah")
    page.screenshot(path=str(SCREENSHOTS / "moderation-synonyms.png"), full_page=False)
    page.goto(base + "/moderasi")
    assert page.locator("[data-testid=dup-pair] >> nth=0").locator("[data-testid=asker-answered]").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "moderation-queue.png"), full_page=False)
    page.click("[data-testid=queue-merge] >> nth=0")
    page.wait_for_selector("[data-testid=merge-confirm]")
    source_id = int(re.search(r"sumber=(\d+)", page.url).group(1))
    target_id = int(re.search(r"tujuan=(\d+)", page.url).group(1))
    if page.locator("[data-testid=merge-accepted-target]").count():
        page.check("[data-testid=merge-accepted-target]")
    page.fill("textarea[name=alasan], input[name=alasan]", "Pertanyaan yang sama dari instansi berbeda")
    page.click("[data-testid=merge-confirm]")
    page.wait_for_url(re.compile(rf"/diskusi/{target_id}/"))
    assert "digabung dari" in page.inner_text("main")

    # The old link answers 301 and lands on the canonical thread, for a visitor too.
    visitor = browser.new_context()
    old = visitor.new_page()
    old.goto(f"{base}/diskusi/{source_id}")
    assert re.search(rf"/diskusi/{target_id}/", old.url)
    visitor.close()

    page.goto(f"{base}/diskusi/{target_id}")
    page.click("[data-testid=unmerge-button]")
    page.wait_for_selector(".flash")
    page.goto(f"{base}/diskusi/{source_id}")
    assert re.search(rf"/diskusi/{source_id}/", page.url)
    assert "digabung dari" not in page.inner_text("main")
    # Enter in the toolbar's reason field sends nothing (it used to press the first button: "Kunci").
    page.click("[data-testid=mod-toolbar] summary")
    page.fill("[data-testid=mod-toolbar] input[name=alasan]", "cek dulu")
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    page.press("[data-testid=mod-toolbar] input[name=alasan]", "Enter")
    page.wait_for_timeout(800)
    assert posted == [] and page.locator("[data-testid=mod-lock]").count() == 1
    page.click("[data-testid=mod-lock]")  # the button itself still works
    page.wait_for_selector("[data-testid=mod-unlock]", state="attached")

    # A decision on a pair another tab already ruled on: the queue again with the reason, focused (was a bare 400).
    stale = moderator.new_page()
    stale.goto(base + "/moderasi")
    link_id = stale.locator("[data-testid=dup-pair] >> nth=0").get_attribute("data-link-id")
    page.goto(base + "/moderasi")
    page.click(f"[data-link-id='{link_id}'] [data-testid=queue-not-duplicate]")
    page.wait_for_selector(".flash")
    stale.click(f"[data-link-id='{link_id}'] [data-testid=queue-variant]")
    stale.wait_for_selector("[data-testid=queue-error]")
    assert "sudah diputuskan" in stale.inner_text("[data-testid=queue-error]")
    assert stale.evaluate("document.activeElement.dataset.testid") == "queue-error"
    moderator.close()

"""A question the forum may never have discussed: its results say which words no post holds, and stay listed."""
import pytest
from litestar.testing import TestClient

from forum.search import search_threads
from forum.suggestions import composer_suggestions
from search.familiarity import familiarity
from tests import factories as f
from web.app import create_app

# Near enough to office life for a loose match in the four-thread test forum ("rapat", "kantor"), yet never discussed.
OFF_TOPIC = "resep rendang untuk konsumsi rapat kantor"


def test_a_question_the_forum_never_discussed_lists_its_loose_matches_with_the_words_no_post_holds(
        db, forum, open_search):
    page = search_threads(db, open_search(), None, OFF_TOPIC)
    assert {"resep", "rendang"} <= set(page.unfamiliar)
    assert page.hits  # marked, never hidden: a member's typo or abbreviation meets the same rule


@pytest.mark.parametrize("query, key", [
    ("gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?", "cuti"),
    ("uang harian perjadin gol 3 brp ya", "sppd"),  # "perjadin" is held through its synonym "perjalanan dinas"
    ("latihan dasar cpns kapan mulai", "latsar"),
    ("how to fill skp in e-kinerja", "skp"),  # English function words are not unknown words
])
def test_informal_questions_the_forum_did_discuss_are_not_marked(db, forum, open_search, query, key):
    page = search_threads(db, open_search(), None, query)
    assert page.unfamiliar == () and page.hits[0].thread.id == forum[key].id


def test_asn_abbreviations_members_type_are_held_through_the_dictionary(db, forum):
    # From the QA pass: no post says "cuber", but the forum's cuti besar thread spells it out.
    assert familiarity(db, "cuber").unknown == ()
    assert familiarity(db, "cuber zorbanita").unknown == ("zorbanita",)


def test_a_typo_of_a_question_word_is_not_an_unknown_word(db, forum):
    assert familiarity(db, "sipakah yang mengisi skp").unknown == ()
    assert familiarity(db, "kapal yang mengisi skp").unknown == ("kapal",)  # one letter from "kapan", a real word


def test_a_word_is_familiar_as_soon_as_a_post_uses_it(db, forum, open_search):
    engine = open_search()
    assert "rendang" in search_threads(db, engine, None, "rendang untuk konsumsi rapat").unfamiliar
    thread = f.thread(db, f.user(db), title="Bolehkah konsumsi rapat memesan rendang dari UMKM lokal?",
                      body="Untuk konsumsi rapat koordinasi, bolehkah kami memesan nasi rendang dari UMKM lokal "
                           "tanpa melalui e-Katalog?")
    db.commit()
    engine.index.catch_up()
    # A count of zero is never cached: the new thread is found at once and its word is familiar.
    assert familiarity(db, "rendang untuk konsumsi rapat").share == 1.0
    page = search_threads(db, engine, None, "rendang untuk konsumsi rapat")
    assert page.unfamiliar == () and page.hits[0].thread.id == thread.id


def test_the_composer_marks_its_suggestions_for_a_question_the_forum_never_discussed(db, forum, open_search):
    engine = open_search()
    loose = composer_suggestions(db, engine, None, "Resep rendang untuk konsumsi rapat kantor")
    assert "rendang" in loose.unfamiliar
    found = composer_suggestions(db, engine, None, "Cara mengajukan cuti besar PNS")
    assert found.unfamiliar == () and found.items[0].thread.id == forum["cuti"].id


@pytest.fixture
def client(settings, session_factory, forum, open_search):
    app = create_app(settings, session_factory, extra_state={"search": open_search()})
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client


def test_the_search_page_names_the_unknown_words_above_the_loose_matches(client):
    html = client.get("/cari", params={"q": OFF_TOPIC}).text
    note = html.split('data-testid="loose-matches"')[1].split("</p>")[0]
    assert "Tidak ada tulisan di forum ini yang memuat" in note and "<strong>rendang</strong>" in note
    assert 'class="thread-title"' in html and "diskusi yang mirip samar" in html
    plain = client.get("/cari", params={"q": "prosedur cuti besar"}).text
    assert 'class="thread-title"' in plain and 'data-testid="loose-matches"' not in plain and "ditemukan" in plain


def test_a_pasted_paragraph_names_five_unknown_words_and_counts_the_rest(client):
    text = ("resep rendang padang santan kelapa lengkuas serai daun jeruk cabai merah bawang merah bawang putih "
            "jahe kunyit lada ketumbar")
    note = client.get("/cari", params={"q": text}).text.split('data-testid="loose-matches"')[1].split("</p>")[0]
    assert note.count("<strong>") == 5 and "kata lain" in note


def test_the_api_returns_the_unknown_words_with_the_items(client):
    body = client.get("/api/v1/search", params={"q": OFF_TOPIC}).json()
    assert body["items"] and "rendang" in body["unfamiliar_words"]
    assert client.get("/api/v1/search", params={"q": "prosedur cuti besar"}).json()["unfamiliar_words"] == []
    suggest = client.get("/api/v1/suggest", params={"title": OFF_TOPIC}).json()
    assert suggest["items"] and "rendang" in suggest["unfamiliar_words"]
    fragment = client.get("/api/v1/suggest", params={"title": OFF_TOPIC, "format": "html"}).text
    assert 'data-testid="suggestions-loose"' in fragment and "<strong>rendang</strong>" in fragment


def test_a_search_without_a_single_content_word_says_its_threads_are_loose_matches(client):
    for text in ("aaaaaaa", "yang itu ya"):
        html = client.get("/cari", params={"q": text}).text
        assert 'data-testid="vague-query"' in html and "diskusi yang mirip samar" in html, text
        assert client.get("/api/v1/search", params={"q": text}).json()["vague"] is True
    assert client.get("/api/v1/search", params={"q": "prosedur cuti besar"}).json()["vague"] is False
    assert client.get("/api/v1/suggest", params={"title": "yang itu ya"}).json()["items"] == []


def test_quoted_words_no_post_holds_are_relaxed_and_marked(db, forum, open_search):
    page = search_threads(db, open_search(), None, '"resep rendang" untuk konsumsi rapat kantor')
    assert page.phrases_relaxed and page.hits and "rendang" in page.unfamiliar

"""A question the forum never discussed says so, instead of listing loose look-alikes as results."""
import pytest
from litestar.testing import TestClient

from forum.search import search_threads
from forum.suggestions import suggest_similar
from search.familiarity import familiarity
from tests import factories as f
from web.app import create_app

OFF_TOPIC = "resep rendang padang yang empuk"


def test_a_question_about_cooking_gets_no_results_but_the_words_the_forum_never_used(db, forum, open_search):
    page = search_threads(db, open_search(), None, OFF_TOPIC)
    assert page.hits == [] and page.total == 0
    assert {"resep", "rendang", "padang"} <= set(page.unfamiliar)
    assert page.held_back > 0  # what e5 would have listed is still counted, and can be shown on request


def test_the_held_back_matches_are_listed_when_asked_for(db, forum, open_search):
    page = search_threads(db, open_search(), None, OFF_TOPIC, show_unfamiliar=True)
    assert len(page.hits) == search_threads(db, open_search(), None, OFF_TOPIC).held_back
    assert "rendang" in page.unfamiliar and page.held_back == 0  # still said: these are loose matches


@pytest.mark.parametrize("query, key", [
    ("gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?", "cuti"),
    ("uang harian perjadin gol 3 brp ya", "sppd"),  # "perjadin" is held through its synonym "perjalanan dinas"
    ("latihan dasar cpns kapan mulai", "latsar"),
])
def test_informal_questions_the_forum_did_discuss_are_not_held_back(db, forum, open_search, query, key):
    page = search_threads(db, open_search(), None, query)
    assert page.unfamiliar == () and page.hits[0].thread.id == forum[key].id


def test_a_word_is_familiar_as_soon_as_a_post_uses_it(db, forum, open_search):
    engine = open_search()
    assert "rendang" in search_threads(db, engine, None, "rendang untuk konsumsi rapat").unfamiliar
    thread = f.thread(db, f.user(db), title="Bolehkah konsumsi rapat memesan rendang dari UMKM lokal?",
                      body="Untuk konsumsi rapat koordinasi, bolehkah kami memesan nasi rendang dari UMKM lokal "
                           "tanpa melalui e-Katalog?")
    db.commit()
    engine.index.catch_up()
    # A count of zero is never cached: the new thread is found at once, not ten minutes later.
    assert familiarity(db, "rendang untuk konsumsi rapat").share == 1.0
    page = search_threads(db, engine, None, "rendang untuk konsumsi rapat")
    assert page.unfamiliar == () and page.hits[0].thread.id == thread.id


def test_the_composer_offers_nothing_for_a_question_the_forum_never_discussed(db, forum, open_search):
    engine = open_search()
    assert suggest_similar(db, engine, None, "Resep rendang padang yang empuk dan enak") == []
    assert suggest_similar(db, engine, None, "Cara mengajukan cuti besar PNS")[0].thread.id == forum["cuti"].id


@pytest.fixture
def client(settings, session_factory, forum, open_search):
    app = create_app(settings, session_factory, extra_state={"search": open_search()})
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client


def test_the_search_page_names_the_unknown_words_and_links_to_the_loose_matches(client):
    html = client.get("/cari", params={"q": OFF_TOPIC}).text
    assert "Forum ini belum pernah membahasnya" in html and "<strong>rendang</strong>" in html
    assert 'class="thread-title"' not in html and 'data-testid="ask-from-search"' in html
    link = html.split('data-testid="show-unfamiliar"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    shown = client.get(link).text
    assert 'class="thread-title"' in shown and "belum pernah membahasnya" not in shown
    assert 'data-testid="loose-matches"' in shown and "<strong>rendang</strong>" in shown


def test_the_search_api_reports_the_unknown_words_and_lists_the_loose_matches_with_semua(client):
    body = client.get("/api/v1/search", params={"q": OFF_TOPIC}).json()
    assert body["items"] == [] and "rendang" in body["unfamiliar_words"] and body["held_back"] > 0
    shown = client.get("/api/v1/search", params={"q": OFF_TOPIC, "semua": "true"}).json()
    assert len(shown["items"]) == min(body["held_back"], 20) and shown["held_back"] == 0
    assert "rendang" in shown["unfamiliar_words"]

"""Narrowing a broad search: the agencies, topics and answer statuses of its threads, each a link that narrows."""
import html as html_lib
import re
from collections import Counter

import pytest

from forum import posts
from forum.search import search_threads
from forum.search_facets import MIN_RESULTS
from tests import factories as f
from tests.search.test_web_search import search_client  # noqa: F401

BROAD = "pegawai negeri sipil"


@pytest.fixture
def broad_forum(db, forum):
    """The four formal threads plus three more on leave at three agencies, one answered; a hidden one that must
    not count."""
    member = f.user(db, "penanya_cuti")
    for title, agency in (("Cuti sakit PNS lebih dari 14 hari", "bkn"),
                          ("Cuti alasan penting bagi pegawai negeri sipil", "kemenag"),
                          ("Cuti di luar tanggungan negara untuk PNS", "kemenkeu")):
        f.thread(db, member, title=title, body=f"{title}: bagaimana aturan dan berkasnya bagi pegawai negeri sipil?",
                 agency_slug=agency, topic_slugs=("cuti-kehadiran",))
    answer = posts.reply(db, author=f.user(db), thread=forum["cuti"], body_md="Belum bisa, minimal lima tahun.")
    posts.accept_answer(db, actor=forum["cuti"].author, thread=forum["cuti"], post=answer)
    hidden = f.thread(db, member, title="Cuti besar pegawai negeri sipil (disembunyikan)",
                      body="Cuti besar pegawai negeri sipil di Kemenkeu?", agency_slug="kemenkeu",
                      topic_slugs=("cuti-kehadiran",))
    hidden.is_hidden = True
    db.commit()
    return forum


def _has(thread, facet) -> bool:
    if facet.kind == "instansi":
        return thread.agency.slug == facet.value
    if facet.kind == "topik":
        return facet.value in {t.slug for t in thread.topics}
    return thread.is_answered == (facet.value == "terjawab")


def _all_hits(db, engine, query):
    return search_threads(db, engine, None, query, 1, page_size=200, facets=True)


def test_facet_counts_are_the_results_own_agencies_topics_and_status(db, broad_forum, open_search):
    result = _all_hits(db, open_search(), BROAD)
    assert result.total >= MIN_RESULTS and all(not h.thread.is_hidden for h in result.hits)
    agencies = Counter(h.thread.agency.slug for h in result.hits)
    topics = Counter(t.slug for h in result.hits for t in h.thread.topics)
    answered = sum(h.thread.is_answered for h in result.hits)
    shown = {(facet.kind, facet.value): facet.count for facet in result.facets}
    for slug, count in agencies.items():
        if count < result.total:
            assert shown[("instansi", slug)] == count
    for slug, count in topics.most_common(5):
        if count < result.total:
            assert shown[("topik", slug)] == count
    assert shown[("status", "terjawab")] == answered and shown[("status", "belum")] == result.total - answered
    counts = [facet.count for facet in result.facets if facet.kind == "instansi"]
    assert counts == sorted(counts, reverse=True)  # most threads first


def test_following_a_facet_keeps_every_thread_it_counted_and_only_that_kind(db, broad_forum, open_search):
    engine = open_search()
    result = _all_hits(db, engine, BROAD)
    for facet in result.facets:
        narrowed = {h.thread.id: h.thread for h in _all_hits(db, engine, facet.query).hits}
        counted = {h.thread.id for h in result.hits if _has(h.thread, facet)}
        assert len(counted) == facet.count and counted <= set(narrowed), facet
        assert all(_has(t, facet) for t in narrowed.values()), facet
    bkn = next(facet for facet in result.facets if facet.kind == "instansi" and facet.value == "bkn")
    assert bkn.query == f"{BROAD} instansi:bkn"


def test_a_filter_already_applied_or_one_that_keeps_everything_is_not_offered(db, broad_forum, open_search):
    engine = open_search()
    narrowed = _all_hits(db, engine, f"{BROAD} instansi:bkn")
    assert not any(facet.kind == "instansi" for facet in narrowed.facets)
    assert all(facet.count < narrowed.total for facet in narrowed.facets)
    assert all("instansi:bkn" in facet.query for facet in narrowed.facets)  # the filter stays
    short = _all_hits(db, engine, "uang harian perjalanan dinas luar provinsi instansi:kemenkeu")
    assert short.total < MIN_RESULTS and short.facets == []


def test_the_search_page_and_api_show_the_facets_as_links(search_client, broad_forum):
    search_client.app.state.search.index.catch_up()  # the threads made after the app started
    html = search_client.get("/cari", params={"q": BROAD}).text
    nav = re.search(r'data-testid="search-facets"[^>]*>(.*?)</nav>', html, re.S).group(1)
    links = dict((html_lib.unescape(url), label) for url, label in re.findall(r'href="([^"]+)"[^>]*>([^<]+)<', nav))
    assert links["/cari?q=pegawai+negeri+sipil+instansi%3Abkn"].strip() == "BKN"  # the agency's name
    assert links["/cari?q=pegawai+negeri+sipil+status%3Aterjawab"].strip() == "terjawab"
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", nav))  # no count the narrowed page could contradict
    body = search_client.get("/api/v1/search", params={"q": BROAD}).json()
    bkn = next(x for x in body["facets"] if x["filter"] == "instansi" and x["value"] == "bkn")
    assert bkn["query"] == f"{BROAD} instansi:bkn" and bkn["among_results"] >= 2
    again = search_client.get("/api/v1/search", params={"q": bkn["query"]}).json()
    assert again["total"] >= bkn["among_results"]


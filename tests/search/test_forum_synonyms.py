"""The forum's own search dictionary: moderators add synonym groups that widen search in every worker."""
import re

import pytest
from sqlalchemy import select

from forum import accounts, roles, search_log, synonyms
from forum.errors import PermissionDenied, ValidationFailed
from models import ModerationLog, SearchSynonymGroup
from search.lexical import query_terms
from search.text import stems, use_forum_synonyms
from tests import factories as f
from tests.search.test_web_search import search_client  # noqa: F401
from tests.web.helpers import bearer, csrf, fresh, login_as, post_form


@pytest.fixture(autouse=True)
def no_forum_groups_left_over():
    """The groups are process-wide: every test starts and ends with none, and the next search re-reads them."""
    use_forum_synonyms([])
    synonyms._seen, synonyms._checked_at = None, 0.0
    yield
    use_forum_synonyms([])
    synonyms._seen, synonyms._checked_at = None, 0.0


def _bm25_hits(client, query: str) -> set[int]:
    items = client.get("/api/v1/search", params={"q": query}).json()["items"]
    return {i["thread"]["id"] for i in items if "bm25" in i["signals"]}


def test_a_moderators_group_makes_a_local_acronym_find_its_long_form_in_lexical_search(search_client, db):
    thread = f.thread(db, f.user(db), title="Sistem informasi pemerintahan daerah gagal memuat halaman",
                      body="Sejak pagi sistem informasi pemerintahan daerah menampilkan layar putih saja.")
    db.commit()
    search_client.app.state.search.index.catch_up()
    assert thread.id in _bm25_hits(search_client, "pemerintahan daerah")  # indexed: the lexical side holds it
    assert thread.id not in _bm25_hits(search_client, "aplikasi sipd error terus hari ini")
    group = synonyms.add_synonym_group(db, actor=f.user(db, role="moderator"),
                                       text="SIPD,  sistem informasi pemerintahan daerah")
    db.commit()
    assert group.term_list == ["sipd", "sistem informasi pemerintahan daerah"]
    assert set(stems("pemerintahan daerah")) <= set(query_terms("sipd macet"))
    assert thread.id in _bm25_hits(search_client, "aplikasi sipd error terus hari ini")
    entry = db.scalar(select(ModerationLog).where(ModerationLog.action == "add_synonyms"))
    assert entry.details["terms"] == ["sipd", "sistem informasi pemerintahan daerah"]


def test_another_worker_picks_up_added_and_removed_groups_when_it_next_checks(db):
    moderator = f.user(db, role="moderator")
    group = synonyms.add_synonym_group(db, actor=moderator, text="sipd, sistem informasi pemerintahan daerah")
    db.commit()
    use_forum_synonyms([])  # a worker that has not seen the group yet
    synonyms._seen = None
    synonyms._checked_at = 0.0
    assert synonyms.refresh_synonyms(db) and set(stems("daerah")) <= set(query_terms("sipd"))
    assert not synonyms.refresh_synonyms(db)  # checked a moment ago: the database is not asked again
    synonyms.remove_synonym_group(db, actor=moderator, group_id=group.id)
    db.commit()
    assert not set(stems("daerah")) & set(query_terms("sipd"))
    assert db.scalar(select(ModerationLog.action).order_by(ModerationLog.id.desc())) == "remove_synonyms"


@pytest.mark.parametrize("text, message", [
    ("tukin", "dua istilah"), ("tukin, TUKIN ", "dua istilah"), (", ,", "dua istilah"),
    ("cuti, " + "cuti tahunan " * 6, "terlalu panjang"), (", ".join(f"istilah{i}" for i in range(13)), "Terlalu banyak"),
    ("Sasaran Kinerja Pegawai, SKP", "sudah ada"),
    ("x" * 300 + ", y", "terlalu panjang"), ("a, b", "terlalu pendek"), ("sipd, \u3164\u3164\u3164", "terlalu pendek"), ("instansi:bkn, bkn", "titik dua"),
])
def test_bad_groups_are_refused_in_indonesian(db, text, message):
    with pytest.raises(ValidationFailed) as exc:
        synonyms.add_synonym_group(db, actor=f.user(db, role="admin"), text=text)
    assert message.lower() in (exc.value.message + " " + " ".join(exc.value.fields.values())).lower()
    assert db.scalar(select(SearchSynonymGroup.id)) is None


def test_only_admins_and_forum_wide_moderators_may_change_the_dictionary(db):
    scoped = f.user(db, role="moderator")
    f.agency(db, "bkn", "BKN")
    roles.set_role(db, actor=f.user(db, role="admin"), user=scoped, role="moderator", agencies=["bkn"], topics=[])
    for actor in (f.user(db), scoped):
        with pytest.raises(PermissionDenied):
            synonyms.add_synonym_group(db, actor=actor, text="sipd, sistem informasi pemerintahan daerah")
    group = synonyms.add_synonym_group(db, actor=f.user(db, role="moderator"), text="sipd, sistem informasi pemerintahan daerah")
    with pytest.raises(PermissionDenied):
        synonyms.remove_synonym_group(db, actor=scoped, group_id=group.id)


def test_the_dictionary_page_adds_from_a_search_that_found_nothing_and_keeps_a_bad_entry(search_client, db):
    search_log.record_search(db, None, "sipd macet belum pulih instansi:bkn", 0)
    moderator = f.user(db, role="moderator")
    db.commit()
    login_as(search_client, db, moderator)
    stats = search_client.get("/moderasi/statistik").text
    link = re.search(r'href="(/moderasi/sinonim\?istilah=[^"]+)" data-testid="add-synonym-link"', stats).group(1)
    form_page = search_client.get(link.replace("&amp;", "&")).text
    assert re.search(r'<textarea id="istilah"[^>]*>sipd macet belum pulih</textarea>', form_page)
    bad = post_form(search_client, "/moderasi/sinonim", {"istilah": "sipd macet"})
    assert bad.status_code == 400 and "dua istilah atau lebih" in bad.text and ">sipd macet</textarea>" in bad.text
    assert post_form(search_client, "/moderasi/sinonim", {"istilah": "x, y"}, with_token=False).status_code == 403
    ok = post_form(search_client, "/moderasi/sinonim", {"istilah": "sipd, sistem informasi pemerintahan daerah"},
                   follow=True)
    assert ok.status_code == 200 and "Sinonim ditambahkan: sipd, sistem informasi pemerintahan daerah" in ok.text
    fresh(db)
    group = db.scalar(select(SearchSynonymGroup))
    assert re.search(r'data-testid="synonym-group"><strong>sipd, sistem informasi pemerintahan daerah</strong>', ok.text)
    assert post_form(search_client, f"/moderasi/sinonim/{group.id}/hapus").status_code == 303
    after = search_client.get("/moderasi/sinonim").text
    assert "Sinonim dihapus: sipd" in after and 'data-testid="synonym-group"' not in after
    fresh(db)
    assert db.scalar(select(SearchSynonymGroup)) is None
    assert post_form(search_client, "/moderasi/sinonim/999999/hapus").status_code == 404
    fresh(db)
    login_as(search_client, db, f.user(db))
    assert search_client.get("/moderasi/sinonim").status_code == 403
    assert csrf(search_client)


def test_the_api_lists_adds_and_removes_groups_with_the_same_rules(search_client, db):
    moderator_token, _ = accounts.create_api_token(db, f.user(db, role="moderator"), "cli")
    member_token, _ = accounts.create_api_token(db, f.user(db), "cli")
    db.commit()
    url = "/api/v1/moderation/synonyms"
    assert search_client.get(url, headers=bearer(member_token)).status_code == 403
    assert search_client.post(url, headers=bearer(member_token), json={"terms": ["sipd", "x y"]}).status_code == 403
    bad = search_client.post(url, headers=bearer(moderator_token), json={"terms": ["sipd"]})
    assert bad.status_code == 400 and "dua istilah" in bad.text
    made = search_client.post(url, headers=bearer(moderator_token),
                              json={"terms": ["SIPD", "sistem informasi pemerintahan daerah"], "reason": "dari log"})
    assert made.status_code == 201 and made.json()["terms"] == ["sipd", "sistem informasi pemerintahan daerah"]
    listed = search_client.get(url, headers=bearer(moderator_token)).json()
    assert [g["id"] for g in listed["groups"]] == [made.json()["id"]] and ["skp", "sasaran kinerja pegawai"] in listed["shipped"]
    gone = search_client.post(f"{url}/{made.json()['id']}/remove", headers=bearer(moderator_token))
    assert gone.status_code == 200 and gone.json()["removed"] is True
    assert search_client.post(f"{url}/999999/remove", headers=bearer(moderator_token)).status_code == 404


def test_the_dense_side_sees_the_long_form_too_so_a_short_query_with_only_the_acronym_finds_the_thread(
        search_client, db):
    thread = f.thread(db, f.user(db), title="Sistem informasi pemerintahan daerah gagal memuat halaman",
                      body="Sejak pagi sistem informasi pemerintahan daerah menampilkan layar putih saja.")
    db.commit()
    search_client.app.state.search.index.catch_up()

    def first_hit():
        items = search_client.get("/api/v1/search", params={"q": "sipd macet terus"}).json()["items"]
        return items[0]["thread"]["id"] if items else None
    assert first_hit() != thread.id  # e5 does not know the acronym: the thread is below the noise floor
    synonyms.add_synonym_group(db, actor=f.user(db, role="moderator"), text="sipd, sistem informasi pemerintahan daerah")
    db.commit()
    assert first_hit() == thread.id

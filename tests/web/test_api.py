"""The JSON API /api/v1: catalog, thread lists, threads with posts, writes with a bearer token, JSON errors."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from forum import accounts, posts
from models import Post, Thread
from tests import factories as f
from tests.web.helpers import bearer, fast_hashing, fresh, login_as  # noqa: F401
from web.deps import INVALID_TOKEN

pytestmark = pytest.mark.usefixtures("fast_hashing")

T0 = datetime(2026, 3, 1, 8, 0)
NEW_THREAD = {"title": "Bagaimana cara mengajukan cuti besar?", "body_md": "Mohon info syarat dan **prosedurnya**.",
              "agency": "bkn", "topics": ["cuti"]}


@pytest.fixture
def api(db):
    """Agencies, topics, two members with tokens; returns a dict of useful things."""
    f.agency(db, "bkn", "Badan Kepegawaian Negara")
    f.agency(db, "pemprov-jatim", "Pemerintah Provinsi Jawa Timur", "provinsi")
    f.topic(db, "cuti", "Cuti & Kehadiran")
    f.topic(db, "gaji", "Gaji & Tunjangan")
    ani, budi = f.user(db, username="ani"), f.user(db, username="budi")
    mod = f.user(db, username="moderator.dodi", role="moderator")
    tokens = {u.username: accounts.create_api_token(db, u, "tes")[0] for u in (ani, budi, mod)}
    db.commit()
    return {"ani": ani, "budi": budi, "mod": mod, "tokens": tokens,
            "as": lambda name: bearer(tokens[{"mod": "moderator.dodi"}.get(name, name)])}


def assert_json_error(response, status: int | tuple = (400, 404, 405, 413, 415, 422)):
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text and "Error" not in body["detail"]
    return body


def test_agencies_and_topics_are_listed_and_fetched_by_slug(client, api):
    agencies = client.get("/api/v1/agencies").json()
    assert [a["slug"] for a in agencies] == ["bkn", "pemprov-jatim"]  # central government first
    assert agencies[1] == {"slug": "pemprov-jatim", "name": "Pemerintah Provinsi Jawa Timur", "level": "provinsi"}
    assert client.get("/api/v1/agencies/bkn").json()["name"] == "Badan Kepegawaian Negara"
    topics = client.get("/api/v1/topics").json()
    assert {t["slug"] for t in topics} == {"cuti", "gaji"}
    assert client.get("/api/v1/topics/gaji").json()["name"] == "Gaji & Tunjangan"
    body = assert_json_error(client.get("/api/v1/agencies/tidak-ada"), 404)
    assert body["detail"] == "Instansi tidak ditemukan."
    assert assert_json_error(client.get("/api/v1/topics/tidak-ada"), 404)["detail"] == "Topik tidak ditemukan."


def test_the_thread_list_has_the_home_pages_filters_sorts_and_pagination(client, db, api):
    ani, budi = api["ani"], api["budi"]
    a = f.thread(db, ani, title="Cuti besar untuk PNS pusat", topic_slugs=("cuti",), now=T0)
    b = f.thread(db, budi, title="Tunjangan daerah Jawa Timur", agency_slug="pemprov-jatim", topic_slugs=("gaji",),
                 now=T0 + timedelta(hours=1))
    c = f.thread(db, budi, title="Cuti tahunan di provinsi", agency_slug="pemprov-jatim", topic_slugs=("cuti", "gaji"),
                 now=T0 + timedelta(hours=2))
    answer = posts.reply(db, author=budi, thread=a, body_md="Lima tahun masa kerja.", now=T0 + timedelta(hours=3))
    posts.accept_answer(db, actor=ani, thread=a, post=answer)
    db.commit()

    def ids(**params):
        return [t["id"] for t in client.get("/api/v1/threads", params=params).json()["items"]]

    assert ids() == [a.id, c.id, b.id]
    assert ids(sort="terbaru") == [c.id, b.id, a.id]
    assert ids(sort="belum-terjawab") == [c.id, b.id]
    assert ids(agency="pemprov-jatim") == [c.id, b.id]
    assert ids(topic="cuti") == [a.id, c.id]
    assert ids(agency="pemprov-jatim", topic="cuti") == [c.id]
    page = client.get("/api/v1/threads", params={"sort": "terbaru", "page_size": 2, "page": 2}).json()
    assert [t["id"] for t in page["items"]] == [a.id]
    assert (page["total"], page["page"], page["pages"], page["page_size"]) == (3, 2, 2, 2)
    item = client.get("/api/v1/threads").json()["items"][0]
    assert item["answered"] is True and item["accepted_post_id"] == answer.id and item["reply_count"] == 1
    assert item["agency"] == "bkn" and item["topics"] == ["cuti"] and item["author"] == "ani"
    assert item["url"] == f"/diskusi/{a.id}/{a.slug}" and item["status"] == "open"
    assert_json_error(client.get("/api/v1/threads", params={"sort": "acak"}), 400)
    assert_json_error(client.get("/api/v1/threads", params={"agency": "tidak-ada"}), 404)


@pytest.mark.parametrize("params, page, page_size", [
    ({"page": "99999999999999999999999"}, 10_000, 20), ({"page": "-5"}, 1, 20), ({"page": "abc"}, 1, 20),
    ({"page_size": "0"}, 1, 1), ({"page_size": "100000"}, 1, 100), ({"page_size": "-1"}, 1, 1),
    ({"page_size": "99999999999999999999999999"}, 1, 100)])
def test_huge_negative_or_garbled_page_numbers_never_fail_the_thread_list(client, db, api, params, page, page_size):
    f.thread(db, api["ani"])
    db.commit()
    response = client.get("/api/v1/threads", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["page"], body["page_size"]) == (page, page_size)


@pytest.mark.parametrize("params", [{"page_size": "abc"}, {"page_size": "1.5"}])
def test_a_page_size_that_is_not_a_number_is_a_json_400(client, api, params):
    assert_json_error(client.get("/api/v1/threads", params=params), 400)


def test_a_thread_comes_with_its_posts_and_hidden_threads_are_404(client, db, api):
    t = f.thread(db, api["ani"], body="Pertanyaan dengan **tebal**.")
    r = posts.reply(db, author=api["budi"], thread=t, body_md="Jawaban.")
    hidden = f.thread(db, api["ani"], title="Diskusi yang disembunyikan")
    hidden.is_hidden = True
    db.commit()
    body = client.get(f"/api/v1/threads/{t.id}").json()
    assert body["first_post_id"] == t.first_post_id
    assert [p["id"] for p in body["posts"]] == [t.first_post_id, r.id]
    assert body["posts"][0]["body_html"] == "<p>Pertanyaan dengan <strong>tebal</strong>.</p>\n"
    assert body["posts"][1]["author"] == "budi" and body["posts"][1]["edited_at"] is None
    assert assert_json_error(client.get(f"/api/v1/threads/{hidden.id}"), 404)["detail"] == "Diskusi tidak ditemukan."
    assert client.get(f"/api/v1/threads/{hidden.id}", headers=api["as"]("mod")).status_code == 200


def test_a_long_thread_comes_a_page_of_posts_at_a_time_oldest_first(client, db, api):
    t = f.thread(db, api["ani"])
    replies = [posts.reply(db, author=api["budi"], thread=t, body_md=f"Balasan nomor {i}.") for i in range(6)]
    db.commit()
    everything = [t.first_post_id, *(r.id for r in replies)]
    whole = client.get(f"/api/v1/threads/{t.id}").json()
    assert [p["id"] for p in whole["posts"]] == everything and (whole["pages"], whole["posts_total"]) == (1, 7)
    pages = [client.get(f"/api/v1/threads/{t.id}", params={"page_size": 3, "page": n}).json() for n in (1, 2, 3)]
    assert [p["id"] for page in pages for p in page["posts"]] == everything
    assert [(page["page"], page["pages"], page["page_size"]) for page in pages] == [(1, 3, 3), (2, 3, 3), (3, 3, 3)]
    past_the_end = client.get(f"/api/v1/threads/{t.id}", params={"page_size": 3, "page": 99}).json()
    assert past_the_end["page"] == 3 and [p["id"] for p in past_the_end["posts"]] == everything[6:]
    assert client.get(f"/api/v1/threads/{t.id}", params={"page_size": 10_000}).json()["page_size"] == 200


def test_creating_a_thread_with_a_bearer_token_returns_201_and_the_thread(client, db, api):
    response = client.post("/api/v1/threads", json=NEW_THREAD, headers=api["as"]("ani"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == NEW_THREAD["title"] and body["author"] == "ani" and body["topics"] == ["cuti"]
    assert body["slug"] == "bagaimana-cara-mengajukan-cuti-besar" and body["reply_count"] == 0
    thread = client.get(f"/api/v1/threads/{body['id']}").json()
    assert "<strong>prosedurnya</strong>" in thread["posts"][0]["body_html"]


def test_reply_edit_and_accept_work_through_the_api_with_the_same_permission_rules(client, db, api):
    tid = client.post("/api/v1/threads", json=NEW_THREAD, headers=api["as"]("ani")).json()["id"]
    reply = client.post(f"/api/v1/threads/{tid}/replies", json={"body_md": "Ajukan lewat SIASN."},
                        headers=api["as"]("budi"))
    assert reply.status_code == 201, reply.text
    rid = reply.json()["id"]
    nested = client.post(f"/api/v1/threads/{tid}/replies", json={"body_md": "Betul.", "reply_to": rid},
                         headers=api["as"]("ani"))
    assert nested.status_code == 201 and nested.json()["reply_to"] == rid

    refused = client.patch(f"/api/v1/posts/{rid}", json={"body_md": "Diubah Ani."}, headers=api["as"]("ani"))
    assert assert_json_error(refused, 403)["detail"] == "Anda tidak dapat menyunting tulisan ini."
    edited = client.patch(f"/api/v1/posts/{rid}", json={"body_md": "Ajukan lewat **SIASN** BKN."},
                          headers=api["as"]("budi"))
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert "<strong>SIASN</strong>" in edited.json()["body_html"] and "title" not in edited.json()
    question = client.get(f"/api/v1/threads/{tid}").json()["first_post_id"]
    retitled = client.patch(f"/api/v1/posts/{question}", json={"title": "Syarat mengajukan cuti besar bagi PNS"},
                            headers=api["as"]("ani"))
    assert retitled.status_code == 200 and retitled.json()["title"] == "Syarat mengajukan cuti besar bagi PNS"

    not_author = client.post(f"/api/v1/threads/{tid}/accept", json={"post_id": rid}, headers=api["as"]("budi"))
    assert "Hanya penanya atau moderator" in assert_json_error(not_author, 403)["detail"]
    accepted = client.post(f"/api/v1/threads/{tid}/accept", json={"post_id": rid}, headers=api["as"]("ani"))
    assert accepted.status_code == 200 and accepted.json()["accepted_post_id"] == rid
    changed = client.post(f"/api/v1/threads/{tid}/accept", json={"post_id": nested.json()["id"]},
                          headers=api["as"]("mod"))
    assert changed.json()["accepted_post_id"] == nested.json()["id"]
    cleared = client.post(f"/api/v1/threads/{tid}/accept", json={"post_id": None}, headers=api["as"]("ani"))
    assert cleared.json()["accepted_post_id"] is None and cleared.json()["answered"] is False


def test_a_wrong_or_revoked_token_is_a_401_saying_so_even_for_a_read(client, db, api):
    for headers in (bearer("bukan-token-yang-dikenal"), bearer("x" * 500)):
        for method, url in (("GET", "/api/v1/threads"), ("GET", "/api/v1/me"), ("POST", "/api/v1/threads")):
            body = assert_json_error(client.request(method, url, json=NEW_THREAD, headers=headers), 401)
            assert "Token API tidak dikenal atau sudah dicabut" in body["detail"]
    assert client.get("/api/v1/threads").status_code == 200  # no token at all: a visitor may read


def test_me_returns_the_token_owner_with_their_email_and_nothing_without_a_token(client, api):
    me = client.get("/api/v1/me", headers=api["as"]("budi")).json()
    assert me == {"username": "budi", "display_name": api["budi"].display_name, "agency": "bkn", "role": "member",
                  "email": "budi@contoh.go.id", "bio": ""}
    assert assert_json_error(client.get("/api/v1/me"), 401)["detail"] == "Silakan masuk terlebih dahulu."
    assert client.get("/api/v1/me", headers=bearer("fap_bukan-token-asli")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic YW5pOnh4eA=="}).status_code == 401


def test_writes_need_a_bearer_token_and_a_browser_session_cookie_is_not_enough(client, db, api):
    t = f.thread(db, api["ani"])
    db.commit()
    login_as(client, db, api["ani"])
    assert client.get("/api/v1/me").status_code == 200  # reads may use the session
    attempts = [client.post("/api/v1/threads", json=NEW_THREAD),
                client.post(f"/api/v1/threads/{t.id}/replies", json={"body_md": "Balasan lewat cookie."}),
                client.patch(f"/api/v1/posts/{t.first_post_id}", json={"body_md": "Diubah lewat cookie saja."}),
                client.post(f"/api/v1/threads/{t.id}/accept", json={"post_id": None})]
    for response in attempts:
        assert assert_json_error(response, 401)["detail"] == "Silakan masuk terlebih dahulu."
    fresh(db)
    assert db.scalar(select(func.count()).select_from(Thread)) == 1
    assert db.scalar(select(func.count()).select_from(Post)) == 1


def test_a_write_without_a_login_is_refused_as_such_even_when_its_body_is_malformed(client, db, api):
    t = f.thread(db, api["ani"])
    db.commit()
    attempts = [client.post("/api/v1/threads", content=b"{bukan json", headers={"content-type": "application/json"}),
                client.post(f"/api/v1/threads/{t.id}/replies", json=[1, 2]),
                client.post(f"/api/v1/threads/{t.id}/replies", json={"isi": "x"}, headers=bearer("fap_bukan-token-asli")),
                client.post("/api/v1/moderation/merges", json="gabung"),
                client.post(f"/api/v1/posts/{t.first_post_id}/report", json=None)]
    for response in attempts:
        assert assert_json_error(response, 401)["detail"] in ("Silakan masuk terlebih dahulu.", INVALID_TOKEN)
    assert client.post(f"/api/v1/threads/{t.id}/replies", json=[1, 2], headers=api["as"]("budi")).status_code == 400


@pytest.mark.parametrize("payload, field", [
    ({**NEW_THREAD, "title": 12345}, "title"),
    ({**NEW_THREAD, "topics": "cuti"}, "topics"),
    ({**NEW_THREAD, "topics": [1, 2]}, "topics"),
    ({**NEW_THREAD, "body_md": ["a", "b"]}, "body_md"),
    ({k: v for k, v in NEW_THREAD.items() if k != "title"}, "title"),
    ({k: v for k, v in NEW_THREAD.items() if k != "agency"}, "agency"),
    ([1, 2, 3], None),
    ("judul saja", None),
    (None, None),
])
def test_creating_a_thread_with_wrong_types_or_missing_fields_is_a_json_400(client, api, payload, field):
    body = assert_json_error(client.post("/api/v1/threads", json=payload, headers=api["as"]("ani")), 400)
    if field:
        assert field in body["detail"] or field in body.get("errors", {})


@pytest.mark.parametrize("change, field, message", [
    ({"agency": "badan-rahasia"}, "agency", "Instansi tidak dikenal."),
    ({"topics": []}, "topics", "Pilih satu sampai tiga topik."),
    ({"topics": ["cuti", "gaji", "cuti-2", "cuti-3"]}, "topics", "Pilih satu sampai tiga topik."),
    ({"topics": ["tidak-ada"]}, "topics", "Topik tidak dikenal"),
    ({"title": "x" * 1_000_000}, "title", "Judul maksimal 200 karakter"),
    ({"title": "pendek"}, "title", "Judul minimal 10 karakter."),
    ({"title": "!!!!!!!!!!!!"}, "title", "tulis setidaknya dua kata"),
    ({"title": "😅" * 12}, "title", "tulis setidaknya dua kata"),
    ({"title": "١٢٣٤٥٦٧٨٩٠١٢ ١٢٣"}, "title", "tulis setidaknya dua kata"),
    ({"body_md": "   "}, "body_md", "Isi diskusi minimal 20 karakter."),
])
def test_invalid_thread_content_is_a_json_400_naming_the_field_in_indonesian(client, db, api, change, field, message):
    response = client.post("/api/v1/threads", json={**NEW_THREAD, **change}, headers=api["as"]("ani"))
    body = assert_json_error(response, 400)
    assert message in body["errors"][field]
    fresh(db)
    assert db.scalar(select(func.count()).select_from(Thread)) == 0


@pytest.mark.parametrize("raw, content_type", [
    (b'{"title": "\xff\xfe judul", "body_md": "isi", "agency": "bkn", "topics": ["cuti"]}', "application/json"),
    (b"\xc3\x28\xa0\xa1", "application/json"),
    (b"title=Judul&body_md=isi", "application/x-www-form-urlencoded"),
    (b"ini bukan JSON sama sekali", "application/json"),
    (b"", "application/json"),
    (b'{"title": "tidak ditutup"', "application/json"),
    (b"[" * 1000 + b"]" * 1000, "application/json"),
    (b'{"a":' * 1000 + b"1" + b"}" * 1000, "application/json"),
])
def test_invalid_utf8_or_non_json_bodies_are_a_json_4xx(client, api, raw, content_type):
    response = client.post("/api/v1/threads", content=raw,
                           headers={**api["as"]("ani"), "content-type": content_type})
    assert_json_error(response, (400, 415, 422))


def test_a_body_over_the_size_limit_is_refused_with_413_and_an_indonesian_message(client, api):
    huge = {**NEW_THREAD, "body_md": "a" * 3_000_000}
    body = assert_json_error(client.post("/api/v1/threads", json=huge, headers=api["as"]("ani")), 413)
    assert body["detail"] == "Data yang dikirim terlalu besar."


def test_sql_looking_strings_are_stored_literally_and_the_tables_stay_intact(client, db, api):
    nasty = "'; DROP TABLE threads; --"
    payload = {"title": f"Judul {nasty}", "body_md": f"Isi {nasty} \" OR 1=1 --", "agency": "bkn", "topics": ["cuti"]}
    created = client.post("/api/v1/threads", json=payload, headers=api["as"]("ani"))
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    fetched = client.get(f"/api/v1/threads/{tid}").json()
    assert fetched["title"] == f"Judul {nasty}"
    assert fetched["posts"][0]["body_md"] == f"Isi {nasty} \" OR 1=1 --"
    assert_json_error(client.get("/api/v1/threads", params={"agency": nasty}), 404)
    assert_json_error(client.get("/api/v1/threads", params={"topic": "x' OR '1'='1"}), 404)
    assert_json_error(client.get("/api/v1/agencies/1%27%20OR%20%271%27%3D%271"), 404)
    assert client.post("/api/v1/threads", json={**payload, "agency": nasty}, headers=api["as"]("ani")).status_code == 400
    fresh(db)
    assert {"threads", "posts", "users", "agencies", "topics"} <= set(inspect(db.get_bind()).get_table_names())
    assert db.scalar(select(func.count()).select_from(Thread)) == 1


@pytest.mark.parametrize("method, url, json", [
    ("GET", "/api/v1/threads/-1", None),
    ("GET", "/api/v1/threads/0", None),
    ("GET", "/api/v1/threads/99999999999999999999999", None),
    ("GET", "/api/v1/threads/abc", None),
    ("POST", "/api/v1/threads/-1/replies", {"body_md": "Balasan."}),
    ("PATCH", "/api/v1/posts/-7", {"body_md": "Sunting."}),
    ("PATCH", "/api/v1/posts/99999999999999999999", {"body_md": "Sunting."}),
    ("POST", "/api/v1/threads/1/accept", {"post_id": -3}),
    ("POST", "/api/v1/threads/1/accept", {"post_id": 0}),
    ("POST", "/api/v1/threads/1/accept", {"post_id": 99999999999999999999}),
    ("POST", "/api/v1/threads/1/replies", {"body_md": "Balasan.", "reply_to": -1}),
    ("POST", "/api/v1/threads/1/replies", {"body_md": "Balasan.", "reply_to": "satu"}),
    ("POST", "/api/v1/threads/1/replies", {"body_md": 5}),
    ("PUT", "/api/v1/threads/1", None),  # no such method
    ("DELETE", "/api/v1/threads/-1", None),
    ("DELETE", "/api/v1/posts/99999999999999999999999", None),
    ("POST", "/api/v1/posts/0/restore", None),
])
def test_negative_huge_or_malformed_ids_are_a_json_4xx_never_a_500(client, db, api, method, url, json):
    f.thread(db, api["ani"])
    db.commit()
    response = client.request(method, url, json=json, headers=api["as"]("ani"))
    assert_json_error(response, (400, 404, 405))


def test_the_openapi_schema_describes_the_api(client, api):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Forum ASN Progresif API"
    assert schema["components"]["securitySchemes"]["TokenPribadi"]["scheme"] == "bearer"
    paths = schema["paths"]
    for path in ("/api/v1/agencies", "/api/v1/topics", "/api/v1/threads", "/api/v1/threads/{thread_id}",
                 "/api/v1/threads/{thread_id}/replies", "/api/v1/posts/{post_id}", "/api/v1/threads/{thread_id}/accept",
                 "/api/v1/me", "/api/v1/moderation/search-gaps", "/api/v1/moderation/synonyms"):
        assert path in paths, path
    assert "post" in paths["/api/v1/threads"] and "patch" in paths["/api/v1/posts/{post_id}"]
    assert all(path.startswith("/api/v1/") for path in paths)  # the HTML pages are not part of the API
    text = response.text
    for english in ("Request fulfilled", "Bad request syntax", "Validation Exception", "Document created"):
        assert english not in text
    refused = paths["/api/v1/threads"]["post"]["responses"]
    assert {"400", "401", "404", "409", "429"} <= set(refused)
    body = refused["400"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"detail", "status_code", "errors"}  # what web/errors.py really sends


def test_choosing_and_clearing_the_accepted_answer_counts_as_writes_and_is_rate_limited(settings, session_factory, db, api):
    import dataclasses

    from litestar.testing import TestClient

    from web.app import create_app
    t = f.thread(db, api["ani"])
    answer = posts.reply(db, author=api["budi"], thread=t, body_md="Ajukan lewat SIASN.")
    db.commit()
    app = create_app(dataclasses.replace(settings, writes_per_minute=4), session_factory)
    with TestClient(app=app, base_url="http://testserver.local") as limited:
        codes = [limited.post(f"/api/v1/threads/{t.id}/accept", json={"post_id": post_id}, headers=api["as"]("ani")).status_code
                 for post_id in (answer.id, None, answer.id, None, answer.id)]
        refused = limited.post(f"/api/v1/threads/{t.id}/accept", json={"post_id": None}, headers=api["as"]("ani"))
    assert codes == [200, 200, 200, 200, 429]
    assert refused.status_code == 429 and "terlalu cepat" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 61  # when the oldest counted write leaves the minute


def test_following_a_thread_and_reading_the_bell_work_through_the_api(client, db, api):
    t = f.thread(db, api["ani"])
    hidden = f.thread(db, api["ani"], title="Diskusi yang disembunyikan moderator")
    hidden.is_hidden = True
    db.commit()
    me = api["as"]("budi")
    assert client.get(f"/api/v1/threads/{t.id}/follow", headers=me).json()["following"] is False
    assert client.put(f"/api/v1/threads/{t.id}/follow", headers=me).json()["following"] is True
    assert client.put(f"/api/v1/threads/{t.id}/follow", headers=me).status_code == 200  # again: still following
    assert_json_error(client.put(f"/api/v1/threads/{hidden.id}/follow", headers=me), 404)
    assert_json_error(client.put(f"/api/v1/threads/{t.id}/follow"), 401)

    client.post(f"/api/v1/threads/{t.id}/replies", json={"body_md": "Syaratnya lima tahun."}, headers=api["as"]("ani"))
    bell = client.get("/api/v1/notifications", headers=me).json()
    assert bell["unread"] == 1 and bell["items"][0]["thread_id"] == t.id and bell["items"][0]["read"] is False
    note = bell["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{note}/read", headers=me).json()["read"] is True
    assert client.get("/api/v1/notifications", headers=me).json()["unread"] == 0
    assert_json_error(client.post(f"/api/v1/notifications/{note}/read", headers=api["as"]("ani")), 404)  # not hers
    assert_json_error(client.post(f"/api/v1/notifications/{2**70}/read", headers=me), 404)
    assert client.post("/api/v1/notifications/read", headers=me).json() == {"unread": 0}

    assert client.delete(f"/api/v1/threads/{t.id}/follow", headers=me).json()["following"] is False
    client.post(f"/api/v1/threads/{t.id}/replies", json={"body_md": "Tambahan: cek SK CPNS."}, headers=api["as"]("ani"))
    assert client.get("/api/v1/notifications", headers=me).json()["unread"] == 0


def test_following_a_thread_merged_away_follows_the_thread_it_lives_in_now(client, db, api):
    from forum import merging
    target, source = f.thread(db, api["ani"]), f.thread(db, api["budi"], title="Syarat cuti besar bagi PNS daerah")
    merging.merge_threads(db, source=source, target=target, actor=api["mod"])
    db.commit()
    followed = client.put(f"/api/v1/threads/{source.id}/follow", headers=api["as"]("budi")).json()
    assert followed == {"thread_id": target.id, "following": True}
    assert client.get(f"/api/v1/threads/{target.id}/follow", headers=api["as"]("budi")).json()["following"] is True


def test_a_body_that_is_not_a_json_object_is_named_as_such_not_by_the_frameworks_parameter(client, api):
    for body in (b"[]", b"null", b'"teks"'):
        answer = assert_json_error(client.post("/api/v1/threads", content=body, headers={
            **api["as"]("ani"), "content-type": "application/json"}), 400)
        assert "objek JSON" in answer["detail"] and "data" not in answer.get("errors", {})


def test_a_member_deletes_and_restores_their_own_reply_through_the_api_and_nobody_elses(client, db, api):
    tid = client.post("/api/v1/threads", json=NEW_THREAD, headers=api["as"]("ani")).json()["id"]
    rid = client.post(f"/api/v1/threads/{tid}/replies", json={"body_md": "Ajukan lewat SIASN."},
                      headers=api["as"]("budi")).json()["id"]
    question = client.get(f"/api/v1/threads/{tid}").json()["first_post_id"]
    assert assert_json_error(client.delete(f"/api/v1/posts/{rid}"), 401)
    assert "tidak dapat menghapus" in assert_json_error(client.delete(f"/api/v1/posts/{rid}", headers=api["as"]("ani")),
                                                        403)["detail"]
    assert "Pertanyaan tidak dapat dihapus" in assert_json_error(
        client.delete(f"/api/v1/posts/{question}", headers=api["as"]("ani")), 400)["detail"]
    deleted = client.delete(f"/api/v1/posts/{rid}", headers=api["as"]("budi"))
    assert deleted.status_code == 200 and deleted.json() == {"id": rid, "deleted": True}
    thread = client.get(f"/api/v1/threads/{tid}").json()
    assert thread["reply_count"] == 0
    assert "tidak dapat memulihkan" in assert_json_error(
        client.post(f"/api/v1/posts/{rid}/restore", headers=api["as"]("ani")), 403)["detail"]
    restored = client.post(f"/api/v1/posts/{rid}/restore", headers=api["as"]("budi"))
    assert restored.status_code == 200 and restored.json() == {"id": rid, "deleted": False}
    assert client.get(f"/api/v1/threads/{tid}").json()["reply_count"] == 1
    client.delete(f"/api/v1/posts/{rid}", headers=api["as"]("budi"))
    assert assert_json_error(client.delete("/api/v1/posts/999999", headers=api["as"]("budi")), 404)["detail"] == \
        "Tulisan tidak ditemukan."


def test_an_asker_deletes_their_unanswered_question_through_the_api(client, api):
    tid = client.post("/api/v1/threads", json=NEW_THREAD, headers=api["as"]("ani")).json()["id"]
    assert "Hanya penanya" in assert_json_error(client.delete(f"/api/v1/threads/{tid}", headers=api["as"]("budi")),
                                                403)["detail"]
    deleted = client.delete(f"/api/v1/threads/{tid}", headers=api["as"]("ani"))
    assert deleted.status_code == 200 and deleted.json() == {"id": tid, "deleted": True}
    assert assert_json_error(client.get(f"/api/v1/threads/{tid}"), 404)
    twice = client.delete(f"/api/v1/threads/{tid}", headers=api["as"]("ani"))  # a retried request: same answer
    assert twice.status_code == 200 and twice.json() == {"id": tid, "deleted": True}
    assert assert_json_error(client.delete(f"/api/v1/threads/{tid}", headers=api["as"]("budi")), 404)


def test_a_member_edits_their_profile_through_the_api_and_fields_left_out_stay(client, api):
    changed = client.patch("/api/v1/me", json={"agency": "pemprov-jatim", "bio": "Analis kepegawaian."},
                           headers=api["as"]("ani"))
    assert changed.status_code == 200
    body = changed.json()
    assert (body["agency"], body["bio"], body["display_name"]) == ("pemprov-jatim", "Analis kepegawaian.",
                                                                   api["ani"].display_name)
    refused = assert_json_error(client.patch("/api/v1/me", json={"agency": "badan-rahasia", "display_name": "A"},
                                             headers=api["as"]("ani")), 400)
    assert set(refused["errors"]) == {"agency", "display_name"}
    assert client.get("/api/v1/me", headers=api["as"]("ani")).json()["agency"] == "pemprov-jatim"
    assert client.patch("/api/v1/me", json={"bio": "x"}).status_code == 401


def test_an_api_edit_sent_with_an_outdated_edit_version_is_a_409_and_changes_nothing(client, db, api):
    t = f.thread(db, api["ani"])
    reply = posts.reply(db, author=api["budi"], thread=t, body_md="Ajukan lewat SIASN.")
    db.commit()
    seen = next(p for p in client.get(f"/api/v1/threads/{t.id}").json()["posts"] if p["id"] == reply.id)
    assert seen["edit_version"] == 0
    first = client.patch(f"/api/v1/posts/{reply.id}", json={"body_md": "Ajukan lewat SIASN BKN.", "edit_version": 0},
                         headers=api["as"]("budi"))
    assert first.status_code == 200 and first.json()["edit_version"] == 1
    late = client.patch(f"/api/v1/posts/{reply.id}", json={"body_md": "Ajukan lewat kantor.", "edit_version": 0},
                        headers=api["as"]("budi"))
    assert late.status_code == 409 and "sudah diubah" in late.json()["detail"]
    after = next(p for p in client.get(f"/api/v1/threads/{t.id}").json()["posts"] if p["id"] == reply.id)
    assert after["body_md"] == "Ajukan lewat SIASN BKN." and after["edit_version"] == 1

"""search.spare_cores and its web counter: a query may use the spare cores only while its request is alone."""
import asyncio

import pytest

from search import spare_cores
from web.in_flight import count_requests


def test_a_lone_request_gets_the_workers_share_of_the_cores_and_a_second_request_takes_it_back(monkeypatch):
    monkeypatch.setattr(spare_cores.os, "cpu_count", lambda: 2)
    monkeypatch.delenv("FORUM_WORKERS", raising=False)
    assert spare_cores.requests_in_flight() == 0 and spare_cores.spare_threads() == 2
    spare_cores.request_started()
    try:
        assert spare_cores.spare_threads() == 2
        spare_cores.request_started()
        try:
            assert spare_cores.spare_threads() == 1
        finally:
            spare_cores.request_finished()
        assert spare_cores.spare_threads() == 2
    finally:
        spare_cores.request_finished()


@pytest.mark.parametrize(("cores", "workers", "wide"), [(2, "1", 2), (2, "2", 1), (8, "2", 4), (16, "1", 4), (1, "1", 1)])
def test_each_worker_widens_to_its_share_of_the_cores_at_most_four(monkeypatch, cores, workers, wide):
    monkeypatch.setattr(spare_cores.os, "cpu_count", lambda: cores)
    monkeypatch.setenv("FORUM_WORKERS", workers)
    assert spare_cores.wide_threads() == wide


def test_the_middleware_counts_a_request_until_it_ends_even_when_it_fails():
    seen = []

    async def app(scope, receive, send):
        seen.append(spare_cores.requests_in_flight())
        if scope["path"] == "/gagal":  # fails before sending anything
            raise RuntimeError("boom")

    counted = count_requests(app)
    before = spare_cores.requests_in_flight()
    asyncio.run(counted({"type": "http", "path": "/"}, None, None))
    with pytest.raises(RuntimeError):
        asyncio.run(counted({"type": "http", "path": "/gagal"}, None, None))
    asyncio.run(counted({"type": "lifespan", "path": ""}, None, None))  # not a request: not counted
    assert seen == [before + 1, before + 1, before]
    assert spare_cores.requests_in_flight() == before


def test_a_request_counts_until_its_background_work_is_done():
    seen = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        seen.append(spare_cores.requests_in_flight())  # a background task, say the search log write

    async def send(message):
        pass

    before = spare_cores.requests_in_flight()
    asyncio.run(count_requests(app)({"type": "http", "path": "/"}, None, send))
    assert seen == [before + 1] and spare_cores.requests_in_flight() == before


def test_the_web_app_counts_each_of_its_requests(client, monkeypatch):
    import web.in_flight
    started, finished = [], []
    monkeypatch.setattr(web.in_flight, "request_started", lambda: started.append(1))
    monkeypatch.setattr(web.in_flight, "request_finished", lambda: finished.append(1))
    assert client.get("/").status_code == 200
    assert client.get("/masuk").status_code == 200  # (not /cari: it would open a search engine and its worker)
    assert len(started) == len(finished) == 2


@pytest.mark.parametrize(("cores", "workers", "expected"), [(2, "1", 1), (2, "2", 1), (4, "1", 3), (8, "2", 3)])
def test_the_index_worker_thread_leaves_a_core_to_searches_and_request_threads_keep_their_count(
        monkeypatch, cores, workers, expected):
    import threading

    import faiss
    monkeypatch.setattr(spare_cores.os, "cpu_count", lambda: cores)
    monkeypatch.setenv("FORUM_WORKERS", workers)
    before = faiss.omp_get_max_threads()
    seen = []

    def worker():
        seen.append((spare_cores.share_background_cores(), faiss.omp_get_max_threads()))
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [(expected, expected)]
    assert faiss.omp_get_max_threads() == before  # OpenMP's count is per thread: this one is untouched

"""Whether a query embedding may use the spare cores now: only when its request is the worker's only one.

On a 2-core box a query pass on both cores takes ~3-5 ms less than on one, and the search around it gets
faster too (PostgreSQL bench at 1M posts, p95 34-37 -> 23-26 ms). But while another request is in flight the
second core is that request's (its database round trips, its FAISS scan): with two clients at once, a fixed
two threads served fewer searches a second than one thread in most runs (33-45 against 37-54;
docs/search-research.md, seventeenth session). So the web layer counts the requests in flight
(web/in_flight.py) and a pass widens only when its own request is the only one. Other processes are not
visible from here: `forum serve --workers N` gives each worker cores // N threads at most, and a machine-wide
probe (/proc/loadavg's runnable count) was tried and read 2+ on an idle box most of the time.
"""
import os
import threading

_lock = threading.Lock()
_in_flight = 0  # stays 0 without a web layer (a batch job, the benchmark's in-process loop): one caller


def request_started() -> None:
    """A request entered this worker (the web layer calls this)."""
    global _in_flight
    with _lock:
        _in_flight += 1


def request_finished() -> None:
    """A request left this worker."""
    global _in_flight
    with _lock:
        _in_flight -= 1


def requests_in_flight() -> int:
    """Requests this worker is serving now."""
    return _in_flight


def wide_threads() -> int:
    """Threads a query pass may use when its request is alone: this worker's share of the cores, at most 4
    (a ~20-token query gains little beyond that)."""
    workers = max(1, int(os.environ.get("FORUM_WORKERS", "1") or 1))
    return max(1, min((os.cpu_count() or 1) // workers, 4))


def share_background_cores() -> int:
    """Limit FAISS in the calling thread (the index worker) to this worker's share of the cores less the one
    its searches need, at least one; returns that count.

    OpenMP keeps the thread count per thread, so the request threads keep theirs. Measured at 1M posts while a
    regrow learned 4,000 clusters and a client searched (BENCHMARKS.md): one worker on two cores, k-means on
    both: search p95 40.6 ms, on one: 26.0 ms; two workers: 36.3 -> 21.4 ms. The regrow did not take longer."""
    import faiss  # here, not at the top: the web counter above must not load FAISS

    threads = max(1, wide_threads() - 1)
    faiss.omp_set_num_threads(threads)
    return threads


def spare_threads() -> int:
    """Threads the next query pass may use: wide_threads() while at most one request is in flight, else 1."""
    return wide_threads() if _in_flight <= 1 else 1

"""Bulk loads run without the cycle collector, which comes back on after; the start-up heap is frozen; freed
memory goes back to the system."""
import gc
import sys
import threading

import pytest

from search.heap import freeze_startup_heap, gc_paused, release_freed_memory


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_a_pause_turns_the_collector_off_and_back_on(collector_on):
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_resume_the_collector_only_when_the_last_one_ends(collector_on):
    first_in, release = threading.Event(), threading.Event()

    def other_thread():
        with gc_paused():
            first_in.set()
            release.wait(5)

    worker = threading.Thread(target=other_thread)
    worker.start()
    assert first_in.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's load is still streaming
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_already_off_off(collector_on):
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_a_pause_ends_even_when_the_load_fails(collector_on):
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("database went away")
    assert gc.isenabled()


def test_rebuilding_the_index_streams_rows_with_the_collector_off_and_turns_it_back_on(forum, open_search, collector_on):
    engine = open_search()
    seen = []
    engine.index.rebuild(progress=lambda n: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()
    assert engine.index.vectors.count == engine.index.stored_count()


def test_freezing_the_start_up_heap_moves_the_live_objects_out_of_later_collections():
    kept = [object() for _ in range(1000)]
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc's malloc_trim")
def test_memory_freed_below_the_top_of_the_heap_goes_back_to_the_system():
    # 200 MB in blocks too large for Python's own allocator, then one small block after them: freeing the
    # 200 MB leaves a hole below the heap's top, which glibc keeps (as the old index after a rebuild was).
    blocks = [bytes(2000) + bytes([i % 256]) for i in range(100_000)]
    pin = bytes(3000)  # noqa: F841 (kept alive on purpose)
    del blocks
    held = _rss_mb()
    assert release_freed_memory()
    assert _rss_mb() < held - 100

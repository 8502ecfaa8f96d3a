"""A worker's heap around bulk loads: the cycle collector kept out, freed memory handed back to the system.

A worker holds ~170k tracked objects once the app, ONNX Runtime and the index are loaded, and a full
(generation 2) collection walks all of them: ~100 ms on the bench machines, during which no request in that
worker moves. Opening the index at 1M posts reads a million short-lived database rows, which set off 44 such
collections (2.9 s of a 5.9 s start-up). The rows hold no reference cycles, so pausing the collector while
they stream loses nothing; the start-up objects live as long as the worker, so freezing them (moving them out
of the collector's reach) keeps later full collections down to the objects made since.

Rebuilding the index at 1M posts in a running worker took its RSS from 700 MB to 1.9-2.1 GB, and it stayed
there: the old index, the row buffers and FAISS's growing inverted lists were freed, but glibc keeps freed
chunks below the top of its heap. `malloc_trim` returns them (back to 843-850 MB; ~700 MB now that a rebuild
sizes each inverted list exactly before filling it, search/spilled_codes.py).
"""
import ctypes
import ctypes.util
import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # nested or concurrent pauses (a request thread and the index worker may overlap)
_resume = False  # whether the collector was on when the first pause began


@contextmanager
def gc_paused():
    """Run the block with the cycle collector off; it resumes when the last overlapping pause ends."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()


def freeze_startup_heap(*_args) -> None:
    """Collect once, then exempt every object alive now from later collections (a start-up hook)."""
    gc.collect()
    gc.freeze()


def _libc_malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS): nothing to hand back this way
        return None


_malloc_trim = _libc_malloc_trim()


def release_freed_memory(collect: bool = True) -> bool:
    """Collect unreachable cycles (unless `collect` is False), then hand what the C allocator holds free back to
    the system.

    False where the allocator cannot (not glibc). For rare events such as swapping in a rebuilt index: the
    collection walks the objects made since start-up, and the trim the whole heap.
    """
    if _malloc_trim is None:
        return False
    if collect:
        gc.collect()  # the old index's statement and result objects sit in reference cycles
    _malloc_trim(0)
    return True

"""Keep Python's cycle collector out of bulk loads and off the long-lived start-up heap.

A worker holds ~170k tracked objects once the app, ONNX Runtime and the index are loaded, and a full
(generation 2) collection walks all of them: ~100 ms on the bench machines, during which no request in that
worker moves. Opening the index at 1M posts reads a million short-lived database rows, which set off 44 such
collections (2.9 s of a 5.9 s start-up). The rows hold no reference cycles, so pausing the collector while
they stream loses nothing; the start-up objects live as long as the worker, so freezing them (moving them out
of the collector's reach) keeps later full collections down to the objects made since.
"""
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

"""A rebuilt approximate index's codes, spilled to a temporary file until the old index has been let go.

A rebuild while the old index serves (a regrow) used to fill the new index beside the old one: at 1M posts two
~400 MB indexes and the process, 1.18–1.20 GB. Now the stored vectors are read once, each is filed under its
cluster and encoded, and the codes go to an unnamed file next to the saved index; only ids and list numbers
(16 bytes a vector) stay in memory. When the new index is swapped in, the old one is freed first and the lists
are then filled from the file, each sized once to its final length. Written pages sit in the kernel's page
cache, which it can write out and drop, not in the worker's own memory. Where no file can be written (a full
disk), the codes are kept in memory instead: the old peak, not a failed rebuild.
"""
import io
import logging
import tempfile
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)
FILL_CHUNK = 20_000  # codes read back per step: 7.7 MB of int8 codes at 384 dimensions


def encode(ivf, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each vector's inverted list in a trained FAISS IVF index, and its code there, as an add would store it."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    lists = ivf.quantizer.assign(vectors, 1).ravel()
    codes = np.empty((len(vectors), ivf.code_size), dtype=np.uint8)
    ivf.encode_vectors(len(vectors), faiss.swig_ptr(vectors), faiss.swig_ptr(lists), faiss.swig_ptr(codes))
    return lists, codes


def fill(ivf, spilled: "SpilledCodes", progress=None) -> None:
    """Fill an empty trained IVF index with the spilled codes: every list sized once, then the id map built."""
    reserve(ivf, spilled.list_counts(ivf.nlist))
    for ids, lists, codes in spilled.chunks():
        order = np.argsort(lists, kind="stable")  # within a list, the order written: as adds would leave it
        ids, lists, codes = np.ascontiguousarray(ids[order]), lists[order], np.ascontiguousarray(codes[order])
        starts = np.flatnonzero(np.r_[True, lists[1:] != lists[:-1]])
        for start, end in zip(starts.tolist(), np.r_[starts[1:], len(lists)].tolist()):
            ivf.invlists.add_entries(int(lists[start]), end - start, faiss.swig_ptr(ids[start:end]),
                                     faiss.swig_ptr(codes[start:end]))
        ivf.ntotal += len(ids)
        if progress:
            progress(len(ids))
    # Entries added to the lists directly bypass the id -> entry map that remove and reconstruct use.
    ivf.set_direct_map_type(faiss.DirectMap.NoMap)
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)


def reserve(ivf, counts: np.ndarray) -> None:
    """Room in each inverted list for this many more entries, so the fills that follow never regrow it.

    A list grows by doubling as entries arrive: a 1M-post index built that way held ~1.5x its size."""
    for list_no, extra in enumerate(np.asarray(counts).tolist()):
        size = ivf.invlists.list_size(list_no)
        # A std::vector keeps its capacity when it shrinks: grown to the final size and cut back, it then
        # takes exactly that many entries without reallocating.
        ivf.invlists.resize(list_no, size + extra)
        ivf.invlists.resize(list_no, size)


class SpilledCodes:
    """Codes of (id, list) pairs in the order they were written; the file goes when this object is closed."""

    def __init__(self, directory: Path, code_size: int):
        self.code_size = code_size
        self._ids: list[np.ndarray] = []
        self._lists: list[np.ndarray] = []
        try:
            self._file = tempfile.TemporaryFile(dir=directory, prefix="rebuild-", suffix=".codes")
        except OSError as exc:
            log.warning("rebuild codes kept in memory: no temporary file under %s (%s)", directory, exc)
            self._file = io.BytesIO()

    def __enter__(self) -> "SpilledCodes":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let the file go (an unnamed temporary file leaves nothing on disk)."""
        self._file.close()

    def write(self, ids: np.ndarray, lists: np.ndarray, codes: np.ndarray) -> None:
        """Append a chunk of codes with their ids and inverted lists."""
        data = np.ascontiguousarray(codes, dtype=np.uint8)
        if data.shape != (len(ids), self.code_size):
            raise ValueError(f"codes of shape {data.shape} for {len(ids)} ids of {self.code_size} bytes")
        try:
            self._file.write(memoryview(data).cast("B"))
        except OSError as exc:
            log.warning("rebuild codes kept in memory from here: the temporary file failed (%s)", exc)
            self._to_memory()
            self._file.write(memoryview(data).cast("B"))
        self._ids.append(np.asarray(ids, dtype=np.int64))
        self._lists.append(np.asarray(lists, dtype=np.int64))

    def _to_memory(self) -> None:
        # What the file already holds moves into memory; a partly written chunk is cut off and written again.
        written = sum(len(i) for i in self._ids) * self.code_size
        self._file.seek(0)
        kept = io.BytesIO(self._file.read(written))
        self._file.close()
        kept.seek(0, io.SEEK_END)
        self._file = kept

    @property
    def count(self) -> int:
        return sum(len(i) for i in self._ids)

    def add(self, ivf, ids: np.ndarray, vectors: np.ndarray) -> None:
        """File and encode a chunk of vectors for `ivf` and write their codes."""
        lists, codes = encode(ivf, vectors)
        self.write(ids, lists, codes)

    def list_counts(self, nlist: int) -> np.ndarray:
        """How many codes each inverted list will hold."""
        lists = np.concatenate(self._lists) if self._lists else np.zeros(0, np.int64)
        return np.bincount(lists, minlength=nlist)

    def chunks(self, size: int | None = None):
        """(ids, lists, codes) in the order written, `size` codes at a time, read back from the file."""
        size = size or FILL_CHUNK
        self._file.seek(0)
        ids = np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)
        lists = np.concatenate(self._lists) if self._lists else np.zeros(0, np.int64)
        for start in range(0, len(ids), size):
            end = min(start + size, len(ids))
            raw = self._file.read((end - start) * self.code_size)
            if len(raw) != (end - start) * self.code_size:
                raise OSError("the rebuild's temporary codes file was cut short")
            yield ids[start:end], lists[start:end], np.frombuffer(raw, dtype=np.uint8).reshape(end - start, -1)

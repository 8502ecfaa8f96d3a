"""Which document each FAISS id embeds and which group each document is in, as flat numpy arrays."""
from pathlib import Path

import numpy as np


def _grow(arr: np.ndarray, size: int) -> np.ndarray:
    if size <= len(arr):
        return arr
    out = np.full(max(size, len(arr) * 2, 1024), -1, dtype=arr.dtype)
    out[:len(arr)] = arr
    return out


class DocMap:
    """vec_doc[vector id] -> doc id and doc_group[doc id] -> group id (-1 = none); ids are dense database ids."""

    def __init__(self):
        self._vec_doc = np.full(1024, -1, dtype=np.int64)
        self._doc_group = np.full(1024, -1, dtype=np.int64)
        # vec_group[vector id] -> group id (-1 = none), derived from the two tables above and kept up to
        # date by every change: a filtered search then reads one array instead of joining two million-row
        # ones (1M posts: 12 ms per agency-filtered search). None until a filtered search first needs it.
        self._vec_group: np.ndarray | None = None

    # Replacing a whole table (loading, rebuilding) drops the derived one; it is rebuilt when next needed.
    @property
    def vec_doc(self) -> np.ndarray:
        return self._vec_doc

    @vec_doc.setter
    def vec_doc(self, value: np.ndarray) -> None:
        self._vec_doc, self._vec_group = value, None

    @property
    def doc_group(self) -> np.ndarray:
        return self._doc_group

    @doc_group.setter
    def doc_group(self, value: np.ndarray) -> None:
        self._doc_group, self._vec_group = value, None

    def set_vectors(self, vec_ids, doc_ids) -> None:
        vec_ids = np.asarray(vec_ids, dtype=np.int64)
        if len(vec_ids):
            self._vec_doc = _grow(self._vec_doc, int(vec_ids.max()) + 1)
            self._vec_doc[vec_ids] = np.asarray(doc_ids, dtype=np.int64)
            if self._vec_group is not None:
                self._vec_group = _grow(self._vec_group, len(self._vec_doc))
                self._vec_group[vec_ids] = self.groups_of_docs(self._vec_doc[vec_ids])

    def drop_vectors(self, vec_ids) -> None:
        vec_ids = np.asarray(vec_ids, dtype=np.int64)
        vec_ids = vec_ids[vec_ids < len(self._vec_doc)]
        self._vec_doc[vec_ids] = -1
        if self._vec_group is not None:
            self._vec_group[vec_ids] = -1

    def set_groups(self, doc_ids, group_ids) -> None:
        doc_ids = np.asarray(doc_ids, dtype=np.int64)
        if len(doc_ids):
            group_ids = np.asarray(group_ids, dtype=np.int64)
            changed = doc_ids[self.groups_of_docs(doc_ids) != group_ids]
            self._doc_group = _grow(self._doc_group, int(doc_ids.max()) + 1)
            self._doc_group[doc_ids] = group_ids
            if self._vec_group is not None and len(changed):
                # A merge (or a new post) moves documents: their vectors follow. Finding them scans every
                # vector (3.5 ms at 1M), so an edit, whose thread stays the same, skips it.
                moved = self.vectors_of_docs(changed)
                self._vec_group[moved] = self.groups_of_docs(self._vec_doc[moved])

    def vectors_of_docs(self, doc_ids) -> np.ndarray:
        """Vector ids currently mapped to any of these documents."""
        return np.nonzero(np.isin(self.vec_doc, np.asarray(list(doc_ids), dtype=np.int64)))[0]

    def docs_of(self, vec_ids) -> np.ndarray:
        vec_ids = np.asarray(vec_ids, dtype=np.int64)
        ok = (vec_ids >= 0) & (vec_ids < len(self.vec_doc))
        out = np.full(len(vec_ids), -1, dtype=np.int64)
        out[ok] = self.vec_doc[vec_ids[ok]]
        return out

    def groups_of_docs(self, doc_ids) -> np.ndarray:
        doc_ids = np.asarray(doc_ids, dtype=np.int64)
        ok = (doc_ids >= 0) & (doc_ids < len(self.doc_group))
        out = np.full(len(doc_ids), -1, dtype=np.int64)
        out[ok] = self.doc_group[doc_ids[ok]]
        return out

    def vectors_in_groups(self, groups) -> np.ndarray:
        """Vector ids whose document is in one of `groups`."""
        return np.flatnonzero(self.group_mask(groups))

    def group_mask(self, groups) -> np.ndarray:
        """mask[vector id] is True when the vector's document is in one of `groups` (the FAISS id filter)."""
        wanted = np.fromiter(groups, dtype=np.int64, count=len(groups))
        vec_group = self._vec_groups()
        if len(wanted) and wanted.min() < 0:  # group -1 asks for live vectors whose document has no group
            return (self._vec_doc >= 0) & np.isin(vec_group, wanted)
        # A membership table read at every vector's group; its last slot answers group -1 (no document).
        member = np.zeros(max(int(self._group_max), int(wanted.max(initial=-1))) + 2, dtype=bool)
        member[wanted] = True
        return member[vec_group]

    def _vec_groups(self) -> np.ndarray:
        if self._vec_group is None:
            vec_doc, doc_group = self._vec_doc, self._doc_group
            known = (vec_doc >= 0) & (vec_doc < len(doc_group))
            vec_group = np.full(len(vec_doc), -1, dtype=np.int64)
            vec_group[known] = doc_group[vec_doc[known]]
            self._vec_group = vec_group
        return self._vec_group

    @property
    def _group_max(self) -> int:
        return int(self._doc_group.max(initial=-1))

    def save(self, directory: Path) -> None:
        tmp = Path(directory) / "docmap.tmp.npy"
        np.save(tmp, self.vec_doc)
        tmp.replace(Path(directory) / "docmap.npy")

    @classmethod
    def load(cls, directory: Path) -> "DocMap | None":
        try:
            vec_doc = np.load(Path(directory) / "docmap.npy")
        except (OSError, ValueError):
            return None
        docmap = cls()
        docmap.vec_doc = vec_doc.astype(np.int64)
        return docmap

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
        self.vec_doc = np.full(1024, -1, dtype=np.int64)
        self.doc_group = np.full(1024, -1, dtype=np.int64)

    def set_vectors(self, vec_ids, doc_ids) -> None:
        vec_ids = np.asarray(vec_ids, dtype=np.int64)
        if len(vec_ids):
            self.vec_doc = _grow(self.vec_doc, int(vec_ids.max()) + 1)
            self.vec_doc[vec_ids] = np.asarray(doc_ids, dtype=np.int64)

    def drop_vectors(self, vec_ids) -> None:
        vec_ids = np.asarray(vec_ids, dtype=np.int64)
        vec_ids = vec_ids[vec_ids < len(self.vec_doc)]
        self.vec_doc[vec_ids] = -1

    def set_groups(self, doc_ids, group_ids) -> None:
        doc_ids = np.asarray(doc_ids, dtype=np.int64)
        if len(doc_ids):
            self.doc_group = _grow(self.doc_group, int(doc_ids.max()) + 1)
            self.doc_group[doc_ids] = np.asarray(group_ids, dtype=np.int64)

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
        """Vector ids whose document is in one of `groups` (the FAISS id filter)."""
        wanted = np.fromiter(groups, dtype=np.int64, count=len(groups))
        if len(wanted) == 0 or wanted.min() < 0:
            live = np.nonzero(self.vec_doc >= 0)[0]
            return live[np.isin(self.groups_of_docs(self.vec_doc[live]), wanted)]
        # Membership tables (group -> wanted, then document -> wanted) instead of np.isin, which sorts a
        # million group ids per filtered search.
        doc_group = self.doc_group
        wanted = wanted[wanted <= doc_group.max()]
        member = np.zeros(int(wanted.max(initial=-1)) + 1, dtype=bool)
        member[wanted] = True
        doc_in = np.zeros(len(doc_group) + 1, dtype=bool)  # the extra last slot answers "no document"
        known = (doc_group >= 0) & (doc_group < len(member))
        doc_in[:-1][known] = member[doc_group[known]]
        vec_doc = self.vec_doc
        return np.nonzero(doc_in[np.where((vec_doc >= 0) & (vec_doc < len(doc_group)), vec_doc, -1)])[0]

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

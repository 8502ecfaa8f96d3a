"""Store the vectors a set of documents should have: split into passages, embed only what changed, write rows.

The database half of keeping the index in step; the in-memory FAISS half is `SearchIndex.sync_documents`.
"""
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, exists, func, select

from models import SearchDocument, SearchVector
from models.db import insert_or_skip
from search.embedders import split_passages, text_hash
from search.index_build import matrix
from search.progress import begin_phase
from search.text import normalize

# How stored vectors are made, beside the model: part of the index's model id, so that a forum indexed before
# passages were blended (below) re-embeds them once, its raw passages coming from the embedding cache.
VECTOR_RECIPE = "+plainblend2"


def vector_model_id(embedder_model_id: str) -> str:
    """The model id stored with passage vectors: the embedder's, plus how its vectors are combined."""
    return embedder_model_id + VECTOR_RECIPE


@dataclass
class DocumentVectors:
    """What the database holds for some documents after `store_passages`: rows to put into FAISS."""
    groups: dict[int, int]  # document -> its thread (group); absent documents were deleted
    embedded: list[int]  # documents whose passages this call embedded and stored
    ids: np.ndarray  # vector row ids
    owners: np.ndarray  # the document of each vector
    mat: np.ndarray  # the vectors, one row each


def store_passages(session_factory, embedder, doc_ids: list[int], progress=None) -> DocumentVectors:
    """Make the stored vectors of these documents match their current text, embedding only new or changed passages."""
    model_id = vector_model_id(embedder.model_id)
    with session_factory() as session:
        docs = {d: (g, t, x) for d, g, t, x in session.execute(
            select(SearchDocument.doc_id, SearchDocument.group_id, SearchDocument.title, SearchDocument.text)
            .where(SearchDocument.doc_id.in_(doc_ids)))}
        stored = {(d, n): (i, h) for i, d, n, h in session.execute(
            select(SearchVector.id, SearchVector.doc_id, SearchVector.passage_no, SearchVector.text_hash)
            .where(SearchVector.doc_id.in_(doc_ids), SearchVector.model_id == model_id))}
    wanted = {}
    for doc_id, (_group, title, text) in docs.items():
        for no, passage in enumerate(split_passages(text, embedder.count_tokens, title=title)):
            wanted[(doc_id, no)] = passage
    stale = [i for key, (i, h) in stored.items() if key not in wanted or text_hash(wanted[key]) != h]
    todo = [(key, p) for key, p in wanted.items() if key not in stored or stored[key][0] in stale]
    if todo:
        begin_phase(progress, "embed")  # a reporter already counting passages keeps its count
    new_vectors = embed_passages(embedder, [p for _, p in todo], progress) if todo else None
    if stale or todo:
        with session_factory.begin() as session:
            if stale:
                session.execute(delete(SearchVector).where(SearchVector.id.in_(stale)))
            if todo:
                # Every web worker replays the same new posts: passages another one stored first are kept.
                session.execute(insert_or_skip(SearchVector, session.bind.dialect.name), [
                    {"doc_id": d, "passage_no": n, "model_id": model_id, "text_hash": text_hash(p),
                     "vector": new_vectors[row].tobytes()} for row, ((d, n), p) in enumerate(todo)])
    with session_factory() as session:  # read back: another process may have stored some of them first
        rows = session.execute(select(SearchVector.id, SearchVector.doc_id, SearchVector.vector).where(
            SearchVector.doc_id.in_(doc_ids), SearchVector.model_id == model_id)).all()
    return DocumentVectors(groups={d: g for d, (g, _t, _x) in docs.items()},
                           embedded=list(dict.fromkeys(d for (d, _), _p in todo)),
                           ids=np.array([r[0] for r in rows], dtype=np.int64),
                           owners=np.array([r[1] for r in rows], dtype=np.int64),
                           mat=matrix([r[2] for r in rows], embedder.dim))


def made_another_way(session) -> bool:
    """Whether some stored vector comes from another model or recipe: an upgrade, whose search documents were
    also written by older text code (stems, plain forms) and are due to be written again."""
    return bool(session.scalar(select(exists().where(~SearchVector.model_id.endswith(VECTOR_RECIPE)))))


def drop_other_models(session_factory, model_id: str) -> int:
    """Delete stored vectors made another way (an earlier model or recipe) once every document has one of
    `model_id`'s; returns how many. The embedding cache keeps the old model's raw vectors, so going back to it
    re-reads rather than re-embeds."""
    with session_factory() as session:
        ours = exists().where(SearchVector.doc_id == SearchDocument.doc_id, SearchVector.model_id == model_id)
        theirs = exists().where(SearchVector.doc_id == SearchDocument.doc_id, SearchVector.model_id != model_id)
        if session.scalar(select(func.count()).select_from(SearchDocument).where(theirs, ~ours)):
            return 0  # an interrupted reindex: the older vectors are still all some documents have
    with session_factory.begin() as session:
        return session.execute(delete(SearchVector).where(SearchVector.model_id != model_id)).rowcount or 0


def embed_passages(embedder, passages: list[str], progress=None) -> np.ndarray:
    """Each passage's vector blended with that of its normalized form (lowercase, no punctuation or emoji).

    Why: e5 matches register as much as topic. "kalo gagal latsar apa langsung dipecat?? panik bgt" was closer
    to other chatty questions on unrelated topics than to the formal thread answering it. With every passage
    blended with its plain form, the composer puts a group mate first for 50 of the demo's 76 duplicate titles
    instead of 46 (title and body: 63 instead of 56), with the dev sets unchanged (docs/search-research.md,
    twenty-ninth session). Queries are embedded as typed (their formal blend, FORUM_SEARCH_BLEND_FORMAL, stays off).
    """
    plain = [normalize.__wrapped__(p) for p in passages]  # uncached: passages are long and seldom repeat
    todo = [i for i, (p, n) in enumerate(zip(passages, plain)) if n and n != p]
    # One call for both forms: the model batches them together. Progress counts texts embedded (cache misses).
    both = embedder.embed_documents(passages + [plain[i] for i in todo], progress=progress)
    out = both[:len(passages)].copy()
    if todo:
        out[todo] += both[len(passages):]
        out[todo] /= np.linalg.norm(out[todo], axis=1, keepdims=True)
    return out.astype(np.float32)


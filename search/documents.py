"""The forum's write hooks into search: called inside the forum's transaction.

Contract (owned by search/): a document is one post; its group is the thread id. Each hook writes the
document row (the lexical index follows it: FTS5 triggers on SQLite, a GIN expression index on
PostgreSQL) and appends an index event; embedding happens after commit (search/indexer.py).
"""
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import IndexEvent, SearchDocument, utcnow
from search.text import stems


def lexical_stems(title: str, text: str) -> str:
    """The stemmed form of a document as stored in the lexical index."""
    return " ".join(stems(f"{title}\n{text}" if title else text))


def upsert_document(session: Session, doc_id: int, group_id: int, text: str, title: str = "") -> None:
    """Record that document `doc_id` (in group `group_id`) now has this text (and title for first posts)."""
    doc = session.get(SearchDocument, doc_id)
    if doc is None:
        session.add(SearchDocument(doc_id=doc_id, group_id=group_id, title=title, text=text,
                                   stems=lexical_stems(title, text), updated_at=utcnow()))
    elif (doc.title, doc.text, doc.group_id) == (title, text, group_id):
        # Nothing changed for the vectors: no event, no re-embedding. The stems may still be an older version's
        # (`forum reindex` after an upgrade); the lexical index follows them by trigger.
        stems = lexical_stems(title, text)
        if doc.stems != stems:
            doc.stems = stems
            session.flush()
        return
    else:
        if (doc.title, doc.text) != (title, text):
            doc.title, doc.text, doc.stems = title, text, lexical_stems(title, text)
        doc.group_id = group_id
        doc.updated_at = utcnow()
    session.add(IndexEvent(doc_id=doc_id, op="upsert"))
    session.flush()


def delete_document(session: Session, doc_id: int) -> None:
    """Record that document `doc_id` is gone (deleted or hidden post)."""
    doc = session.get(SearchDocument, doc_id)
    if doc is None:
        return
    session.delete(doc)
    session.add(IndexEvent(doc_id=doc_id, op="delete"))
    session.flush()


def move_documents(session: Session, doc_ids: list[int], group_id: int) -> None:
    """Record that these documents now belong to group `group_id` (merge / unmerge)."""
    ids = list(session.scalars(select(SearchDocument.doc_id).where(SearchDocument.doc_id.in_(list(doc_ids)))))
    if not ids:
        return
    session.execute(update(SearchDocument).where(SearchDocument.doc_id.in_(ids))
                    .values(group_id=group_id, updated_at=utcnow()), execution_options={"synchronize_session": "fetch"})
    session.add_all([IndexEvent(doc_id=i, op="move") for i in ids])
    session.flush()

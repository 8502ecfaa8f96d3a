"""The forum's write hooks into search: called inside the forum's transaction.

Contract (owned by search/): a document is one post; its group is the thread id.
"""
from sqlalchemy.orm import Session


def upsert_document(session: Session, doc_id: int, group_id: int, text: str, title: str = "") -> None:
    """Record that document `doc_id` (in group `group_id`) now has this text (and title for first posts)."""
    # Placeholder until the search side lands: the forum already calls this in every write.


def delete_document(session: Session, doc_id: int) -> None:
    """Record that document `doc_id` is gone (deleted or hidden post)."""


def move_documents(session: Session, doc_ids: list[int], group_id: int) -> None:
    """Record that these documents now belong to group `group_id` (merge / unmerge)."""

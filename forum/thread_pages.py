"""A long thread in pages: whole top-level replies (each with the answers under it) per page, and the page of a post.

Pages count top-level replies, not posts, so a conversation under one reply is never cut in two and a post's
page changes only when a moderator moves posts (a merge); links to a post go through its page (`post_url`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.threads import thread_url
from forum.tree import Node, build_tree
from models import Post, Thread

REPLIES_PER_PAGE = 30  # top-level replies a page shows, each with every reply nested under it


@dataclass(frozen=True)
class ThreadPage:
    """The nodes one page of a thread shows, and where it sits among the thread's pages."""
    page: int
    pages: int
    nodes: list[Node]


class _PostRef(NamedTuple):
    id: int
    reply_to_id: int | None


def _branch_starts(nodes: list[Node]) -> list[int]:
    return [i for i, node in enumerate(nodes) if node.depth == 1]


def page_count(nodes: list[Node]) -> int:
    """How many pages the reply tree fills (at least one, for a thread with no replies yet)."""
    return max(1, -(-len(_branch_starts(nodes)) // REPLIES_PER_PAGE))


def page_of_nodes(nodes: list[Node], page: int) -> ThreadPage:
    """Page `page` of the reply tree (a number past the last gives the last page)."""
    starts, pages = _branch_starts(nodes), page_count(nodes)
    page = min(max(page, 1), pages)
    first = (page - 1) * REPLIES_PER_PAGE
    begin = starts[first] if first < len(starts) else 0
    end = starts[first + REPLIES_PER_PAGE] if first + REPLIES_PER_PAGE < len(starts) else len(nodes)
    return ThreadPage(page=page, pages=pages, nodes=nodes[begin:end])


def page_holding(nodes: list[Node], post_id: int) -> int:
    """The page showing this post (1 for the question, or a post not in the tree)."""
    branches = 0
    for node in nodes:
        branches += node.depth == 1
        if node.post.id == post_id:
            return max(1, -(-branches // REPLIES_PER_PAGE))
    return 1


def page_url(thread: Thread, page: int) -> str:
    """The address of one page of a thread (page 1 is the thread's own address)."""
    return thread_url(thread) + (f"?hal={page}" if page > 1 else "")


def post_url(session: Session, thread: Thread, post_id: int | None) -> str:
    """Canonical URL of a post: the page of its thread that shows it, anchored at the post."""
    if post_id is None:
        return thread_url(thread)
    refs = [_PostRef(*row) for row in session.execute(
        select(Post.id, Post.reply_to_id).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id))]
    _first, _accepted, nodes = build_tree(thread, refs)
    return f"{page_url(thread, page_holding(nodes, post_id))}#post-{post_id}"

"""Arrange a thread's posts for display: question, accepted answer, then the reply tree."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from models import Post, Thread

if TYPE_CHECKING:
    from forum.read_model import PostRow, ThreadRow

# ORM posts or read-model rows: the tree only reads ids and reply_to_id.
AnyPost = Union[Post, "PostRow"]

MAX_DEPTH = 4


@dataclass
class Node:
    post: AnyPost
    depth: int
    parent: AnyPost | None = None
    # Set when the post is shown flattened below MAX_DEPTH: whom it answers ("membalas @nama").
    flattened_reply_to: AnyPost | None = None
    children: list[Node] = field(default_factory=list)


def build_tree(thread: Thread | ThreadRow, posts: list[AnyPost]) -> tuple[AnyPost | None, AnyPost | None, list[Node]]:
    """Return (first post, accepted answer, flat list of nodes in display order with depths)."""
    by_id = {p.id: p for p in posts}
    first = by_id.get(thread.first_post_id)
    accepted = by_id.get(thread.accepted_post_id) if thread.accepted_post_id else None
    children: dict[int | None, list[AnyPost]] = {}
    for post in posts:
        if post is first:
            continue
        parent_id = post.reply_to_id if post.reply_to_id in by_id and post.reply_to_id != thread.first_post_id else None
        children.setdefault(parent_id, []).append(post)
    ordered: list[Node] = []

    def walk(parent: AnyPost | None, depth: int) -> None:
        for post in children.get(parent.id if parent else None, []):
            shown_depth = min(depth, MAX_DEPTH)
            node = Node(post=post, depth=shown_depth, parent=parent,
                        flattened_reply_to=parent if depth > MAX_DEPTH else None)
            ordered.append(node)
            walk(post, depth + 1)

    walk(None, 1)
    return first, accepted, ordered

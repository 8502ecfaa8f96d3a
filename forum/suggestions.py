"""Composer suggestions: earlier questions like the one being written, each with its accepted (or best) answer."""
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forum.result_rows import posts_by_id, threads_by_id
from forum.search import ranked_hits
from forum.search_query import WORDS, SearchQuery
from forum.snippets import excerpt
from forum.unfamiliar import is_vague, unfamiliar_words
from models import Post, Thread, User


@dataclass
class Suggestion:
    thread: Thread
    score: float
    answer: Post | None
    answer_excerpt: str
    is_accepted: bool


@dataclass
class ComposerSuggestions:
    items: list[Suggestion]
    unfamiliar: tuple[str, ...] = ()  # words no post holds, when they make every suggestion a loose match


def suggest_similar(session: Session, engine, viewer: User | None, title: str, body: str = "",
                    limit: int = 5) -> list[Suggestion]:
    """Earlier questions like the one being written, each with its accepted (or best) answer."""
    return composer_suggestions(session, engine, viewer, title, body, limit).items


def composer_suggestions(session: Session, engine, viewer: User | None, title: str, body: str = "",
                         limit: int = 5) -> ComposerSuggestions:
    """suggest_similar(), with the words no post holds when the forum may never have discussed the question."""
    text = composer_text(title, body)
    if len(WORDS.findall(text)) < 3:  # words with a letter or digit: "🙂 🙂 🙂" or "( ) *" is not a question yet
        return ComposerSuggestions([])
    hits = ranked_hits(session, engine, viewer, SearchQuery(text=text))[:limit]
    if is_vague(engine, text, hits):
        return ComposerSuggestions([])  # "yang itu ya": not one content word yet, so not a question yet
    threads = threads_by_id(session, [h.group_id for h in hits])
    return ComposerSuggestions(_with_answers(session, [(threads[h.group_id], h) for h in hits]),
                               unfamiliar_words(session, engine, text, hits))


def composer_text(title: str, body: str = "") -> str:
    """What the composer searches for: the title and body as one line, at most 2,000 characters."""
    return " ".join(f"{title or ''}\n{body or ''}".split())[:2000]


def composer_ranking(session: Session, engine, viewer: User | None, text: str,
                     exclude: int | None = None) -> list[int]:
    """Thread ids the composer's search ranks for `text`, best first: its whole list, not only the five shown."""
    return [h.group_id for h in ranked_hits(session, engine, viewer, SearchQuery(text=text), exclude)]


def _with_answers(session: Session, pairs: list) -> list[Suggestion]:
    """Each (thread, hit) with its accepted answer, else the reply that matched, else the first visible reply.

    The same choice as one session.get (and one first-reply query) per hit, in one query for the whole list
    (two when an accepted answer or a matched reply has vanished meanwhile).
    """
    wanted = {t.accepted_post_id if t.accepted_post_id else h.doc_id for t, h in pairs
              if t.accepted_post_id or h.doc_id != t.first_post_id}
    # Unanswered threads whose question itself matched show their first visible reply: fetched alongside.
    first_of = [t.id for t, h in pairs if not t.accepted_post_id and h.doc_id == t.first_post_id]
    posts = posts_by_id(session, wanted, first_reply_of=first_of)
    answers = {}
    for thread, hit in pairs:
        answer = posts.get(thread.accepted_post_id) if thread.accepted_post_id else None
        accepted = answer is not None
        if answer is None and hit.doc_id != thread.first_post_id:
            # An accepted answer that is gone falls back to the matched reply (rare: fetched on its own).
            answer = posts.get(hit.doc_id) if hit.doc_id in wanted else session.get(Post, hit.doc_id)
        answers[thread.id] = (answer, accepted)
    late = [t.id for t, _ in pairs if answers[t.id][0] is None and t.id not in first_of]
    if late:
        posts.update(posts_by_id(session, (), first_reply_of=late))
    for thread, _ in pairs:
        if answers[thread.id][0] is None:
            answers[thread.id] = (_first_reply(thread, posts.values()), answers[thread.id][1])
    out = []
    for thread, hit in pairs:
        answer, accepted = answers[thread.id]
        if answer is not None and (answer.is_deleted or answer.is_hidden):
            answer, accepted = None, False
        out.append(Suggestion(thread, hit.score, answer, excerpt(answer.body_text) if answer else "", accepted))
    return out


def _first_reply(thread: Thread, posts) -> Post | None:
    """The thread's earliest visible reply among loaded posts (its first-reply row was loaded with them)."""
    replies = [p for p in posts if p.thread_id == thread.id and not p.is_deleted and not p.is_hidden
               and (thread.first_post_id is None or p.id != thread.first_post_id)]
    return min(replies, key=lambda p: (p.created_at, p.id), default=None)

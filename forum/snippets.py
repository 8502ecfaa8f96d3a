"""Search snippets: the best window of a post with the query's words highlighted, as safe HTML."""
import re
from functools import lru_cache

from markupsafe import Markup, escape

from search.text import lexical_terms, stems, synonyms_version

_WORD = re.compile(r"\w[\w\-]*", re.UNICODE)
WINDOW = 36  # words shown


@lru_cache(maxsize=256)
def _wanted(query: str, _synonyms: int) -> frozenset[str]:
    return frozenset(lexical_terms(query))


@lru_cache(maxsize=50_000)
def _stem_of(word: str) -> str | None:
    found = stems(word)
    return found[0] if len(found) == 1 else None


def highlight(text: str, query: str, window: int = WINDOW) -> Markup:
    """Escape `text`, keep the `window` words around the densest query matches and wrap matches in <mark>."""
    text = text or ""
    wanted = _wanted(query or "", synonyms_version())
    words = list(_WORD.finditer(text))
    if not words:
        return Markup("")
    stem_of = _stem_of
    hits = [stem_of(m.group().lower()) in wanted for m in words] if wanted else [False] * len(words)
    start = 0
    if len(words) > window:
        # The window with the most matches (earliest on ties). A window can only beat the best so far when
        # the word it takes in is a match, so only those are tried; counts come from running totals.
        before = [0]
        for hit in hits:
            before.append(before[-1] + hit)
        top = before[window]
        for last in range(window, len(words)):
            if hits[last] and before[last + 1] - before[last + 1 - window] > top:
                start, top = last + 1 - window, before[last + 1] - before[last + 1 - window]
    end = min(start + window, len(words))
    # Member text only ever enters through escape(); the rest are literal tags, so one Markup at the end.
    out, pos = ["… " if start > 0 else ""], words[start].start()
    for m, hit in zip(words[start:end], hits[start:end]):
        if hit:
            out += [escape(text[pos:m.start()]), "<mark>", escape(m.group()), "</mark>"]
            pos = m.end()
    out.append(escape(text[pos:words[end - 1].end()]))
    if end < len(words):
        out.append(" …")
    return Markup("".join(out))


def excerpt(text: str, limit: int = 240) -> str:
    """Plain excerpt cut at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"

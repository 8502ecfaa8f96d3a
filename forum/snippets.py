"""Search snippets: the best window of a post with the query's words highlighted, as safe HTML."""
import re
from functools import lru_cache

from markupsafe import Markup, escape

from search.text import lexical_terms, stems

_WORD = re.compile(r"\w[\w\-]*", re.UNICODE)
WINDOW = 36  # words shown


@lru_cache(maxsize=256)
def _wanted(query: str) -> frozenset[str]:
    return frozenset(lexical_terms(query))


@lru_cache(maxsize=50_000)
def _stem_of(word: str) -> str | None:
    found = stems(word)
    return found[0] if len(found) == 1 else None


def highlight(text: str, query: str, window: int = WINDOW) -> Markup:
    """Escape `text`, keep the `window` words around the densest query matches and wrap matches in <mark>."""
    text = text or ""
    wanted = _wanted(query or "")
    words = list(_WORD.finditer(text))
    if not words:
        return Markup("")
    hits = [bool(wanted) and _stem_of(m.group().lower()) in wanted for m in words]
    start = 0
    if len(words) > window:
        # Slide a window over the words and keep the one with the most matches (earliest on ties).
        count = top = sum(hits[:window])
        for s in range(1, len(words) - window + 1):
            count += hits[s + window - 1] - hits[s - 1]
            if count > top:
                start, top = s, count
    end = min(start + window, len(words))
    out, pos = [Markup("… ") if start > 0 else Markup("")], words[start].start()
    for m, hit in zip(words[start:end], hits[start:end]):
        if hit:
            out += [escape(text[pos:m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
            pos = m.end()
    out.append(escape(text[pos:words[end - 1].end()]))
    if end < len(words):
        out.append(Markup(" …"))
    return Markup("").join(out)


def excerpt(text: str, limit: int = 240) -> str:
    """Plain excerpt cut at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"

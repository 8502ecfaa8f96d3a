"""Render member Markdown once, on save, into safe HTML and plain text."""
import html
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_SAFE_SCHEMES = {"http", "https", "mailto"}
_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "code": {"class"},
}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _validate_link(url: str) -> bool:
    # Only absolute http(s)/mailto or relative links; javascript:, data:, vbscript: etc. never render.
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    m = _SCHEME.match(cleaned)
    return m is None or m.group(1).lower() in _SAFE_SCHEMES


def _image_as_link(self, tokens, idx, options, env) -> str:
    # Images from other sites are shown as links, not loaded: each reader's browser would otherwise tell the image's
    # host who reads the thread and when (civil servants reading about their own careers), and the page's
    # Content-Security-Policy blocks plain-http ones anyway. The forum itself fetches nothing from outside.
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "gambar"
    src = token.attrGet("src") or ""
    opened = sum(1 if t.type == "link_open" else -1 if t.type == "link_close" else 0 for t in tokens[:idx])
    if opened > 0 or not src:
        return f"🖼 {html.escape(alt)}"  # inside a link, the link it sits in is where a click goes (no nested <a>)
    return f'<a href="{html.escape(src, quote=True)}">🖼 {html.escape(alt)}</a>'


def _demoted_heading(self, tokens, idx, options, env) -> str:
    # A post sits under the page's own h1 (the thread title) and h2s: "# Judul" in a post becomes an h3, so the
    # page's heading outline, which screen-reader users navigate by, stays in order (QA pass: several h1s a page).
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + 2)
    return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _build(max_nesting: int = 20) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True,
                                   "maxNesting": max_nesting})
    md.enable(["table", "strikethrough", "linkify"])
    md.validateLink = _validate_link
    md.add_render_rule("image", _image_as_link)
    md.add_render_rule("heading_open", _demoted_heading)
    md.add_render_rule("heading_close", _demoted_heading)
    return md


def _block_parser(max_nesting: int) -> MarkdownIt:
    md = _build(max_nesting)
    # Block tokens only: the comparison below counts top-level tokens, and inline parsing of a hostile text
    # (25,000 "![") took two seconds of the two parses where blocks take a millisecond.
    md.disable(["inline", "linkify", "text_join"])
    return md


_MD = _build()
# markdown-it stops reading a document where its blocks nest past maxNesting and drops everything after that
# point (ten list levels lost the rest of a post, silently). A deeper parser sees more tokens exactly then.
_BLOCKS, _DEEPER_BLOCKS = _block_parser(20), _block_parser(40)


def loses_text_to_nesting(source: str) -> bool:
    """Whether rendering would drop part of `source` because lists or quotes nest too deeply."""
    return len(_BLOCKS.parse(source)) != len(_DEEPER_BLOCKS.parse(source))


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str


def render_markdown(source: str) -> Rendered:
    """Markdown → sanitized HTML (links rel="nofollow ugc noopener") and plain text for search."""
    raw = _MD.render(source)
    safe = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes=_SAFE_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
    return Rendered(html=safe, text=html_to_text(safe))


@lru_cache(maxsize=128)
def rendered_html(source: str) -> str:
    """render_markdown(source).html, remembered for texts shown again unchanged (a post's earlier versions)."""
    return render_markdown(source).html


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, block boundaries kept as spaces."""
    spaced = re.sub(r"<(/p|br ?/?|/li|/h\d|/tr|/td|/th|/pre|/blockquote)>", " \n", fragment)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", "\n", text)).strip()

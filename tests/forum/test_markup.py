"""Markdown → safe HTML: features, link rel, and every public XSS payload rendered inert."""
import pytest

from forum.markup import render_markdown
from tests.web.helpers import links_missing_rel, tags, unsafe_markup, xss_payloads

PAYLOADS = xss_payloads()


def test_markdown_features_render_tables_strikethrough_autolinks_and_code():
    out = render_markdown("**tebal** ~~coret~~\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\nhttps://bkn.go.id\n\n```py\nx = 1\n```")
    assert "<strong>tebal</strong>" in out.html and "<s>coret</s>" in out.html
    assert "<table>" in out.html and '<td style="text-align:center">2</td>' in out.html
    assert '<a href="https://bkn.go.id" rel="nofollow ugc noopener">https://bkn.go.id</a>' in out.html
    assert '<code class="language-py">' in out.html
    assert "tebal" in out.text and "<" not in out.text


def test_raw_html_is_shown_as_text_not_markup():
    out = render_markdown("<b>tebal?</b> <script>alert(1)</script>")
    assert "&lt;b&gt;" in out.html and "&lt;script&gt;" in out.html
    assert [t for t, _ in tags(out.html)] == ["p"]


@pytest.mark.parametrize("source", ["[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox(1))",
                                    "[x](data:text/html;base64,PHNjcmlwdD4=)", "![x](javascript:alert(1))",
                                    "[x](java\tscript:alert(1))", "[x](&#106;avascript:alert(1))",
                                    "<javascript:alert(1)>", "[x]: javascript:alert(1)\n\n[x]"])
def test_dangerous_link_schemes_never_become_links(source):
    html = render_markdown(source).html
    assert unsafe_markup(html, fragment=True) == [], html


def test_every_link_gets_rel_nofollow_ugc_noopener():
    html = render_markdown("[a](https://a.example) <https://b.example> mailto:x@y.go.id [c](/diskusi/1)").html
    assert len([1 for t, a in tags(html) if t == "a"]) >= 3
    assert links_missing_rel(html) == []


def test_the_checker_itself_catches_unsafe_markup():
    # Guard against a checker that silently passes everything.
    for bad in ("<script>alert(1)</script>", '<img src=x onerror="alert(1)">', '<a href=" jAvAsCrIpT:x">a</a>',
                '<a href="data:text/html,x">a</a>', "<svg/onload=alert(1)>", "<iframe src=//x>", "<style>x</style>",
                "<object data=x>", "<embed src=x>", '<a href="vbscript:x">a</a>'):
        assert unsafe_markup(bad, fragment=True), bad


def test_every_public_xss_payload_renders_inert():
    assert len(PAYLOADS) > 250
    failures = {}
    for payload in PAYLOADS:
        out = render_markdown(payload)
        problems = unsafe_markup(out.html, fragment=True) + [f"no rel: {a}" for a in links_missing_rel(out.html)]
        if problems:
            failures[payload] = problems
    assert failures == {}


def test_payloads_wrapped_in_markdown_links_and_images_render_inert():
    failures = {}
    for payload in PAYLOADS[::3]:
        for source in (f"[klik]({payload})", f"![gambar]({payload})", f"[klik][r]\n\n[r]: {payload}",
                       f"| {payload} |\n|---|\n| x |", f"> {payload}\n\n- {payload}"):
            html = render_markdown(source).html
            problems = unsafe_markup(html, fragment=True) + links_missing_rel(html)
            if problems:
                failures[source] = problems
    assert failures == {}


def test_lists_or_quotes_nested_past_what_renders_are_refused_with_the_text_kept():
    from forum.errors import ValidationFailed
    from forum.markup import loses_text_to_nesting
    from forum.text import clean_body

    def nested_list(levels):
        return "Pembuka\n\n" + "\n".join("  " * i + f"- tingkat {i}" for i in range(levels)) + "\n\nKesimpulan: penting."

    fits = nested_list(9)
    assert not loses_text_to_nesting(fits) and "Kesimpulan" in render_markdown(fits).text
    assert clean_body(fits, "Balasan", "body_md", 2, 50_000) == fits
    for deep in (nested_list(10), "Pembuka\n\n" + ">" * 25 + " kutipan\n\nAkhir."):
        assert loses_text_to_nesting(deep)  # rendered as is, the deepest part and what follows would vanish
        with pytest.raises(ValidationFailed) as refused:
            clean_body(deep, "Balasan", "body_md", 2, 50_000)
        assert "bertingkat terlalu dalam" in refused.value.message and refused.value.fields == {"body_md": refused.value.message}


def test_an_image_from_another_site_is_a_link_so_its_host_never_learns_who_reads_the_thread():
    out = render_markdown("Bagan: ![struktur organisasi](https://bkn.go.id/bagan.png) ![](http://contoh.id/a.jpg)")
    assert not tags(out.html) or all(name != "img" for name, _ in tags(out.html))
    assert '<a href="https://bkn.go.id/bagan.png" rel="nofollow ugc noopener">🖼 struktur organisasi</a>' in out.html
    assert '<a href="http://contoh.id/a.jpg" rel="nofollow ugc noopener">🖼 gambar</a>' in out.html
    assert "struktur organisasi" in out.text
    linked = render_markdown("[![logo](https://x.go.id/l.png)](https://bkn.go.id) ![kosong]()").html
    assert linked.count("<a ") == 1 and '<a href="https://bkn.go.id" rel="nofollow ugc noopener">🖼 logo</a>' in linked
    assert "🖼 kosong" in linked  # no source: text, not a link to the page itself


def test_headings_in_a_post_sit_below_the_pages_own_headings():
    html = render_markdown("# Judul\n\nisi\n\n## Sub\n\n##### lima").html
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Judul</h3>" in html and "<h4>Sub</h4>" in html and "<h6>lima</h6>" in html

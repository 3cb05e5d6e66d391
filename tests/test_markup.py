"""Markdown to HTML: the exact HTML and section text of every construct kbgen supports.

The expected strings are what markdown-it-py with mdit-py-plugins wrote for the same input
(kbgen's parser before markdown-it.rs): themes style that HTML, so it must not drift.
"""

from __future__ import annotations

import pytest

from kbgen.diagnostics import Diagnostics
from kbgen.markup import Rendered, render_markdown

LABELS = {"tip": "Tipp", "note": "Hinweis"}


def render(body: str, faq: bool = False, body_line: int = 5) -> tuple[Rendered, Diagnostics]:
    diags = Diagnostics()
    return render_markdown(body, file="content/de/a/f.md", source="de/a/f.md", body_line=body_line,
                           known_folders=frozenset(), labels=LABELS, diags=diags, faq=faq), diags


CASES = [
    pytest.param('- [ ] offen\n- [x] erledigt\n  - darunter\n\n1. [ ] locker\n\n2. [X] auch\n\n   mehr Text\n',
                 '<ul class="contains-task-list">\n<li class="task-list-item"><label><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> offen</label></li>\n<li class="task-list-item"><label><input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox"> erledigt</label>\n<ul>\n<li>darunter</li>\n</ul>\n</li>\n</ul>\n<ol class="contains-task-list">\n<li class="task-list-item">\n<p><label><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> locker</label></p>\n</li>\n<li class="task-list-item">\n<p><label><input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox"> auch</label></p>\n<p>mehr Text</p>\n</li>\n</ol>\n',
                 [('', 'offen erledigt darunter locker auch mehr Text')], id='tasks'),
    pytest.param('Erst[^b], dann[^a] und wieder[^b].\n\n[^a]: Fußnote A.\n[^b]: Fußnote B.\n[^c]: nie benutzt\n',
                 '<p>Erst<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>, dann<sup class="footnote-ref"><a href="#fn2" id="fnref2">[2]</a></sup> und wieder<sup class="footnote-ref"><a href="#fn1" id="fnref1:1">[1:1]</a></sup>.</p>\n<hr class="footnotes-sep" />\n<section class="footnotes">\n<ol class="footnotes-list">\n<li id="fn1" class="footnote-item"><p>Fußnote B. <a href="#fnref1" class="footnote-backref">↩︎</a> <a href="#fnref1:1" class="footnote-backref">↩︎</a></p>\n</li>\n<li id="fn2" class="footnote-item"><p>Fußnote A. <a href="#fnref2" class="footnote-backref">↩︎</a></p>\n</li>\n</ol>\n</section>\n',
                 [('', 'Erst, dann und wieder. Fußnote B. Fußnote A.')], id='footnotes'),
    pytest.param('Intro.\n\n## Wie lange dauert es?\n\nZwei Tage.\n\n## Wie lange dauert es?\n\n- kurz\n',
                 '<p>Intro.</p>\n<details class="faq-item"><summary><h2 id="wie-lange-dauert-es">Wie lange dauert es?</h2>\n</summary><div class="faq-answer">\n<p>Zwei Tage.</p>\n</div></details>\n<details class="faq-item"><summary><h2 id="wie-lange-dauert-es-2">Wie lange dauert es?</h2>\n</summary><div class="faq-answer">\n<ul>\n<li>kurz</li>\n</ul>\n</div></details>\n',
                 [('', 'Intro.'), ('Wie lange dauert es?', 'Zwei Tage.'), ('Wie lange dauert es?', 'kurz')], id='faq'),
    pytest.param('| Land | Preis | Hinweis |\n|:--|--:|:-:|\n| DE | 4,90 € | `a|b` |\n| AT | | [Kosten](kosten.md) |\n\nBegriff *kursiv*\n: Erklärung\n\nZweiter\n:   Absatz eins\n\n    Absatz zwei\n',
                 '<table>\n<thead>\n<tr>\n<th style="text-align:left">Land</th>\n<th style="text-align:right">Preis</th>\n<th style="text-align:center">Hinweis</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td style="text-align:left">DE</td>\n<td style="text-align:right">4,90 €</td>\n<td style="text-align:center">`a</td>\n</tr>\n<tr>\n<td style="text-align:left">AT</td>\n<td style="text-align:right"></td>\n<td style="text-align:center"><a href="kbgen-ref:0">Kosten</a></td>\n</tr>\n</tbody>\n</table>\n<dl>\n<dt>Begriff <em>kursiv</em></dt>\n<dd>\n<p>Erklärung</p>\n</dd>\n<dt>Zweiter</dt>\n<dd>\n<p>Absatz eins</p>\n<p>Absatz zwei</p>\n</dd>\n</dl>\n',
                 [('', 'Land Preis Hinweis DE 4,90 € `a AT  Kosten Begriff kursiv Erklärung Zweiter Absatz eins Absatz zwei')], id='table'),
    pytest.param('> [!TIP] Gut zu wissen\n> Bewahren Sie den **Beleg** auf.\n\n> [!note]\n> Kleingeschrieben.\n\n> [!BOGUS] bleibt ein Zitat\n',
                 '<div class="callout callout-tip" role="note">\n<p><strong class="callout-label">Gut zu wissen</strong> Bewahren Sie den <strong>Beleg</strong> auf.</p>\n</div>\n<div class="callout callout-note" role="note">\n<p><strong class="callout-label">Hinweis</strong> Kleingeschrieben.</p>\n</div>\n<blockquote>\n<p>[!BOGUS] bleibt ein Zitat</p>\n</blockquote>\n',
                 [('', 'Bewahren Sie den Beleg auf. Kleingeschrieben. [!BOGUS] bleibt ein Zitat')], id='callout'),
    pytest.param('# Titel\n\nSetext\n------\n\n```js title="x"\nif (a < b) {}\n```\n\n    eingerückt &amp;\n\n<div class="x">\nroh\n</div>\n\nText&nbsp;&amp; \\* <https://example.com/ä> ![Bild *b*](b.png "T") Zeile  \numbruch\n',
                 '<h2 id="setext">Setext</h2>\n<pre><code class="language-js">if (a &lt; b) {}\n</code></pre>\n<pre><code>eingerückt &amp;amp;\n</code></pre>\n<div class="x">\nroh\n</div>\n<p>Text\xa0&amp; * <a href="https://example.com/%C3%A4">https://example.com/ä</a> <img src="kbgen-ref:0" alt="Bild b" title="T" loading="lazy" /> Zeile<br />\numbruch</p>\n',
                 [('Setext', 'if (a < b) {}\n eingerückt &amp;\n Text\xa0& * https://example.com/ä Bild *b* Zeile umbruch')], id='blocks'),]


@pytest.mark.parametrize(("body", "html", "sections"), CASES)
def test_html_and_sections_as_markdown_it_py_wrote_them(body: str, html: str, sections: list[tuple[str, str]]) -> None:
    rendered, diags = render(body, faq="## Wie lange" in body)
    assert rendered.html == html
    assert [(s.heading, s.text) for s in rendered.sections] == sections
    assert diags.items() == []


def test_first_h1_is_the_title_and_leaves_the_body() -> None:
    rendered, _ = render("Titel\n=====\n\nText.\n")
    assert rendered.first_h1 == "Titel" and rendered.html == "<p>Text.</p>\n"


def test_heading_lines_count_lines_not_bytes() -> None:
    """The parser's offsets are bytes: umlauts before a heading must not shift its line."""
    rendered, _ = render("Äöü ß „Zitat“ – Gedankenstrich.\n\n## Rücksendung\n\nText.\n\n### Überblick\n", body_line=5)
    assert [(h.text, h.id, h.line) for h in rendered.headings] == [("Rücksendung", "ruecksendung", 7),
                                                                   ("Überblick", "ueberblick", 11)]


def test_callout_with_only_its_marker_keeps_valid_html() -> None:
    """Before, a callout whose first paragraph was only `[!NOTE]` lost its <p> but kept </p>."""
    rendered, _ = render("> [!NOTE]\n>\n> Absatz.\n")
    assert rendered.html == ('<div class="callout callout-note" role="note">\n'
                             '<p><strong class="callout-label">Hinweis</strong></p>\n<p>Absatz.</p>\n</div>\n')


def test_each_refused_link_is_reported_at_its_own_line() -> None:
    rendered, diags = render("Text.\n\n[a](javascript:alert(1))\n\n[b](javascript:alert(1)) ![c](data:image/png;base64,AA)\n")
    assert [(d.line, d.column, d.message) for d in diags.items()] == [
        (7, 5, "a 'javascript:' link is refused"), (9, 5, "a 'javascript:' link is refused")]
    assert "javascript" not in rendered.html.replace("[a](javascript:alert(1))", "").replace(
        "[b](javascript:alert(1))", "")


def test_nul_reads_as_replacement_character() -> None:
    rendered, _ = render("a\0b\n")
    assert rendered.html == "<p>a\ufffdb</p>\n"


def test_links_and_images_become_references_with_lines() -> None:
    rendered, diags = render("Text.\n\nSiehe [Kosten](../versand/kosten.md#preise) und\n![](bild.png)\n")
    assert [(r.kind, r.target, r.anchor, r.line) for r in rendered.references] == [
        ("article", "de/versand/kosten.md", "preise", 7), ("file", "de/a/bild.png", "", 8)]
    assert rendered.html == ('<p>Text.</p>\n<p>Siehe <a href="kbgen-ref:0">Kosten</a> und\n'
                             '<img src="kbgen-ref:1" alt="" loading="lazy" /></p>\n')
    assert [(d.line, d.code) for d in diags.items()] == [(8, "image-alt")]


def test_rendering_leaves_no_reference_cycles() -> None:
    """Builds run with the cyclic collector off: a cycle per article would keep every parsed tree alive."""
    import gc

    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for case in CASES:
            render(case.values[0], faq=True)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()

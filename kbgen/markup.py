"""Markdown to HTML with markdown-it.rs (CommonMark), plus what the site model needs from it.

The parser gives a syntax tree with byte offsets into the source, so a broken link, a
missing alt text or a refused <script> is reported at its line. One walk over the tree
renders the HTML (see markdown_html.py) and, on the way, assigns heading ids, turns
`> [!NOTE]` blockquotes into callouts, collects the text of each section for search,
collects references (replaced by markers that rendering resolves to final URLs) and
checks raw HTML.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from html import unescape
from typing import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from markdown_it_pyrs import MarkdownIt, Node

from kbgen.diagnostics import Diagnostics
from kbgen.markdown_html import INLINE, HtmlRenderer, escape, make_parser, plain_text
from kbgen.model import Heading, Reference, Section
from kbgen.slugs import IdAllocator

CALLOUTS = {"NOTE": "note", "TIP": "tip", "WARNING": "warning", "IMPORTANT": "important", "CAUTION": "caution"}
_CALLOUT_RE = re.compile(r"^\[!([A-Za-z]+)\][ \t]*(.*)$")
_SCRIPT_RE = re.compile(r"<\s*/?\s*script\b", re.I)
_EVENT_RE = re.compile(r"<[^>]*?\s(on[a-z]+)\s*=", re.I | re.S)
# Matched against the tag text with entities decoded and white space removed, as browsers read URLs.
_JS_URL_RE = re.compile(r"""(?:href|src|action|formaction|xlink:href|data|poster|background)=["']?"""
                        r"""(?:javascript|vbscript|data:text/html)""", re.I)
_BLANKS = re.compile(r"[\x00-\x20]+")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The parser refuses these link targets (as markdown-it does) and leaves the link as text.
_BAD_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_REFUSED_RE = re.compile(r"(?:\]\(\s*<?|<|^\[[^\]]*\]:[ \t]*<?)[ \t]*((?:javascript|vbscript|file|data):[^\s<>)]*)",
                         re.I | re.M)
_SAFE_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.I)
MARKER = "kbgen-ref:"  # href/src prefix of a reference that rendering replaces
FAQ_OPEN, FAQ_SUMMARY_END, FAQ_CLOSE = ('<details class="faq-item"><summary>',
                                        '</summary><div class="faq-answer">\n', "</div></details>\n")

_PARSER: MarkdownIt | None = None


def parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = make_parser()
    return _PARSER


class Rendered:
    """What one article's body turns into."""

    def __init__(self) -> None:
        self.html = ""
        self.first_h1: str | None = None  # text of a leading "# heading", removed from the body
        self.headings: list[Heading] = []
        self.sections: list[Section] = []
        self.references: list[Reference] = []
        self.word_count = 0


def render_markdown(body: str, *, file: str, source: str, body_line: int, known_folders: frozenset[str],
                    labels: dict[str, str], diags: Diagnostics, faq: bool = False) -> Rendered:
    """Parse BODY (of content/SOURCE, starting at BODY_LINE) and collect everything the site needs."""
    if "\0" in body:  # CommonMark: U+0000 reads as U+FFFD, for safety
        body = body.replace("\0", "\ufffd")
    root = parser().tree(body)
    out = Rendered()
    ctx = _Context(file, source, body, body_line, known_folders, diags, out)
    blocks = list(root.children)
    if blocks and blocks[0].name in ("heading", "lheading") and blocks[0].meta["level"] == 1:
        out.first_h1 = _plain(blocks[0].children, ctx)
        blocks = blocks[1:]
    writer = _ArticleWriter(ctx, labels, check_text=_mentions_bad_scheme(body))
    out.html = writer.render_blocks(blocks, faq)
    writer.section.text = " ".join(writer.parts).strip()
    out.sections.append(writer.section)
    out.sections = [s for s in out.sections if s.text or s.heading]
    out.word_count = sum(len(s.text.split()) for s in out.sections)
    return out


def _mentions_bad_scheme(body: str) -> bool:
    """Cheap test first: only then is every text node searched for a refused link."""
    lower = body.lower()
    return any(scheme in lower for scheme in _BAD_SCHEMES)


def code_and_text_lines(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Line ranges [first, end) of the code blocks, and of each run of inline text (a paragraph,
    a heading, a table cell …), as the page's parser sees TEXT: what snippet expansion must
    leave alone, and where a code span can be."""
    data = text.encode()
    starts, at = [0], data.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)

    def lines(start: int, end: int) -> tuple[int, int]:
        return bisect_right(starts, start) - 1, bisect_right(starts, max(end - 1, start))

    code: list[tuple[int, int]] = []
    runs: list[tuple[int, int]] = []

    def visit(node: Node) -> None:
        run: list[tuple[int, int]] = []
        for child in [*node.children, None]:
            if child is not None and child.name in INLINE:
                if child.srcmap is not None:
                    run.append(child.srcmap)
                continue
            if run:
                runs.append(lines(run[0][0], run[-1][1]))
                run = []
            if child is None:
                break
            if child.name in ("fence", "code_block") and child.srcmap is not None:
                code.append(lines(*child.srcmap))
            else:
                visit(child)

    visit(parser().tree(text.replace("\0", "\ufffd")))
    return code, runs


class _Context:
    """Where things are in the source, and what to do with references and raw HTML."""

    def __init__(self, file: str, source: str, body: str, body_line: int, known_folders: frozenset[str],
                 diags: Diagnostics, out: Rendered) -> None:
        self.file, self.source, self.body_line = file, source, body_line
        self.body = body
        self._lines: list[str] | None = None
        self.data = body.encode()  # the tree's offsets count bytes
        self._starts: list[int] | None = None
        self.known_folders, self.diags, self.out = known_folders, diags, out
        self.folder = posixpath.dirname(source)

    def line_of(self, offset: int) -> int:
        """The 0-based line of a byte offset into the body."""
        if self._starts is None:
            starts, data, at = [0], self.data, self.data.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = data.find(b"\n", at + 1)
            self._starts = starts
        return bisect_right(self._starts, offset) - 1

    def span(self, node: Node) -> tuple[int, int] | None:
        """The node's lines as markdown-it's token map gives them: [first, last + 1)."""
        srcmap = node.srcmap
        if srcmap is None:
            return None
        return self.line_of(srcmap[0]), self.line_of(max(srcmap[1] - 1, srcmap[0])) + 1

    @property
    def lines(self) -> list[str]:
        """The body's lines, split only when a diagnostic or reference needs a column."""
        if self._lines is None:
            self._lines = self.body.split("\n")
        return self._lines

    def raw(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    def locate(self, needle: str, block_map: Sequence[int] | None) -> tuple[int, int | None]:
        """The line and column of NEEDLE within the block, for precise diagnostics."""
        lines = self.lines
        start, end = (block_map[0], block_map[1]) if block_map else (0, len(lines))
        for i in range(start, min(end + 1, len(lines))):
            col = lines[i].find(needle)
            if col >= 0:
                return i + self.body_line, col + 1
        return start + self.body_line, None

    def reference(self, href: str, block_map: Sequence[int] | None, what: str) -> str | None:
        """Record a relative reference and return its marker; None leaves the URL as written."""
        if not href or _SCHEME_RE.match(href) or href.startswith("//"):
            return None
        parts = urlsplit(href)
        path, anchor = unquote(parts.path), unquote(parts.fragment)
        line, col = self.locate(href, block_map)
        if path.startswith("/"):
            self.diags.warning(f"link '{href}' is absolute and will break under a base path or file://",
                               self.file, line, column=col,
                               hint="link to the Markdown file by its relative path, e.g. ../versand/lieferzeiten.md",
                               code="link-absolute")
            return None
        if not path:
            kind, target = "anchor", ""
        else:
            target = posixpath.normpath(posixpath.join(self.folder, path))
            if path.endswith("/") or target in self.known_folders:
                kind = "folder"
            elif target.lower().endswith((".md", ".markdown")):
                kind = "article"
            else:
                kind = "file"
        marker = f"{MARKER}{len(self.out.references)}"
        self.out.references.append(Reference(kind, target, anchor, line, col, href, marker))
        return marker

    def check_html(self, html: str, block_map: Sequence[int] | None) -> None:
        if _JS_URL_RE.search(_BLANKS.sub("", unescape(html))):
            line, col = self.locate(html.strip()[:20], block_map)
            self.diags.error("a 'javascript:' URL is refused", self.file, line, column=col,
                             hint="raw HTML may not run scripts: link to a page or an https:// address instead",
                             code="unsafe-html")
        for pattern, message in ((_SCRIPT_RE, "a <script> element is refused"),
                                 (_EVENT_RE, "an event-handler attribute is refused")):
            match = pattern.search(html)
            if match:
                line, col = self.locate(match.group(0).strip()[:20], block_map)
                detail = f" ({match.group(1)}=…)" if pattern is _EVENT_RE else ""
                self.diags.error(message + detail, self.file, line, column=col,
                                 hint="raw HTML may not run scripts: the site's Content-Security-Policy blocks "
                                      "them; use Markdown, or ask for a theme feature", code="unsafe-html")

    def check_refused(self, text: str, block_map: Sequence[int] | None) -> None:
        """A javascript: (vbscript:, file:, data:) link the parser left as text gets its error."""
        for match in _REFUSED_RE.finditer(text):
            url = match.group(1)
            if _SAFE_DATA.match(url):
                continue
            line, col = self.locate(url, block_map)
            self.diags.error(f"a '{url.split(':')[0].strip().lower()}:' link is refused", self.file, line,
                             column=col, hint="link to a page or an https:// address instead", code="unsafe-html")


class _ArticleWriter(HtmlRenderer):
    """The HTML walk with kbgen's changes: ids, callouts, references, sections, FAQ details."""

    def __init__(self, ctx: _Context, labels: dict[str, str], check_text: bool) -> None:
        super().__init__()
        self.ctx, self.labels = ctx, labels
        if check_text:  # only then is each text node searched for a refused link
            self._rules = {**self._rules, "text": _ArticleWriter.checked_text}
        self.ids = IdAllocator(reserved=("main", "content", "search", "top"))
        self.section = Section("", "", 1, "")
        self.parts: list[str] = []  # the current section's text, one entry per inline run or code block

    def render_blocks(self, blocks: list[Node], faq: bool) -> str:
        """FAQ pages: each ## question and its answer become a <details> that opens from its anchor."""
        open_item = False
        for node in blocks:
            if faq and node.name in ("heading", "lheading") and node.meta["level"] == 2:
                if open_item:
                    self.out.append(FAQ_CLOSE)
                self.out.append(FAQ_OPEN)
                self.glued(node)
                self.out.append(FAQ_SUMMARY_END)
                open_item = True
            else:
                self.render_node(node)
        if open_item:
            self.out.append(FAQ_CLOSE)
        return "".join(self.out)

    def glued(self, node: Node) -> None:
        """Render a block right after raw HTML, without the line break a block starts with."""
        start = len(self.out)
        self.render_node(node)
        if len(self.out) > start and self.out[start] == "\n":
            del self.out[start]

    def inline_run(self, nodes: Sequence[Node]) -> None:
        self.parts.append(_plain(nodes, self.ctx))

    # --- blocks -----------------------------------------------------------

    def heading(self, node: Node, attrs: str = "") -> None:
        text = _plain(node.children, self.ctx)
        anchor = self.ids.allocate(text)
        level = node.meta["level"]
        srcmap = node.srcmap
        line = (self.ctx.line_of(srcmap[0]) if srcmap else 0) + self.ctx.body_line
        self.ctx.out.headings.append(Heading(level, text, anchor, line))
        if level <= 3:
            self.section.text = " ".join(self.parts).strip()
            self.ctx.out.sections.append(self.section)
            self.section, self.parts = Section(text, anchor, level, ""), []
        else:
            self.parts.append(text)
        super().heading(node, f' id="{escape(anchor)}"')

    def code_block(self, node: Node) -> None:
        self.parts.append(node.meta["content"])
        super().code_block(node)

    def fence(self, node: Node) -> None:
        self.parts.append(node.meta["content"])
        super().fence(node)

    def html_block(self, node: Node) -> None:
        self.ctx.check_html(node.meta["content"], self.ctx.span(node))
        super().html_block(node)

    def blockquote(self, node: Node, tag: str = "blockquote", attrs: str = "") -> None:
        """GitHub-style `> [!NOTE]` blockquotes become <div class="callout callout-note"> blocks."""
        children = node.children
        first = children[0] if children else None
        if first is None or first.name != "paragraph" or first.srcmap is None:
            return super().blockquote(node)
        start = first.srcmap[0]
        line = self.ctx.raw(start, first.srcmap[1]).partition("\n")[0]
        match = _CALLOUT_RE.match(line.strip())
        if not match or match.group(1).upper() not in CALLOUTS:
            return super().blockquote(node)
        kind = CALLOUTS[match.group(1).upper()]
        inline = first.children
        # Drop the "[!NOTE]" text and the line break after it; the theme shows the label.
        cut = next((k for k, c in enumerate(inline) if c.name in ("softbreak", "hardbreak")), len(inline))
        rest = inline[cut + 1:]
        title = match.group(2).strip() or self.labels.get(kind, kind.title())
        self.cr()
        self.out.append(f'<div class="callout callout-{kind}" role="note">\n')
        self.inline_run(rest)
        self.out.append(f'<p><strong class="callout-label">{escape(title)}</strong>{" " if rest else ""}')
        for child in rest:
            self.render_node(child)
        self.out.append("</p>\n")
        for child in children[1:]:
            self.render_node(child)
        self.cr()
        self.out.append("</div>")
        self.cr()

    # --- inline -----------------------------------------------------------

    def link(self, node: Node, href: str | None = None) -> None:
        if node.name == "autolink":
            return super().link(node)
        new = self.ctx.reference(node.meta["url"], self.ctx.span(node), "link")
        super().link(node, new)

    def image(self, node: Node, src: str | None = None, extra: str = "") -> None:
        url = node.meta["url"]
        alt = _label(self.ctx, node).strip()
        block_map = self.ctx.span(node)
        line, col = self.ctx.locate(url, block_map)
        if not alt:
            self.ctx.diags.warning("image has no alt text", self.ctx.file, line, column=col,
                                   hint="describe the image for people who cannot see it: ![Beschreibung](bild.png)",
                                   code="image-alt")
        new = self.ctx.reference(url, block_map, "image")
        super().image(node, new, ' loading="lazy"')

    def html_inline(self, node: Node) -> None:
        self.ctx.check_html(node.meta["content"], self.ctx.span(node))
        super().html_inline(node)

    def checked_text(self, node: Node) -> None:
        self.ctx.check_refused(node.meta["content"], self.ctx.span(node))
        self.text(node)


def _label(ctx: _Context, image: Node) -> str:
    """An image's alt text as written (markup included), which is what the section text keeps."""
    children = image.children
    if not children:
        return ""
    first, last = children[0].srcmap, children[-1].srcmap
    if first is None or last is None:
        return plain_text(children)
    return ctx.raw(first[0], last[1])


def _plain(nodes: Iterable[Node], ctx: _Context) -> str:
    """The visible text of inline nodes (an image counts with its alt text as written)."""
    parts: list[str] = []
    _collect(nodes, parts, ctx)
    return "".join(parts).strip()


def _collect(nodes: Iterable[Node], parts: list[str], ctx: _Context) -> None:
    for node in nodes:
        name = node.name
        if name == "text" or name == "text_special":
            parts.append(node.meta["content"])
        elif name in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif name == "image":
            parts.append(_label(ctx, node))
        elif name in ("em", "strong", "strikethrough", "link", "autolink", "code_inline"):
            _collect(node.children, parts, ctx)

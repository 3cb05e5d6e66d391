"""Markdown to HTML with markdown-it-py (CommonMark), plus what the site model needs from it.

markdown-it gives a token stream with source line numbers, so a broken link, a missing
alt text or a refused <script> is reported at its line. One pass over the tokens assigns
heading ids, turns `> [!NOTE]` blockquotes into callouts, collects references (replaced
by markers that rendering resolves to final URLs) and checks raw HTML.
"""

from __future__ import annotations

import posixpath
import re
from html import unescape
from typing import Sequence
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kbgen.diagnostics import Diagnostics
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
MARKER = "kbgen-ref:"  # href/src prefix of a reference that rendering replaces


_REJECTED: list[str] = []  # link targets markdown-it refused (javascript: …) during the current parse


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    validate = md.validateLink

    def recording_validate(url: str) -> bool:
        ok = validate(url)
        if not ok:
            _REJECTED.append(url)
        return ok

    md.validateLink = recording_validate  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin, label=True)
    return md


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
    md = parser()
    out = Rendered()
    env: dict[str, object] = {}
    _REJECTED.clear()
    tokens = md.parse(body, env)
    lines = body.split("\n")
    ctx = _Context(file, source, body_line, lines, known_folders, diags, out)
    for url in _REJECTED:
        line, col = ctx.locate(url, None)
        diags.error(f"a '{url.split(':')[0].strip().lower()}:' link is refused", file, line, column=col,
                    hint="link to a page or an https:// address instead", code="unsafe-html")
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        out.first_h1 = _plain(tokens[1])
        tokens = tokens[3:]
    ids = IdAllocator(reserved=("main", "content", "search", "top"))
    _callouts(tokens, labels)
    section = Section("", "", 1, "")
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = _plain(inline)
            anchor = ids.allocate(text)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            line = (token.map[0] if token.map else 0) + body_line
            out.headings.append(Heading(level, text, anchor, line))
            if level <= 3:
                section.text = " ".join(parts).strip()
                out.sections.append(section)
                section, parts = Section(text, anchor, level, ""), []
            else:
                parts.append(text)
        elif token.type == "inline":
            ctx.inline(token)
            if index == 0 or tokens[index - 1].type != "heading_open":
                parts.append(_plain(token))
        elif token.type in ("html_block",):
            ctx.check_html(token.content, token.map)
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    section.text = " ".join(parts).strip()
    out.sections.append(section)
    out.sections = [s for s in out.sections if s.text or s.heading]
    out.word_count = sum(len(s.text.split()) for s in out.sections)
    if faq:
        tokens = _faq_details(tokens)
    out.html = md.renderer.render(tokens, md.options, env)
    return out


def _html(content: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = content
    return token


def _faq_details(tokens: list[Token]) -> list[Token]:
    """FAQ pages: each ## question and its answer become a <details> that opens from its anchor."""
    out: list[Token] = []
    open_item = False
    closing_summary = False
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2":
            if open_item:
                out.append(_html("</div></details>\n"))
            out.append(_html('<details class="faq-item"><summary>'))
            open_item = True
        out.append(token)
        if token.type == "heading_open" and token.tag == "h2":
            closing_summary = True
        elif token.type == "heading_close" and closing_summary:
            out.append(_html('</summary><div class="faq-answer">\n'))
            closing_summary = False
    if open_item:
        out.append(_html("</div></details>\n"))
    return out


class _Context:
    def __init__(self, file: str, source: str, body_line: int, lines: list[str], known_folders: frozenset[str],
                 diags: Diagnostics, out: Rendered) -> None:
        self.file, self.source, self.body_line, self.lines = file, source, body_line, lines
        self.known_folders, self.diags, self.out = known_folders, diags, out
        self.folder = posixpath.dirname(source)

    def locate(self, needle: str, block_map: Sequence[int] | None) -> tuple[int, int | None]:
        """The line and column of NEEDLE within the block, for precise diagnostics."""
        start, end = (block_map[0], block_map[1]) if block_map else (0, len(self.lines))
        for i in range(start, min(end + 1, len(self.lines))):
            col = self.lines[i].find(needle)
            if col >= 0:
                return i + self.body_line, col + 1
        return start + self.body_line, None

    def inline(self, token: Token) -> None:
        for child in token.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                new = self.reference(href, token.map, "link")
                if new is not None:
                    child.attrSet("href", new)
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                alt = child.content.strip()
                line, col = self.locate(src, token.map)
                if not alt:
                    self.diags.warning("image has no alt text", self.file, line, column=col,
                                       hint="describe the image for people who cannot see it: ![Beschreibung](bild.png)",
                                       code="image-alt")
                new = self.reference(src, token.map, "image")
                if new is not None:
                    child.attrSet("src", new)
                child.attrSet("loading", "lazy")
            elif child.type == "html_inline":
                self.check_html(child.content, token.map)

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


def _callouts(tokens: list[Token], labels: dict[str, str]) -> None:
    """Turn GitHub-style `> [!NOTE]` blockquotes into <div class="callout callout-note"> blocks."""
    for i, token in enumerate(tokens):
        if token.type != "blockquote_open" or i + 2 >= len(tokens) or tokens[i + 2].type != "inline":
            continue
        inline = tokens[i + 2]
        first_line, _, rest = inline.content.partition("\n")
        match = _CALLOUT_RE.match(first_line.strip())
        if not match or match.group(1).upper() not in CALLOUTS:
            continue
        kind = CALLOUTS[match.group(1).upper()]
        token.tag = "div"
        token.attrSet("class", f"callout callout-{kind}")
        token.attrSet("role", "note")
        depth, j = 0, i
        while j < len(tokens):
            if tokens[j].type == "blockquote_open":
                depth += 1
            elif tokens[j].type == "blockquote_close":
                depth -= 1
                if depth == 0:
                    tokens[j].tag = "div"
                    break
            j += 1
        children = inline.children or []
        # Drop the "[!NOTE]" text and the line break after it; the theme shows the label.
        cut = next((k for k, c in enumerate(children) if c.type in ("softbreak", "hardbreak")), len(children))
        inline.children = children[cut + 1:]
        inline.content = rest
        title = match.group(2).strip() or labels.get(kind, kind.title())
        label = Token("html_inline", "", 0)
        label.content = f'<strong class="callout-label">{_escape(title)}</strong> '
        inline.children.insert(0, label)
        if not inline.children[1:]:
            tokens[i + 1].hidden = True


def _plain(inline: Token) -> str:
    """The visible text of an inline token."""
    if not inline.children:
        return inline.content
    parts = []
    for child in inline.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

"""Expanding `{{< snippet name >}}` and `{{< var name >}}` in an article's Markdown, with a line map back.

Expansion happens on the text before Markdown parsing, so everything downstream (links,
headings, the search index) sees the final text. Code is left alone: fenced and indented
code blocks (found with the same block parser the page uses) and inline code spans. Every
line of the expanded text remembers where it was written, so a problem that Markdown
parsing finds in it is reported at the snippet's file and line, or at the article's.
"""

from __future__ import annotations

import posixpath
import re
import string
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from kbgen.diagnostics import Diagnostic, Diagnostics, did_you_mean
from kbgen.discover import MARKDOWN_SUFFIXES, Source
from kbgen.markup import Rendered, make_parser
from kbgen.model import Reference
from kbgen.reuse import Snippet

DIRECTIVE_RE = re.compile(r"(\\?)\{\{<(.*?)>\}\}")  # a leading backslash keeps it as text
SNIPPET_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
PREFIX_RE = re.compile(r"^[ \t>]*$")  # what may stand before an include: indentation, quote markers
MAX_DEPTH = 10  # snippets in snippets: deeper than this is a mistake, not a design
KINDS = ("snippet", "var")
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in string.punctuation}  # read as text by Markdown and HTML alike
_BACKTICKS = re.compile(r"`+")
_INDENTED = re.compile(r"^[ \t>*+\-.)0-9]*(?: {4}|\t)", re.M)  # could open an indented code block (in any container)


class Origin(NamedTuple):
    """Where one line of the expanded text was written."""

    file: str  # site-relative file, e.g. "content/de/_snippets/ruecksendeadresse.md"
    line: int  # 1-based line in that file
    at: int  # the article's line it stands at (the include's line for a snippet's text)
    shift: int = 0  # characters put before it (the indentation or '> ' of an indented include)
    moved: int | None = None  # expanded columns from here on moved (a variable's value); None: none moved
    folder: str | None = None  # a snippet's line: the folder its relative links start from

    def column(self, col: int | None) -> int | None:
        """The column in FILE for column COL of the expanded line, where it is known."""
        if col is None or (self.moved is not None and col >= self.moved) or col - self.shift < 1:
            return None
        return col - self.shift


@dataclass
class Expanded:
    """An article body after expansion; `sink` and `finish` move parse diagnostics back to their sources."""

    text: str  # the Markdown to parse
    file: str  # the article's site-relative file
    body_line: int  # line of the body's first line in the article
    diags: Diagnostics  # the article's sink
    origins: list[Origin] | None = None  # one per line of text; None when nothing was expanded
    includes: list[str] = field(default_factory=list)  # snippet files used, sorted
    _local: Diagnostics = field(default_factory=Diagnostics)

    @property
    def sink(self) -> Diagnostics:
        """Where Markdown parsing reports: a holding sink when lines must be moved first."""
        return self.diags if self.origins is None else self._local

    def finish(self, rendered: Rendered, known_folders: frozenset[str]) -> None:
        """Move the diagnostics, headings and references of RENDERED to the lines they were written on."""
        if self.origins is None:
            return
        for d in self._local.items():
            self.diags.add(self._move(d))
        for heading in rendered.headings:
            origin = self._origin(heading.line)
            if origin is not None:
                heading.line = origin.at
        for index, ref in enumerate(rendered.references):
            origin = self._origin(ref.line)
            if origin is None:
                continue
            moved = replace(ref, line=origin.line, column=origin.column(ref.column))
            if origin.folder is not None:
                moved = _retarget(replace(moved, file=origin.file), origin.folder, known_folders)
            rendered.references[index] = moved

    def _origin(self, line: int) -> Origin | None:
        assert self.origins is not None
        index = line - self.body_line
        return self.origins[index] if 0 <= index < len(self.origins) else None

    def _move(self, d: Diagnostic) -> Diagnostic:
        origin = self._origin(d.line) if d.file == self.file and d.line is not None else None
        if origin is None:
            return d
        return replace(d, file=origin.file, line=origin.line, column=origin.column(d.column))


def expand(body: str, body_line: int, src: Source, snippets: tuple[Snippet, ...],
           variables: tuple[tuple[str, str, str], ...], diags: Diagnostics) -> Expanded:
    """Expand BODY (of SRC, starting at BODY_LINE); problems go to DIAGS at the line they were written on."""
    result = Expanded(body, src.file, body_line, diags)
    if "{{<" not in body:  # the common case costs one substring search
        return result
    expander = _Expander(src, snippets, variables, diags)
    lines = expander.text(body, src.file, body_line, [], None)
    text = "\n".join(text for text, _ in lines)
    if text != body:
        result.text, result.origins = text, [origin for _, origin in lines]
    result.includes = sorted(expander.used)
    return result


def check_front_matter(meta: dict[str, Any], lines: dict[str, int], file: str, diags: Diagnostics) -> None:
    """Front matter is not expanded: say so where a writer tried, instead of showing the braces."""
    for key, value in meta.items():
        if any(isinstance(v, str) and "{{<" in v for v in (value if isinstance(value, list) else [value])):
            diags.warning(f"'{key}' uses '{{{{< … >}}}}', which front matter does not expand", file, lines.get(key),
                          hint="write the text itself here; snippets and variables work in the article's text",
                          code="frontmatter-directive")


def escape_value(value: str) -> str:
    """A variable's value as Markdown that reads as plain text: punctuation as character references."""
    return value.translate(_ESCAPES)


class _Expander:
    def __init__(self, src: Source, snippets: tuple[Snippet, ...], variables: tuple[tuple[str, str, str], ...],
                 diags: Diagnostics) -> None:
        self.lang, self.diags = src.lang, diags
        self.prefix = src.source[: len(src.source) - len(src.rel)]  # "de/" or ""
        self.snippets = {(s.scope, s.name): s for s in snippets}
        self.visible = sorted({s.name for s in snippets if s.scope in (self.lang, "")})
        self.values = {name: value for lang, name, value in variables if lang == self.lang}
        self.used: set[str] = set()

    def text(self, text: str, file: str, first_line: int, stack: list[Snippet],
             folder: str | None) -> list[tuple[str, Origin]]:
        """Expand TEXT of FILE; STACK holds the snippets being expanded around it (to find cycles)."""
        lines = text.split("\n")
        if "{{<" not in text:
            return [(line, Origin(file, first_line + i, first_line + i, folder=folder)) for i, line in enumerate(lines)]
        code, spans = _code(text, lines)
        out: list[tuple[str, Origin]] = []
        for i, line in enumerate(lines):
            number = first_line + i
            origin = Origin(file, number, number, folder=folder)
            found = [] if code[i] or "{{<" not in line else [
                m for m in DIRECTIVE_RE.finditer(line)
                if not m.group(1) and not any(a < m.end() and m.start() < b for a, b in spans[i])]
            include = next((m for m in found if _words(m)[:1] == ["snippet"]), None)
            if include is not None:
                expanded = self.include(include, line, found, file, number, stack)
                out.extend(expanded if expanded is not None else [(line, origin)])
            elif found:
                out.append(self.substitute(line, found, origin))
            else:
                out.append((line, origin))
        return out

    def include(self, m: re.Match[str], line: str, found: list[re.Match[str]], file: str, number: int,
                stack: list[Snippet]) -> list[tuple[str, Origin]] | None:
        """The lines of the snippet that M names, prefixed like the include line; None after an error."""
        col = m.start() + 1
        prefix = line[: m.start()]
        if len(found) > 1 or not PREFIX_RE.match(prefix) or line[m.end():].strip():
            self.diags.error("a snippet goes on a line of its own", file, number, column=col,
                             hint="put {{< snippet … >}} on its own line; for a word or number inside a "
                                  "sentence use {{< var … >}}", code="snippet-inline")
            return None
        words = _words(m)
        if len(words) != 2:
            self.diags.error("{{< snippet >}} needs exactly one name", file, number, column=col,
                             hint="write e.g. {{< snippet ruecksendeadresse >}}", code="snippet-syntax")
            return None
        name = words[1]
        if not SNIPPET_NAME_RE.match(name):
            self.diags.error(f"snippet name '{name}' is not allowed", file, number, column=col,
                             hint="name a file below content/_snippets/ without '.md', e.g. ruecksendeadresse or "
                                  "adressen/lager; a name cannot leave that folder", code="snippet-name")
            return None
        snippet = self.snippets.get((self.lang, name)) or self.snippets.get(("", name))
        if snippet is None:
            folder = f"content/{self.prefix}_snippets/"
            self.diags.error(f"snippet '{name}' does not exist", file, number, column=col,
                             hint=did_you_mean(name, self.visible) or f"create {folder}{name}.md",
                             code="snippet-missing")
            return None
        if snippet in stack:
            chain = " → ".join(s.name for s in stack[stack.index(snippet):] + [snippet])
            self.diags.error(f"snippet '{name}' includes itself ({chain})", file, number, column=col,
                             hint="remove one of the includes; a snippet cannot contain itself", code="snippet-cycle")
            return None
        if len(stack) >= MAX_DEPTH:
            self.diags.error(f"snippets are included more than {MAX_DEPTH} levels deep", file, number, column=col,
                             hint="include the text directly instead of through so many snippets",
                             code="snippet-depth")
            return None
        self.used.add(snippet.file)
        inner = self.text(snippet.text.rstrip("\n"), snippet.file, 1, [*stack, snippet], snippet.folder(self.prefix))
        width = len(prefix)
        return [(prefix + text, o._replace(at=number if not stack else o.at, shift=o.shift + width,
                                           moved=None if o.moved is None else o.moved + width))
                for text, o in inner]

    def substitute(self, line: str, found: list[re.Match[str]], origin: Origin) -> tuple[str, Origin]:
        """LINE with each `{{< var name >}}` replaced by its value."""
        parts: list[str] = []
        pos, first = 0, None
        for m in found:
            value = self.value(m, origin)
            if value is None:
                continue
            parts += [line[pos:m.start()], escape_value(value)]
            pos = m.end()
            first = first or m.start() + 1
        parts.append(line[pos:])
        return "".join(parts), origin._replace(moved=first)

    def value(self, m: re.Match[str], origin: Origin) -> str | None:
        words = _words(m)
        where: dict[str, Any] = {"file": origin.file, "line": origin.line, "column": m.start() + 1}
        kind = words[0] if words else ""
        if kind not in KINDS:
            hint = did_you_mean(kind, KINDS) if kind else None
            self.diags.error(f"unknown '{{{{< {kind} >}}}}'", **where,
                             hint=(hint + " " if hint else "") + "write {{< var name >}} or {{< snippet name >}}; "
                             "a backslash before '{{<' keeps it as text", code="directive-unknown")
            return None
        if len(words) != 2:
            self.diags.error("{{< var >}} needs exactly one name", **where,
                             hint="write e.g. {{< var hotline >}}", code="variable-syntax")
            return None
        value = self.values.get(words[1])
        if value is None:
            self.diags.error(f"unknown variable '{words[1]}'", **where,
                             hint=did_you_mean(words[1], self.values) or
                             f"set it in kbgen.yml under variables:, e.g. {words[1]}: …", code="variable-unknown")
        return value


def _words(m: re.Match[str]) -> list[str]:
    return m.group(2).split()


_BLOCK_PARSER: MarkdownIt | None = None


def _block_parser() -> MarkdownIt:
    """The page's Markdown parser, block level only: enough to know which lines are code."""
    global _BLOCK_PARSER
    if _BLOCK_PARSER is None:
        _BLOCK_PARSER = make_parser().disable("inline")
    return _BLOCK_PARSER


def _code(text: str, lines: list[str]) -> tuple[list[bool], list[list[tuple[int, int]]]]:
    """Which lines are code blocks, and the column ranges of inline code spans on the others."""
    code = [False] * len(lines)
    spans: list[list[tuple[int, int]]] = [[] for _ in lines]
    if "`" not in text and "~~~" not in text and not _INDENTED.search(text):
        return code, spans  # no fence, no code span, nothing indented enough for a code block: skip the parser
    blocks: set[tuple[int, int]] = set()  # line ranges of paragraphs, headings, table rows: a span stays inside one
    for token in _block_parser().parse(text, {}):
        if not token.map:
            continue
        if token.type in ("fence", "code_block"):
            for i in range(token.map[0], min(token.map[1], len(lines))):
                code[i] = True
        elif token.type == "inline":
            blocks.add((token.map[0], min(token.map[1], len(lines))))
    for start, end in sorted(blocks):
        if start < end:
            _mark_spans(lines, start, end, spans)
    return code, spans


def _mark_spans(lines: list[str], first: int, end: int, spans: list[list[tuple[int, int]]]) -> None:
    """CommonMark code spans: a run of n backticks up to the next run of exactly n."""
    joined = "\n".join(lines[first:end])
    starts = [0]
    for line in lines[first:end - 1]:
        starts.append(starts[-1] + len(line) + 1)
    pos = 0
    while (m := _BACKTICKS.search(joined, pos)) is not None:
        begin, run = m.start(), len(m.group())
        back = begin
        while back > 0 and joined[back - 1] == "\\":
            back -= 1
        if (begin - back) % 2:  # an escaped backtick is text; the rest of the run may still open a span
            begin, run = begin + 1, run - 1
        close = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(joined, begin + run) if run else None
        if close is None:
            pos = m.end()
            continue
        for k, line_start in enumerate(starts):
            line_end = line_start + len(lines[first + k])
            a, b = max(begin, line_start), min(close.end(), line_end)
            if a < b:
                spans[first + k].append((a - line_start, b - line_start))
        pos = close.end()


def _retarget(ref: Reference, folder: str, known_folders: frozenset[str]) -> Reference:
    """Resolve a snippet's relative link from the snippet's folder, as markup.py resolves an article's."""
    path = unquote(urlsplit(ref.written).path)
    if ref.kind == "anchor" or not path:
        return ref
    target = posixpath.normpath(posixpath.join(folder, path))
    if path.endswith("/") or target in known_folders:
        kind = "folder"
    elif target.lower().endswith(MARKDOWN_SUFFIXES):
        kind = "article"
    else:
        kind = "file"
    return replace(ref, kind=kind, target=target)

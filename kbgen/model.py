"""The page model: plain data produced by parsing, and the site model that relates it.

Like Zola's library, the site keeps flat maps keyed by source path; relations are stored
as keys and computed in one place (sitemodel.py), never patched in by later stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kbgen.diagnostics import Diagnostic

UNORDERED = 1_000_000  # the order of articles and folders that do not set one


@dataclass
class Heading:
    level: int  # 1-6
    text: str  # plain text of the heading
    id: str  # the anchor, e.g. "ruecksendung"
    line: int  # 1-based line in the source file


@dataclass
class Section:
    """A unit of search retrieval: the text between two headings."""

    heading: str  # heading text ("" for the text before the first heading)
    anchor: str  # heading id ("" for the intro)
    level: int  # heading level, 1 for the intro
    text: str  # plain text of the section's body; only its start (the search snippet) after parsing


@dataclass
class Reference:
    """A relative link or image in an article, resolved to a source path."""

    kind: str  # "article" (a .md file), "folder" (a category/section/guide), "file" (media), "anchor" (same page)
    target: str  # source path relative to content/ (POSIX), "" for a same-page anchor
    anchor: str  # fragment without '#', may be ""
    line: int  # 1-based line in the source file
    column: int | None  # 1-based column where known
    written: str  # the link as the writer wrote it, for messages
    marker: str  # the placeholder in the HTML that rendering replaces with the final URL
    file: str | None = None  # the snippet it was written in, for diagnostics; None: the article itself


@dataclass
class SearchText:
    """An article's search words, counted per field where the parse workers see them.

    The index then only maps words to ids and adds arrays: it never splits a text again, and a
    cached parse result carries two compact values instead of the text a second time.
    """

    words: str  # the distinct words (stop words removed), in code-point order, space-separated
    count: int  # how many words WORDS holds
    # (field, word, count) as native uint32 triples, sorted by field then word. Fields: 0-2 the
    # article's title, keywords and description; then each section's heading (3 + 2k) and body (4 + 2k).
    counts: bytes
    sections: int  # the section units the article has (at least one, maybe empty)


@dataclass
class Article:
    source: str  # path relative to content/, e.g. "de/versand/lieferzeiten.md"
    lang: str  # language code
    rel: str  # path relative to the language root, e.g. "versand/lieferzeiten.md"
    title: str  # from front matter, else the first "# heading", else the file name
    meta: dict[str, Any]  # validated front matter (see frontmatter.FIELDS)
    meta_lines: dict[str, int]  # front-matter key -> line, for diagnostics on references
    meta_item_lines: dict[str, list[int]]  # list-valued key -> line of each item
    html: str  # body HTML with reference markers
    headings: list[Heading]
    sections: list[Section]
    references: list[Reference]
    word_count: int
    diagnostics: list[Diagnostic] = field(default_factory=list)  # problems found while parsing
    includes: list[str] = field(default_factory=list)  # snippet files its text includes, sorted
    # Filled by the site model:
    url: str = ""  # site-internal URL path, e.g. "/versand/lieferzeiten/" (without base path)
    folder: str = ""  # key of its category/section/guide folder ("" at the language root)
    updated: dt.date | None = None  # front-matter 'updated', else the last git commit date
    translations: dict[str, str] = field(default_factory=dict)  # lang -> source of the translation
    related: list[str] = field(default_factory=list)  # sources of related articles, best first
    guide: str | None = None  # key of the guide this article is a step of
    ref_urls: list[str] = field(default_factory=list)  # resolved site URL of each reference, index-aligned
    search: SearchText | None = None  # its words as the search index counts them; None: excluded from search

    @property
    def file(self) -> str:
        return f"content/{self.source}"

    @property
    def type(self) -> str:
        return str(self.meta.get("type", "article"))

    @property
    def description(self) -> str:
        return str(self.meta.get("description", ""))

    @property
    def order(self) -> int:
        """Explicit order first (lower first); articles without one come after, by title."""
        return int(self.meta.get("order", UNORDERED))

    @property
    def promoted(self) -> bool:
        return bool(self.meta.get("promoted", False))


@dataclass
class Folder:
    """A category (first level), a section (deeper) or a product guide."""

    key: str  # "<lang>/<path>", e.g. "de/versand" — also how articles point to it
    lang: str
    path: str  # path below the language root, e.g. "versand/paketdienste"
    title: str
    description: str
    icon: str
    order: int  # UNORDERED when not set
    url: str  # e.g. "/versand/"
    parent: str | None  # key of the parent folder, None for a category
    is_guide: bool = False
    product: str | None = None  # guides: the product they belong to
    articles: list[str] = field(default_factory=list)  # sources, sorted promoted, order, title (guides: step order)
    children: list[str] = field(default_factory=list)  # keys of sub-folders, sorted by order, title
    source: str | None = None  # the _category.yml / _guide.yml file, for diagnostics
    contact: dict[str, Any] = field(default_factory=dict)  # `contact:` channels replacing the site's for pages below

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1


@dataclass
class Redirect:
    url: str  # the old URL path (without base path), e.g. "/retoure/"
    target: str  # the URL path it redirects to
    source: str  # the article that declared it


@dataclass
class Site:
    articles: dict[str, Article]  # source -> article (drafts excluded unless --drafts)
    folders: dict[str, Folder]  # folder key -> folder
    languages: list[str]
    tags: dict[str, dict[str, list[str]]]  # lang -> tag -> sources
    products: dict[str, dict[str, list[str]]]  # lang -> product id -> sources
    redirects: list[Redirect]
    media: dict[str, str]  # media source -> URL path
    urls: dict[str, str] = field(default_factory=dict)  # URL path -> what owns it, for collisions

    def in_lang(self, lang: str) -> list[Article]:
        return [a for a in self.articles.values() if a.lang == lang]

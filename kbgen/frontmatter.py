"""Front matter: split it from the Markdown body and validate it against the documented keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kbgen.diagnostics import Diagnostics
from kbgen.schema import BOOL, DATE, INT, MAPPING, NUMBER, TEXT, WORDS, Field, check_mapping
from kbgen.slugs import SLUG_RE
from kbgen.yamlload import YamlMapping, load_mapping

ARTICLE_TYPES = ("article", "faq", "troubleshooting")

FIELDS: dict[str, Field] = {
    "title": Field(TEXT, "the article's title"),
    "description": Field(TEXT, "one sentence shown in listings, search results and to search engines"),
    "slug": Field(TEXT, "the last part of the URL, a-z, 0-9 and '-' (default: the file name)"),
    "tags": Field(WORDS, "a list of tags; each tag gets a page listing its articles"),
    "keywords": Field(WORDS, "extra search terms customers use, e.g. [Retoure, zurückschicken]"),
    "products": Field(WORDS, "ids of products from kbgen.yml this article is about"),
    "order": Field(INT, "position in its category (lower first; default 0, then by title)"),
    "draft": Field(BOOL, "true to leave the article out of the build (kbgen build --drafts shows it)"),
    "created": Field(DATE, "the date the article was written, YYYY-MM-DD"),
    "updated": Field(DATE, "the date of the last real change, YYYY-MM-DD (default: the last git commit)"),
    "review_by": Field(DATE, "the date by which the article should be checked again, YYYY-MM-DD"),
    "aliases": Field(WORDS, "old URL paths that redirect here, e.g. [/retoure/]"),
    "related": Field(WORDS, "relative paths of related articles, e.g. [../garantie/reparatur.md]"),
    "promoted": Field(BOOL, "true to show the article first on the home and category pages"),
    "type": Field(TEXT, "article (default), faq (each ## heading is a question) or troubleshooting"),
    "translation_key": Field(TEXT, "the same key on articles that translate each other at different paths"),
    "search": Field(MAPPING, "search settings: {exclude: true} or {boost: 2}"),
}
SEARCH_FIELDS = {
    "exclude": Field(BOOL, "true to keep the article out of the search index"),
    "boost": Field(NUMBER, "multiplies the article's search scores, e.g. 2 (default 1)"),
}
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass
class Document:
    meta: dict[str, Any]  # validated front matter
    meta_lines: dict[str, int]  # key -> line
    meta_item_lines: dict[str, list[int]]  # list-valued key -> line of each item
    body: str  # the Markdown after the front matter
    body_line: int  # line number of the body's first line in the file (1-based)
    has_front_matter: bool


def split_document(text: str, file: str, diags: Diagnostics) -> Document | None:
    """Separate and validate front matter; None when the file cannot be used at all."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        if re.match(r"^[A-Za-z_]+:\s", text) and "\n---" in text:
            diags.warning("the file looks like front matter without the opening '---'", file, 1,
                          hint="add a line '---' before the first 'key: value' line", code="frontmatter-open")
        return Document({}, {}, {}, text, 1, False)
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        diags.error("front matter starts at line 1 but is never closed", file, 1,
                    hint="did you forget to add a line '---' after the front matter?", code="frontmatter-unclosed")
        return None
    yaml_text = "\n".join(lines[1:end])
    mapping = load_mapping(yaml_text, file, diags, line_offset=1, what="front matter")
    if mapping is None:
        return None
    meta = check_mapping(mapping, FIELDS, file, diags, what="front matter", base_line=1)
    _check_values(meta, mapping, file, diags)
    return Document(meta, mapping.lines, mapping.item_lines, "\n".join(lines[end + 1:]), end + 2, True)


def split_document_with(text: str, file: str, diags: Diagnostics, fields: dict[str, Field], *,
                        what: str) -> tuple[dict[str, Any], YamlMapping, str] | None:
    """Front matter checked against FIELDS (unknown keys are errors), for files that are not articles."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, YamlMapping({}), text
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        diags.error(f"{what} starts at line 1 but is never closed", file, 1,
                    hint="did you forget to add a line '---' after the front matter?", code="frontmatter-unclosed")
        return None
    mapping = load_mapping("\n".join(lines[1:end]), file, diags, line_offset=1, what=what)
    if mapping is None:
        return None
    values = check_mapping(mapping, fields, file, diags, what=what, base_line=1, unknown_is_error=True)
    return values, mapping, "\n".join(lines[end + 1:])


def _check_values(meta: dict[str, Any], mapping: YamlMapping, file: str, diags: Diagnostics) -> None:
    line = mapping.lines.get
    if "slug" in meta and not SLUG_RE.match(meta["slug"]):
        diags.error(f"slug '{meta['slug']}' may only use a-z, 0-9 and single '-'", file, line("slug"),
                    hint="slugs become URLs: write e.g. slug: lieferzeiten-inland", code="slug-invalid")
        del meta["slug"]
    if "type" in meta and meta["type"] not in ARTICLE_TYPES:
        diags.error(f"unknown type '{meta['type']}'", file, line("type"),
                    hint=f"type is one of {', '.join(ARTICLE_TYPES)}", code="type-unknown")
        del meta["type"]
    if "title" in meta and not meta["title"]:
        diags.error("title is empty", file, line("title"), hint="write a title or remove the key", code="title-empty")
        del meta["title"]
    if "search" in meta:
        meta["search"] = check_mapping(mapping, SEARCH_FIELDS, file, diags, what="search",
                                       values=meta["search"], lines={}, base_line=line("search") or 1,
                                       unknown_is_error=False)
    if "created" in meta and "updated" in meta and meta["updated"] < meta["created"]:
        diags.warning("updated is earlier than created", file, line("updated"),
                      hint="check the two dates", code="date-order")

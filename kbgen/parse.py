"""Parse stage: one source file in, one Article out (front matter + Markdown → page model).

A pure function of the file's bytes and a few site facts, so it can run in worker
processes and its result can be cached by content hash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from kbgen.cache import canonical, digest
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Source
from kbgen.expand import check_front_matter, expand
from kbgen.frontmatter import split_document
from kbgen.markup import render_markdown
from kbgen.model import Article
from kbgen.reuse import Snippet
from kbgen.search.indexer import analyse_article, excerpt
from kbgen.textfile import decode_text


@dataclass(frozen=True)
class ParseContext:
    known_folders: frozenset[str]  # folder sources (relative to content/), for links to categories
    labels: dict[str, dict[str, str]]  # lang -> callout kind -> label
    snippets: tuple[Snippet, ...] = ()  # every snippet of the site, for {{< snippet name >}}
    variables: tuple[tuple[str, str, str], ...] = ()  # (lang, name, text) for {{< var name >}}, sorted

    def fingerprint(self, shortcodes: bool = True) -> str:
        """A stable hash of everything parsing depends on besides the file: part of a parse cache's key.

        Every field counts, by value (sets sorted), so a field added later cannot be forgotten here;
        but snippets and variables only for a file with SHORTCODES (`{{<` in its text): they are
        expanded nowhere else, so editing a snippet reparses only the articles that may include it.
        """
        return digest(repr(canonical(self if shortcodes else replace(self, snippets=(), variables=()))))


def uses_shortcodes(raw: bytes) -> bool:
    """Whether a file's text may include snippets or variables (UTF-8: the bytes hold `{{<` as they are)."""
    return b"{{<" in raw


def parse_article(src: Source, raw: bytes, ctx: ParseContext) -> Article | None:
    """Return the article, or None when the file is unusable; diagnostics travel with it."""
    diags = Diagnostics()
    article = _parse(src, raw, ctx, diags)
    if article is None:
        article = _empty(src)
        article.meta["_unusable"] = True
    article.diagnostics = diags.items()
    return article


def _parse(src: Source, raw: bytes, ctx: ParseContext, diags: Diagnostics) -> Article | None:
    file = src.file
    text = decode_text(raw, file, diags)
    if text is None:
        return None
    if not text.strip():
        diags.warning("the file is empty", file, 1, hint="write the article, or delete the file", code="empty-file")
        return None
    doc = split_document(text, file, diags)
    if doc is None:
        return None
    check_front_matter(doc.meta, doc.meta_lines, file, diags)
    expanded = expand(doc.body, doc.body_line, src, ctx.snippets, ctx.variables, diags)
    rendered = render_markdown(expanded.text, file=file, source=src.source, body_line=doc.body_line,
                               known_folders=ctx.known_folders, labels=ctx.labels.get(src.lang, {}),
                               diags=expanded.sink, faq=doc.meta.get("type") == "faq")
    expanded.finish(rendered, ctx.known_folders)  # diagnostics and references back to where they were written
    title = doc.meta.get("title") or rendered.first_h1
    if not title:
        title = PurePosixPath(src.rel).stem.replace("-", " ").replace("_", " ").strip().capitalize() or src.rel
    if doc.has_front_matter and not doc.body.strip():
        diags.warning("the article has front matter but no text", file, doc.body_line,
                      hint="write the article below the closing '---'", code="empty-body")
    article = Article(source=src.source, lang=src.lang, rel=src.rel, title=title, meta=doc.meta,
                      meta_lines=doc.meta_lines, meta_item_lines=doc.meta_item_lines, html=rendered.html,
                      headings=rendered.headings, sections=rendered.sections, references=rendered.references,
                      word_count=rendered.word_count, includes=expanded.includes)
    if not (doc.meta.get("search") or {}).get("exclude"):
        article.search = analyse_article(article)  # here: in the workers
    for section in article.sections:  # only the snippet travels on: less to send back from the workers
        section.text = excerpt(section.text)
    return article


def _empty(src: Source) -> Article:
    return Article(source=src.source, lang=src.lang, rel=src.rel, title="", meta={}, meta_lines={}, meta_item_lines={}, html="",
                   headings=[], sections=[], references=[], word_count=0)

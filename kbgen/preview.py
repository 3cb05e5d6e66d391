"""kbgen serve's shortcut: the page of an article whose text alone changed, written before the rebuild.

A save that keeps an article's front matter and title changes no other page's structure
(URLs, folders, listings, guides, translations all hang on those), so the last build's
site model can render the new page at once: a few milliseconds on any size of site,
where the rebuild that follows reads the whole site again. The rebuild then brings
the rest up to date (listings, related articles, the search index) and rewrites the
page only if it comes out different. Anything else (another file, a front-matter change,
a problem in the new text) is left to the rebuild, which reports it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from kbgen.cache import Manifest, digest
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Source
from kbgen.parse import ParseContext, parse_article
from kbgen.render import Job, Renderer
from kbgen.urls import output_rel
from kbgen.validate import resolve_references
from kbgen.write import replace_file


@dataclass
class SiteSnapshot:
    """What a good build leaves for the next edit: its renderer (with the site model) and how it parsed."""

    renderer: Renderer
    context: ParseContext
    sources: dict[str, Source]  # real path on disk -> article source, for the articles found
    all_sources: set[str]  # every article source found, drafts included (for link checks)


@dataclass(frozen=True)
class PreviewedPage:
    url: str  # site URL of the page, as kbgen serve announces it
    rel: str  # its path below the output folder
    key: str  # blob key of the bytes written


def preview_edit(snapshot: SiteSnapshot, changed: set[str], out: Path, shown: Manifest) -> PreviewedPage | None:
    """Write the new page of the one article in CHANGED (real paths) into OUT, which holds SHOWN.

    None, with nothing written, when the shortcut does not apply: then the rebuild does all.
    """
    if len(changed) != 1:
        return None
    src = snapshot.sources.get(next(iter(changed)))
    site = snapshot.renderer.vc.site
    if src is None or src.source not in site.articles:
        return None
    old = site.articles[src.source]
    try:
        raw = src.path.read_bytes()
    except OSError:
        return None
    new = parse_article(src, raw, snapshot.context)
    if new is None or any(d.severity == "error" for d in new.diagnostics) or new.meta != old.meta or \
            new.title != old.title:
        return None
    # The site model's part of the article is that of the last build: its front matter is the same.
    new = replace(new, url=old.url, folder=old.folder, updated=old.updated, translations=old.translations,
                  related=old.related, guide=old.guide)
    problems = Diagnostics()
    site.articles[src.source] = new  # its own anchors are the new ones
    new.ref_urls = resolve_references(new, site, snapshot.all_sources, problems)
    job = Job("article", new.lang, new.source, new.url)
    rel = output_rel(new.url)
    try:
        data = snapshot.renderer.render(job).encode("utf-8") if not problems.failed(False) else None
    except Exception:  # a template runtime error: the rebuild reports it with its file and line
        data = None
    if data is None or rel not in shown.files:
        site.articles[src.source] = old
        return None
    key = digest(data)
    if shown.files[rel] != key:
        replace_file(out, rel, data)
    return PreviewedPage(new.url, rel, key)


def snapshot_sources(sources: list[Source]) -> dict[str, Source]:
    return {os.path.realpath(src.path): src for src in sources}

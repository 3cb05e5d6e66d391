"""Validate stage: every relative link, anchor and image must point at something that is built.

Resolves each reference to its final site URL as it checks it, so rendering only substitutes.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from kbgen.diagnostics import Diagnostics, did_you_mean
from kbgen.model import Article, Site

_FOOTNOTE_ID = re.compile(r"^fn(ref)?\d+(:\d+)?$")  # ids the footnote plugin generates


def validate_references(site: Site, all_sources: set[str], diags: Diagnostics) -> None:
    """ALL_SOURCES: every article source found, drafts included, to tell 'draft' from 'missing'."""
    folder_urls = {key: f.url for key, f in site.folders.items()}
    for article in site.articles.values():
        article.ref_urls = resolve_references(article, site, all_sources, diags, folder_urls)


def resolve_references(article: Article, site: Site, all_sources: set[str], diags: Diagnostics,
                       folder_urls: dict[str, str] | None = None) -> list[str]:
    """The final URL of each of ARTICLE's references, index-aligned; the broken ones go to DIAGS."""
    if folder_urls is None:
        folder_urls = {key: f.url for key, f in site.folders.items()}
    return [_resolve(article, i, site, folder_urls, all_sources, diags) for i in range(len(article.references))]


def _anchor_ok(target: Article, anchor: str) -> bool:
    if not anchor:
        return True
    ids = {h.id for h in target.headings}
    return anchor in ids or bool(_FOOTNOTE_ID.match(anchor))


def _resolve(article: Article, index: int, site: Site, folder_urls: dict[str, str], all_sources: set[str],
             diags: Diagnostics) -> str:
    ref = article.references[index]
    fragment = f"#{ref.anchor}" if ref.anchor else ""
    where: dict[str, Any] = {"file": ref.file or article.file, "line": ref.line, "column": ref.column}
    if ref.kind == "anchor":
        if not _anchor_ok(article, ref.anchor):
            diags.error(f"anchor '#{ref.anchor}' does not exist in this article", **where,
                        hint=did_you_mean(ref.anchor, [h.id for h in article.headings]) or
                        "anchors are the headings' ids, e.g. ## Rücksendung -> #ruecksendung", code="anchor-broken")
        return fragment
    if ref.kind == "folder":
        key = ref.target.rstrip("/")
        if key in folder_urls:
            return folder_urls[key] + fragment
        diags.error(f"link '{ref.written}' points to a folder that has no page", **where,
                    hint=did_you_mean(key, folder_urls) or "link to a category folder or to an article's .md file",
                    code="link-broken")
        return ref.written
    if ref.kind == "article":
        target = site.articles.get(ref.target)
        if target is None:
            if ref.target in all_sources:
                diags.warning(f"link '{ref.written}' points to a draft or an unusable article", **where,
                              hint="publish the target or remove the link", code="link-draft")
            else:
                candidates = [s for s in site.articles if s.startswith(article.lang + "/") or "/" not in s]
                best = did_you_mean(ref.target, candidates)
                hint = (f"{best} " if best else "") + "links are paths relative to this file, e.g. ../versand/lieferzeiten.md"
                if ref.target.startswith(".."):
                    hint = "the link leaves the content folder; " + hint
                diags.error(f"broken link '{ref.written}': content/{ref.target} does not exist", **where, hint=hint,
                            code="link-broken")
            return ref.written
        if not _anchor_ok(target, ref.anchor):
            diags.error(f"anchor '#{ref.anchor}' does not exist in {target.file}", **where,
                        hint=did_you_mean(ref.anchor, [h.id for h in target.headings]) or
                        "anchors are the headings' ids, e.g. ## Rücksendung -> #ruecksendung", code="anchor-broken")
        return target.url + fragment
    url = site.media.get(ref.target)
    if url is None:
        what = "image" if ref.written.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")) \
            else "file"
        diags.error(f"missing {what} '{ref.written}': content/{ref.target} does not exist", **where,
                    hint=did_you_mean(posixpath.basename(ref.target), [posixpath.basename(m) for m in site.media])
                    or "paths are relative to this article's file", code=f"{what}-missing")
        return ref.written
    return url + fragment

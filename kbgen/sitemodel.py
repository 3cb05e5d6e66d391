"""Site model stage: relate the parsed articles (folders, guides, products, tags, translations, URLs).

Every relation is computed here, in one pass, from the flat map of articles; later stages
only read the result.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import quote

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics, did_you_mean
from kbgen.discover import Discovery
from kbgen.folders import FolderTree, folder_url_path, lang_prefix
from kbgen.i18n import reserved_segments
from kbgen.model import Article, Redirect, Site
from kbgen.related import compute_related
from kbgen.slugs import slugify, sort_key

RESERVED_ROOT = ("assets", "404.html", "sitemap.xml", "robots.txt", "feed.xml", "_redirects", "_report")


def build_site(config: SiteConfig, found: Discovery, tree: FolderTree, parsed: list[Article],
               git_dates: dict[str, dt.date], *, drafts: bool, diags: Diagnostics,
               related: Callable[[Site, int], None] = compute_related) -> Site:
    articles: dict[str, Article] = {}
    for article in parsed:
        if article.meta.get("_unusable"):
            continue
        if article.meta.get("draft") and not drafts:
            continue
        articles[article.source] = article
    site = Site(articles=articles, folders=tree.folders, languages=config.languages, tags={}, products={},
                redirects=[], media={})
    _claim_reserved(site, config)
    _place_articles(site, config, tree, git_dates, diags)
    _guides(site, tree, diags)
    _sort_folders(site)
    _tags_and_products(site, config, diags)
    _translations(site, config, diags)
    _explicit_related(site, diags)
    related(site, config.related_limit)
    _aliases(site, config, diags)
    for src in found.media:
        folder, _, name = src.rel.rpartition("/")
        path = f"{folder_url_path(folder)}/{quote(name)}" if folder else quote(name)
        site.media[src.source] = f"{lang_prefix(config, src.lang)}/{path}"
    return site


def _claim_reserved(site: Site, config: SiteConfig) -> None:
    for name in RESERVED_ROOT:
        site.urls[f"/{name}/" if "." not in name else f"/{name}"] = "kbgen (reserved)"
    for lang in config.languages:
        prefix = lang_prefix(config, lang)
        site.urls[f"{prefix}/"] = "the home page"
        for segment in reserved_segments(lang):
            site.urls[f"{prefix}/{segment}/"] = "kbgen (reserved)"
        if prefix:
            site.urls[f"{prefix}/feed.xml"] = "kbgen (reserved)"


def _claim(site: Site, url: str, owner: str, file: str, line: int | None, diags: Diagnostics) -> bool:
    other = site.urls.get(url)
    if other is not None:
        hint = "give one of them another slug" if other.startswith("content/") else \
            "this URL is used by kbgen itself; choose another slug or folder name"
        diags.error(f"URL {url} is taken twice: by {file} and by {other}", file, line, hint=hint, code="url-collision")
        return False
    site.urls[url] = owner
    return True


def _place_articles(site: Site, config: SiteConfig, tree: FolderTree, git_dates: dict[str, dt.date],
                    diags: Diagnostics) -> None:
    for article in site.articles.values():
        folder_rel = posixpath.dirname(article.rel)
        prefix = article.source[: len(article.source) - len(article.rel)]
        article.folder = f"{prefix}{folder_rel}" if folder_rel else ""
    _prune_empty_folders(site)
    for folder in site.folders.values():
        owner = folder.source or f"content/{folder.key}/"
        _claim(site, folder.url, owner, owner, None, diags)
    for article in sorted(site.articles.values(), key=lambda a: a.source):
        slug = article.meta.get("slug") or slugify(PurePosixPath(article.rel).stem, "article")
        home = site.folders.get(article.folder)
        base = home.url if home else f"{lang_prefix(config, article.lang)}/"
        article.url = f"{base}{slug}/"
        if not _claim(site, article.url, article.file, article.file, article.meta_lines.get("slug"), diags):
            del site.articles[article.source]
            continue
        if home:
            home.articles.append(article.source)
        article.updated = article.meta.get("updated") or git_dates.get(article.file)


def _prune_empty_folders(site: Site) -> None:
    """Folders that hold no article anywhere below them (e.g. bilder/) are not pages."""
    used: set[str] = set()
    for article in site.articles.values():
        key = article.folder
        while key and key not in used:
            used.add(key)
            parent = site.folders[key].parent if key in site.folders else None
            key = parent or ""
    for key in [k for k in site.folders if k not in used]:
        del site.folders[key]
    for folder in site.folders.values():
        folder.children = [k for k in folder.children if k in used]


def _guides(site: Site, tree: FolderTree, diags: Diagnostics) -> None:
    for key, spec in tree.guides.items():
        folder = site.folders.get(key)
        if folder is None:  # no usable step at all: nothing to build, but name what is missing
            for index, step in enumerate(spec.steps):
                if step not in site.articles:
                    line = spec.step_lines[index] if index < len(spec.step_lines) else spec.steps_line
                    diags.error(f"step '{posixpath.basename(step)}' of this guide cannot be built", spec.file, line,
                                hint="create the step article, or fix the problems reported for it",
                                code="guide-step-missing")
            continue
        listed: list[str] = []
        for index, step in enumerate(spec.steps):
            line = spec.step_lines[index] if index < len(spec.step_lines) else spec.steps_line
            if step in listed:
                diags.error(f"step '{posixpath.basename(step)}' is listed twice in steps: previous/next would loop",
                            spec.file, line, hint="list each step once", code="guide-cycle")
                continue
            if step not in site.articles:
                names = [posixpath.basename(s) for s in folder.articles]
                diags.error(f"step '{posixpath.basename(step)}' does not exist in this guide's folder", spec.file,
                            line, hint=did_you_mean(posixpath.basename(step), names)
                            or f"the guide's articles are: {', '.join(sorted(names)) or 'none'}",
                            code="guide-step-missing")
                continue
            listed.append(step)
        if spec.steps:
            for source in sorted(folder.articles):
                if source not in listed:
                    diags.warning(f"article '{posixpath.basename(source)}' is in the guide's folder but not in steps",
                                  spec.file, spec.steps_line, hint="add it to steps, or move it out of the folder",
                                  code="guide-step-unlisted")
                    listed.append(source)
        else:
            listed = sorted(folder.articles, key=lambda s: (site.articles[s].order, s))
        folder.articles = listed
        for source in listed:
            site.articles[source].guide = key


def _sort_folders(site: Site) -> None:
    for folder in site.folders.values():
        if not folder.is_guide:
            folder.articles.sort(key=lambda s: _listing_key(site.articles[s]))


def _listing_key(article: Article) -> tuple[int, int, str, str]:
    return (0 if article.promoted else 1, article.order, sort_key(article.title), article.source)


def _tags_and_products(site: Site, config: SiteConfig, diags: Diagnostics) -> None:
    for lang in config.languages:
        site.tags[lang] = {}
        site.products[lang] = {pid: [] for pid in config.products}
    for article in sorted(site.articles.values(), key=_listing_key):
        for tag in article.meta.get("tags", []):
            site.tags[article.lang].setdefault(tag, []).append(article.source)
        for index, pid in enumerate(article.meta.get("products", [])):
            if pid not in config.products:
                diags.error(f"unknown product '{pid}'", article.file, _item_line(article, "products", index),
                            hint=did_you_mean(pid, config.products) or
                            "declare it under products: in kbgen.yml", code="product-unknown")
                continue
            site.products[article.lang][pid].append(article.source)
    for lang in config.languages:
        site.tags[lang] = dict(sorted(site.tags[lang].items(), key=lambda kv: (sort_key(kv[0]), kv[0])))


def _translations(site: Site, config: SiteConfig, diags: Diagnostics) -> None:
    groups: dict[str, dict[str, str]] = {}
    for article in sorted(site.articles.values(), key=lambda a: a.source):
        key = article.meta.get("translation_key") or f"path:{article.rel}"
        group = groups.setdefault(key, {})
        if article.lang in group:
            diags.error(f"translation_key '{key}' is used twice in language '{article.lang}': "
                        f"by {article.file} and by content/{group[article.lang]}", article.file,
                        article.meta_lines.get("translation_key"), hint="each language may have one article per key",
                        code="translation-duplicate")
            continue
        group[article.lang] = article.source
    for group in groups.values():
        for lang, source in group.items():
            site.articles[source].translations = {k: v for k, v in sorted(group.items()) if k != lang}


def _explicit_related(site: Site, diags: Diagnostics) -> None:
    for article in site.articles.values():
        resolved = []
        for index, entry in enumerate(article.meta.get("related", [])):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(article.source), entry))
            if not target.endswith((".md", ".markdown")):
                target += ".md"
            if target in site.articles and target != article.source:
                resolved.append(target)
            else:
                candidates = [s for s in site.articles if s.startswith(article.lang + "/")]
                hint = did_you_mean(target, candidates)
                diags.error(f"related article '{entry}' does not exist", article.file,
                            _item_line(article, "related", index),
                            hint=(hint + " " if hint else "") + "paths are relative to this file, like links",
                            code="related-missing")
        article.related = resolved


def _aliases(site: Site, config: SiteConfig, diags: Diagnostics) -> None:
    for article in sorted(site.articles.values(), key=lambda a: a.source):
        for index, alias in enumerate(article.meta.get("aliases", [])):
            line = _item_line(article, "aliases", index)
            path = alias.strip()
            normalized = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
            if ".." in PurePosixPath(path).parts or "\\" in path or "://" in path or path.startswith("//"):
                diags.error(f"alias '{alias}' leaves the site", article.file, line,
                            hint="an alias is a path inside the site, like /retoure/", code="alias-escape")
                continue
            if config.base_path != "/" and normalized.startswith(config.base_path.rstrip("/") + "/"):
                normalized = normalized[len(config.base_path) - 1:]
            url = normalized.rstrip("/") + "/"
            if url == "/" or any(not _safe_segment(seg) for seg in url.strip("/").split("/")):
                diags.error(f"alias '{alias}' is not a usable path", article.file, line,
                            hint="use letters, digits, '-', '_' and '.', like /retoure/", code="alias-invalid")
                continue
            if url == article.url:
                diags.error(f"alias '{alias}' is the article's own URL", article.file, line,
                            hint="remove it: an alias is an old URL that should lead here", code="alias-collision")
                continue
            if not _claim(site, url, article.file, article.file, line, diags):
                continue
            site.redirects.append(Redirect(url, article.url, article.source))
    site.redirects.sort(key=lambda r: r.url)


def _item_line(article: Article, key: str, index: int) -> int | None:
    items = article.meta_item_lines.get(key, [])
    return items[index] if index < len(items) else article.meta_lines.get(key)


def _safe_segment(segment: str) -> bool:
    return bool(segment) and segment not in (".", "..") and all(c.isalnum() or c in "-_." for c in segment)

"""The build, top to bottom: config → discover → parse → site model → validate → render + index → write.

Only this module knows the order of the stages; each stage takes data and returns data.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
from dataclasses import dataclass
from urllib.parse import unquote
from pathlib import Path

from kbgen.config import SiteConfig, load_config
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Discovery, Source, discover
from kbgen.feeds import atom_feed, redirects_file, robots, sitemap
from kbgen.folders import load_folders
from kbgen.gitdates import last_commit_dates
from kbgen.health import report_health
from kbgen.i18n import load_strings
from kbgen.model import Article, Site
from kbgen.notices import build_date, load_notices
from kbgen.parse import ParseContext, parse_article
from kbgen.render import Renderer, render_all, worker_count
from kbgen.assets import collect_assets, write_assets
from kbgen.search.checks import run_search_tests
from kbgen.search.format import manifest_name
from kbgen.search.indexer import build_index
from kbgen.sitemodel import build_site
from kbgen.theming import build_theme
from kbgen.validate import validate_references
from kbgen.views import ViewContext
from kbgen.write import StagedOutput, check_output_folder, write_file

PARALLEL_MIN_ARTICLES = 200  # below this, parsing in one process is faster than forking
SEARCH_DIR = "assets/search"  # where the search index files go in the output


@dataclass
class BuildOptions:
    site_root: Path
    out: Path | None = None  # default: SITE/public
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `kbgen check`
    keep_going: bool = False  # write the output despite errors (benchmarks on imported corpora only)


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    site: Site | None
    out: Path
    written: bool


def build(options: BuildOptions) -> BuildResult:
    # The cyclic garbage collector costs about a fifth of a build scanning objects that are
    # never garbage (the model lives until the end); reference counting still frees the rest.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(options)
    finally:
        if enabled:
            gc.enable()


def _build(options: BuildOptions) -> BuildResult:
    diags = Diagnostics()
    root = options.site_root
    out = (options.out or root / "public").resolve()
    config = load_config(root, diags)
    found = discover(config, diags)
    tree = load_folders(config, found, diags)
    strings = {lang: load_strings(root, lang, diags) for lang in config.languages}
    labels = {lang: {k[len("callout_"):]: v for k, v in s.items() if k.startswith("callout_")}
              for lang, s in strings.items()}
    parsed = parse_all(found, ParseContext(frozenset(f.source for f in found.folders), labels))
    for article in parsed:
        diags.extend(article.diagnostics)
    site = build_site(config, found, tree, parsed, last_commit_dates(root), drafts=options.drafts, diags=diags)
    validate_references(site, {a.source for a in parsed}, diags)
    report_missing_translations(site, config.languages, diags)
    vc = ViewContext(config, site, strings, load_notices(config, found.notices, build_date(), diags),
                     build_theme(config, diags))
    if not options.write:
        run_search_tests(site, config, diags)
        report_health(site, config, dt.date.today(), diags)
        return BuildResult(diags, site, out, False)
    failed = diags.failed(options.strict) and not options.keep_going
    if failed or not check_output_folder(out, root, diags):
        return BuildResult(diags, site, out, False)
    with StagedOutput(out) as staged:
        asset_urls = write_assets(collect_assets(root), staged.path)
        for name, data in sorted(vc.theme.files.items()):
            write_file(staged.path, f"assets/{name}", data)
        asset_urls.update(vc.theme.urls)
        asset_urls.update({f"search/{lang}": f"/{SEARCH_DIR}/{manifest_name(lang)}" for lang in config.languages})
        renderer = Renderer(vc, root, asset_urls)
        renderer.check_templates(diags)
        if diags.failed(options.strict) and not options.keep_going:
            return BuildResult(diags, site, out, False)
        render_all(renderer, renderer.jobs(), staged.path, diags, worker_count(),
                   meanwhile=lambda: write_search_index(site, config, staged.path))
        write_extras(vc, found, staged.path)
        if diags.failed(options.strict) and not options.keep_going:
            return BuildResult(diags, site, out, False)
        staged.commit()
    return BuildResult(diags, site, out, True)


def write_search_index(site: Site, config: SiteConfig, out: Path) -> None:
    """One index per language under assets/search/, built while the pages render."""
    for lang in config.languages:
        for name, data in sorted(build_index(site, config, lang).files.items()):
            write_file(out, f"{SEARCH_DIR}/{name}", data)


def write_extras(vc: ViewContext, found: Discovery, out: Path) -> None:
    """Feeds, sitemap, robots.txt, _redirects and the media files next to the pages."""
    for lang in vc.config.languages:
        write_file(out, f"{vc.home_url(lang).lstrip('/')}feed.xml", atom_feed(vc, lang))
    xml = sitemap(vc)
    if xml:
        write_file(out, "sitemap.xml", xml)
    write_file(out, "robots.txt", robots(vc))
    if vc.site.redirects:
        write_file(out, "_redirects", redirects_file(vc))
    for src in found.media:
        write_file(out, unquote(vc.site.media[src.source]).lstrip("/"), src.path.read_bytes())


def report_missing_translations(site: Site, languages: list[str], diags: Diagnostics) -> None:
    if len(languages) < 2:
        return
    for article in site.articles.values():
        if article.lang != languages[0]:
            continue
        missing = [lang for lang in languages[1:] if lang not in article.translations]
        if missing:
            diags.note(f"no translation in {', '.join(missing)}", article.file,
                       hint=f"add content/{missing[0]}/{article.rel}", code="translation-missing")


_PARSE_CONTEXT: ParseContext | None = None


def _parse_one(src: Source) -> Article | None:
    assert _PARSE_CONTEXT is not None
    try:
        raw = src.path.read_bytes()
    except OSError as exc:
        diags = Diagnostics()
        diags.error(f"cannot read file: {exc.strerror or exc}", src.file,
                    hint="check that the file exists and that you may read it", code="unreadable")
        article = parse_article(src, b"", _PARSE_CONTEXT)
        if article is not None:
            article.diagnostics = diags.items()
        return article
    return parse_article(src, raw, _PARSE_CONTEXT)


def parse_all(found: Discovery, ctx: ParseContext) -> list[Article]:
    global _PARSE_CONTEXT
    _PARSE_CONTEXT = ctx
    try:
        workers = worker_count()
        if workers < 2 or len(found.articles) < PARALLEL_MIN_ARTICLES:
            results = [_parse_one(src) for src in found.articles]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_parse_one, found.articles, chunksize=32)
    finally:
        _PARSE_CONTEXT = None
    return [a for a in results if a is not None]

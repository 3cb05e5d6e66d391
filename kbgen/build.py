"""The build, top to bottom: config → discover → parse → site model → validate → render + index → write.

Only this module knows the order of the stages; each stage takes data and returns data.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote
from pathlib import Path

from kbgen.cache import BuildCache, CacheMiss, Manifest, digest
from kbgen.config import SiteConfig, load_config
from kbgen.inputs import SiteInputs, read_inputs
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Discovery, Source, discover
from kbgen.feeds import atom_feed, redirects_file, robots, sitemap
from kbgen.folders import load_folders
from kbgen.gitdates import last_commit_dates
from kbgen.health import report_health
from kbgen.i18n import load_strings
from kbgen.model import Article, Site
from kbgen.notices import load_notices
from kbgen.parse import ParseContext, parse_article, uses_shortcodes
from kbgen.preview import SiteSnapshot, snapshot_sources
from kbgen.report import write_report
from kbgen.reuse import load_snippets, variable_table
from kbgen.render import PreviousOutput, Renderer, render_all, worker_count
from kbgen.assets import collect_assets, write_assets
from kbgen.search.checks import run_search_tests
from kbgen.search.format import Encoder, manifest_name
from kbgen.search.indexer import build_index
from kbgen.related import affected_by, compute_related, related_inputs
from kbgen.sitemodel import build_site
from kbgen.theming import build_theme
from kbgen.validate import validate_references
from kbgen.views import ViewContext
from kbgen.write import MARKER, OutputWriter, StagedOutput, check_output_folder

PARALLEL_MIN_ARTICLES = 200  # below this, parsing in one process is faster than forking
SEARCH_DIR = "assets/search"  # where the search index files go in the output
INDEX_FILES_RESULT = "search-index-files"  # the cache result holding the last index files, for reuse
EncodedFiles = dict[str, tuple[str, str]]  # an index Encoder's reuse key -> (file name, blob key of its bytes)


@dataclass
class BuildOptions:
    site_root: Path
    out: Path | None = None  # default: SITE/public
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `kbgen check`
    keep_going: bool = False  # write the output despite errors (benchmarks on imported corpora only)
    cache: bool = True  # use and update SITE/.kbgen-cache/
    previous: Manifest | None = None  # what OUT holds now: update it in place (kbgen serve's own folder)
    pages_done: Callable[[], None] | None = None  # called once the pages are in OUT (serve reloads the browser)
    # with PREVIOUS: called with their URLs once the pages of the articles whose text differs from
    # what OUT shows are in OUT, before the others
    edited_done: Callable[[list[str]], None] | None = None
    # kbgen serve: asked before the output is touched; False stops the build there, writing nothing
    # (more changes came in while it read the site, and another build follows)
    still_current: Callable[[], bool] | None = None
    report: bool = False  # also write _report/index.html, the content-health report
    preview: bool = False  # kbgen serve: show writers' notes (review due) on the pages
    keep_model: bool = False  # kbgen serve: return a snapshot of the model, which renders the next edit ahead


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    site: Site | None
    out: Path
    written: bool
    articles: int = 0  # articles built (also known when the output came from the cache)
    manifest: Manifest | None = None  # what OUT holds after the build, when the cache is on
    superseded: bool = False  # stopped before writing anything: still_current said no
    snapshot: SiteSnapshot | None = None  # with KEEP_MODEL, after a good build


def build(options: BuildOptions) -> BuildResult:
    # The cyclic garbage collector costs about a fifth of a build scanning objects that are
    # never garbage (the model lives until the end); reference counting still frees the rest.
    enabled = gc.isenabled()
    gc.disable()
    use_cache = options.cache and not options.keep_going
    diags = Diagnostics()
    cache = BuildCache.open(options.site_root, diags) if use_cache else BuildCache.disabled()
    index = SearchIndexJob()
    try:
        return _build(options, cache, diags, index)
    finally:
        index.close()
        cache.close()
        if enabled:
            gc.enable()


def _build(options: BuildOptions, cache: BuildCache, diags: Diagnostics, index: "SearchIndexJob") -> BuildResult:
    root = options.site_root
    out = (options.out or root / "public").resolve()
    config = load_config(root, diags)
    found = discover(config, diags)
    tree = load_folders(config, found, diags)
    strings = {lang: load_strings(root, lang, diags) for lang in config.languages}
    labels = {lang: {k[len("callout_"):]: v for k, v in s.items() if k.startswith("callout_")}
              for lang, s in strings.items()}
    ctx = ParseContext(frozenset(f.source for f in found.folders), labels, load_snippets(found, diags),
                       variable_table(config))
    git_dates = last_commit_dates(root)
    inputs = read_inputs(root, found) if cache.enabled else SiteInputs({}, "")
    theme = build_theme(config, diags)  # its logo and favicon may live outside the folders inputs hashes
    site_key = digest(inputs.digest, repr(sorted(git_dates.items())), repr(options.drafts), build_date().isoformat(),
                      repr(options.report), repr(options.preview), *theme.urls.values())
    if options.write and cache.enabled:
        manifest = cache.manifest(site_key)
        if manifest is not None:
            if superseded(options):
                return BuildResult(diags, None, out, False, manifest.articles, superseded=True)
            restored = restore_output(manifest, site_key, out, root, options, cache)
            if restored is not None:
                return restored
    parsed, parse_keys = parse_all(found, ctx, cache, inputs.articles, inputs.hashes)
    if options.write:
        index.earlier = stored_index_files(cache)
    for article in parsed:
        diags.extend(article.diagnostics)
    # A large site's search index is its longest single task and needs the model but not the related
    # articles: it starts in a process of its own once the model is there. (kbgen serve wants its
    # pages first, and builds the index after them.)
    early_index = options.write and options.previous is None and worker_count() > 1 and \
        len(parsed) >= PARALLEL_MIN_ARTICLES

    def related(model: Site, limit: int) -> None:
        if early_index:
            cache.close()  # no open database connection crosses a fork
            index.start(model, config)
        cached_related(model, limit, cache)

    site = build_site(config, found, tree, parsed, git_dates, drafts=options.drafts, diags=diags, related=related)
    validate_references(site, {a.source for a in parsed}, diags)
    report_missing_translations(site, config.languages, diags)
    vc = ViewContext(config, site, strings, load_notices(config, found.notices, build_date(), diags), theme,
                     build_date() if options.preview else None)
    if not options.write:
        run_search_tests(site, config, diags)
        report_health(site, config, build_date(), diags, [s.file for s in found.snippets])
        return BuildResult(diags, site, out, False, len(site.articles))
    if superseded(options):  # before a failure too: a half-saved change must not flash its errors
        return BuildResult(diags, site, out, False, len(site.articles), superseded=True)
    failed = diags.failed(options.strict) and not options.keep_going
    if failed or not check_output_folder(out, root, diags):
        return BuildResult(diags, site, out, False, len(site.articles))
    # What OUT holds now, when known: serve's own folder, or the untouched output of an earlier build.
    in_place = options.previous is not None
    intact = None if in_place or not cache.enabled else intact_output(cache, out)
    earlier = options.previous or (intact[0] if intact else None)
    with StagedOutput(out, in_place=in_place, sparse=intact is not None) as staged:
        writer = OutputWriter(staged.path, record=cache.enabled, previous=earlier.files if earlier else None,
                              sparse=staged.sparse)
        asset_urls = write_assets(collect_assets(root), writer)
        for name, data in sorted(vc.theme.files.items()):
            writer.write(f"assets/{name}", data)
        asset_urls.update(vc.theme.urls)
        asset_urls.update({f"search/{lang}": f"/{SEARCH_DIR}/{manifest_name(lang)}" for lang in config.languages})
        renderer = Renderer(vc, root, asset_urls)
        renderer.check_templates(diags)
        if diags.failed(options.strict) and not options.keep_going:
            return BuildResult(diags, site, out, False, len(site.articles))
        prior = PreviousOutput(earlier.files, earlier.fingerprints, staged.sparse) if earlier else None
        jobs = renderer.jobs()
        shown = options.previous.parsed if options.previous is not None and options.edited_done else None
        edited = {job for job in jobs if job.kind == "article" and job.key in parse_keys
                  and shown.get(job.key) != parse_keys[job.key]} if shown is not None else set()
        pages, fingerprints = render_all(renderer, jobs, staged.path, diags, worker_count(),
                                         meanwhile=lambda: write_search_index(site, config, writer, index, cache),
                                         cache=cache,
                                         previous=prior, pages_done=options.pages_done or (lambda: None),
                                         first=edited, first_done=options.edited_done or (lambda urls: None))
        write_extras(vc, found, writer)
        if options.report:
            write_report(site, config, diags.items(), writer.write, build_date(), [s.file for s in found.snippets])
        if diags.failed(options.strict) and not options.keep_going:
            return BuildResult(diags, site, out, False, len(site.articles))
        manifest = None
        stale: set[str] = set()
        if cache.enabled:
            manifest = Manifest({**writer.files, **pages}, diags.items(), len(site.articles), fingerprints, parse_keys)
            stale = writer.stale(set(manifest.files))
            if in_place:
                writer.remove_stale(set(manifest.files))
            cache.put_blobs(writer.blobs.items())
        staged.commit(stale)
    if manifest is not None:
        cache.put_manifest(site_key, manifest)
        if index.index is not None:
            cache.put_result(INDEX_FILES_RESULT, "", index.index.encoded)
        if not in_place:
            remember_output(cache, out, site_key, manifest, (intact[1], staged) if intact else None)
        cache.prune(manifest)
    snapshot = SiteSnapshot(renderer, ctx, snapshot_sources(found.articles), {a.source for a in parsed}) \
        if options.keep_model else None
    return BuildResult(diags, site, out, True, len(site.articles), manifest, snapshot=snapshot)


def stored_index_files(cache: BuildCache) -> EncodedFiles | None:
    """The search index files the last good build wrote, by their Encoder reuse keys."""
    stored = cache.result(INDEX_FILES_RESULT, "")
    if not isinstance(stored, dict):
        return None
    return {key: value for key, value in stored.items() if isinstance(key, str) and isinstance(value, tuple)
            and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str)}


def superseded(options: BuildOptions) -> bool:
    return options.still_current is not None and not options.still_current()


def build_date() -> dt.date:
    """The date the build stands for: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def restore_output(manifest: Manifest, site_key: str, out: Path, root: Path, options: BuildOptions,
                   cache: BuildCache) -> BuildResult | None:
    """An unchanged site: write the stored output of its last good build, or None to build after all.

    When OUT still holds exactly what that build wrote there (the same files with the same
    sizes and modification times, as make and rsync judge it), nothing is written at all.
    """
    diags = Diagnostics()
    diags.extend(manifest.diagnostics)
    if diags.failed(options.strict) or not check_output_folder(out, root, diags):
        return BuildResult(diags, None, out, False, manifest.articles)
    previous = options.previous.files if options.previous is not None else None
    if previous == manifest.files and out.is_dir():
        return BuildResult(diags, None, out, True, manifest.articles, manifest)  # serve: nothing changed
    if previous is None and output_intact(cache, out, site_key):
        return BuildResult(diags, None, out, True, manifest.articles, manifest)
    try:
        with StagedOutput(out, in_place=previous is not None) as staged:
            writer = OutputWriter(staged.path, previous=previous)
            paths: dict[str, list[str]] = {}
            for rel, key in manifest.files.items():
                paths.setdefault(key, []).append(rel)
            for key, data in cache.blobs(paths):
                for rel in paths[key]:
                    writer.write(rel, data, key)
            writer.remove_stale(set(manifest.files))
            staged.commit()
    except CacheMiss:
        return None
    if previous is None:
        remember_output(cache, out, site_key, manifest)
    return BuildResult(diags, None, out, True, manifest.articles, manifest)


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every file below OUT (but kbgen's marker): relative path -> (size, modification time in ns)."""
    stamps: dict[str, tuple[int, int]] = {}
    for dirpath, _, filenames in os.walk(out):
        rel = os.path.relpath(dirpath, out).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        for name in filenames:
            info = os.stat(os.path.join(dirpath, name))
            stamps[prefix + name] = (info.st_size, info.st_mtime_ns)
    stamps.pop(MARKER, None)
    return stamps


def remember_output(cache: BuildCache, out: Path, site_key: str, manifest: Manifest,
                    update: tuple[dict[str, tuple[int, int]], StagedOutput] | None = None) -> None:
    """Note what OUT holds after this build, so the next one can leave it alone or change only what changed.

    UPDATE, after a sparse commit: OUT's stamps before it and the commit, whose moved files are stat'ed
    (instead of every file of a large site).
    """
    if not cache.enabled:
        return
    if update is None:
        stamps = _stamps(out)
    else:
        stamps = dict(update[0])
        for rel in update[1].removed:
            stamps.pop(rel, None)
        for rel in update[1].moved:
            info = os.stat(out / rel)
            stamps[rel] = (info.st_size, info.st_mtime_ns)
        stamps.pop(MARKER, None)
    if set(stamps) == set(manifest.files):
        cache.put_result(f"output:{out}", site_key, stamps)


def output_intact(cache: BuildCache, out: Path, site_key: str) -> bool:
    stored = cache.result(f"output:{out}", site_key)
    return isinstance(stored, dict) and out.is_dir() and _stamps(out) == stored


def intact_output(cache: BuildCache, out: Path) -> tuple[Manifest, dict[str, tuple[int, int]]] | None:
    """The manifest of the earlier build whose output OUT still holds untouched, and OUT's stamps.

    Then a build only has to write what changed. Anything else in OUT (a file edited, added or
    removed by hand, another build's output) and the build writes the whole folder afresh.
    """
    recorded = cache.latest(f"output:{out}")
    if recorded is None or not isinstance(recorded[1], dict) or not out.is_dir():
        return None
    manifest = cache.manifest(recorded[0])
    if manifest is None or set(manifest.files) != set(recorded[1]) or _stamps(out) != recorded[1]:
        return None
    return manifest, recorded[1]


def cached_related(site: Site, limit: int, cache: BuildCache) -> None:
    """compute_related, for the articles whose lists may differ from the last build's (see affected_by)."""
    now = related_inputs(site)
    stored = cache.result("related", str(limit))
    before = stored.get("inputs") if isinstance(stored, dict) else None
    lists = stored.get("related") if isinstance(stored, dict) else None
    todo = affected_by(before, now) if isinstance(before, dict) and isinstance(lists, dict) and \
        set(lists) == set(now) else None
    if todo is None:
        compute_related(site, limit, inputs=now)
    else:
        assert lists is not None
        for source, related in lists.items():
            if source not in todo:
                site.articles[source].related = list(related)
        if todo:
            compute_related(site, limit, only=todo, inputs=now)
    if cache.enabled and todo != set():
        cache.put_result("related", str(limit), {"inputs": now,
                                                 "related": {s: list(a.related) for s, a in site.articles.items()}})


def write_search_index(site: Site, config: SiteConfig, writer: OutputWriter, job: "SearchIndexJob",
                       cache: BuildCache) -> None:
    """One index per language under assets/search/, built while the pages render (or earlier, by JOB).

    The files the last build made from the same data are taken from OUT where it holds them
    still, else from the build cache; should the cache fail to give one, the index is built again.
    """
    index = job.files(site, config)
    wanted = {key for rel, key in index.reused.items() if not writer.holds(rel, key)}
    try:
        fetched = dict(cache.blobs(wanted)) if wanted else {}
    except CacheMiss:
        job.index = index = search_index_files(site, config)  # nothing reused: every file encoded
        fetched = {}
    for rel, data in sorted(index.files.items()):
        writer.write(rel, data)
    for rel, key in sorted(index.reused.items()):
        if key in fetched:
            writer.write(rel, fetched[key], key)
        else:
            writer.keep(rel, key)


@dataclass
class SearchIndexOutput:
    files: dict[str, bytes]  # output path -> bytes, of the files encoded
    reused: dict[str, str]  # output path -> blob key, of the files the last build made from the same data
    encoded: EncodedFiles  # every file, for the next build to reuse


def search_index_files(site: Site, config: SiteConfig, earlier: EncodedFiles | None = None) -> SearchIndexOutput:
    """Every language's index files by their path in the output, and what the next build may reuse of them."""
    result = SearchIndexOutput({}, {}, {})
    for lang in config.languages:
        index = build_index(site, config, lang, Encoder(earlier))
        result.files.update((f"{SEARCH_DIR}/{name}", data) for name, data in index.files.items())
        result.reused.update((f"{SEARCH_DIR}/{name}", key) for name, key in index.reused.items())
        keys = {name: digest(data) for name, data in index.files.items()}
        result.encoded.update((key, (name, keys.get(name) or index.reused[name])) for key, name in index.encoded.items()
                              if name != index.manifest)
    return result


_INDEX_INPUT: tuple[Site, SiteConfig, EncodedFiles | None] | None = None


def _index_in_child() -> SearchIndexOutput:
    assert _INDEX_INPUT is not None
    return search_index_files(*_INDEX_INPUT)


class SearchIndexJob:
    """The search index, built in a forked process while this one computes related articles and renders.

    Unstarted, `files` builds it here and now. A started job that is not collected (the build
    failed first) is terminated by `close`. EARLIER: the index files of the last build, from
    the cache, which are not encoded again where their data is unchanged.
    """

    def __init__(self) -> None:
        self._pool: Any = None
        self._pending: Any = None
        self.earlier: EncodedFiles | None = None
        self.index: SearchIndexOutput | None = None  # after `files`

    def start(self, site: Site, config: SiteConfig) -> None:
        global _INDEX_INPUT
        _INDEX_INPUT = (site, config, self.earlier)  # the forked process sees the model as it is now
        try:
            self._pool = multiprocessing.get_context("fork").Pool(1)
            self._pending = self._pool.apply_async(_index_in_child)
        finally:
            _INDEX_INPUT = None

    def files(self, site: Site, config: SiteConfig) -> SearchIndexOutput:
        if self._pending is None:
            self.index = search_index_files(site, config, self.earlier)
            return self.index
        try:
            self.index = self._pending.get()
        finally:
            self.close()
        return self.index

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool, self._pending = None, None


def write_extras(vc: ViewContext, found: Discovery, writer: OutputWriter) -> None:
    """Feeds, sitemap, robots.txt, _redirects and the media files next to the pages."""
    for lang in vc.config.languages:
        writer.write(f"{vc.home_url(lang).lstrip('/')}feed.xml", atom_feed(vc, lang))
    xml = sitemap(vc)
    if xml:
        writer.write("sitemap.xml", xml)
    writer.write("robots.txt", robots(vc))
    if vc.site.redirects:
        writer.write("_redirects", redirects_file(vc))
    for src in found.media:
        writer.write(unquote(vc.site.media[src.source]).lstrip("/"), src.path.read_bytes())


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


def _parse_one(item: tuple[Source, bytes | None]) -> Article | None:
    assert _PARSE_CONTEXT is not None
    src, raw = item
    if raw is None:
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


def parse_all(found: Discovery, ctx: ParseContext, cache: BuildCache | None = None,
              raws: dict[str, bytes] | None = None,
              hashes: dict[str, str] | None = None) -> tuple[list[Article], dict[str, str]]:
    """Every article, from the cache where its bytes and the parse settings are unchanged,
    and the parse key of each article read (source -> key): equal keys, equal articles.
    HASHES: the digest of each of RAWS, when read_inputs made them already."""
    global _PARSE_CONTEXT
    cache = cache or BuildCache.disabled()
    raws = raws or {}
    hashes = hashes if hashes is not None else {source: digest(raw) for source, raw in raws.items()}
    context_keys = {True: ctx.fingerprint(), False: ctx.fingerprint(shortcodes=False)}
    keys = {src.source: digest(context_keys[uses_shortcodes(raws[src.source])], src.source, src.lang, src.rel,
                               hashes[src.source])
            for src in found.articles if src.source in raws}
    stored = cache.articles(keys.values())
    todo = [(src, raws.get(src.source)) for src in found.articles if keys.get(src.source) not in stored]
    _PARSE_CONTEXT = ctx
    try:
        workers = worker_count()
        if workers < 2 or len(todo) < PARALLEL_MIN_ARTICLES:
            fresh = [_parse_one(item) for item in todo]
        else:
            cache.close()  # no open database connection crosses a fork
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                fresh = pool.map(_parse_one, todo, chunksize=32)
    finally:
        _PARSE_CONTEXT = None
    by_source = {src.source: article for (src, _), article in zip(todo, fresh)}
    cache.put_articles([(keys[s], a) for s, a in by_source.items() if s in keys and a is not None])
    cache.used_parse.update(keys.values())
    results = [by_source[src.source] if src.source in by_source else stored[keys[src.source]]
               for src in found.articles]
    return [a for a in results if a is not None], keys

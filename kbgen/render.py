"""Render stage: Jinja2 templates (autoescaped, StrictUndefined) turn views into HTML files.

Pages are rendered in worker processes forked after the site model is complete, each
writing its own files into the temporary output folder; only diagnostics travel back.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import re
import traceback
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection

import jinja2
import jinja2.meta
from markupsafe import Markup

from kbgen.cache import BuildCache, code_digest, digest, template_digest
from kbgen.diagnostics import Diagnostic, Diagnostics
from kbgen.guideprint import guide_print_view
from kbgen.jsonld import page_graph, script_json
from kbgen.slugs import sort_key
from kbgen.theme import builtin_layouts
from kbgen.urls import absolute, output_rel, relative
from kbgen.write import OutputWriter
from kbgen.views import (ViewContext, article_view, folder_view, guide_print_url, home_view, listing_view, site_view,
                         top_folders)

TEMPLATES = ("base.html", "home.html", "folder.html", "article.html", "listing.html", "search.html",
             "404.html", "redirect.html", "footer.html", "contact.html", "contactpage.html", "channels.html",
             "guideprint.html", "notices.html", "feedback.html", "head.html", "headersearch.html",
             "themetoggle.html")
PAGE_TEMPLATES = ("article.html", "folder.html", "home.html", "listing.html", "search.html", "contactpage.html",
                  "guideprint.html", "redirect.html", "404.html")  # what Renderer._page gives pages
PARALLEL_MIN_PAGES = 400  # below this, forking workers costs more than it saves
_FRAGMENT_CALL = re.compile(r"""fragment\(\s*["']([^"']+)["']""")  # the site-wide parts a template shows


@dataclass(frozen=True)
class Job:
    kind: str  # home, folder, article, tag, tags, product, az, search, contact, print, 404, redirect
    lang: str
    key: str  # what the kind needs: a source, folder key, tag, product id or URL
    url: str  # the page's site-internal URL


class Renderer:
    def __init__(self, vc: ViewContext, site_root: Path, assets: dict[str, str]) -> None:
        self.vc = vc
        self.assets = assets  # logical asset name -> site URL of the fingerprinted file
        layouts = [site_root / "layouts", builtin_layouts()]
        self.layout_dirs = [p for p in layouts if p.is_dir()]
        self._template_keys: dict[str, str] = {}  # template -> hash of the layouts its pages are made of
        self._lang_keys: dict[str, str] = {}
        self.override_dir = (site_root / "layouts").resolve()
        self._site_views: dict[str, dict[str, Any]] = {}  # lang -> site view, the same on every page
        self._fragments: dict[tuple[str, str, str, str], Markup] = {}  # (template, lang, root, contact key) -> HTML
        self.env = environment(self.layout_dirs)

    def check_templates(self, diags: Diagnostics) -> None:
        """Compile every template up front so a syntax error names its file and line."""
        for name in TEMPLATES:
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                diags.error(f"template error: {exc.message}", self._template_file(exc.filename, name), exc.lineno,
                            hint="fix the Jinja2 syntax in your override layout", code="template-syntax")
            except jinja2.TemplateNotFound as exc:
                diags.error(f"template '{exc.name}' not found", f"layouts/{name}",
                            hint="override layouts must keep the built-in templates' names", code="template-missing")

    def _template_file(self, filename: str | None, fallback: str) -> str:
        if filename:
            path = Path(filename).resolve()
            if self.override_dir in path.parents:
                return "layouts/" + path.relative_to(self.override_dir).as_posix()
            return f"(built-in) layouts/{path.name}"
        return fallback

    def jobs(self) -> list[Job]:
        vc, site, config = self.vc, self.vc.site, self.vc.config
        jobs: list[Job] = []
        for lang in config.languages:
            jobs.append(Job("home", lang, lang, vc.home_url(lang)))
            jobs.append(Job("search", lang, lang, vc.special_url(lang, "search")))
            jobs.append(Job("az", lang, lang, vc.special_url(lang, "az")))
            if vc.contact_page_job(lang):
                jobs.append(Job("contact", lang, lang, vc.contact_url(lang)))
            if site.tags[lang]:
                jobs.append(Job("tags", lang, lang, vc.special_url(lang, "tags")))
            for tag in site.tags[lang]:
                jobs.append(Job("tag", lang, tag, vc.tag_url(lang, tag)))
            for pid, sources in site.products[lang].items():
                guides = [f for f in site.folders.values() if f.lang == lang and f.product == pid]
                if sources or guides:
                    jobs.append(Job("product", lang, pid, vc.product_url(lang, pid)))
        for key, folder in sorted(site.folders.items()):
            jobs.append(Job("folder", folder.lang, key, folder.url))
            print_url = guide_print_url(vc, folder) if folder.is_guide and folder.articles else None
            if print_url:
                jobs.append(Job("print", folder.lang, key, print_url))
        for source, article in sorted(site.articles.items()):
            jobs.append(Job("article", article.lang, source, article.url))
        for redirect in site.redirects:
            lang = site.articles[redirect.source].lang
            jobs.append(Job("redirect", lang, redirect.target, redirect.url))
        jobs.append(Job("404", config.default_language, "", "/404.html"))
        return jobs

    def render(self, job: Job) -> str:
        template, context = self.page_context(job)
        return self.env.get_template(template).render(context)

    def page_context(self, job: Job) -> tuple[str, dict[str, Any]]:
        """The template and everything it may show: a page is a function of these alone."""
        vc, lang = self.vc, job.lang
        page, template = self._page(job)
        t = vc.t(lang)
        # The 404 page is served for missing URLs at any depth: its links start at the base path.
        root = vc.config.base_path if job.kind == "404" else relative(job.url, "/")
        url_fn: Callable[[str], str] = (lambda target: root + target[1:]) if job.kind == "404" else \
            (lambda target: relative(job.url, target))
        context = {
            "page": page, "site": self._site_view(lang), "t": t, "url": url_fn,
            "asset": lambda name: url_fn(self.assets[name]),
            "canonical": absolute(vc.config.base_url, vc.config.base_path, job.url),
            # Search engines read hreflang alternates only as full addresses; without base_url, relative.
            "public_url": (lambda target: absolute(vc.config.base_url, vc.config.base_path, target))
            if vc.config.base_url else url_fn,
            "lang": lang, "fragment": lambda name, variant="": self._fragment(name, lang, root, variant),
            "jsonld": Derived(lambda: [Markup(script_json(item)) for item in page_graph(
                page, lang, lambda u: absolute(vc.config.base_url, vc.config.base_path, u),
                vc.config.localized(vc.config.title, lang))]),
            # The channels of a category's own `contact:`: the contact fragment shows them, and here the
            # page cache's fingerprint sees them change.
            "category_contact": vc.contact_for(page["contact_key"], lang) if page.get("contact_key") else None,
        }
        return template, context

    def fingerprint(self, job: Job, template: str, context: dict[str, Any]) -> str:
        """The page's cache key: its context's data plus the site-wide inputs (templates, assets, strings).

        Callables in the context (url, asset, fragment) are functions of the job's URL and of
        what the site key covers, Derived values of the other values. The rest is hashed as a
        memo-less pickle, which writes equal values alike (a view holding a set would only cost
        cache misses, never a stale page).
        """
        if template not in self._template_keys:
            self._template_keys[template] = digest(code_digest(), self._templates_digest(template),
                                                   repr(sorted(self.assets.items())), self.vc.config.base_path)
        lang = job.lang
        if lang not in self._lang_keys:
            self._lang_keys[lang] = digest(repr(self._site_view(lang)), repr(sorted(self.vc.t(lang).items())))
        data = {name: value for name, value in sorted(context.items())
                if name not in ("site", "t") and not callable(value) and not isinstance(value, Derived)}
        return digest(self._template_keys[template], self._lang_keys[lang], job.kind, job.url, template,
                      _serialised(data))

    def prepare(self, cache: BuildCache) -> None:
        """Each page template's layout digest, made before workers fork (else each parses the layouts),
        and taken from the cache when no layout file changed since the build that made them."""
        known = _LAYOUT_DIGESTS.setdefault(self.env, {})
        if all(name in known for name in PAGE_TEMPLATES):
            return
        key = digest(code_digest(), template_digest(self.layout_dirs))
        stored = cache.result("layout-digests", key)
        if isinstance(stored, dict) and all(isinstance(v, str) for v in stored.values()):
            known.update({name: value for name, value in stored.items() if name not in known})
        for name in PAGE_TEMPLATES:
            self._templates_digest(name)
        if stored != known and cache.enabled:
            cache.put_result("layout-digests", key, dict(known))

    def _templates_digest(self, template: str) -> str:
        """The sources of TEMPLATE and of every template it extends, includes, imports or shows as a fragment.

        So a change to one layout re-renders only the pages that use it (article.html: the articles;
        footer.html: every page). A reference Jinja cannot resolve statically counts every layout file.
        Kept with the environment, which lives as long as no layout file changes: parsing the
        templates again cost `kbgen serve` more than the rest of a rebuild.
        """
        known = _LAYOUT_DIGESTS.setdefault(self.env, {})
        if template not in known:
            known[template] = self._read_templates_digest(template)
        return known[template]

    def _read_templates_digest(self, template: str) -> str:
        loader = self.env.loader
        assert loader is not None
        seen: set[str] = set()
        todo = [template]
        parts: list[str] = []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source, filename, _ = loader.get_source(self.env, name)
                refs = list(jinja2.meta.find_referenced_templates(self.env.parse(source)))
            except jinja2.TemplateError:
                return template_digest(self.layout_dirs)  # check_templates reports it
            if None in refs:
                return template_digest(self.layout_dirs)
            parts += [name, filename or "", source]
            todo += [r for r in refs if r is not None] + _FRAGMENT_CALL.findall(source)
        return digest(*parts)

    def _fragment(self, name: str, lang: str, root: str, variant: str = "") -> Markup:
        """Site-wide parts (footer, contact) depend only on language, depth and the category's contact
        channels (VARIANT, a folder key or ""): render each once."""
        key = (name, lang, root, variant)
        if key not in self._fragments:
            url_fn: Callable[[str], str] = lambda target: root + target[1:]  # noqa: E731
            site = self._site_view(lang)
            if variant:
                site = dict(site, contact=self.vc.contact_for(variant, lang))
            context = {"site": site, "t": self.vc.t(lang), "url": url_fn, "lang": lang,
                       "asset": lambda asset: url_fn(self.assets[asset])}
            self._fragments[key] = Markup(self.env.get_template(name).render(context))
        return self._fragments[key]

    def _site_view(self, lang: str) -> dict[str, Any]:
        if lang not in self._site_views:
            self._site_views[lang] = site_view(self.vc, lang)
        return self._site_views[lang]

    def _page(self, job: Job) -> tuple[dict[str, Any], str]:
        vc, site, lang = self.vc, self.vc.site, job.lang
        t = vc.t(lang)
        if job.kind == "article":
            return article_view(vc, site.articles[job.key]), "article.html"
        if job.kind == "folder":
            return folder_view(vc, site.folders[job.key]), "folder.html"
        if job.kind == "home":
            return home_view(vc, lang), "home.html"
        if job.kind == "tag":
            return listing_view(vc, lang, "tag", t["tag_title"].format(tag=job.key), job.url,
                                site.tags[lang][job.key]), "listing.html"
        if job.kind == "tags":
            page = listing_view(vc, lang, "tags", t["tags"], job.url, [])
            page["tags"] = [{"name": tag, "url": vc.tag_url(lang, tag), "count": len(s)}
                            for tag, s in site.tags[lang].items()]
            return page, "listing.html"
        if job.kind == "product":
            product = vc.config.products[job.key]
            page = listing_view(vc, lang, "product", vc.config.localized(product.name, lang), job.url,
                                site.products[lang][job.key], vc.config.localized(product.description, lang),
                                pages={code: vc.product_url(code, job.key) for code in vc.config.languages})
            page["guides"] = [dict(folder_view(vc, f), count=len(f.articles)) for f in
                              sorted(site.folders.values(), key=lambda f: f.key)
                              if f.lang == lang and f.product == job.key]
            return page, "listing.html"
        if job.kind == "az":
            sources = sorted((a.source for a in site.in_lang(lang)),
                             key=lambda s: (sort_key(site.articles[s].title), s))
            page = listing_view(vc, lang, "az", t["az_title"], job.url, sources,
                                pages={code: vc.special_url(code, "az") for code in vc.config.languages})
            return page, "listing.html"
        if job.kind == "search":
            page = listing_view(vc, lang, "search", t["search_title"], job.url, [],
                                pages={code: vc.special_url(code, "search") for code in vc.config.languages})
            page["filters"] = {
                "categories": [{"key": f.key, "title": f.title} for f in top_folders(vc, lang)],
                "products": [{"id": pid, "name": vc.config.localized(p.name, lang)}
                             for pid, p in sorted(vc.config.products.items())],
            }
            return page, "search.html"
        if job.kind == "contact":
            page = listing_view(vc, lang, "contact", t["contact_page_title"], job.url, [],
                                description=t["contact_page_text"],
                                pages={code: vc.contact_url(code) for code in vc.config.languages})
            page["contact_channels"] = vc.contact_for("", lang)
            return page, "contactpage.html"
        if job.kind == "print":
            return guide_print_view(vc, site.folders[job.key]), "guideprint.html"
        if job.kind == "redirect":
            page = listing_view(vc, lang, "redirect", t["redirect_title"], job.url, [])
            page["target"] = job.key
            page["target_absolute"] = absolute(vc.config.base_url, vc.config.base_path, job.key)
            return page, "redirect.html"
        page = listing_view(vc, lang, "404", t["not_found_title"], job.url, [])
        return page, "404.html"

    def error_for(self, job: Job, exc: BaseException) -> Diagnostic:
        """A template runtime error, located at the template frame that raised it."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return Diagnostic("error", f"template error: {exc.message}", self._template_file(exc.filename, job.kind),
                              exc.lineno, None, "fix the Jinja2 syntax in your override layout", "template-syntax")
        file, line = f"layouts/{job.kind}", None
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".html"):
                file, line = self._template_file(frame.filename, frame.filename), frame.lineno
                break
        source = f" while rendering {job.url}" if job.kind != "article" else f" while rendering content/{job.key}"
        return Diagnostic("error", f"template error{source}: {exc}", file, line, None,
                          "check the variable names your override layout uses", "template-runtime")


class Derived:
    """A context value made from the others when a template first reads it (the page's JSON-LD).

    The page fingerprint leaves it out, since it adds nothing the other values do not say,
    and a page the cache already has never makes it.
    """

    def __init__(self, make: Callable[[], list[Any]]) -> None:
        self._make = make
        self._value: list[Any] | None = None

    @property
    def value(self) -> list[Any]:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __iter__(self) -> Any:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __getitem__(self, index: int) -> Any:
        return self.value[index]


def _serialised(data: Any) -> bytes:
    """DATA as bytes that only equal data has: pickle without its memo, so shared objects do not
    change the bytes, and about a fifth of the time repr takes on page bodies."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(data)
    return buffer.getvalue()


_ENVIRONMENT: tuple[tuple[object, ...], jinja2.Environment] | None = None
# environment -> template -> digest of the layout sources its pages are made of (see Renderer._templates_digest)
_LAYOUT_DIGESTS: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, str]] = weakref.WeakKeyDictionary()


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2, with `view.key` on a plain dict looked up as a key straight away.

    Page views are dicts: Jinja2 tries the attribute first, and the AttributeError it catches
    for every `page.title` cost about a tenth of rendering. A plain dict has no attributes but
    its methods, so the result is the same.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment(layout_dirs: list[Path]) -> jinja2.Environment:
    """The Jinja2 environment for these layout folders, kept while none of their files changes.

    Compiling the templates costs more than rendering a small site, so `kbgen serve` reuses
    the compiled ones across rebuilds; any added, removed or edited layout starts afresh.
    """
    global _ENVIRONMENT
    state: list[object] = []
    for folder in layout_dirs:
        state.append(str(folder))
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = path.stat()
                state.append((path.relative_to(folder).as_posix(), info.st_mtime_ns, info.st_size))
    key = tuple(state)
    if _ENVIRONMENT is None or _ENVIRONMENT[0] != key:
        env = _Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in layout_dirs]),
            autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        _ENVIRONMENT = (key, env)
    return _ENVIRONMENT[1]


_WORKER: tuple[Renderer, Path, list[Job], BuildCache, PreviousOutput] | None = None


@dataclass
class RenderReport:
    """What a worker sends back: problems, and what each page it wrote holds (for the manifest)."""

    problems: list[Diagnostic] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # output path (relative to OUT) -> blob key
    fingerprints: dict[str, str] = field(default_factory=dict)  # output path -> page fingerprint


@dataclass(frozen=True)
class PreviousOutput:
    """What the folder being updated in place holds: blob keys and page fingerprints by output path."""

    files: dict[str, str]
    fingerprints: dict[str, str]
    sparse: bool = False  # OUT was checked to hold FILES, and the build writes only changes elsewhere


def _render_range(bounds: tuple[int, int]) -> RenderReport:
    assert _WORKER is not None
    renderer, out, jobs, cache, previous = _WORKER
    report = RenderReport()
    todo: list[tuple[Job, str, str, dict[str, Any], str]] = []
    for job in jobs[bounds[0]:bounds[1]]:
        rel = output_rel(job.url)
        try:
            template, context = renderer.page_context(job)
            fp = renderer.fingerprint(job, template, context) if cache.enabled else ""
        except Exception as exc:  # a template's runtime error must become a diagnostic
            report.problems.append(renderer.error_for(job, exc))
            continue
        if fp and previous.fingerprints.get(rel) == fp and rel in previous.files and \
                (previous.sparse or (out / rel).is_file()):
            report.pages[rel], report.fingerprints[rel] = previous.files[rel], fp
            continue  # OUT holds this page already (kbgen serve's folder, or a sparse update)
        todo.append((job, rel, template, context, fp))
    stored = cache.pages([fp for *_, fp in todo if fp])  # one query for the whole range
    fresh: list[tuple[str, str, bytes]] = []
    writer = OutputWriter(out, previous=previous.files or None, sparse=previous.sparse)
    for job, rel, template, context, fp in todo:
        if fp in stored:
            key, data = stored[fp]
        else:
            try:
                data = renderer.env.get_template(template).render(context).encode("utf-8")
            except Exception as exc:
                report.problems.append(renderer.error_for(job, exc))
                continue
            key = digest(data) if cache.enabled else ""
            if fp:
                fresh.append((fp, key, data))
        if cache.enabled:
            report.pages[rel], report.fingerprints[rel] = key, fp
        writer.write(rel, data, key or None)  # leaves a page alone that OUT already holds with these bytes
    cache.put_pages(fresh)
    return report


def render_all(renderer: Renderer, jobs: list[Job], out: Path, diags: Diagnostics, workers: int,
               meanwhile: Callable[[], None] = lambda: None, cache: BuildCache | None = None,
               previous: PreviousOutput | None = None,
               pages_done: Callable[[], None] = lambda: None, first: Collection[Job] = (),
               first_done: Callable[[list[str]], None] = lambda urls: None) -> tuple[dict[str, str], dict[str, str]]:
    """Render every job into OUT; MEANWHILE runs in this process while the workers render.

    Without workers the pages come first, then PAGES_DONE, then MEANWHILE: `kbgen serve`
    reloads the open page as soon as its file is there, before the search index is rebuilt.
    FIRST (the pages of the articles just edited) are rendered before all others, in this
    process, and FIRST_DONE gets their URLs once they are in OUT without a problem, so the
    page being edited can be reloaded before the rest of the site is checked.

    Returns output path -> blob key and output path -> fingerprint of every page when CACHE
    is enabled. PREVIOUS (what OUT holds now) lets an in-place update skip unchanged pages.
    """
    global _WORKER
    cache = cache or BuildCache.disabled()
    ahead = [job for job in jobs if job in first] if first else []
    if ahead and len(ahead) < len(jobs):
        jobs = ahead + [job for job in jobs if job not in first]
    else:
        ahead = []
    if cache.enabled:
        renderer.prepare(cache)
    _WORKER = (renderer, out, jobs, cache, previous or PreviousOutput({}, {}))
    reports: list[RenderReport] = []
    try:
        if ahead:
            reports.append(_render_range((0, len(ahead))))
            if not reports[-1].problems:
                first_done([job.url for job in ahead])
        start = len(ahead)
        use_pool = workers > 1 and len(jobs) >= PARALLEL_MIN_PAGES and "fork" in multiprocessing.get_all_start_methods()
        if not use_pool:
            reports.append(_render_range((start, len(jobs))))
            pages_done()
            meanwhile()
        else:
            size = max(1, (len(jobs) - start) // (workers * 8))
            chunks = [(i, min(i + size, len(jobs))) for i in range(start, len(jobs), size)]
            cache.close()  # the workers open their own connections
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pending = pool.map_async(_render_range, chunks)
                meanwhile()
                reports += pending.get()
            pages_done()
    finally:
        _WORKER = None
    pages: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    for report in reports:
        diags.extend(report.problems)
        pages.update(report.pages)
        fingerprints.update(report.fingerprints)
    cache.used_pages.update(fingerprints.values())
    return pages, fingerprints


def worker_count() -> int:
    env = os.environ.get("KBGEN_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


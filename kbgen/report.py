"""The build report: `kbgen build --report` writes `_report/index.html`, a writer's list for this week.

It is no page of the site: nothing links to it, the sitemap and the search index are built
from the site model, which it is not part of, and it asks robots not to index it. It shows
the findings of `kbgen check` as tables, most urgent first (broken things, overdue reviews),
then counts and a chart of article age. Its date is the build's (SOURCE_DATE_EPOCH when set).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

import jinja2

from kbgen import __version__
from kbgen.agechart import age_chart
from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostic
from kbgen.health import Finding, health_findings
from kbgen.model import Article, Site
from kbgen.theme import builtin_layouts

DUE_SOON = 14  # days: reviews due this soon are listed too, so next week holds no surprise
REPORT_DIR = "_report"  # below the output folder
TEMPLATE, STYLESHEET = "report.html", "report.css"  # in layouts/, the site's replacing the built-in ones

Cell = dict[str, Any]  # {"text": …, "href": … or None, "code": bool}


def write_report(site: Site, config: SiteConfig, diagnostics: list[Diagnostic], write: Callable[[str, bytes], None],
                 today: dt.date, snippet_files: Sequence[str] = ()) -> None:
    """Write _report/index.html and its stylesheet with WRITE (output path, bytes); TODAY is the build date."""
    layouts = [config.root / "layouts", builtin_layouts()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(p) for p in layouts if p.is_dir()]),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    html = env.get_template(TEMPLATE).render(report_view(site, config, diagnostics, today, snippet_files))
    write(f"{REPORT_DIR}/index.html", html.encode("utf-8"))
    css = next(p / STYLESHEET for p in layouts if (p / STYLESHEET).is_file())
    write(f"{REPORT_DIR}/{STYLESHEET}", css.read_bytes())


def report_view(site: Site, config: SiteConfig, diagnostics: list[Diagnostic], today: dt.date,
                snippet_files: Sequence[str] = ()) -> dict[str, Any]:
    """What the template shows (see layouts/report.html), most urgent first."""
    links = _Links(site, config)
    findings = health_findings(site, config, today, snippet_files)

    def found(code: str) -> list[Finding]:
        return [f for f in findings if f.code == code]

    problems = [d for d in diagnostics if d.severity in ("error", "warning") and d.code != "image-alt"]
    sections = [
        _section("problems", "Broken things", "Errors and warnings of this build: fix these first.",
                 ["Where", "Problem", "How to fix it"],
                 [[links.source(d.file, d.line), _text(f"{d.severity}: {d.message}"), _text(d.hint or "")]
                  for d in problems], urgent=True),
        _section("review", "Review overdue", "Most overdue first. Check each article, then set a new review_by "
                 "(or updated).", ["Article", "Source", "Finding", "Days overdue"],
                 [[links.page(f.source), links.source(f"content/{f.source}", f.line), _text(f.message),
                   _text(str(f.days))] for f in sorted(found("review-due"), key=lambda f: (-f.days, f.source))],
                 urgent=True),
        _section("soon", "Review due soon", f"Reviews due in the next {DUE_SOON} days.",
                 ["Article", "Source", "Review by"],
                 [[links.page(a.source), links.source(a.file, a.meta_lines.get("review_by")),
                   _text(a.meta["review_by"].isoformat())] for a in _due_soon(site, today)]),
        _section("alt", "Images without alt text", "People who cannot see the image get nothing: describe it, "
                 "![Beschreibung](bild.png).", ["Article", "Where"],
                 [[links.page_of(d.file), links.source(d.file, d.line)] for d in diagnostics if d.code == "image-alt"]),
        _section("translations", "Missing translations", "Articles of the default language without a translation.",
                 ["Article", "Source", "Missing in"],
                 [[links.page_of(d.file), links.source(d.file, None),
                   _text(d.message.removeprefix("no translation in "))]
                  for d in diagnostics if d.code == "translation-missing"]),
        _section("orphans", "Not linked from anywhere", "No category lists these articles and no page links to them.",
                 ["Article", "Source"], [[links.page(f.source), links.source(f"content/{f.source}", None)]
                                         for f in found("orphan")]),
        _section("long", "Long articles without headings", "Split them with ## headings so readers can scan.",
                 ["Article", "Source", "Words"],
                 [[links.page(f.source), links.source(f"content/{f.source}", None), _text(str(f.days))]
                  for f in sorted(found("no-headings"), key=lambda f: (-f.days, f.source))]),
        _section("duplicates", "Duplicate titles", "Customers cannot tell these apart in search results.",
                 ["Article", "Source", "Same title as"],
                 [[links.page(f.source), links.source(f"content/{f.source}", f.line),
                   _text(f.message.removeprefix("the title is also used by "))] for f in found("duplicate-title")]),
        _section("snippets", "Unused snippets", "No published article includes these snippets.", ["Source"],
                 [[links.source(f"content/{f.source}", None)] for f in found("snippet-unused")]),
    ]
    articles = sorted(site.articles.values(), key=lambda a: a.source)
    return {
        "title": config.localized(config.title, config.default_language),
        "lang": config.default_language,
        "date": today.isoformat(),
        "version": __version__,
        "article_count": len(articles),
        "sections": sections,
        "open_sections": [s for s in sections if s["rows"]],  # in order of urgency
        "clear_sections": [s for s in sections if not s["rows"]],
        "languages": config.languages,
        "by_language": [{"lang": lang, "count": len(site.in_lang(lang))} for lang in config.languages],
        "by_category": _by_category(site, config),
        "by_product": _by_product(site, config),
        "age_chart": age_chart([a.updated for a in articles], today, config.review_interval),
        "review_interval": config.review_interval,
    }


def _due_soon(site: Site, today: dt.date) -> list[Article]:
    soon = [a for a in site.articles.values()
            if a.meta.get("review_by") is not None and 0 <= (a.meta["review_by"] - today).days < DUE_SOON]
    return sorted(soon, key=lambda a: (a.meta["review_by"], a.source))


def _section(id: str, title: str, intro: str, columns: list[str], rows: list[list[Cell]],
             urgent: bool = False) -> dict[str, Any]:
    return {"id": id, "title": title, "intro": intro, "columns": columns, "rows": rows, "count": len(rows),
            "urgent": urgent and bool(rows)}


def _text(text: str) -> Cell:
    return {"text": text, "href": None, "code": False}


class _Links:
    """Cells that link to an article's page (relative to _report/) and to its source (edit_url)."""

    def __init__(self, site: Site, config: SiteConfig) -> None:
        self.site, self.edit_url = site, config.edit_url

    def page(self, source: str) -> Cell:
        article: Article | None = self.site.articles.get(source)
        if article is None:
            return _text("")
        return {"text": article.title, "href": "../" + article.url.lstrip("/") + "index.html", "code": False}

    def page_of(self, file: str | None) -> Cell:
        return self.page(file.removeprefix("content/")) if file and file.startswith("content/") else _text("")

    def source(self, file: str | None, line: int | None) -> Cell:
        if not file:
            return _text("(site)")
        label = f"{file}:{line}" if line else file
        return {"text": label, "href": self.edit_url + file if self.edit_url else None, "code": True}


def _by_category(site: Site, config: SiteConfig) -> list[dict[str, Any]]:
    """One row per category (first-level folder path), a count per language, sections and guides included."""
    rows: dict[str, dict[str, Any]] = {}
    for article in site.articles.values():
        folder = site.folders.get(article.folder)
        while folder is not None and folder.parent is not None:
            folder = site.folders.get(folder.parent)
        path = folder.path if folder else ""
        row = rows.setdefault(path, {"title": "", "rank": len(config.languages), "path": path,
                                     "counts": {lang: 0 for lang in config.languages}})
        row["counts"][article.lang] += 1
        rank = config.languages.index(article.lang)
        if folder is not None and rank < row["rank"]:  # the title in the first language that has the category
            row["title"], row["rank"] = folder.title, rank
    for row in rows.values():
        row["title"] = row["title"] or "(no category)"
        row["counts"] = [row["counts"][lang] for lang in config.languages]
    return sorted(rows.values(), key=lambda r: (r["path"] == "", r["title"].casefold(), r["path"]))


def _by_product(site: Site, config: SiteConfig) -> list[dict[str, Any]]:
    return [{"title": config.localized(product.name, config.default_language), "id": pid,
             "counts": [len(site.products.get(lang, {}).get(pid, [])) for lang in config.languages]}
            for pid, product in sorted(config.products.items())]

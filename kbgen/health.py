"""Content health for `kbgen check` and the build report: what a writer should look at this week.

Reported as notes (they never fail a build, not even under --strict): articles due for
review, articles nothing links to, long articles without headings, duplicate titles,
snippets no article includes.
The report (report.py) shows the same findings as tables, most overdue first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics
from kbgen.model import Article, Site

LONG_WITHOUT_HEADINGS = 400  # words: past this, a reader needs headings to scan


@dataclass(frozen=True)
class Finding:
    code: str  # "review-due", "orphan", "no-headings", "duplicate-title" or "snippet-unused"
    source: str  # the article's (or snippet's) source below content/
    line: int | None  # the front-matter line it is about, where there is one
    message: str  # one sentence, as `kbgen check` prints it
    hint: str  # what to do
    days: int = 0  # review-due: days past due (to put the most overdue first); no-headings: words


def review_due(article: Article, config: SiteConfig, today: dt.date) -> Finding | None:
    """Past its review_by date, or (without one) not updated for the site's review_interval."""
    review_by = article.meta.get("review_by")
    if review_by is not None and review_by < today:
        return Finding("review-due", article.source, article.meta_lines.get("review_by"),
                       f"review was due on {review_by.isoformat()}",
                       "check the article, then set a new review_by", (today - review_by).days)
    if review_by is None and article.updated is not None and (today - article.updated).days > config.review_interval:
        age = (today - article.updated).days
        return Finding("review-due", article.source, article.meta_lines.get("updated"),
                       f"not updated for {age} days (review_interval is {config.review_interval})",
                       "check the article, then update 'updated'", age - config.review_interval)
    return None


def health_findings(site: Site, config: SiteConfig, today: dt.date,
                    snippet_files: Sequence[str] = ()) -> list[Finding]:
    """Every finding, by article source (duplicate titles, then unused snippets last)."""
    linked = {r.target for a in site.articles.values() for r in a.references if r.kind == "article"}
    linked |= {s for a in site.articles.values() for s in a.related}
    titles: dict[tuple[str, str], list[str]] = {}
    out: list[Finding] = []
    for article in sorted(site.articles.values(), key=lambda a: a.source):
        due = review_due(article, config, today)
        if due is not None:
            out.append(due)
        if not article.folder and not article.guide and article.source not in linked:
            out.append(Finding("orphan", article.source, None, "no category lists this article and no page links to it",
                               "move it into a category folder or link to it"))
        if article.word_count > LONG_WITHOUT_HEADINGS and not any(h.level >= 2 for h in article.headings):
            out.append(Finding("no-headings", article.source, None,
                               f"{article.word_count} words without a single heading",
                               "split it with ## headings so readers (and the search) can find the part they need",
                               article.word_count))
        titles.setdefault((article.lang, article.title.casefold()), []).append(article.source)
    for (_, _), sources in sorted(titles.items()):
        if len(sources) > 1:
            for source in sources:
                others = ", ".join(f"content/{s}" for s in sources if s != source)
                out.append(Finding("duplicate-title", source, site.articles[source].meta_lines.get("title"),
                                   f"the title is also used by {others}",
                                   "customers cannot tell the two apart in search results"))
    included = {f for a in site.articles.values() for f in a.includes}
    for file in snippet_files:
        if file not in included:
            out.append(Finding("snippet-unused", file.removeprefix("content/"), None,
                               "no published article includes this snippet",
                               "include it with {{< snippet … >}} or delete it"))
    return out


def report_health(site: Site, config: SiteConfig, today: dt.date, diags: Diagnostics,
                  snippet_files: Sequence[str] = ()) -> None:
    for f in health_findings(site, config, today, snippet_files):
        diags.note(f.message, f"content/{f.source}", f.line, hint=f.hint, code=f.code)

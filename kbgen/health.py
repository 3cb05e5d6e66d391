"""Content health for `kbgen check`: what a writer should look at this week.

Reported as notes (they never fail a build, not even under --strict): articles due for
review, articles nothing links to, long articles without headings, duplicate titles.
"""

from __future__ import annotations

import datetime as dt

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics
from kbgen.model import Site

LONG_WITHOUT_HEADINGS = 400  # words: past this, a reader needs headings to scan


def report_health(site: Site, config: SiteConfig, today: dt.date, diags: Diagnostics) -> None:
    linked = {r.target for a in site.articles.values() for r in a.references if r.kind == "article"}
    linked |= {s for a in site.articles.values() for s in a.related}
    titles: dict[tuple[str, str], list[str]] = {}
    for article in sorted(site.articles.values(), key=lambda a: a.source):
        review_by = article.meta.get("review_by")
        if review_by is not None and review_by < today:
            diags.note(f"review was due on {review_by.isoformat()}", article.file, article.meta_lines.get("review_by"),
                       hint="check the article, then set a new review_by", code="review-due")
        elif review_by is None and article.updated is not None and \
                (today - article.updated).days > config.review_interval:
            diags.note(f"not updated for {(today - article.updated).days} days "
                       f"(review_interval is {config.review_interval})", article.file,
                       article.meta_lines.get("updated"), hint="check the article, then update 'updated'",
                       code="review-due")
        if not article.folder and not article.guide and article.source not in linked:
            diags.note("no category lists this article and no page links to it", article.file,
                       hint="move it into a category folder or link to it", code="orphan")
        if article.word_count > LONG_WITHOUT_HEADINGS and not any(h.level >= 2 for h in article.headings):
            diags.note(f"{article.word_count} words without a single heading", article.file,
                       hint="split it with ## headings so readers (and the search) can find the part they need",
                       code="no-headings")
        titles.setdefault((article.lang, article.title.casefold()), []).append(article.source)
    for (_, _), sources in sorted(titles.items()):
        if len(sources) > 1:
            for source in sources:
                others = ", ".join(f"content/{s}" for s in sources if s != source)
                diags.note(f"the title is also used by {others}", f"content/{source}",
                           site.articles[source].meta_lines.get("title"),
                           hint="customers cannot tell the two apart in search results", code="duplicate-title")

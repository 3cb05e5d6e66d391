"""The article-age chart of the build report: months since `updated`, as inline SVG built here.

No JavaScript and no style attributes (the report runs under the site's strict CSP):
colours come from classes that report.css styles.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from markupsafe import Markup

# (from months, to months or None, label): the bars, youngest first
BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 1, "under 1 month"), (1, 3, "1–2 months"), (3, 6, "3–5 months"), (6, 12, "6–11 months"),
    (12, 24, "1–2 years"), (24, None, "2 years or more"))
WIDTH, LABEL, BAR, ROW = 640, 150, 420, 30  # pixels: the chart, the label column, the longest bar, a row


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from EARLIER to LATER (0 when LATER is not after it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    return max(0, months)


def age_counts(dates: list[dt.date | None], today: dt.date) -> list[tuple[str, int, int]]:
    """(label, count, from months) per bucket, then the articles without a date (from months -1)."""
    counts = [0] * len(BUCKETS)
    undated = 0
    for date in dates:
        if date is None:
            undated += 1
            continue
        months = months_between(date, today)
        counts[next(i for i, (lo, hi, _) in enumerate(BUCKETS) if hi is None or months < hi)] += 1
    rows = [(label, counts[i], lo) for i, (lo, _, label) in enumerate(BUCKETS)]
    if undated:
        rows.append(("no date", undated, -1))
    return rows


def age_chart(dates: list[dt.date | None], today: dt.date, review_interval: int) -> Markup:
    """A horizontal bar chart; bars of articles older than the review interval are marked as due."""
    rows = age_counts(dates, today)
    most = max((count for _, count, _ in rows), default=0) or 1
    due_from = review_interval / 30.44  # months
    height = ROW * len(rows) + 10
    summary = ", ".join(f"{label}: {count}" for label, count, _ in rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="age-chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="age-title age-desc">',
             '<title id="age-title">Articles by months since their last update</title>',
             f'<desc id="age-desc">{escape(summary)}</desc>']
    for index, (label, count, lo) in enumerate(rows):
        y = 5 + index * ROW
        width = round(BAR * count / most)
        kind = "bar-none" if lo < 0 else "bar-due" if lo >= due_from else "bar"
        parts.append(f'<text class="chart-label" x="{LABEL - 10}" y="{y + 18}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="{kind}" x="{LABEL}" y="{y + 4}" width="{width}" height="18" rx="2"/>')
        parts.append(f'<text class="chart-count" x="{LABEL + width + 6}" y="{y + 18}">{count}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))

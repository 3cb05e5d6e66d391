"""A product guide's print view: every step on one page, for customers who work from paper.

The page lives beside the steps (`<guide>/alle-schritte/`, one level like a step), so the
relative links of each step's body stay right as they are; only ids and same-page anchors
get the step's prefix so that two steps' "## Hinweis" do not clash, and headings move one
level down below the step's own heading.
"""

from __future__ import annotations

import re
from typing import Any

from kbgen.model import Folder
from kbgen.views import ViewContext, article_html, breadcrumbs, folder_view, guide_print_url

_ID_RE = re.compile(r'\b(id|href)="(#?)([^"]*)"')
_HEADING_TAG_RE = re.compile(r"<(/?)h([1-5])\b")


def prefix_ids(html: str, prefix: str) -> str:
    """Ids and same-page anchors of one step, prefixed; other links untouched."""
    def fix(match: re.Match[str]) -> str:
        attr, hash_, value = match.groups()
        if attr == "id":
            return f'id="{prefix}-{value}"'
        if hash_ and value:
            return f'href="#{prefix}-{value}"'
        return match.group(0)
    return _ID_RE.sub(fix, html)


def demote_headings(html: str) -> str:
    return _HEADING_TAG_RE.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)


def guide_print_view(vc: ViewContext, folder: Folder) -> dict[str, Any]:
    t = vc.t(folder.lang)
    overview = folder_view(vc, folder)
    steps = []
    for index, source in enumerate(folder.articles):
        article = vc.site.articles[source]
        anchor = f"schritt-{index + 1}"
        steps.append({"id": anchor, "title": article.title,
                      "label": t["step_of"].format(k=index + 1, n=len(folder.articles)),
                      "body": demote_headings(prefix_ids(article_html(article), anchor))})
    return {
        "kind": "guide-print",
        "title": t["print_title"].format(title=folder.title),
        "guide_title": folder.title,
        "description": folder.description,
        "url": guide_print_url(vc, folder) or folder.url,
        "guide_url": folder.url,
        "product": overview["product"],
        "steps": steps,
        "breadcrumbs": [*breadcrumbs(vc, folder.parent or "", folder.lang), {"title": folder.title,
                                                                              "url": folder.url}],
        "translations": overview["translations"],
        "contact_key": overview["contact_key"],
    }

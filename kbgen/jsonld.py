"""schema.org JSON-LD for search engines: BreadcrumbList, Article and FAQPage.

It goes into `<script type="application/ld+json">`, which browsers never execute, so the
strict CSP allows it; but the HTML parser still ends the element at the first
`</script`, so `<`, `>` and `&` are written as JSON escapes and a hostile title cannot
break out.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any, Callable

NOT_INDEXED = ("404", "search", "redirect", "guide-print")  # pages marked noindex get no structured data
_FAQ_ITEM = re.compile(r'<details class="faq-item">(.*?)</details>', re.S)
_ANSWER = re.compile(r'<div class="faq-answer">(.*)</div>\s*$', re.S)


def script_json(data: Any) -> str:
    """DATA as JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def page_graph(page: dict[str, Any], lang: str, absolute: Callable[[str], str],
               site_title: str) -> list[dict[str, Any]]:
    """The JSON-LD objects of one page (see views.py for the page dicts)."""
    graph: list[dict[str, Any]] = []
    if page.get("kind") in NOT_INDEXED:
        return graph
    crumbs = page.get("breadcrumbs") or []
    if crumbs:
        items = [*crumbs, {"title": page["title"], "url": page["url"]}]
        graph.append({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "name": c["title"], "item": absolute(c["url"])}
            for i, c in enumerate(items)]})
    if page.get("kind") in ("article", "faq"):
        article: dict[str, Any] = {"@context": "https://schema.org", "@type": "Article", "headline": page["title"],
                                   "inLanguage": lang, "url": absolute(page["url"]),
                                   "mainEntityOfPage": absolute(page["url"]),
                                   "publisher": {"@type": "Organization", "name": site_title}}
        if page.get("description"):
            article["description"] = page["description"]
        if page.get("updated_iso"):
            article["dateModified"] = page["updated_iso"]
        if page.get("created_iso") or page.get("updated_iso"):
            article["datePublished"] = page.get("created_iso") or page["updated_iso"]
        graph.append(article)
    if page.get("kind") == "faq":
        questions = faq_entries(str(page["body"]))
        if questions:
            graph.append({"@context": "https://schema.org", "@type": "FAQPage", "inLanguage": lang,
                          "mainEntity": [{"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer",
                                                                                           "text": a}}
                                         for q, a in questions]})
    return graph


def faq_entries(body: str) -> list[tuple[str, str]]:
    """(question, answer text) of each FAQ item in a rendered FAQ body."""
    out = []
    for item in _FAQ_ITEM.findall(body):
        summary, _, rest = item.partition("</summary>")
        answer = _ANSWER.search(rest)
        question = text_of(summary)
        if question:
            out.append((question, text_of(answer.group(1) if answer else rest)))
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0  # inside a heading anchor's "#"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and ("class", "heading-anchor") in attrs:
            self.skip += 1
        elif tag in ("p", "li", "br", "tr", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())

"""Template contexts ("views"): what each page type shows, as plain dicts and lists.

Templates never see the internal model; they see these views, documented here, and every
URL in them is a site-internal path that the template makes relative with `url()`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from kbgen.config import SiteConfig
from kbgen.notices import Notice, notices_for
from kbgen.theming import Theme
from kbgen.folders import lang_prefix
from kbgen.health import review_due
from kbgen.markup import MARKER
from kbgen.model import Article, Folder, Site
from kbgen.slugs import slugify
from kbgen.urls import relative

_MARKER_RE = re.compile(re.escape(MARKER) + r"(\d+)")
RECENT_LIMIT = 6


@dataclass
class ViewContext:
    config: SiteConfig
    site: Site
    strings: dict[str, dict[str, str]]  # lang -> UI strings
    notices: list[Notice] = field(default_factory=list)  # current site-wide notices, most urgent first
    theme: Theme = field(default_factory=Theme)  # generated theme CSS, logo and favicon
    preview: dt.date | None = None  # kbgen serve: the build date, for notes only writers see (review due)
    _cards: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _tag_urls: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def card(self, article: Article) -> dict[str, Any]:
        """The article as listings show it; made once per build (a large site lists each article a dozen times).

        Callers copy the dict before adding to it.
        """
        card = self._cards.get(article.source)
        if card is None:
            card = self._cards[article.source] = article_card(self, article)
        return card

    def t(self, lang: str) -> dict[str, str]:
        return self.strings[lang]

    def contact_url(self, lang: str) -> str:
        """The contact page; where a category already has this URL, that category shows the channels."""
        return self.special_url(lang, "contact")

    def contact_page_job(self, lang: str) -> bool:
        """Whether the contact page is a page of its own (False: a category owns its URL, or no channels)."""
        return has_channels(self.config.contact) and self.contact_url(lang) not in self.site.urls

    def contact_key(self, folder_key: str) -> str:
        """The folder whose `contact:` applies to pages in FOLDER_KEY ("" for the site's channels)."""
        key: str | None = folder_key
        while key:
            folder = self.site.folders.get(key)
            if folder is None:
                break
            if folder.contact:
                return key
            key = folder.parent
        return ""

    def contact_for(self, folder_key: str, lang: str) -> dict[str, Any]:
        channels = dict(self.config.contact)
        folder = self.site.folders.get(folder_key) if folder_key else None
        if folder is not None and folder.contact:
            channels.update(folder.contact)
        return contact_view(self.config, lang, channels)

    def home_url(self, lang: str) -> str:
        return f"{lang_prefix(self.config, lang)}/"

    def special_url(self, lang: str, key: str, *rest: str) -> str:
        segment = self.strings[lang][f"{key}_segment"]
        return "/".join([lang_prefix(self.config, lang), segment, *rest]) + "/"

    def tag_url(self, lang: str, tag: str) -> str:
        url = self._tag_urls.get((lang, tag))
        if url is None:  # every article page links its tags: slugify each tag once
            url = self._tag_urls[(lang, tag)] = self.special_url(lang, "tags", slugify(tag, "tag"))
        return url

    def product_url(self, lang: str, pid: str) -> str:
        return self.special_url(lang, "products", pid)


def format_date(date: dt.date | None, strings: dict[str, str]) -> str:
    if date is None:
        return ""
    return _formatted(date, strings["date_format"], strings["months"])


@functools.lru_cache(maxsize=4096)
def _formatted(date: dt.date, date_format: str, months: str) -> str:
    """A site shows few distinct dates, each on many pages."""
    month = months.split(",")[date.month - 1].strip()
    return date_format.format(day=date.day, month=month, year=date.year, mm=f"{date.month:02d}", dd=f"{date.day:02d}")


def site_view(vc: ViewContext, lang: str) -> dict[str, Any]:
    config, t = vc.config, vc.t(lang)
    categories = [folder_card(vc, f) for f in top_folders(vc, lang)]
    return {
        "title": config.localized(config.title, lang),
        "description": config.localized(config.description, lang),
        "lang": lang,
        "home_url": vc.home_url(lang),
        "search_url": vc.special_url(lang, "search"),
        "az_url": vc.special_url(lang, "az"),
        "categories": categories,
        "contact": contact_view(config, lang),
        "contact_url": vc.contact_url(lang),
        "contact_in_footer": has_channels(config.contact) and all(c["url"] != vc.contact_url(lang) for c in categories),
        "notices": notices_for(vc.notices, config, lang),
        "feedback_endpoint": config.feedback_endpoint,
        "theme_css": vc.theme.urls.get("theme.css"),
        "logo": vc.theme.urls.get("logo"),
        "favicon": vc.theme.urls.get("favicon"),
        "favicon_type": vc.theme.favicon_type,
        "languages": [{"code": code, "name": vc.t(code)["language_name"], "url": vc.home_url(code)}
                      for code in config.languages],
        "multilingual": len(config.languages) > 1,
        "feed_url": f"{lang_prefix(config, lang)}/feed.xml",
        "t": t,
        "search_strings": {key[len("search_js_"):]: value for key, value in t.items() if key.startswith("search_js_")},
        "analytics_endpoint": config.analytics_endpoint,
    }


def has_channels(contact: dict[str, Any]) -> bool:
    return any(contact.get(k) for k in ("phone", "email", "chat", "address", "form", "social"))


def contact_view(config: SiteConfig, lang: str, channels: dict[str, Any] | None = None) -> dict[str, Any]:
    c = config.contact if channels is None else channels
    phone = c.get("phone") or {}
    chat = c.get("chat") or {}
    return {
        "phone": {"number": str(phone.get("number", "")), "display": str(phone.get("display") or phone.get("number", "")),
                  "hours": config.localized(phone.get("hours"), lang)} if phone else None,
        "email": c.get("email"),
        "chat": {"url": str(chat.get("url", "")), "hours": config.localized(chat.get("hours"), lang)} if chat else None,
        "address": config.localized(c.get("address"), lang).strip().splitlines() if c.get("address") else [],
        "form": c.get("form"),
        "social": list(c.get("social") or []),
        "any": has_channels(c),
    }


def top_folders(vc: ViewContext, lang: str) -> list[Folder]:
    folders = [f for f in vc.site.folders.values() if f.lang == lang and f.parent is None]
    return sorted(folders, key=lambda f: (f.order, f.title.casefold(), f.key))


def folder_card(vc: ViewContext, folder: Folder) -> dict[str, Any]:
    return {"title": folder.title, "description": folder.description, "icon": folder.icon or "book",
            "url": folder.url, "count": _count(vc, folder), "is_guide": folder.is_guide}


def _count(vc: ViewContext, folder: Folder) -> int:
    return len(folder.articles) + sum(_count(vc, vc.site.folders[k]) for k in folder.children)


def article_card(vc: ViewContext, article: Article) -> dict[str, Any]:
    return {"title": article.title, "description": article.description, "url": article.url,
            "updated": format_date(article.updated, vc.t(article.lang)),
            "updated_iso": article.updated.isoformat() if article.updated else "", "type": article.type}


def breadcrumbs(vc: ViewContext, folder_key: str, lang: str) -> list[dict[str, str]]:
    crumbs = []
    key: str | None = folder_key
    while key:
        folder = vc.site.folders.get(key)
        if folder is None:
            break
        crumbs.append({"title": folder.title, "url": folder.url})
        key = folder.parent
    crumbs.append({"title": vc.t(lang)["home"], "url": vc.home_url(lang)})
    return list(reversed(crumbs))


def translations_view(vc: ViewContext, lang: str, pages: dict[str, str]) -> list[dict[str, Any]]:
    """Every language: the translated page where there is one, else that language's home."""
    out = []
    for code in vc.config.languages:
        url = pages.get(code)
        out.append({"code": code, "name": vc.t(code)["language_name"], "url": url or vc.home_url(code),
                    "current": code == lang, "exists": url is not None})
    return out


@dataclass(frozen=True)
class Body:
    """An article's HTML for its page, made when the template shows it.

    A page's cache fingerprint hashes these inputs instead of the finished HTML, so deciding
    that a page is unchanged costs no work on its body. Templates use it like markup:
    `{{ page.body|safe }}` and `{{ page.body }}` both call __html__.
    """

    html: str  # as parsed, with reference markers
    ref_urls: tuple[str, ...]
    url: str
    anchor_label: str | None  # the copy-link label of heading anchors; None: no anchors (FAQ pages)

    def __html__(self) -> str:
        body = resolve_refs(self.html, self.ref_urls, self.url)
        return body if self.anchor_label is None else heading_anchors(body, self.anchor_label)

    def __str__(self) -> str:
        return self.__html__()


def article_html(article: Article) -> str:
    """The body with reference markers replaced by URLs relative to the article's page."""
    return resolve_refs(article.html, article.ref_urls, article.url)


def resolve_refs(html: str, ref_urls: Sequence[str], page_url: str) -> str:
    def replace(match: re.Match[str]) -> str:
        url = ref_urls[int(match.group(1))]
        return relative(page_url, url) if url.startswith(("/", "#")) else url
    return _MARKER_RE.sub(replace, html)


def article_view(vc: ViewContext, article: Article) -> dict[str, Any]:
    site, t = vc.site, vc.t(article.lang)
    folder = site.folders.get(article.folder)
    siblings = folder.articles if folder else []
    index = siblings.index(article.source) if article.source in siblings else -1
    prev_a = site.articles[siblings[index - 1]] if index > 0 else None
    next_a = site.articles[siblings[index + 1]] if 0 <= index < len(siblings) - 1 else None
    guide = None
    if article.guide and folder is not None:
        guide = {"title": folder.title, "url": folder.url, "step": index + 1, "steps": len(siblings),
                 "label": t["step_of"].format(k=index + 1, n=len(siblings))}
    products = [{"name": vc.config.localized(vc.config.products[p].name, article.lang), "url": vc.product_url(article.lang, p)}
                for p in article.meta.get("products", []) if p in vc.config.products]
    questions = [{"text": h.text, "id": h.id} for h in article.headings if h.level == 2] if article.type == "faq" else []
    pages = {lang: site.articles[src].url for lang, src in article.translations.items() if src in site.articles}
    pages[article.lang] = article.url
    return {
        "kind": "faq" if article.type == "faq" else "article",
        "title": article.title,
        "description": article.description,
        "url": article.url,
        "source": article.source,
        "body": Body(article.html, tuple(article.ref_urls), article.url,
                     None if article.type == "faq" else t["anchor_label"]),
        "created": format_date(article.meta.get("created"), t),
        "created_iso": article.meta["created"].isoformat() if article.meta.get("created") else "",
        "updated": format_date(article.updated, t),
        "updated_iso": article.updated.isoformat() if article.updated else "",
        "toc": [{"text": h.text, "id": h.id, "level": h.level} for h in article.headings if h.level in (2, 3)],
        "tags": [{"name": tag, "url": vc.tag_url(article.lang, tag)} for tag in article.meta.get("tags", [])],
        "products": products,
        "related": [vc.card(site.articles[s]) for s in article.related if s in site.articles],
        "previous": vc.card(prev_a) if prev_a else None,
        "next": vc.card(next_a) if next_a else None,
        "guide": guide,
        "questions": questions,
        "breadcrumbs": breadcrumbs(vc, article.folder, article.lang),
        "translations": translations_view(vc, article.lang, pages),
        "promoted": article.promoted,
        "review_due": _review_note(vc, article),
        "contact_key": vc.contact_key(article.folder),
        "feedback": bool(vc.config.feedback_endpoint),
    }


def _review_note(vc: ViewContext, article: Article) -> str:
    """In the writer's preview only: why the article is due for review ("" when it is not, or in a build)."""
    if vc.preview is None:
        return ""
    due = review_due(article, vc.config, vc.preview)
    return f"{due.message}: {due.hint}" if due else ""


def folder_view(vc: ViewContext, folder: Folder) -> dict[str, Any]:
    site = vc.site
    children = [site.folders[k] for k in folder.children]
    pages = _folder_translations(vc, folder)
    steps = []
    if folder.is_guide:
        t = vc.t(folder.lang)
        steps = [dict(vc.card(site.articles[s]), step=i + 1,
                      label=t["step_of"].format(k=i + 1, n=len(folder.articles)))
                 for i, s in enumerate(folder.articles)]
    product = None
    if folder.product:
        product = {"name": vc.config.localized(vc.config.products[folder.product].name, folder.lang),
                   "url": vc.product_url(folder.lang, folder.product)}
    return {
        "kind": "guide" if folder.is_guide else ("section" if folder.parent else "category"),
        "title": folder.title,
        "description": folder.description,
        "url": folder.url,
        "icon": folder.icon or "book",
        "articles": [vc.card(site.articles[s]) for s in folder.articles],
        "sections": [folder_card(vc, c) for c in children if not c.is_guide],
        "guides": [folder_card(vc, c) for c in children if c.is_guide],
        "steps": steps,
        "product": product,
        "breadcrumbs": breadcrumbs(vc, folder.parent or "", folder.lang),
        "translations": translations_view(vc, folder.lang, pages),
        "contact_key": vc.contact_key(folder.key),
        "print_url": guide_print_url(vc, folder) if folder.is_guide else None,
        "contact_channels": vc.contact_for(vc.contact_key(folder.key), folder.lang)
        if folder.url == vc.contact_url(folder.lang) and has_channels(vc.config.contact) else None,
    }


def guide_print_url(vc: ViewContext, folder: Folder) -> str | None:
    """The guide's all-steps page, unless one of its steps already has that URL."""
    url = f"{folder.url}{vc.t(folder.lang)['print_segment']}/"
    return None if url in vc.site.urls else url


# not a FAQ question (<summary><h2 …>); the look-behind follows the "<" so that the search can skip to each "<"
_HEADING_RE = re.compile(r'<(?<!<summary><)h([2-4]) id="([^"]+)">(.*?)</h\1>', re.S)


def heading_anchors(html: str, label: str) -> str:
    """A '#' link in each heading: visible on hover and focus, copied to the clipboard by kbgen.js."""
    def add(match: re.Match[str]) -> str:
        level, anchor, inner = match.groups()
        return (f'<h{level} id="{anchor}">{inner} <a class="heading-anchor" href="#{anchor}" '
                f'aria-label="{label}: {_attr(_strip_tags(inner))}">#</a></h{level}>')
    return _HEADING_RE.sub(add, html)


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _attr(text: str) -> str:
    return text.replace('"', "&quot;")


def _folder_translations(vc: ViewContext, folder: Folder) -> dict[str, str]:
    pages = {}
    for lang in vc.config.languages:
        key = f"{lang}/{folder.path}" if folder.key.startswith(f"{folder.lang}/") else folder.key
        other = vc.site.folders.get(key)
        if other is not None:
            pages[lang] = other.url
    return pages


def home_view(vc: ViewContext, lang: str) -> dict[str, Any]:
    site = vc.site
    articles = site.in_lang(lang)
    promoted = sorted((a for a in articles if a.promoted), key=lambda a: (a.order, a.title.casefold(), a.source))
    dated = sorted((a for a in articles if a.updated), key=lambda a: (a.updated, a.source), reverse=True)
    guides = sorted((f for f in site.folders.values() if f.lang == lang and f.is_guide),
                    key=lambda f: (f.order, f.title.casefold(), f.key))
    return {
        "kind": "home",
        "title": vc.config.localized(vc.config.title, lang),
        "description": vc.config.localized(vc.config.description, lang),
        "url": vc.home_url(lang),
        "promoted": [vc.card(a) for a in promoted],
        "recent": [vc.card(a) for a in dated[:RECENT_LIMIT]],
        "guides": [folder_card(vc, f) for f in guides],
        "loose": [vc.card(a) for a in sorted(articles, key=lambda a: (a.order, a.title.casefold()))
                  if not a.folder],
        "breadcrumbs": [],
        "translations": translations_view(vc, lang, {code: vc.home_url(code) for code in vc.config.languages}),
    }


def listing_view(vc: ViewContext, lang: str, kind: str, title: str, url: str, sources: list[str],
                 description: str = "", pages: dict[str, str] | None = None) -> dict[str, Any]:
    """Tag pages, product pages, the tag index and the A–Z index."""
    return {
        "kind": kind, "title": title, "description": description, "url": url,
        "articles": [vc.card(vc.site.articles[s]) for s in sources],
        "breadcrumbs": [{"title": vc.t(lang)["home"], "url": vc.home_url(lang)}],
        "translations": translations_view(vc, lang, pages or {}),
    }

"""Machine-readable outputs: sitemap.xml with hreflang alternates, robots.txt, Atom feeds, _redirects."""

from __future__ import annotations

import datetime as dt
import os
from xml.sax.saxutils import escape, quoteattr

from kbgen.urls import absolute
from kbgen.views import ViewContext


def build_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH when set: the only 'now' a deterministic build may use."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)
    return None


def sitemap(vc: ViewContext) -> str | None:
    config, site = vc.config, vc.site
    if not config.base_url:
        return None
    entries: list[tuple[str, str, list[tuple[str, str]]]] = []
    for lang in config.languages:
        entries.append((vc.home_url(lang), "", [(code, vc.home_url(code)) for code in config.languages]))
    for folder in site.folders.values():
        entries.append((folder.url, "", []))
    for lang in config.languages:
        if vc.contact_page_job(lang):
            entries.append((vc.contact_url(lang), "", []))
    for article in site.articles.values():
        alternates = []
        if article.translations:
            alternates = [(lang, site.articles[src].url) for lang, src in article.translations.items()
                          if src in site.articles]
            alternates.append((article.lang, article.url))
            alternates.sort()
        lastmod = article.updated.isoformat() if article.updated else ""
        entries.append((article.url, lastmod, alternates))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for url, lastmod, alternates in sorted(entries):
        lines.append(f"  <url><loc>{escape(absolute(config.base_url, config.base_path, url))}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else ""))
        for lang, alt in alternates:
            href = quoteattr(absolute(config.base_url, config.base_path, alt))
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" href={href}/>')
        lines[-1] += "</url>" if not alternates else ""
        if alternates:
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(vc: ViewContext) -> str:
    config = vc.config
    rules = "User-agent: *\n" + ("Disallow:\n" if config.robots else "Disallow: /\n")
    if config.base_url and config.robots:
        rules += f"\nSitemap: {absolute(config.base_url, config.base_path, '/sitemap.xml')}\n"
    return rules


def redirects_file(vc: ViewContext) -> str:
    """Netlify/Cloudflare-style _redirects: hosts that read it answer with a real 301."""
    base = vc.config.base_path.rstrip("/")
    return "".join(f"{base}{r.url} {base}{r.target} 301\n" for r in vc.site.redirects)


def atom_feed(vc: ViewContext, lang: str) -> str:
    config, site, t = vc.config, vc.site, vc.t(lang)
    dated = sorted((a for a in site.in_lang(lang) if a.updated), key=lambda a: (a.updated, a.source), reverse=True)
    dated = dated[: config.feed_limit]
    stamp = build_date()
    if dated:
        feed_updated = f"{dated[0].updated.isoformat()}T00:00:00Z"  # type: ignore[union-attr]
    elif stamp:
        feed_updated = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        feed_updated = "1970-01-01T00:00:00Z"
    home = absolute(config.base_url, config.base_path, vc.home_url(lang))
    feed_url = absolute(config.base_url, config.base_path, f"{vc.home_url(lang)}feed.xml")
    title = f"{config.localized(config.title, lang)}: {t['feed_title']}"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
           f"  <title>{escape(title)}</title>",
           f"  <id>{escape(home)}</id>",
           f'  <link rel="alternate" href={quoteattr(home)}/>',
           f'  <link rel="self" href={quoteattr(feed_url)}/>',
           f"  <updated>{feed_updated}</updated>"]
    for article in dated:
        link = absolute(config.base_url, config.base_path, article.url)
        out += ["  <entry>",
                f"    <title>{escape(article.title)}</title>",
                f'    <link rel="alternate" href={quoteattr(link)}/>',
                f"    <id>{escape(link)}</id>",
                f"    <updated>{article.updated.isoformat()}T00:00:00Z</updated>"]  # type: ignore[union-attr]
        if article.description:
            out.append(f"    <summary>{escape(article.description)}</summary>")
        out += [f"    <author><name>{escape(config.localized(config.title, lang))}</name></author>", "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"

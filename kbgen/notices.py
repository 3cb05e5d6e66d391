"""Site-wide notices (a delivery delay, an outage) from kbgen.yml `notices:` and content/_notices/*.md.

A notice whose `until` date lies before the build date is not built at all; one that is
still current carries its `until` to the page, where kbgen.js hides it once the day has
passed, so a site built today does not show yesterday's outage next week. The build date
is an input (build.build_date: SOURCE_DATE_EPOCH, else today), so builds stay reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Source
from kbgen.frontmatter import split_document_with
from kbgen.schema import DATE, LOCALIZED, TEXT, Field, check_mapping
from kbgen.textfile import read_text
from kbgen.yamlload import YamlMapping

SEVERITIES = ("critical", "warning", "info")  # most urgent first: the order notices are shown in
NOTICE_FIELDS = {
    "severity": Field(TEXT, "info, warning or critical (default info)"),
    "until": Field(DATE, "the last day the notice is shown, YYYY-MM-DD (default: until it is removed)"),
    "lang": Field(TEXT, "show the notice only in this language (default: every language)"),
    "title": Field(LOCALIZED, "a short headline, text or {de: …, en: …}"),
    "text": Field(LOCALIZED, "the message in Markdown, text or {de: …, en: …}"),
}
FILE_FIELDS = {key: spec for key, spec in NOTICE_FIELDS.items() if key != "text"}  # the body is the text

# Notices are short messages: Markdown without raw HTML, links written as full addresses.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Notice:
    id: str  # stable and unique: "config-1" or the file name's stem, for anchors and tests
    severity: str  # one of SEVERITIES
    until: dt.date | None  # last day shown; None: no end
    lang: str | None  # None: every language
    title: dict[str, str] | str | None  # headline, maybe per language
    html: dict[str, str]  # lang ("" for every language) -> rendered Markdown
    file: str  # where it was declared, for diagnostics


def load_notices(config: SiteConfig, files: list[Source], today: dt.date, diags: Diagnostics) -> list[Notice]:
    """Every valid notice that has not expired by TODAY, most urgent first."""
    notices: list[Notice] = []
    for index, (item, line) in enumerate(config.notice_items):
        notice = _from_config(item, index, line, config, diags)
        if notice is not None:
            notices.append(notice)
    for src in files:
        notice = _from_file(src, config, diags)
        if notice is not None:
            notices.append(notice)
    current = [n for n in notices if n.until is None or n.until >= today]
    return sorted(current, key=lambda n: (SEVERITIES.index(n.severity), n.until or dt.date.max, n.id))


def notices_for(notices: list[Notice], config: SiteConfig, lang: str) -> list[dict[str, Any]]:
    """The view of the notices shown in LANG (see base.html)."""
    out = []
    for n in notices:
        if n.lang is not None and n.lang != lang:
            continue
        html = n.html.get(lang) or n.html.get("") or n.html.get(config.default_language) or next(iter(n.html.values()))
        out.append({"id": n.id, "severity": n.severity, "until": n.until.isoformat() if n.until else "",
                    "title": config.localized(n.title, lang), "html": html})
    return out


def _check(values: dict[str, Any], file: str, line: int | None, config: SiteConfig,
           mapping: YamlMapping, diags: Diagnostics) -> bool:
    ok = True
    severity = values.get("severity", "info")
    if severity not in SEVERITIES:
        diags.error(f"unknown notice severity '{severity}'", file, mapping.lines.get("severity", line),
                    hint=f"severity is one of {', '.join(reversed(SEVERITIES))}", code="notice-invalid")
        ok = False
    lang = values.get("lang")
    if lang is not None and lang not in config.languages:
        diags.error(f"notice language '{lang}' is not one of the site's languages", file,
                    mapping.lines.get("lang", line), hint=f"languages are {', '.join(config.languages)}",
                    code="notice-invalid")
        ok = False
    if mapping.data.get("until") is not None and "until" not in values:
        ok = False  # the schema reported the bad date
    return ok


def _from_config(item: Any, index: int, line: int, config: SiteConfig, diags: Diagnostics) -> Notice | None:
    what = f"notices[{index}]"
    if not isinstance(item, dict):
        diags.error(f"{what} must be a mapping with severity and text", "kbgen.yml", line,
                    hint="write '- severity: warning' and 'text: …' on the next line", code="notice-invalid")
        return None
    mapping = YamlMapping(item, {key: line for key in item})
    values = check_mapping(mapping, NOTICE_FIELDS, "kbgen.yml", diags, what=what, base_line=line)
    if not _check(values, "kbgen.yml", line, config, mapping, diags):
        return None
    for key in ("title", "text"):
        unknown = [code for code in values.get(key) or {} if isinstance(values[key], dict) and code not in config.languages]
        if unknown:
            diags.error(f"{what} has {key} for '{unknown[0]}', which is not in languages", "kbgen.yml", line,
                        hint=f"languages are {', '.join(config.languages)}", code="notice-invalid")
            return None
    text = values.get("text")
    if not text:
        diags.error(f"{what} has no text", "kbgen.yml", line, hint="add 'text: …' (Markdown)", code="notice-invalid")
        return None
    html = {"": _render(text)} if isinstance(text, str) else {k: _render(v) for k, v in sorted(text.items())}
    return Notice(f"config-{index + 1}", values.get("severity", "info"), values.get("until"), values.get("lang"),
                  values.get("title"), html, "kbgen.yml")


def _from_file(src: Source, config: SiteConfig, diags: Diagnostics) -> Notice | None:
    text = read_text(src.path, src.file, diags)
    if text is None:
        return None
    parsed = split_document_with(text, src.file, diags, FILE_FIELDS, what="notice front matter")
    if parsed is None:
        return None
    values, mapping, body = parsed
    if not _check(values, src.file, 1, config, mapping, diags):
        return None
    if not body.strip():
        diags.error("the notice has no text", src.file, 1, hint="write the message below the front matter",
                    code="notice-invalid")
        return None
    return Notice(PurePosixPath(src.rel).stem, values.get("severity", "info"), values.get("until"),
                  values.get("lang"), values.get("title"), {"": _render(body)}, src.file)


def _render(markdown: str) -> str:
    return _MARKDOWN.render(markdown.strip())

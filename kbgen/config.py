"""kbgen.yml: the site's settings, declared as a schema and validated with every problem collected."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kbgen.diagnostics import Diagnostics
from kbgen.schema import BOOL, LIST, LOCALIZED, MAPPING, NUMBER, TEXT, WORDS, Field, check_mapping
from kbgen.textfile import read_text
from kbgen.yamlload import YamlMapping, load_mapping

CONFIG_FILE = "kbgen.yml"
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
VARIABLE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

SITE_FIELDS = {
    "title": Field(LOCALIZED, "the site's name, text or {de: …, en: …}"),
    "description": Field(LOCALIZED, "one sentence for the home page and search engines"),
    "base_url": Field(TEXT, "the public address, e.g. https://example.com/hilfe/"),
    "languages": Field(WORDS, "language codes, the first is the default, e.g. [de, en]"),
    "products": Field(LIST, "a list of {id, name, description}"),
    "contact": Field(MAPPING, "phone, email, chat, address"),
    "search": Field(MAPPING, "search settings: synonyms"),
    "related_limit": Field(NUMBER, "how many related articles an article shows (default 5)"),
    "feed_limit": Field(NUMBER, "how many articles each Atom feed lists (default 20)"),
    "robots": Field(BOOL, "false to ask search engines not to index the site (default true)"),
    "review_interval": Field(NUMBER, "days after which an article is due for review (default 365)"),
    "notices": Field(LIST, "site-wide banners: a list of {severity, until, lang, title, text}"),
    "feedback": Field(MAPPING, "the article feedback widget: {endpoint: https://…}"),
    "theme": Field(MAPPING, "the look: {colors: {primary, primary_dark, background, background_dark}, logo, favicon}"),
    "variables": Field(MAPPING, "text to reuse in articles, 'name: value' (or {de: …, en: …}), "
                                "written {{< var name >}} in the text"),
    "edit_url": Field(TEXT, "where a source file is edited, e.g. https://github.com/org/repo/edit/main/ "
                            "(the build report links each file there)"),
}
FEEDBACK_FIELDS = {
    "endpoint": Field(TEXT, "an http(s) address or a site-relative path (/feedback) that receives votes as JSON"),
}
THEME_FIELDS = {
    "colors": Field(MAPPING, "{primary, primary_dark, background, background_dark} as #rrggbb"),
    "logo": Field(TEXT, "an image file in the site folder, e.g. assets/logo.svg"),
    "favicon": Field(TEXT, "an icon file in the site folder, e.g. assets/favicon.png"),
}
PRODUCT_FIELDS = {
    "id": Field(TEXT, "a short identifier used in front matter 'products', e.g. lumio-hub", required=True),
    "name": Field(LOCALIZED, "the product's name", required=True),
    "description": Field(LOCALIZED, "one sentence about the product"),
    "image": Field(TEXT, "an image path below assets/"),
}
CONTACT_FIELDS = {
    "phone": Field(MAPPING, "{number, display, hours}"),
    "email": Field(TEXT, "an e-mail address"),
    "chat": Field(MAPPING, "{url, hours}"),
    "address": Field(LOCALIZED, "the postal address, several lines"),
    "form": Field(TEXT, "the address of a contact form"),
    "social": Field(LIST, "social channels: a list of {name, url}"),
}
SEARCH_FIELDS = {
    "synonyms": Field(LIST, "groups of words that mean the same, e.g. [[Retoure, Rücksendung]]"),
    "analytics_endpoint": Field(TEXT, "an address that receives searches without results and clicked results "
                                      "(navigator.sendBeacon, JSON); unset: nothing is sent"),
}


@dataclass(frozen=True)
class Product:
    id: str  # the identifier front matter uses
    name: dict[str, str] | str  # display name, maybe per language
    description: dict[str, str] | str | None = None


@dataclass
class SiteConfig:
    root: Path  # the site folder
    title: dict[str, str] | str = "Help Center"
    description: dict[str, str] | str | None = None
    base_url: str | None = None  # absolute public URL with trailing slash, or None
    base_path: str = "/"  # the URL path the site lives under, e.g. "/hilfe/"
    languages: list[str] = field(default_factory=lambda: ["en"])
    multilingual_config: bool = False  # languages were set in kbgen.yml
    products: dict[str, Product] = field(default_factory=dict)
    contact: dict[str, Any] = field(default_factory=dict)
    synonyms: list[list[str]] = field(default_factory=list)
    analytics_endpoint: str | None = None  # search analytics receiver; None sends nothing
    related_limit: int = 5
    feed_limit: int = 20
    robots: bool = True
    review_interval: int = 365  # days; `kbgen new` sets review_by this far ahead
    notice_items: list[tuple[Any, int]] = field(default_factory=list)  # raw `notices:` entries and their lines
    feedback_endpoint: str | None = None  # receives article votes; None hides the feedback widget
    theme: dict[str, Any] = field(default_factory=dict)  # validated `theme:` (colors, logo, favicon)
    theme_lines: dict[str, int] = field(default_factory=dict)  # "colors.primary", "logo" … -> line in kbgen.yml
    variables: dict[str, dict[str, str] | str] = field(default_factory=dict)  # name -> text, maybe per language
    edit_url: str | None = None  # prefix that, followed by a site-relative path, edits that file

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def localized(self, value: dict[str, str] | str | None, lang: str) -> str:
        """The text of VALUE for LANG, falling back to the default language, then any."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.get(lang) or value.get(self.default_language) or next(iter(value.values()), "")


def load_config(root: Path, diags: Diagnostics) -> SiteConfig:
    """Read ROOT/kbgen.yml if present; a missing file means all defaults (zero configuration)."""
    config = SiteConfig(root=root, title=root.resolve().name.replace("-", " ").title() or "Help Center")
    path = root / CONFIG_FILE
    if not path.exists():
        return config
    text = read_text(path, CONFIG_FILE, diags)
    if text is None:
        return config
    mapping = load_mapping(text, CONFIG_FILE, diags, what=CONFIG_FILE)
    if mapping is None:
        return config
    values = check_mapping(mapping, SITE_FIELDS, CONFIG_FILE, diags, what=CONFIG_FILE)
    line = mapping.lines.get
    if "title" in values:
        config.title = values["title"]
    config.description = values.get("description")
    if "base_url" in values:
        _set_base_url(config, values["base_url"], line("base_url"), diags)
    if "languages" in values:
        langs = values["languages"]
        bad = [code for code in langs if not LANG_RE.match(code)]
        if bad or not langs:
            diags.error(f"invalid language code '{bad[0] if bad else ''}' in languages", CONFIG_FILE,
                        line("languages"), hint="use ISO 639-1 codes like de, en, fr (optionally de-AT)",
                        code="language-invalid")
        elif len(set(langs)) != len(langs):
            diags.error("a language is listed twice in languages", CONFIG_FILE, line("languages"),
                        hint="list each language once", code="language-invalid")
        else:
            config.languages = list(langs)
            config.multilingual_config = True
    for lang_key in ("title", "description"):
        _check_localized_langs(values.get(lang_key), config, lang_key, line(lang_key), diags)
    if "products" in values:
        config.products = _products(values["products"], mapping, diags)
    if "contact" in values:
        config.contact = check_mapping(mapping, CONTACT_FIELDS, CONFIG_FILE, diags, what="contact",
                                       values=values["contact"], lines={}, base_line=line("contact") or 1)
    if "search" in values:
        search = check_mapping(mapping, SEARCH_FIELDS, CONFIG_FILE, diags, what="search",
                               values=values["search"], lines={}, base_line=line("search") or 1)
        config.synonyms = _synonyms(search.get("synonyms", []), line("search") or 1, diags)
        config.analytics_endpoint = search.get("analytics_endpoint")
    if "related_limit" in values:
        config.related_limit = max(0, int(values["related_limit"]))
    if "feed_limit" in values:
        config.feed_limit = max(1, int(values["feed_limit"]))
    config.robots = values.get("robots", True)
    if "review_interval" in values:
        config.review_interval = max(1, int(values["review_interval"]))
    if "social" in config.contact:
        config.contact["social"] = check_social(config.contact["social"], CONFIG_FILE, line("contact") or 1, diags)
    config.notice_items = [(item, mapping.item_line("notices", i) or 1) for i, item in enumerate(values.get("notices", []))]
    if "feedback" in values:
        feedback = check_mapping(mapping, FEEDBACK_FIELDS, CONFIG_FILE, diags, what="feedback",
                                 values=values["feedback"], lines={}, base_line=line("feedback") or 1)
        if "endpoint" in feedback:
            config.feedback_endpoint = _endpoint(feedback["endpoint"],
                                                 mapping.child_lines.get("feedback", {}).get("endpoint"), diags)
    if "theme" in values:
        config.theme = check_mapping(mapping, THEME_FIELDS, CONFIG_FILE, diags, what="theme",
                                     values=values["theme"], lines={}, base_line=line("theme") or 1)
        for dotted, number in mapping.child_lines.get("theme", {}).items():  # "colors.primary" -> "primary"
            config.theme_lines[dotted.rpartition(".")[2]] = number
    if "variables" in values:
        config.variables = _variables(values["variables"], mapping.child_lines.get("variables", {}),
                                      line("variables") or 1, config.languages, diags)
    if "edit_url" in values:
        config.edit_url = _edit_url(values["edit_url"], line("edit_url"), diags)
    return config


def _endpoint(url: str, line: int | None, diags: Diagnostics) -> str | None:
    parts = urlsplit(url)
    if (parts.scheme in ("http", "https") and parts.netloc) or (not parts.scheme and not parts.netloc
                                                                  and url.startswith("/")):
        return url
    diags.error(f"feedback endpoint '{url}' is not an http(s) address or a site-relative path", CONFIG_FILE, line,
                hint="write e.g. endpoint: https://feedback.example.com/kb or endpoint: /api/feedback",
                code="config-value")
    return None


def check_social(items: Any, file: str, line: int, diags: Diagnostics) -> list[dict[str, str]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("url"), str) \
                and urlsplit(item["url"]).scheme in ("http", "https"):
            out.append({"name": item["name"].strip(), "url": item["url"].strip()})
        else:
            diags.error("each contact.social entry needs a name and an https:// url", file, line,
                        hint="write e.g. - {name: Mastodon, url: https://social.example/@lumio}", code="config-value")
    return out




def _variables(values: dict[Any, Any], lines: dict[str, int], base_line: int, languages: list[str],
               diags: Diagnostics) -> dict[str, dict[str, str] | str]:
    """Check `variables:`: names articles can type, values that are one line of text (maybe per language)."""
    out: dict[str, dict[str, str] | str] = {}
    for name, value in values.items():
        line = lines.get(str(name), base_line)
        if not isinstance(name, str) or not VARIABLE_RE.match(name):
            diags.error(f"variable name '{name}' may only use letters, digits, '_' and '-'", CONFIG_FILE, line,
                        hint="start with a letter, e.g. hotline or preis_hub", code="config-value")
            continue
        if isinstance(value, dict):
            per_lang: dict[str, str] = {}
            for lang, text in value.items():
                if lang not in languages:
                    diags.error(f"variable '{name}' has a value for '{lang}', which is not in languages", CONFIG_FILE,
                                line, hint=f"languages are {', '.join(languages)}", code="language-unknown")
                    continue
                cleaned = _variable_text(name, text, line, diags)
                if cleaned is not None:
                    per_lang[str(lang)] = cleaned
            if per_lang:
                out[name] = per_lang
            continue
        cleaned = _variable_text(name, value, line, diags)
        if cleaned is not None:
            out[name] = cleaned
    return out


def _variable_text(name: str, value: Any, line: int, diags: Diagnostics) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        what = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
        diags.error(f"variable '{name}' must be text or a number (got {what})", CONFIG_FILE, line,
                    hint=f"write e.g. {name}: \"0341 555 0100\"; for longer text use a snippet in content/_snippets/",
                    code="wrong-type")
        return None
    text = str(value).strip()
    if "\n" in text:
        diags.error(f"variable '{name}' has several lines", CONFIG_FILE, line,
                    hint="a variable is one line of text; put longer text in a snippet in content/_snippets/",
                    code="config-value")
        return None
    return text


def _edit_url(url: str, line: int | None, diags: Diagnostics) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        diags.error(f"edit_url '{url}' is not an http(s) address", CONFIG_FILE, line,
                    hint="write e.g. edit_url: https://github.com/org/repo/edit/main/", code="config-value")
        return None
    return url if url.endswith("/") else url + "/"


def _set_base_url(config: SiteConfig, url: str, line: int | None, diags: Diagnostics) -> None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        config.base_url = f"{parts.scheme}://{parts.netloc}{path}"
        config.base_path = path
    elif not parts.scheme and not parts.netloc and url.startswith("/"):
        config.base_path = url if url.endswith("/") else url + "/"
    else:
        diags.error(f"base_url '{url}' is not an http(s) address or a path", CONFIG_FILE, line,
                    hint="write e.g. base_url: https://example.com/hilfe/ or base_url: /hilfe/", code="config-value")


def _check_localized_langs(value: Any, config: SiteConfig, key: str, line: int | None, diags: Diagnostics) -> None:
    if isinstance(value, dict):
        for lang in value:
            if lang not in config.languages:
                diags.error(f"'{key}' has text for '{lang}', which is not in languages", CONFIG_FILE, line,
                            hint=f"languages are {', '.join(config.languages)}", code="language-unknown")


def _products(items: list[Any], mapping: YamlMapping, diags: Diagnostics) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for index, item in enumerate(items):
        line = mapping.item_line("products", index) or 1
        what = f"products[{index}]"
        if not isinstance(item, dict):
            diags.error(f"{what} must be a mapping with id and name", CONFIG_FILE, line,
                        hint="write '- id: lumio-hub' and 'name: Lumio Hub' on the next line", code="config-value")
            continue
        values = check_mapping(YamlMapping(item), PRODUCT_FIELDS, CONFIG_FILE, diags, what=what, base_line=line)
        if "id" not in values or "name" not in values:
            continue
        pid = values["id"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", pid):
            diags.error(f"product id '{pid}' may only use a-z, 0-9 and '-'", CONFIG_FILE, line,
                        hint="product ids become URLs, e.g. id: lumio-hub", code="config-value")
            continue
        if pid in products:
            diags.error(f"product id '{pid}' is declared twice", CONFIG_FILE, line,
                        hint="give each product its own id", code="config-value")
            continue
        products[pid] = Product(pid, values["name"], values.get("description"))
    return products


def _synonyms(groups: list[Any], line: int, diags: Diagnostics) -> list[list[str]]:
    out = []
    for group in groups:
        if isinstance(group, list) and len(group) >= 2 and all(isinstance(w, str) for w in group):
            out.append([w.strip() for w in group])
        elif isinstance(group, str) and "=" in group:
            out.append([w.strip() for w in group.split("=") if w.strip()])
        else:
            diags.error("each search.synonyms entry must be a list of two or more words", CONFIG_FILE, line,
                        hint="write e.g. - [Retoure, Rücksendung] or - Retoure = Rücksendung", code="config-value")
    return out

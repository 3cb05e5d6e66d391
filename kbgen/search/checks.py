"""search-tests.yml: a site's own search expectations, run by `kbgen check`.

    - query: Rücksendung
      expect: ruecksendung-erstattung/ruecksendung-anmelden.md   # relative to content/<lang>/ (or content/)
      top: 3            # it must be among the first 3 results (default 3)
      lang: de          # default: the site's default language

A miss is an error at the test's line, so CI notices when an edit makes an answer hard to find.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics
from kbgen.model import Site
from kbgen.schema import INT, TEXT, Field, check_mapping
from kbgen.search.engine import SearchIndex
from kbgen.search.indexer import build_index
from kbgen.textfile import read_text
from kbgen.yamlload import YamlMapping

FILE = "search-tests.yml"
DEFAULT_TOP = 3
FIELDS = {
    "query": Field(TEXT, "what a customer types", required=True),
    "expect": Field(TEXT, "the article that must come up, e.g. versand/lieferzeiten.md", required=True),
    "top": Field(INT, f"how far down it may be (default {DEFAULT_TOP})"),
    "lang": Field(TEXT, "the language whose search is asked (default: the site's default)"),
}


def run_search_tests(site: Site, config: SiteConfig, diags: Diagnostics) -> int:
    """Run ROOT/search-tests.yml if there is one; returns how many tests ran."""
    path = config.root / FILE
    if not path.exists():
        return 0
    text = read_text(path, FILE, diags)
    if text is None:
        return 0
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        diags.error(f"invalid YAML: {getattr(exc, 'problem', exc)}", FILE, mark.line + 1 if mark else None,
                    hint="search-tests.yml is a list of '- query: …' / 'expect: …' entries", code="yaml-syntax")
        return 0
    if node is None:
        return 0
    if not isinstance(node, yaml.SequenceNode):
        diags.error("search-tests.yml must be a list of tests", FILE, 1,
                    hint="start each test with '- query: …'", code="yaml-not-mapping")
        return 0
    indexes: dict[str, SearchIndex] = {}
    ran = 0
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            diags.error("a search test must have 'query:' and 'expect:'", FILE, line, code="search-test")
            continue
        data = yaml.safe_load(yaml.serialize(item))
        mapping = YamlMapping(data, {k.value: k.start_mark.line + 1 for k, _ in item.value})
        test = check_mapping(mapping, FIELDS, FILE, diags, what="search test", base_line=line, unknown_is_error=True)
        if "query" not in test or "expect" not in test:
            continue
        lang = test.get("lang", config.default_language)
        if lang not in config.languages:
            diags.error(f"unknown language '{lang}'", FILE, mapping.lines.get("lang", line),
                        hint=f"languages are {', '.join(config.languages)}", code="language-unknown")
            continue
        expected = _source(test["expect"], lang, site)
        if expected is None:
            diags.error(f"expected article '{test['expect']}' does not exist", FILE, mapping.lines.get("expect", line),
                        hint="give its path relative to content/ or content/<lang>/", code="search-test")
            continue
        if lang not in indexes:
            files = build_index(site, config, lang)
            indexes[lang] = SearchIndex(Path("."), lang, files=files.files)
        top = test.get("top", DEFAULT_TOP)
        results, _ = indexes[lang].search(test["query"], limit=max(top, 10))
        sources = [r.source for r in results]
        ran += 1
        if expected not in sources[:top]:
            where = f"it is at place {sources.index(expected) + 1}" if expected in sources else "it is not in the top 10"
            found = ", ".join(sources[:3]) or "nothing"
            diags.error(f"search for '{test['query']}' should find {expected} in the top {top}, but {where} "
                        f"(first: {found})", FILE, line,
                        hint="add the customer's words as keywords: in the article's front matter, or a synonym "
                             "in kbgen.yml", code="search-test-miss")
    return ran


def _source(expect: str, lang: str, site: Site) -> str | None:
    for candidate in (expect, f"{lang}/{expect}"):
        if candidate in site.articles:
            return candidate
    return None

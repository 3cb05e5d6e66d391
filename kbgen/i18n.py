"""UI strings per language: built-in layouts/i18n/<lang>.yml, overridden key by key by the site's i18n/<lang>.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from kbgen.diagnostics import Diagnostics
from kbgen.textfile import read_text
from kbgen.theme import builtin_layouts
from kbgen.yamlload import load_mapping

FALLBACK_LANGUAGE = "en"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
# URL segments of kbgen's own pages; a category may not use them.
SEGMENT_KEYS = ("tags_segment", "products_segment", "search_segment", "az_segment")


@lru_cache(maxsize=None)
def builtin_strings(lang: str) -> dict[str, str]:
    path = builtin_layouts() / "i18n" / f"{lang}.yml"
    if not path.exists():
        path = builtin_layouts() / "i18n" / f"{FALLBACK_LANGUAGE}.yml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}  # safe: no Python objects
    return {str(k): str(v) for k, v in data.items()}


def reserved_segments(lang: str) -> list[str]:
    strings = builtin_strings(lang)
    return [strings[key] for key in SEGMENT_KEYS if key in strings]


def load_strings(root: Path, lang: str, diags: Diagnostics) -> dict[str, str]:
    """The strings for LANG with the site's overrides applied; unknown override keys are reported."""
    strings = dict(builtin_strings(FALLBACK_LANGUAGE))
    strings.update(builtin_strings(lang))
    override = root / "i18n" / f"{lang}.yml"
    if override.exists():
        file = f"i18n/{lang}.yml"
        text = read_text(override, file, diags)
        mapping = load_mapping(text, file, diags, what=file) if text is not None else None
        if mapping is not None:
            for key, value in mapping.data.items():
                if key not in strings:
                    diags.warning(f"unknown UI string '{key}'", file, mapping.lines.get(key),
                                  hint="see layouts/i18n/en.yml for the keys", code="unknown-key")
                elif not isinstance(value, str):
                    diags.error(f"UI string '{key}' must be text", file, mapping.lines.get(key),
                                hint=f"write it as {key}: \"…\" (quote text that contains ':')", code="wrong-type")
                else:
                    strings[key] = value
    return strings

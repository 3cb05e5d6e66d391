"""A tiny declarative schema for YAML mappings: each key's type, checked with every problem collected.

Front matter, kbgen.yml, _category.yml and _guide.yml declare their keys with it, so a
wrong type or an unknown key always gets the same clear message with a did-you-mean.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from kbgen.diagnostics import Diagnostics, did_you_mean
from kbgen.yamlload import YamlMapping

Checker = Callable[[Any], tuple[Any, str | None]]  # value -> (cleaned value, error text or None)


def _str(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None
    return None, "must be text"


def _bool(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, bool) else (None, "must be true or false")


def _int(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    return None, "must be a whole number"


def _number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    return None, "must be a number"


def _date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, "must be a date written YYYY-MM-DD, e.g. 2026-03-31"


def _str_list(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        return [str(v).strip() for v in value if str(v).strip()], None
    return None, "must be a list of words, e.g. [versand, lieferung]"


def _localized(value: Any) -> tuple[Any, str | None]:
    """Text shown to customers: a string, or a mapping of language code to string."""
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return {k: v.strip() for k, v in value.items()}, None
    return None, "must be text, or one text per language like {de: …, en: …}"


def _mapping(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, dict) else (None, "must be a mapping of 'key: value' lines")


def _list(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, list) else (None, "must be a list")


TEXT, BOOL, INT, NUMBER, DATE, WORDS, LOCALIZED, MAPPING, LIST = (
    _str, _bool, _int, _number, _date, _str_list, _localized, _mapping, _list)


@dataclass(frozen=True)
class Field:
    check: Checker  # validates and cleans the value
    doc: str  # one line for the reference docs
    required: bool = False


def check_mapping(mapping: YamlMapping, fields: dict[str, Field], file: str, diags: Diagnostics, *,
                  what: str, base_line: int = 1, unknown_is_error: bool = False,
                  values: dict[str, Any] | None = None, lines: dict[str, int] | None = None) -> dict[str, Any]:
    """Return the cleaned known keys; report wrong types, missing and unknown keys.

    VALUES/LINES override the mapping's own (for nested mappings checked with their parent's lines).
    """
    data = mapping.data if values is None else values
    key_lines = mapping.lines if lines is None else lines
    out: dict[str, Any] = {}
    for key, value in data.items():
        line = key_lines.get(key, base_line)
        spec = fields.get(key)
        if spec is None:
            hint = did_you_mean(key, fields) or f"known keys: {', '.join(sorted(fields))}"
            report = diags.error if unknown_is_error else diags.warning
            report(f"unknown key '{key}' in {what}", file, line, hint=hint, code="unknown-key")
            continue
        if value is None:
            continue
        cleaned, problem = spec.check(value)
        if problem:
            diags.error(f"'{key}' {problem} (got {_describe(value)})", file, line,
                        hint=f"{key}: {spec.doc}", code="wrong-type")
            continue
        out[key] = cleaned
    for key, spec in fields.items():
        if spec.required and key not in out and key not in data:
            diags.error(f"{what} needs '{key}'", file, base_line, hint=f"add '{key}: …' ({spec.doc})",
                        code="missing-key")
    return out


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) < 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)

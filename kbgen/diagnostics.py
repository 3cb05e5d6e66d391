"""One Diagnostic type and one sink, so every stage reports problems the same way.

Stages never raise for a user's mistake: they add a Diagnostic and carry on, and the
build decides at the end whether the problems are fatal.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning", "note"]
_RANK = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity  # error fails the build; warning fails only under --strict; note never
    message: str  # what is wrong, one sentence
    file: str | None = None  # site-relative POSIX path, e.g. "content/de/versand/lieferzeiten.md"
    line: int | None = None  # 1-based line in that file, where known
    column: int | None = None  # 1-based column, where known
    hint: str | None = None  # how to fix it
    code: str = "error"  # a stable identifier for tools, e.g. "link-broken"

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, _RANK[self.severity], self.message)

    def location(self) -> str:
        parts = [self.file or "kbgen"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def text(self) -> str:
        out = f"{self.location()}: {self.severity}: {self.message}"
        return out + (f" (hint: {self.hint})" if self.hint else "")


class Diagnostics:
    """The sink: collects, de-duplicates and sorts every problem of one run."""

    def __init__(self) -> None:
        self._items: dict[Diagnostic, None] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.setdefault(diagnostic, None)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    def error(self, message: str, file: str | None = None, line: int | None = None, *,
              column: int | None = None, hint: str | None = None, code: str = "error") -> None:
        self.add(Diagnostic("error", message, file, line, column, hint, code))

    def warning(self, message: str, file: str | None = None, line: int | None = None, *,
                column: int | None = None, hint: str | None = None, code: str = "warning") -> None:
        self.add(Diagnostic("warning", message, file, line, column, hint, code))

    def note(self, message: str, file: str | None = None, line: int | None = None, *,
             hint: str | None = None, code: str = "note") -> None:
        self.add(Diagnostic("note", message, file, line, None, hint, code))

    def items(self) -> list[Diagnostic]:
        return sorted(self._items, key=Diagnostic.sort_key)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self._items if d.severity == severity)

    def failed(self, strict: bool) -> bool:
        return self.count("error") > 0 or (strict and self.count("warning") > 0)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, for unknown keys and references."""
    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def _github_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_diagnostics(items: list[Diagnostic], fmt: str, strict: bool = False) -> str:
    """Render diagnostics as compiler-style text, a JSON list, or GitHub annotations."""
    if fmt == "json":
        return json.dumps([asdict(d) for d in items], ensure_ascii=False, indent=2)
    lines: list[str] = []
    for d in items:
        if fmt == "github":
            level = "error" if d.severity == "error" or (strict and d.severity == "warning") else (
                "warning" if d.severity == "warning" else "notice")
            props = []
            if d.file:
                props.append(f"file={_github_escape(d.file, True)}")
            if d.line:
                props.append(f"line={d.line}")
            if d.column:
                props.append(f"col={d.column}")
            props.append(f"title={_github_escape('kbgen ' + d.code, True)}")
            msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"::{level} {','.join(props)}::{_github_escape(msg)}")
        else:
            lines.append(d.text())
    return "\n".join(lines)

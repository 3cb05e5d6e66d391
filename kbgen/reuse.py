"""Reusable text: snippet files and the variables of kbgen.yml, read once per build.

The parse stage runs in worker processes and must stay a pure function of a file's bytes
and its ParseContext, so everything here becomes plain, hashable data that travels in it.
Expanding the text is expand.py's job.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Discovery, SNIPPETS_DIR
from kbgen.textfile import read_text


@dataclass(frozen=True)
class Snippet:
    scope: str  # the language whose articles may include it; "" for content/_snippets/ of a multilingual site
    name: str  # its path below _snippets/ without the suffix, e.g. "ruecksendeadresse" or "adressen/lager"
    file: str  # site-relative path for diagnostics, e.g. "content/de/_snippets/ruecksendeadresse.md"
    text: str  # the Markdown (no front matter)

    def folder(self, lang_prefix: str) -> str:
        """The folder (relative to content/) its relative links start from, in an article's language.

        A shared snippet resolves links as if it lived in the including article's language
        root, so one snippet can link to `../kontakt/telefon.md` in every language.
        """
        parent = posixpath.dirname(self.name)
        return lang_prefix + SNIPPETS_DIR + (f"/{parent}" if parent else "")


def load_snippets(found: Discovery, diags: Diagnostics) -> tuple[Snippet, ...]:
    """Read every snippet file found; two files with one name in one folder are an error."""
    seen: dict[tuple[str, str], str] = {}
    out: list[Snippet] = []
    for src in found.snippets:
        name = src.rel.rsplit(".", 1)[0]
        key = (src.lang, name)
        if key in seen:
            diags.error(f"snippet '{name}' is defined twice", src.file,
                        hint=f"{seen[key]} has the same name; rename or delete one", code="snippet-duplicate")
            continue
        text = read_text(src.path, src.file, diags)
        if text is None:
            continue
        seen[key] = src.file
        out.append(Snippet(src.lang, name, src.file, text))
    return tuple(out)


def variable_table(config: SiteConfig) -> tuple[tuple[str, str, str], ...]:
    """(language, name, text) for every variable in every language, sorted: a value per language."""
    rows = []
    for lang in config.languages:
        for name, value in config.variables.items():
            rows.append((lang, name, config.localized(value, lang)))
    return tuple(sorted(rows))

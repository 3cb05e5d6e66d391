"""Whatever a writer types, kbgen answers with diagnostics, never with a traceback.

A fixed-seed generator combines front-matter keys with values of every YAML type and
Markdown fragments that stress the parser; each site must build or fail cleanly.
"""

from __future__ import annotations

import random

import pytest

from conftest import build_site
from kbgen.frontmatter import FIELDS

VALUES = ["", "x", "Rücksendung", "123", "-1", "1.5", "true", "null", "[]", "{}", "[a, b]", "[1, 2]", "[[a]]",
          "{a: 1}", "2026-02-30", "2026-13-01", "2026-01-01", "2026-01-01T10:00:00", "'<script>'", "../../etc",
          "/retoure/", "[/retoure/, ../x]", "[../a/b.md]", "{exclude: yes}", "{boost: x}", "faq", "&anchor x",
          "*alias", "!!python/object:os.system", "[unclosed", "\"unterminated", "{a: [1, {b: 2}]}"]
MARKDOWN = ["# Titel", "## Abschnitt", "[x](nix.md)", "[x](#nix)", "![](bild.png)", "<script>x</script>",
            "<img src=x onerror=alert(1)>", "[j](javascript:alert(1))", "> [!NOTE]", "> [!BOGUS] x", "| a |\n|---|",
            "```\ncode", "[^1]\n\n[^1]: f", "- [ ] a", "Term\n: Def", "<div>", "\x00", "\ufeff", "[x](../../../a.md)",
            "[x](./)", "[x](%zz)", "<a href='&#106;avascript:x'>x</a>", "***", "<!-- -->", "\\", "[x]: <y>"]


def random_article(rng: random.Random) -> str:
    keys = rng.sample(sorted(FIELDS) + ["titel", "unknown", "tags"], rng.randint(0, 5))
    front = "\n".join(f"{k}: {rng.choice(VALUES)}" for k in keys)
    body = "\n\n".join(rng.choice(MARKDOWN) for _ in range(rng.randint(0, 6)))
    return (f"---\n{front}\n---\n" if rng.random() < 0.9 else "") + body + "\n"


@pytest.mark.parametrize("seed", range(150))
def test_random_sites_build_or_fail_cleanly(make_site, seed: int) -> None:
    rng = random.Random(seed)
    lang = "de/" if seed % 3 == 0 else ""  # every third site is multilingual
    files: dict[str, str | bytes] = {f"content/{lang}kat{i % 3}/artikel-{i}.md": random_article(rng) for i in range(6)}
    if lang:
        files["content/en/kat0/artikel-0.md"] = random_article(rng)
        files["content/en/kat0/_category.yml"] = f"title: {rng.choice(VALUES)}\n"
    files[f"content/{lang}kat0/_category.yml"] = f"title: {rng.choice(VALUES)}\norder: {rng.choice(VALUES)}\n"
    files[f"content/{lang}kat1/anleitung/_guide.yml"] = (f"title: G\nsteps: {rng.choice(VALUES)}\n"
                                                         f"product: {rng.choice(VALUES)}\n")
    files[f"content/{lang}kat1/anleitung/schritt.md"] = random_article(rng)
    files["kbgen.yml"] = "languages: [de, en]\n" if lang else rng.choice(["", "languages: [de]\n", f"title: {rng.choice(VALUES)}\n",
                                      f"products: {rng.choice(VALUES)}\n", f"contact: {rng.choice(VALUES)}\n",
                                      f"search: {rng.choice(VALUES)}\n", f"base_url: {rng.choice(VALUES)}\n"])
    root = make_site(files, name=f"site{seed}")
    result = build_site(root)  # raises on any internal error, which is what this test forbids
    for d in result.diagnostics.items():
        assert d.message and d.severity in ("error", "warning", "note")
    if result.written:
        assert (root / "public" / "index.html").exists()

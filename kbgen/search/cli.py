"""`kbgen search`: answer queries from a built index with the browser's ranking."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TextIO

from kbgen.search.engine import IndexError_, Result, SearchIndex

SEARCH_DIR = Path("assets") / "search"


def resolve_output(path: Path) -> Path | None:
    """PATH is a built output folder, or a site whose default output (SITE/public) is used."""
    for candidate in (path, path / "public"):
        if (candidate / SEARCH_DIR).is_dir():
            return candidate
    return None


def default_language(out: Path) -> str | None:
    try:
        head = (out / "index.html").read_text(encoding="utf-8")[:400]
    except OSError:
        return None
    match = re.search(r'<html lang="([^"]+)"', head)
    return match.group(1) if match else None


def _as_json(results: list[Result]) -> str:
    return json.dumps([{"url": r.url, "title": r.title, "heading": r.heading, "source": r.source, "score": r.score}
                       for r in results], ensure_ascii=False)


def run_search(path: Path, queries: list[str] | None, batch: TextIO | None, lang: str | None, limit: int,
               as_json: bool, category: str | None = None, product: str | None = None) -> int:
    out = resolve_output(path)
    if out is None:
        print(f"kbgen search: no built search index in {path} (hint: run 'kbgen build' first)", file=sys.stderr)
        return 2
    lang = lang or default_language(out) or "en"
    try:
        index = SearchIndex(out / SEARCH_DIR, lang)
    except (IndexError_, OSError, ValueError) as exc:
        print(f"kbgen search: {exc}", file=sys.stderr)
        return 2
    if batch is not None:
        for line in batch:
            results, _ = index.search(line.rstrip("\n"), limit, category, product)
            print(_as_json(results), flush=False)
        sys.stdout.flush()
        return 0
    query = " ".join(queries or [])
    results, suggestion = index.search(query, limit, category, product)
    if as_json:
        print(_as_json(results))
        return 0
    if not results:
        print("no results" + (f"; did you mean: {suggestion}" if suggestion else ""))
    for rank, r in enumerate(results, 1):
        where = f" › {r.heading}" if r.heading else ""
        print(f"{rank:2}. {r.title}{where}\n    {r.url}  ({r.source}, score {r.score})")
    return 0

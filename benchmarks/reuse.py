"""What snippets and variables cost the parse stage, on the demo site's articles.

For every article of content/ (the demo help center): the time to expand its text
(kbgen/expand.py) beside the time to render its Markdown (kbgen/markup.py), for the
articles that use {{< … >}} and for those that do not (they pay one substring search).

    python benchmarks/reuse.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kbgen.config import load_config  # noqa: E402
from kbgen.diagnostics import Diagnostics  # noqa: E402
from kbgen.discover import discover  # noqa: E402
from kbgen.expand import expand  # noqa: E402
from kbgen.frontmatter import split_document  # noqa: E402
from kbgen.markup import render_markdown  # noqa: E402
from kbgen.reuse import load_snippets, variable_table  # noqa: E402


def _micros(fn: object, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    diags = Diagnostics()
    config = load_config(REPO, diags)
    found = discover(config, diags)
    snippets, variables = load_snippets(found, diags), variable_table(config)
    rows: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for src in found.articles:
        doc = split_document(src.path.read_text(encoding="utf-8"), src.file, Diagnostics())
        if doc is None:
            continue
        uses = "{{<" in doc.body
        expanded = expand(doc.body, doc.body_line, src, snippets, variables, Diagnostics())
        t_expand = _micros(lambda: expand(doc.body, doc.body_line, src, snippets, variables, Diagnostics()),
                           args.repeat)
        t_render = _micros(lambda: render_markdown(expanded.text, file=src.file, source=src.source,
                                                   body_line=doc.body_line, known_folders=frozenset(), labels={},
                                                   diags=Diagnostics()), max(1, args.repeat // 5))
        rows[uses].append((t_expand, t_render))
    for uses, label in ((True, "with {{< … >}}"), (False, "without")):
        if not rows[uses]:
            continue
        e = statistics.median(r[0] for r in rows[uses])
        r = statistics.median(r[1] for r in rows[uses])
        print(f"{len(rows[uses]):3} articles {label:15}: expand median {e:8.1f} µs, render median {r:8.1f} µs "
              f"({e / r:.1%} of rendering)")


if __name__ == "__main__":
    main()

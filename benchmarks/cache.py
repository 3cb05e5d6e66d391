"""What the build cache saves CI: cold build, unchanged rebuild, rebuild after one edit.

On a synthetic German help center (benchmarks/synthetic.py) of each size, in fresh
processes as CI runs them:

1. a cold build (empty `.kbgen-cache/`), 2. the same site again (unchanged), 3. the same
into a new output folder (as in CI, where only the cache is kept between runs), 4. after one
article's text was edited, 5. after one article's title was edited (its listings change too), and for each cached build a `--no-cache` build of the same input
into another folder: the outputs must be byte-identical, and the speed-ups are printed.

    python benchmarks/cache.py [--sizes 1000,10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import generate  # benchmarks/ is sys.path[0] when run as a script

REPO = Path(__file__).resolve().parent.parent


def kbgen_build(site: Path, out: Path, *extra: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1767225600")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kbgen", "build", str(site), "-o", str(out), *extra],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"kbgen build failed:\n{proc.stderr[-3000:]}")
    return seconds


def same_tree(a: Path, b: Path) -> bool:
    left = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    right = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return left == right and all(filecmp.cmp(a / p, b / p, shallow=False) for p in left)


def edit(article: Path, title: bool) -> None:
    text = article.read_text(encoding="utf-8")
    if title:
        text = text.replace('title: "', 'title: "Neu: ', 1)
    else:
        text = text.rstrip("\n") + "\n\nNachtrag: Diese Angabe wurde geprüft.\n"
    article.write_text(text, encoding="utf-8")


def run(size: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kbgen-cache-bench-") as tmp:
        work = Path(tmp)
        corpus = (keep / f"synthetic-{size}") if keep else work / "corpus"
        if not (corpus / "kbgen.yml").exists():
            if corpus.exists():
                shutil.rmtree(corpus)
            generate(corpus, size)
        site = work / "site"
        shutil.copytree(corpus, site, ignore=shutil.ignore_patterns(".kbgen-cache"))
        articles = sorted((site / "content").rglob("*.md"))
        target = articles[len(articles) // 2]
        out, clean = work / "out", work / "clean"
        rows = [("cold (empty cache)", kbgen_build(site, out), None)]
        cold = rows[0][1]
        steps = [("unchanged", None), ("unchanged, new output folder", "fresh"),
                 ("one article's text edited", False), ("one article's title edited", True)]
        for label, title in steps:
            if title == "fresh":  # CI: the cache is restored, the output folder is not
                shutil.rmtree(out)
            elif title is not None:
                edit(target, bool(title))
            seconds = kbgen_build(site, out)
            reference = kbgen_build(site, clean, "--no-cache")
            rows.append((label, seconds, same_tree(out, clean)))
            shutil.rmtree(clean)
        cache_size = sum(p.stat().st_size for p in (site / ".kbgen-cache").rglob("*") if p.is_file())
        print(f"\n{size} articles (no-cache build of the last state: {reference:.2f} s), "
              f"cache {cache_size / 2**20:.0f} MiB")
        print(f"  {'build':32} {'seconds':>8} {'speed-up':>9}  identical to --no-cache")
        for label, seconds, identical in rows:
            ratio = f"{cold / seconds:8.1f}x" if identical is not None else "        -"
            same = "" if identical is None else ("yes" if identical else "NO")
            print(f"  {label:32} {seconds:8.2f} {ratio}  {same}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--keep", type=Path, help="keep generated corpora in DIR and reuse them")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())

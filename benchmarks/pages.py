"""What a customer's phone downloads and what Lighthouse says, for the demo help center's pages.

    python benchmarks/pages.py [--pages article,home] [--no-lighthouse] [--runs N]

Builds content/ into a temporary folder, serves it on 127.0.0.1 with the strict CSP header and:

1. loads each page in headless Chromium and adds up every file it loads (HTML, CSS, JS, images;
   not the search index, which loads only when the search box is used), raw, gzip -9 and, when the
   Python package `brotli` is installed, brotli -q 11. Target: under 60 KB compressed.
2. runs Lighthouse in its default mobile mode on the article page and prints the four category
   scores (target: 100 accessibility, best practices and SEO, at least 95 performance). Lighthouse
   comes from npm and needs Node 20: `npm i --prefix benchmarks --no-save -E lighthouse@12.2.3`
   (benchmarks/node_modules is ignored by git), or set LIGHTHOUSE to its executable. Without it
   this part is skipped with a note.

Needs Debian's chromium and the Python playwright package (the test set-up). Exit status: 0 all
targets met, 1 a target missed, 2 a tool missing or failing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from demo import ARTICLE, CHROMIUM, CHROMIUM_ARGS, PAGES, build_demo, serve

WEIGHT_LIMIT = 60 * 1024
SCORE_TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
LIGHTHOUSE_LOCAL = Path(__file__).resolve().parent / "node_modules" / ".bin" / "lighthouse"

try:
    import brotli
except ImportError:  # optional: gzip is always measured
    brotli = None


@dataclass
class Weight:
    files: list[tuple[str, int, int, int | None]] = field(default_factory=list)  # path, raw, gzip, brotli

    def total(self, column: int) -> int:
        return sum(int(f[column] or 0) for f in self.files)


def compressed(data: bytes) -> tuple[int, int | None]:
    return len(gzip.compress(data, 9, mtime=0)), (len(brotli.compress(data, quality=11)) if brotli else None)


def page_weight(site: Path, base: str, path: str) -> Weight:
    """Every file the page loads in a real browser, read back from the built folder and compressed."""
    from playwright.sync_api import sync_playwright
    loaded: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        page.on("requestfinished", lambda r: loaded.append(r.url))
        page.goto(base + path, wait_until="networkidle")
        browser.close()
    weight = Weight()
    for url in dict.fromkeys(loaded):
        rel = unquote(urlsplit(url).path).lstrip("/")
        if url.startswith("data:") or rel.startswith("assets/search/"):
            continue
        file = site / rel
        if file.is_dir() or not rel:
            file = file / "index.html"
        data = file.read_bytes()
        weight.files.append((rel or "index.html", len(data), *compressed(data)))
    return weight


def lighthouse_command() -> list[str] | None:
    exe = os.environ.get("LIGHTHOUSE") or (str(LIGHTHOUSE_LOCAL) if LIGHTHOUSE_LOCAL.exists() else shutil.which("lighthouse"))
    return [exe] if exe else None


def lighthouse(url: str, report: Path) -> dict[str, int]:
    """Lighthouse's mobile audit of URL; returns the category scores 0-100 and keeps the JSON report."""
    command = lighthouse_command()
    assert command
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    proc = subprocess.run([*command, url, "--quiet", "--output=json", f"--output-path={report}",
                           "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                          env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    return {name: round((cat["score"] or 0) * 100) for name, cat in data["categories"].items()}


def failed_audits(report: Path) -> list[str]:
    """The audits that cost points, to say what to fix."""
    data = json.loads(report.read_text(encoding="utf-8"))
    lines = []
    for cat in data["categories"].values():
        for ref in cat["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lines.append(f"  {cat['id']}: {audit['id']} ({audit['score']}) {audit.get('displayValue', '')}")
    return lines


def kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="article,home", help="page names: " + ", ".join(n for n, _, _ in PAGES))
    parser.add_argument("--no-lighthouse", action="store_true", help="page weights only")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs; the median performance is shown")
    parser.add_argument("--keep", type=Path, help="keep the Lighthouse JSON reports in this folder")
    args = parser.parse_args(argv)
    paths = {name: path for name, path, _ in PAGES}
    chosen = [n for n in args.pages.split(",") if n]
    unknown = [n for n in chosen if n not in paths]
    if unknown:
        parser.error(f"unknown page {', '.join(unknown)}")
    status = 0
    with tempfile.TemporaryDirectory(prefix="kbgen-pages-") as scratch:
        site = build_demo(Path(scratch) / "public")
        with serve(site) as base:
            print(f"page weight (everything a page loads but the search index; limit {kb(WEIGHT_LIMIT)} compressed)")
            for name in chosen:
                weight = page_weight(site, base, paths[name])
                print(f"\n{name} ({paths[name]})")
                for rel, raw, gz, br in weight.files:
                    print(f"  {rel:<60} {kb(raw):>10} {kb(gz):>10} gzip {kb(br):>10} brotli")
                gz_total, br_total = weight.total(2), (weight.total(3) if brotli else None)
                print(f"  {'total':<60} {kb(weight.total(1)):>10} {kb(gz_total):>10} gzip {kb(br_total):>10} brotli")
                if gz_total > WEIGHT_LIMIT:
                    print(f"  over the limit of {kb(WEIGHT_LIMIT)}")
                    status = 1
            if args.no_lighthouse:
                return status
            if not lighthouse_command():
                print("\nLighthouse not found: npm i --prefix benchmarks --no-save -E lighthouse@12.2.3 (or set LIGHTHOUSE)")
                return 2
            reports = args.keep or Path(scratch) / "reports"
            reports.mkdir(parents=True, exist_ok=True)
            runs = []
            try:
                for i in range(max(1, args.runs)):
                    report = reports / f"lighthouse-article-{i + 1}.json"
                    runs.append((lighthouse(base + ARTICLE, report), report))
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"\n{error}")
                return 2
            runs.sort(key=lambda run: run[0]["performance"])
            scores, report = runs[len(runs) // 2]
            print(f"\nLighthouse {'(median of %d runs) ' % len(runs) if len(runs) > 1 else ''}mobile, article page {ARTICLE}")
            for name, target in SCORE_TARGETS.items():
                mark = "ok" if scores.get(name, 0) >= target else f"below {target}"
                print(f"  {name:<15} {scores.get(name, 0):>3}  {mark}")
                if scores.get(name, 0) < target:
                    status = 1
            lost = failed_audits(report)
            if lost:
                print("audits that cost points:\n" + "\n".join(lost))
    return status


if __name__ == "__main__":
    sys.exit(main())

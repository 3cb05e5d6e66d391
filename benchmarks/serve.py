"""The writer's loop of `kbgen serve`: from saving an article to the new text being served.

Starts `kbgen serve` on a copy of a site, listens to its live-reload events like the open
page does (server-sent events), then saves an article the way editors do (write a temporary
file, rename it over the article) again and again. Each round is timed from the rename to
the moment the article's page, fetched after the reload event, holds the new text; the
median and the maximum are printed, with the rebuild times serve reports.

    python benchmarks/serve.py [--site content-site] [--synthetic N] [--edits 15]

Default site: the demo help center of this repository.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kbgen.build import BuildOptions, build  # noqa: E402
from kbgen.config import load_config  # noqa: E402
from kbgen.diagnostics import Diagnostics  # noqa: E402


def copy_site(source: Path, dest: Path) -> None:
    for name in ("content", "layouts", "assets", "i18n"):
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
    for path in source.glob("*.yml"):
        shutil.copy2(path, dest / path.name)


def pick_article(site: Path) -> tuple[Path, str]:
    """A typical article (not a guide step, not the FAQ) and its URL."""
    result = build(BuildOptions(site_root=site, write=False, cache=False))
    assert result.site is not None
    articles = sorted(result.site.articles.values(), key=lambda a: a.source)
    article = next((a for a in articles if not a.guide and a.type != "faq" and "/" in a.rel), articles[0])
    base_path = load_config(site, Diagnostics()).base_path  # served under base_url's path, e.g. /hilfe/
    return site / "content" / article.source, base_path + article.url.lstrip("/")


class Events(threading.Thread):
    """An EventSource: puts (arrival time, generation) of each `build` event on a queue."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.events: queue.Queue[tuple[float, int]] = queue.Queue()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/_kbgen/events")
        response = conn.getresponse()
        event = ""
        while True:
            line = response.fp.readline().decode()
            if not line:
                return
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "build":
                self.events.put((time.perf_counter(), int(line[5:].strip())))


def fetch(port: int, url: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", url)
    body = conn.getresponse().read().decode()
    conn.close()
    return body


def save_like_an_editor(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp-save")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def measure(site: Path, edits: int) -> None:
    article, url = pick_article(site)
    proc = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", str(site), "--port", "0"], cwd=REPO,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    edited: list[float] = []  # until the edited article's page is written (when serve reloads that page)
    rebuilds: list[float] = []  # until the pages are written (when serve reloads the other pages)
    totals: list[float] = []  # until the search index and feeds are written too
    previews: list[float] = []  # until a text-only edit's page is written from the last build's model
    ready: queue.Queue[int] = queue.Queue()

    def read_log() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if m:
                ready.put(int(m.group(1)))
            m = re.search(r"previewed \S+ in (\d+) ms", line)
            if m:
                previews.append(float(m.group(1)))
            m = re.search(r"rebuilt \((?:edited article in (\d+) ms, )?(?:pages in (\d+) ms, )?all in (\d+) ms", line)
            if m:
                if m.group(1):
                    edited.append(float(m.group(1)))
                rebuilds.append(float(m.group(2) or m.group(3)))
                totals.append(float(m.group(3)))

    threading.Thread(target=read_log, daemon=True).start()
    try:
        port = ready.get(timeout=600)
        events = Events(port)
        events.start()
        _, generation = events.events.get(timeout=30)  # the current build, sent on connect
        original = article.read_text(encoding="utf-8")
        latencies = []
        for round_ in range(edits):
            token = f"Messpunkt{round_}x{os.getpid()}"
            started = time.perf_counter()
            save_like_an_editor(article, original.rstrip("\n") + f"\n\nZuletzt geprüft: {token}.\n")
            while True:
                _, generation_now = events.events.get(timeout=120)
                if generation_now > generation:
                    generation = generation_now
                    break
            body = fetch(port, url)
            if token not in body:  # a rebuild started by an earlier event; the next one brings it
                _, generation = events.events.get(timeout=120)
                body = fetch(port, url)
            assert token in body, f"{url} does not show the edit"
            latencies.append((time.perf_counter() - started) * 1000)
            deadline = time.perf_counter() + 120
            while len(totals) < round_ + 2 and time.perf_counter() < deadline:
                time.sleep(0.02)  # the search index of this save is written before the next save
            time.sleep(0.2)
        article.write_text(original, encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    first = rebuilds[0] if rebuilds else float("nan")
    print(f"site: {site} ({url})")
    print(f"first build in serve: {first:.0f} ms")
    print(f"save -> page shows the edit, {len(latencies)} edits: median {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms")
    if previews:
        print(f"previewed from the last build's model, {len(previews)} of {len(latencies)} edits: page written "
              f"after median {statistics.median(previews):.0f} ms (max {max(previews):.0f}), before the rebuild")
    if edited:
        print(f"rebuild as reported by serve: edited article's page written after median "
              f"{statistics.median(edited):.0f} ms (max {max(edited):.0f})")
    if len(rebuilds) > 1:
        print(f"rebuild as reported by serve: pages written after median {statistics.median(rebuilds[1:]):.0f} ms "
              f"(max {max(rebuilds[1:]):.0f}), whole rebuild with search index median "
              f"{statistics.median(totals[1:]):.0f} ms (max {max(totals[1:]):.0f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site to copy and serve (default: the demo)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="serve a synthetic site of N articles instead")
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbgen-serve-bench-") as tmp:
        site = Path(tmp) / "site"
        if args.synthetic:
            sys.path.insert(0, str(REPO / "benchmarks"))
            from synthetic import generate
            generate(site, args.synthetic)
        else:
            site.mkdir()
            copy_site(args.site, site)
        measure(site, args.edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Figures of a full cold kbgen build on synthetic German help centers.

Prints wall time, throughput, peak memory of the whole process tree (kbgen
builds with worker processes, so the parent's RSS alone says little) and the
size of the output; with --peer, the same for Hugo + Pagefind on the same
articles, which is what users compare kbgen with.

    python benchmarks/build.py [--sizes 1000,10000] [--keep DIR] [--peer]

Standard library only, Linux only (memory is read from /proc).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from synthetic import generate  # benchmarks/ is sys.path[0] when run as a script

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.02
PSS_EVERY = 5  # PSS every 5th sample (0.1 s): often enough to see the short peak of the index process
MIB = 1024 * 1024


@dataclass
class Run:
    """What one measured command cost."""

    wall: float  # seconds from spawn to exit
    peak_tree: int  # bytes: largest sum of VmRSS over the process and its descendants seen in one sample
    peak_pss: int  # bytes: largest sum of PSS (shared pages split among the processes sharing them)
    max_process: int  # bytes: ru_maxrss of the largest single process in the tree, from the kernel
    cpu: float  # seconds of user + system time of the whole tree; steadier than wall time on a busy machine


class Failed(Exception):
    """A measured command exited non-zero; the message carries its stderr's end."""

    def __init__(self, what: str, returncode: int, stderr: str) -> None:
        tail = "\n".join(stderr.rstrip().splitlines()[-40:])
        super().__init__(f"{what} failed with exit code {returncode}; end of its stderr:\n{tail}")


@dataclass
class Output:
    """What a build wrote."""

    files: int
    bytes: int


def _parent_map() -> dict[int, list[int]]:
    """Children of every process, from /proc/*/stat (this kernel has no task/*/children files)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # exited since scandir
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])  # comm may hold spaces and parentheses
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _field(path: str, name: bytes) -> int:
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # gone, or a zombie, which has no such line


def tree_memory(root: int, with_pss: bool) -> tuple[int, int]:
    """Summed VmRSS and summed PSS of root and all its descendants.

    RSS counts the pages forked workers share with their parent once per process; PSS
    divides them among the sharers, so its sum is the memory the tree really holds.
    """
    children = _parent_map()
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        rss += _field(f"/proc/{pid}/status", b"VmRSS:")
        if with_pss:
            pss += _field(f"/proc/{pid}/smaps_rollup", b"Pss:")
    return rss, pss


def measure(what: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run cmd to completion while a thread samples its tree's memory; raise Failed on a non-zero exit.

    The main thread blocks in wait4, so the wall time is exact rather than
    rounded up to the sampling interval. wait4's rusage is the kernel's
    RUSAGE_CHILDREN figure for this one child: getrusage(RUSAGE_CHILDREN)
    itself is a high-water mark over every child this script ever reaped, so
    a later size or the peer would inherit an earlier run's peak.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        peak = peak_pss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss
            samples = 0
            while not done.is_set():
                # smaps_rollup makes the kernel walk every page table: read it rarely, or it slows the build
                rss, pss = tree_memory(proc.pid, with_pss=samples % PSS_EVERY == 0)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                samples += 1
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so tell Popen
        if proc.returncode:
            err.seek(0)
            raise Failed(what, proc.returncode, err.read().decode("utf-8", "replace"))
    return Run(wall, peak, peak_pss, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)


def output_size(folder: Path) -> Output:
    files = total = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(dirpath, name))
    return Output(files, total)


def corpus(size: int, keep: Path | None, scratch: Path) -> Path:
    """The synthetic site for size: reused from --keep when complete, else generated."""
    site = (keep or scratch) / str(size)
    if (site / "kbgen.yml").exists():  # generate() writes it last
        return site
    shutil.rmtree(site, ignore_errors=True)
    start = time.perf_counter()
    generate(site, size)
    print(f"generated {size} articles in {time.perf_counter() - start:.1f} s: {site}", file=sys.stderr)
    return site


def build_kbgen(site: Path, out: Path) -> Run:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "kbgen", "build", str(site), "-o", str(out), "--no-cache"]
    return measure("kbgen build", cmd, REPO, env)


# --- the peer: Hugo + Pagefind ----------------------------------------------

_HUGO_TOML = """\
baseURL = "https://example.org/hilfe/"
languageCode = "de"
defaultContentLanguage = "de"
title = "Synthetisches Hilfe-Center"
"""
_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ site.Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
""",
}
_HUGO_KEYS = {"title": "title", "description": "description", "tags": "tags", "created": "date", "updated": "lastmod"}
# Hugo serves content/c/s/a.md at /c/s/a/, one level deeper than the file, so
# a writer's "../s2/b.md" becomes "../../s2/b/" (not timed: it is conversion).
_MD_LINK = re.compile(r"\]\(([^)\s]+)\.md\)")


def _hugo_article(text: str) -> str:
    _, front, body = text.split("---\n", 2)
    keep = []
    for line in front.splitlines():
        key, sep, value = line.partition(":")
        if sep and key in _HUGO_KEYS:
            keep.append(f"{_HUGO_KEYS[key]}:{value}")
    return "---\n" + "\n".join(keep) + "\n---\n" + _MD_LINK.sub(r"](../\1/)", body)


def hugo_site(site: Path, dest: Path) -> None:
    """The same articles as a minimal Hugo site; every folder becomes a Hugo section."""
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name, text in _LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    (dest / "hugo.toml").write_text(_HUGO_TOML, encoding="utf-8")
    source = site / "content" / "de"
    for folder in sorted(p for p in source.rglob("*") if p.is_dir()):
        target = dest / "content" / folder.relative_to(source)
        target.mkdir(parents=True)
        category = folder / "_category.yml"
        if category.exists():  # title/description carry over; Hugo calls order weight
            front = category.read_text(encoding="utf-8").replace("order:", "weight:")
        else:
            front = f'title: "{folder.name.replace("-", " ").capitalize()}"\n'
        (target / "_index.md").write_text(f"---\n{front}---\n", encoding="utf-8")
        for article in sorted(folder.glob("*.md")):
            (target / article.name).write_text(_hugo_article(article.read_text(encoding="utf-8")), encoding="utf-8")


def peer_available() -> bool:
    return bool(shutil.which("hugo") and shutil.which("pagefind"))


def peer_versions() -> str:
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=False).stdout.split()
    pagefind = subprocess.run(["pagefind", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return f"Hugo {hugo[1] if len(hugo) > 1 else '?'} + {pagefind}"


def build_peer(site: Path, scratch: Path) -> tuple[Run, Run, Output]:
    """Hugo then Pagefind, each measured on its own, on a fresh conversion of site."""
    hugo_dir = scratch / "hugo"
    shutil.rmtree(hugo_dir, ignore_errors=True)
    hugo_site(site, hugo_dir)
    try:  # the cache lives in the site so every size starts cold
        hugo = measure("hugo", ["hugo", "--minify", "--cacheDir", str(hugo_dir / "cache")], hugo_dir)
        pagefind = measure("pagefind", ["pagefind", "--site", "public"], hugo_dir)
        return hugo, pagefind, output_size(hugo_dir / "public")
    finally:
        shutil.rmtree(hugo_dir)


# --- report -----------------------------------------------------------------

KBGEN_HEADER = (
    f"{'articles':>8} {'wall s':>8} {'articles/s':>10} {'cpu s':>8} {'peak MiB':>9} {'PSS MiB':>9} {'proc MiB':>9}"
    f" {'files':>8} {'out MiB':>8}"
)
KBGEN_NOTE = ("cpu s: user + system of the tree; peak MiB: summed RSS of the tree; PSS MiB: summed PSS (shared\n"
              "pages split among the forked workers: what the tree really holds); proc MiB: its largest process")
PEER_HEADER = (
    f"{'articles':>8} {'hugo s':>8} {'pf s':>8} {'both s':>8} {'articles/s':>10} {'cpu s':>8} {'hugo MiB':>9}"
    f" {'pf MiB':>9} {'files':>8} {'out MiB':>8} {'kb/peer s':>9} {'kb/peer MiB':>11}"
)
PEER_NOTE = (
    "cpu s: both tools; hugo/pf MiB: peak summed RSS of each tool's tree;\n"
    "kb/peer: kbgen's wall time over both tools', kbgen's peak MiB over the larger tool's"
)


def kbgen_row(size: int, kb: Run, out: Output) -> str:
    return (
        f"{size:>8} {kb.wall:>8.2f} {size / kb.wall:>10.0f} {kb.cpu:>8.1f} {kb.peak_tree / MIB:>9.0f}"
        f" {kb.peak_pss / MIB:>9.0f} {kb.max_process / MIB:>9.0f} {out.files:>8} {out.bytes / MIB:>8.1f}"
    )


def peer_row(size: int, hugo: Run, pagefind: Run, out: Output, kb: Run | None) -> str:
    both = hugo.wall + pagefind.wall
    peak = max(hugo.peak_tree, pagefind.peak_tree)
    ratios = f"{kb.wall / both:>9.2f} {kb.peak_tree / peak:>11.2f}" if kb else f"{'-':>9} {'-':>11}"
    return (
        f"{size:>8} {hugo.wall:>8.2f} {pagefind.wall:>8.2f} {both:>8.2f} {size / both:>10.0f}"
        f" {hugo.cpu + pagefind.cpu:>8.1f} {hugo.peak_tree / MIB:>9.0f} {pagefind.peak_tree / MIB:>9.0f}"
        f" {out.files:>8} {out.bytes / MIB:>8.1f} {ratios}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--keep", type=Path, help="keep corpora in DIR/<size> and reuse them on later runs")
    parser.add_argument("--peer", action="store_true", help="also time Hugo + Pagefind on the same articles")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    run_peer = args.peer and peer_available()
    if args.peer and not run_peer:
        print("--peer: hugo and pagefind must both be on PATH; skipping the peer", file=sys.stderr)

    load = os.getloadavg()[0]
    kbgen_rows: list[str] = []
    peer_rows: list[str] = []
    run_kbgen, failed = True, False
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-") as tmp:
        scratch = Path(tmp)
        for size in sizes:
            site = corpus(size, args.keep, scratch)
            kb: Run | None = None
            if run_kbgen:
                out = scratch / "out"
                try:
                    kb = build_kbgen(site, out)
                    kbgen_rows.append(kbgen_row(size, kb, output_size(out)))
                except Failed as e:  # later sizes would fail alike; the peer still runs
                    print(e, file=sys.stderr)
                    run_kbgen, failed = False, True
                shutil.rmtree(out, ignore_errors=True)
            if run_peer:
                try:
                    peer_rows.append(peer_row(size, *build_peer(site, scratch), kb))
                except Failed as e:
                    print(e, file=sys.stderr)
                    run_peer, failed = False, True

    print(f"kbgen build --no-cache, {os.cpu_count()} CPUs, RSS sampled every {SAMPLE_SECONDS * 1000:.0f} ms, "
          f"PSS every {SAMPLE_SECONDS * PSS_EVERY * 1000:.0f} ms")
    print(f"load average {load:.2f} at start (wall times are only comparable on an otherwise idle machine)")
    print(KBGEN_HEADER, *(kbgen_rows or ["(no successful build)"]), KBGEN_NOTE, sep="\n")
    if peer_rows:
        print(f"\npeer: {peer_versions()} (hugo --minify, then pagefind --site public)")
        print(PEER_HEADER, *peer_rows, PEER_NOTE, sep="\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

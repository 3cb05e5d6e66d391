"""Screenshots of every page type of the demo help center, on a phone and a desktop, light and dark,
so a person can look at what customers see.

    python benchmarks/screenshots.py [OUT_DIR] [--only NAME,NAME] [--viewport-only]

writes OUT_DIR/<page>-<phone|desktop>-<light|dark>.png (default OUT_DIR: /tmp/kbgen-shots), full
page unless --viewport-only. Needs Debian's chromium and the Python playwright package (both in the
test set-up, see README).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from demo import CHROMIUM, CHROMIUM_ARGS, PAGES, build_demo, serve

VIEWPORTS: dict[str, Any] = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES: tuple[Any, ...] = ("light", "dark")


def shoot(base: str, out: Path, only: set[str], full_page: bool) -> list[Path]:
    """Open each page in each viewport and colour scheme and save a PNG of it."""
    from playwright.sync_api import sync_playwright
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size, viewport in VIEWPORTS.items():
            for scheme in SCHEMES:
                context = browser.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1,
                                              is_mobile=size == "phone", has_touch=size == "phone")
                page = context.new_page()
                for name, path, typed in PAGES:
                    if only and name not in only:
                        continue
                    page.goto(base + path)
                    if "?q=" in path:
                        page.wait_for_selector("#search-results li, #search-empty:not([hidden])")
                    if typed:
                        page.fill("#q", typed)
                        page.wait_for_selector("#q-listbox [role=option]")
                    target = out / f"{name}-{size}-{scheme}.png"
                    page.screenshot(path=str(target), full_page=full_page and not typed)
                    written.append(target)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/kbgen-shots"), help="folder for the PNGs")
    parser.add_argument("--only", default="", help="comma-separated page names: " + ", ".join(n for n, _, _ in PAGES))
    parser.add_argument("--viewport-only", action="store_true", help="the first screen only, not the whole page")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kbgen-shots-") as scratch:
        site = build_demo(Path(scratch) / "public")
        with serve(site) as base:
            written = shoot(base, args.out, set(filter(None, args.only.split(","))), not args.viewport_only)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

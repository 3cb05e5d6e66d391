"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for what the customer sees."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"


def require_chromium() -> None:
    if not Path(CHROMIUM).exists() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (see .ci/run)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def do_POST(self) -> None:  # an analytics or feedback endpoint that accepts anything
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        posts = getattr(self.server, "posts", None)
        if posts is not None:
            posts.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve_folder(folder: Path, posts: list[tuple[str, str, bytes]] | None = None) -> Iterator[str]:
    """Serve FOLDER on an ephemeral 127.0.0.1 port with a strict Content-Security-Policy.

    POSTS, when given, receives (path, content type, body) of every POST request.
    """
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.posts = posts  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def launch() -> Iterator[object]:
    """One headless Chromium, for a module that opens many contexts (viewports, colour schemes)."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def browser(javascript: bool = True) -> Iterator[object]:
    with launch() as chromium:
        yield chromium.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]


def watch(page: object) -> dict[str, list[str]]:
    """Collect console errors, page errors, CSP violations and requests, to assert on later."""
    seen: dict[str, list[str]] = {"errors": [], "requests": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))  # type: ignore[attr-defined]
    page.on("request", lambda r: seen["requests"].append(r.url))  # type: ignore[attr-defined]
    return seen


# The rules a page must pass: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: object) -> list[dict]:
    """Run axe-core (bundled by the axe-playwright-python package, so no network) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return list(Axe().run(page, options=options).response["violations"])


def describe_violations(violations: list[dict]) -> str:
    """One line per rule and element: rule id, impact, target selector and what to fix."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{v['id']} ({v['impact']}) {target}: {summary} [{v['helpUrl']}]")
    return "\n".join(lines)

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
def browser(javascript: bool = True) -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844})
        finally:
            chromium.close()


def watch(page: object) -> dict[str, list[str]]:
    """Collect console errors, page errors, CSP violations and requests, to assert on later."""
    seen: dict[str, list[str]] = {"errors": [], "requests": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))  # type: ignore[attr-defined]
    page.on("request", lambda r: seen["requests"].append(r.url))  # type: ignore[attr-defined]
    return seen

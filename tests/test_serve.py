"""kbgen serve on an ephemeral 127.0.0.1 port: pages, the Host check, traversal, rebuild and reload."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import REPO


@pytest.fixture
def server(make_site):
    root = make_site({"content/versand/lieferzeiten.md": "# Lieferzeiten\n\nZwei Tage.\n"})
    proc = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", str(root), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    port = None
    deadline = time.time() + 60
    while time.time() < deadline and port is None:
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            port = int(match.group(1))
    assert port, "serve did not start"
    yield root, port
    proc.terminate()
    proc.wait(timeout=10)


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    return response.status, response.read()


def test_serves_pages_with_live_reload_and_refuses_bad_requests(server):
    root, port = server
    status, body = get(port, "/versand/lieferzeiten/")
    assert status == 200 and b"Zwei Tage." in body and b"/_kbgen/live.js" in body
    assert get(port, "/versand/lieferzeiten/", host="evil.example:80")[0] == 421  # DNS rebinding
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd"):
        assert get(port, path)[0] in (400, 403, 404), path
    status, body = get(port, "/gibt-es-nicht/")
    assert status == 404


def test_an_edit_is_rebuilt_and_announced(server):
    root, port = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/_kbgen/events", headers={"Host": f"127.0.0.1:{port}"})
    events = conn.getresponse()
    first = events.fp.readline() + events.fp.readline()
    assert first.startswith(b"event: build")
    events.fp.readline()
    article = root / "content/versand/lieferzeiten.md"
    tmp = article.with_suffix(".md.tmp")
    tmp.write_text("# Lieferzeiten\n\nDrei Tage.\n", encoding="utf-8")
    os.replace(tmp, article)  # an editor's atomic save
    line = b""
    while not line.startswith(b"event: build"):
        line = events.fp.readline()
    assert b"Drei Tage." in get(port, "/versand/lieferzeiten/")[1]
    article.write_text("---\ntitle: [kaputt\n---\nText\n", encoding="utf-8")
    line = b""
    while not line.startswith(b"event: build"):
        line = events.fp.readline()
    status, body = get(port, "/versand/lieferzeiten/")
    assert status == 200 and b"Drei Tage." in body and b"kbgen-overlay" in body  # last good page + overlay
    assert b"lieferzeiten.md" in body

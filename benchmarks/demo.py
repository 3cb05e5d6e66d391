"""What the page benchmarks share: the demo help center built into a folder, served the way a host
would serve it (with the strict Content-Security-Policy), and one page of each type.

Standard library + kbgen only; the scripts that use it import Playwright themselves.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # kbgen from this checkout, also when it is not installed

from kbgen.build import BuildOptions, build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"

# One page of each type of the demo site: (name, path, what to type into the search box first).
PAGES: list[tuple[str, str, str]] = [
    ("home", "/", ""),
    ("category", "/versand-lieferung/", ""),
    ("article", "/ruecksendung-erstattung/ruecksendung-anmelden/", ""),
    ("article-en", "/en/ruecksendung-erstattung/ruecksendung-anmelden/", ""),
    ("troubleshooting", "/fehlerbehebung/wlan-verbindung-bricht-ab/", ""),
    ("guide", "/geraete-einrichten/hub-einrichten/", ""),
    ("guide-step", "/geraete-einrichten/hub-einrichten/anschliessen/", ""),
    ("faq", "/kontakt/haeufige-fragen/", ""),
    ("product", "/produkt/lumio-hub/", ""),
    ("tags", "/schlagwort/", ""),
    ("a-z", "/a-z/", ""),
    ("contact", "/kontakt/", ""),
    ("guide-print", "/geraete-einrichten/hub-einrichten/alle-schritte/", ""),
    ("search-results", "/suche/?q=r%C3%BCcksendung", ""),
    ("search-nothing-found", "/suche/?q=xyzzy%20qqq", ""),
    ("search-suggestions", "/", "paket"),
    ("404", "/404.html", ""),
]
ARTICLE = "/ruecksendung-erstattung/ruecksendung-anmelden/"


def build_demo(out: Path) -> Path:
    """Build content/ of this repository into OUT (strict: the demo site has no warning)."""
    result = build(BuildOptions(site_root=REPO, out=out, strict=True))
    if not result.written:
        problems = "\n".join(d.text() for d in result.diagnostics.items())
        raise SystemExit(f"the demo site did not build:\n{problems}")
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve FOLDER on an ephemeral 127.0.0.1 port with the strict CSP; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""`kbgen serve`: build, serve the output on 127.0.0.1, rebuild on change, reload the open page.

The server answers only from the output folder (no traversal, no symlinks out, Host header
checked against DNS rebinding). A failed rebuild keeps the last good pages and shows the
problems in an overlay; the live-reload script exists only here, never in `build` output.
"""

from __future__ import annotations

import html
import mimetypes
import os
import posixpath
import shutil
import sys
import tempfile
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog import events as fs_events
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from kbgen.build import BuildOptions, build
from kbgen.cache import Manifest
from kbgen.config import load_config
from kbgen.diagnostics import Diagnostic, Diagnostics, format_diagnostics
from kbgen.preview import PreviewedPage, SiteSnapshot, preview_edit

# An editor's save or a git checkout arrives as a burst of events: a rebuild starts once they
# pause this long, and gives way if more come in before it writes anything.
DEBOUNCE_SECONDS = 0.01
# The reload's requests are answered while the rebuild goes on with the search index: a thread waiting
# for the interpreter gets it after this long (Python's default, 5 ms, is paid on each of its reads and writes).
SWITCH_INTERVAL_SECONDS = 0.001
IGNORED_PARTS = {".git", ".kbgen-cache", "public", "__pycache__", "node_modules"}
# Changes only: a build reads every source file, and opening or reading one must not queue events.
# (Not every supported watchdog has the attribute events; older ones report those as modifications.)
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    getattr(fs_events, name) for name in (
        "FileCreatedEvent", "FileDeletedEvent", "FileModifiedEvent", "FileMovedEvent", "FileClosedEvent",
        "FileAttribEvent", "DirCreatedEvent", "DirDeletedEvent", "DirModifiedEvent", "DirMovedEvent", "DirAttribEvent")
    if hasattr(fs_events, name)]
LIVE_PATH = "/_kbgen/live.js"
EVENTS_PATH = "/_kbgen/events"
MIME_EXTRA = {".js": "text/javascript", ".mjs": "text/javascript", ".svg": "image/svg+xml",
              ".xml": "application/xml", ".webmanifest": "application/manifest+json"}
LIVE_JS = """// kbgen serve: reload the page after each rebuild, keeping the scroll position.
const key = "kbgen-scroll:" + location.pathname;
const saved = sessionStorage.getItem(key);
if (saved !== null) { sessionStorage.removeItem(key); addEventListener("load", () => scrollTo(0, Number(saved))); }
const source = new EventSource("%s?page=" + encodeURIComponent(location.pathname));
let first = true;
source.addEventListener("build", (event) => {
  if (first) { first = false; if (event.data === document.documentElement.dataset.kbgenBuild) return; }
  sessionStorage.setItem(key, String(scrollY));
  location.reload();
});
""" % EVENTS_PATH


class DevState:
    """The last good output, the current problems and a generation counter the pages wait on.

    After the first build the output folder is updated in place: the build cache knows what
    each file holds, so an edit rewrites only the files whose bytes changed. The pages of the
    edited article are written first and announced at once to the browsers showing them;
    every other page is announced when all are written. A save that changes only an article's
    text is shown sooner still: the last build's model renders that page before the rebuild
    starts (kbgen/preview.py).
    """

    def __init__(self, site: Path, out: Path, drafts: bool) -> None:
        self.site, self.out, self.drafts = site, out, drafts
        self.generation = 0
        self.ahead: dict[str, int] = {}  # site URL -> generation: pages announced before the rest of a rebuild
        self.problems: list[Diagnostic] = []
        self.changed = threading.Condition()
        self.lock = threading.Lock()
        self.manifest: Manifest | None = None  # what self.out holds
        self.changes = 0  # file events seen; the watcher counts them
        self.changed_paths: set[str] = set()  # real paths changed since the last rebuild began (the watcher's)
        self.snapshot: SiteSnapshot | None = None  # the model of the last good build, for previews
        self.gave_way = False  # the last rebuild stopped for changes that came in meanwhile

    def rebuild(self, may_give_way: bool = False, changed: set[str] | None = None) -> None:
        """Build into the served folder and announce it. MAY_GIVE_WAY: stop before writing anything if
        more changes come in meanwhile (a burst that paused), as the rebuild they start follows; never
        twice in a row, so that changes arriving steadily still get built. CHANGED: the real paths
        changed since the last rebuild, when known; one article's text alone is previewed first."""
        with self.lock:
            started = time.perf_counter()
            seen = self.changes
            previewed = self._preview(changed or set())
            current = (lambda: self.changes == seen) if may_give_way and not self.gave_way else None
            edited: list[float] = []
            announced: list[float] = []

            # Pages are written only by a build that found no error so far: the reloaded pages must not
            # show the overlay of the last failed build (a template error later announces its own).
            def edited_written(urls: list[str]) -> None:  # the page being edited is up to date: reload it
                edited.append(time.perf_counter())
                self.problems = []
                self._announce(urls)

            def pages_written() -> None:  # reload the open page now; the search index follows
                announced.append(time.perf_counter())
                self.problems = []
                self._announce()

            try:
                result = build(BuildOptions(site_root=self.site, out=self.out, drafts=self.drafts,
                                            previous=self.manifest, pages_done=pages_written,
                                            edited_done=edited_written, still_current=current, preview=True,
                                            keep_model=True))
            finally:
                if self.ahead:  # stopped between the two announcements: no page may stay ahead
                    self._announce()
            self.gave_way = result.superseded
            if result.superseded:
                return
            failed = result.diagnostics.failed(False)
            if result.written:
                self.manifest = result.manifest
                self.snapshot = result.snapshot
                if previewed and result.manifest and result.manifest.files.get(previewed.rel) != previewed.key:
                    self._announce([previewed.url])  # the rebuild changed the previewed page again
            else:
                self.snapshot = None
                if failed and (announced or edited or previewed):
                    self.manifest = None  # a template error after some pages were written: rewrite all next time
            self.problems = [d for d in result.diagnostics.items() if d.severity == "error"] if failed else []
            shown = [d for d in result.diagnostics.items() if d.severity != "note"]
            if shown:
                print(format_diagnostics(shown, "text"), file=sys.stderr)
            state = "failed, showing the last good build" if failed else "ok"
            first = f"edited article in {(edited[0] - started) * 1000:.0f} ms, " if edited else ""
            pages = f"pages in {(announced[0] - started) * 1000:.0f} ms, " if announced else ""
            print(f"kbgen serve: rebuilt ({first}{pages}all in {(time.perf_counter() - started) * 1000:.0f} ms, "
                  f"{state})", file=sys.stderr, flush=True)
        if failed or not announced:
            self._announce()

    def _preview(self, changed: set[str]) -> PreviewedPage | None:
        """The page of the one article whose text alone changed, written and announced; else None."""
        if self.snapshot is None or self.manifest is None or self.problems or not changed:
            return None
        started = time.perf_counter()
        try:
            page = preview_edit(self.snapshot, changed, self.out, self.manifest)
        except Exception:  # a bug in the shortcut must not keep the rebuild from running
            traceback.print_exc()
            page = None
        if page is None:
            return None
        files = dict(self.manifest.files, **{page.rel: page.key})
        self.manifest = Manifest(files, self.manifest.diagnostics, self.manifest.articles,
                                 self.manifest.fingerprints, self.manifest.parsed)
        self._announce([page.url])
        print(f"kbgen serve: previewed {page.url} in {(time.perf_counter() - started) * 1000:.0f} ms",
              file=sys.stderr, flush=True)
        return page

    def _announce(self, urls: list[str] | None = None) -> None:
        """A new generation of every page, or (URLS) of these pages only, ahead of the others."""
        with self.changed:
            if urls is None:
                self.generation += 1
                self.ahead = {}
            else:
                self.ahead.update((url, self.generation + 1) for url in urls)
            self.changed.notify_all()

    def stamp(self, url: str | None) -> int:
        """The generation of the page at site URL (None: of the latest announcement, whatever the page)."""
        with self.changed:
            if url is None:
                return max([self.generation, *self.ahead.values()])
            return self.ahead.get(url, self.generation)


def page_url(path: str) -> str:
    """The site URL a decoded request path below the base path shows: a folder for its index.html."""
    return path[:-len("index.html")] if path.endswith("/index.html") else path


def overlay(problems: list[Diagnostic]) -> str:
    items = "".join(f"<li><code>{html.escape(d.location())}</code> {html.escape(d.message)}"
                    + (f"<br><small>hint: {html.escape(d.hint)}</small>" if d.hint else "") + "</li>" for d in problems)
    return ('<div id="kbgen-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;'
            'background:#7f1d1d;color:#fff;padding:1rem 1.5rem;font:15px/1.5 system-ui,sans-serif;z-index:99999">'
            f"<strong>kbgen: the last edit did not build</strong><ul>{items}</ul></div>")


def make_handler(state: DevState, base_path: str, allowed_hosts: set[str]) -> type[BaseHTTPRequestHandler]:
    root = state.out.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "kbgen"

        def log_message(self, format: str, *args: object) -> None:  # quiet: the writer watches build output
            return

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            if self.headers.get("Host", "").lower() not in allowed_hosts:
                self._plain(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host header")
                return
            path = urlsplit(self.path).path
            if path == LIVE_PATH:
                self._send(HTTPStatus.OK, LIVE_JS.encode(), "text/javascript", head)
                return
            if path == EVENTS_PATH:
                page = unquote(parse_qs(urlsplit(self.path).query).get("page", [""])[0])
                self._events(page_url(page[len(base_path) - 1:]) if page.startswith(base_path) else None)
                return
            if not path.startswith(base_path):
                if path in ("/", "") and base_path != "/":
                    self._redirect(base_path)
                else:
                    self._not_found(head)
                return
            self._file(path[len(base_path) - 1:], head)

        def _file(self, url: str, head: bool) -> None:
            decoded = unquote(url)
            stamp = state.stamp(page_url(decoded))  # before reading: a page announced since then reloads
            if "\x00" in decoded or "\\" in decoded or any(p == ".." for p in decoded.split("/")):
                self._plain(HTTPStatus.BAD_REQUEST, "bad path")
                return
            target = (root / posixpath.normpath(decoded).lstrip("/")).resolve()
            if target != root and root not in target.parents:
                self._plain(HTTPStatus.FORBIDDEN, "outside the site")
                return
            if target.is_dir():
                if not url.endswith("/"):
                    self._redirect(base_path.rstrip("/") + url + "/")
                    return
                target = target / "index.html"
            if not target.is_file() or (target.resolve() != root and root not in target.resolve().parents):
                self._not_found(head, stamp)
                return
            self._send(HTTPStatus.OK, target.read_bytes(), self._type(target), head, stamp)

        def _type(self, path: Path) -> str:
            kind = MIME_EXTRA.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith(("xml", "json")) else "")

        def _not_found(self, head: bool, stamp: int | None = None) -> None:
            stamp = state.stamp(None) if stamp is None else stamp
            page = root / "404.html"
            body = page.read_bytes() if page.is_file() else b"<h1>404</h1>"
            self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head, stamp)

        def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool, stamp: int = 0) -> None:
            if kind.startswith("text/html"):
                body = self._inject(body, stamp)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _inject(self, body: bytes, stamp: int) -> bytes:
            text = body.decode("utf-8", "replace")
            extra = f'<script type="module" src="{LIVE_PATH}"></script>'
            if state.problems:
                extra += overlay(state.problems)
            text = text.replace("<html ", f'<html data-kbgen-build="{stamp}" ', 1)
            return (text.replace("</body>", extra + "</body>", 1) if "</body>" in text else text + extra).encode()

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _plain(self, status: HTTPStatus, text: str) -> None:
            self._send(status, text.encode(), "text/plain; charset=utf-8", False)

        def _events(self, url: str | None) -> None:
            """The generations of the page at URL (None: every announcement), as server-sent events."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with state.changed:
                        state.changed.wait_for(lambda: state.stamp(url) != seen, timeout=15)
                        current = state.stamp(url)
                    if current != seen:
                        seen = current
                        self.wfile.write(f"event: build\ndata: {current}\n\n".encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


class _Watcher(FileSystemEventHandler):
    """Collects file events and rebuilds once a burst has settled."""

    def __init__(self, state: DevState, observer: BaseObserver) -> None:
        self.state = state
        self.observer = observer
        self.root: ObservedWatch | None = None
        self.folders: dict[str, tuple[ObservedWatch, tuple[int, int]]] = {}  # name -> watch, (device, inode)
        self.pending = threading.Condition()
        self.last_change: float | None = None  # when the latest change not yet rebuilt came in (monotonic)
        self.worker = threading.Thread(target=self._rebuilds, name="kbgen-rebuild", daemon=True)

    def start(self) -> None:
        self.worker.start()

    def _rebuilds(self) -> None:
        """One rebuild at a time, once the changes have paused for DEBOUNCE_SECONDS: however many
        events come in during a rebuild, they make one more, not one each."""
        while True:
            with self.pending:
                while self.last_change is None:
                    self.pending.wait()
                while (left := self.last_change + DEBOUNCE_SECONDS - time.monotonic()) > 0:
                    self.pending.wait(left)
                self.last_change = None
                changed, self.state.changed_paths = self.state.changed_paths, set()
            try:
                self.state.rebuild(may_give_way=True, changed=changed)
            except Exception:  # a bug in kbgen: say so, and keep rebuilding on the next change
                traceback.print_exc()

    def watch(self) -> None:
        """The files at the top of the site, and each folder there but the ignored ones.

        The build cache is written during every rebuild: watching it would queue hundreds of
        events, and handling them would compete with the rebuild for the interpreter. A folder
        removed or replaced (another inode under its name) is watched afresh.
        """
        site = self.state.site
        if self.root is None:
            self.root = self.observer.schedule(self, str(site), recursive=False, event_filter=WATCHED_EVENTS)
        present: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(site))
        except OSError:
            entries = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False) and not self._ignored(Path(entry.path)):
                    info = entry.stat(follow_symlinks=False)
                    present[entry.name] = (info.st_dev, info.st_ino)
            except OSError:
                continue
        for name, (watch, identity) in list(self.folders.items()):
            if present.get(name) != identity:
                self.observer.unschedule(watch)
                del self.folders[name]
        for name, identity in present.items():
            if name not in self.folders:
                watch = self.observer.schedule(self, str(site / name), recursive=True, event_filter=WATCHED_EVENTS)
                self.folders[name] = (watch, identity)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if event.is_directory and event.event_type in ("created", "deleted", "moved") and \
                any(p and os.path.dirname(p) == str(self.state.site) for p in paths):
            self.watch()  # a folder at the top of the site came, went or was replaced
        kept = [p for p in paths if p and not self._ignored(Path(p))]
        if not kept:
            return
        with self.pending:
            if not (event.is_directory and event.event_type == "modified"):  # those come with their files' events
                self.state.changed_paths.update(os.path.realpath(p) for p in kept)
            self.state.changes += 1
            idle = self.last_change is None
            self.last_change = time.monotonic()
            if idle:  # else the rebuild thread is waiting for the pause already
                self.pending.notify()

    def _ignored(self, path: Path) -> bool:
        try:
            parts = path.resolve().relative_to(self.state.site.resolve()).parts
        except ValueError:
            return True
        return any(p in IGNORED_PARTS or p.startswith(".") and p != "." for p in parts) or \
            path.name.endswith(("~", ".swp", ".swx", ".tmp"))


def serve(site: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False) -> int:
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    workdir = Path(tempfile.mkdtemp(prefix="kbgen-serve-"))
    state = DevState(site.resolve(), workdir / "site", drafts)
    state.rebuild()
    base_path = load_config(site, Diagnostics()).base_path
    try:
        server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    except OSError as exc:
        print(f"kbgen serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        return 2
    bound = server.server_address[1]
    names = {host, "localhost", "127.0.0.1"} if host in ("127.0.0.1", "localhost") else {host}
    allowed = {f"{name}:{bound}".lower() for name in names}
    server.RequestHandlerClass = make_handler(state, base_path, allowed)
    server.daemon_threads = True
    observer = Observer()
    watcher = _Watcher(state, observer)
    watcher.watch()
    watcher.start()
    observer.start()
    print(f"kbgen serve: http://{host}:{bound}{base_path} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0

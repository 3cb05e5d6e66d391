"""kbgen serve on an ephemeral 127.0.0.1 port: pages, the Host check, traversal, rebuild and reload."""

from __future__ import annotations

import contextlib
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
    article.write_text("# Lieferzeiten\n\nVier Tage.\n", encoding="utf-8")  # fixed: the reloaded page has no overlay
    line = b""
    while not line.startswith(b"event: build"):
        line = events.fp.readline()
    status, body = get(port, "/versand/lieferzeiten/")
    assert status == 200 and b"Vier Tage." in body and b"kbgen-overlay" not in body


class _Log:
    """Serve's stderr, read in the background so its lines can be counted."""

    def __init__(self, proc) -> None:
        import threading
        self.lines: list[str] = []
        self.port: int | None = None
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc) -> None:
        for line in proc.stderr:
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
            self.lines.append(line)

    def rebuilds(self) -> list[str]:
        return [line for line in self.lines if "rebuilt" in line]

    def settle(self, count: int, quiet: float = 1.5, timeout: float = 120) -> list[str]:
        """Wait for at least COUNT rebuild lines and then QUIET seconds without a new one."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            before = len(self.rebuilds())
            time.sleep(quiet)
            if len(self.rebuilds()) == before >= count:
                return self.rebuilds()
        raise AssertionError(f"serve did not settle: {self.lines}")


@contextlib.contextmanager
def _serving(root):
    """`kbgen serve` on ROOT at an ephemeral port: its log and the port, stopped afterwards."""
    proc = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", str(root), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        log = _Log(proc)
        deadline = time.time() + 60
        while log.port is None and time.time() < deadline:
            time.sleep(0.05)
        assert log.port, log.lines
        yield log, log.port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _until(condition, timeout: float = 120) -> None:
    """Poll CONDITION as a writer watching the page would, until it holds."""
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "the change never showed"
        time.sleep(0.2)


def _shows(port: int, url: str, text: bytes) -> bool:
    status, body = get(port, url)
    return status == 200 and text in body


def test_a_burst_of_files_gives_one_rebuild_and_renames_move_pages(make_site):
    root = make_site({"content/versand/lieferzeiten.md": "# Lieferzeiten\n\nZwei Tage.\n"})
    with _serving(root) as (log, port):
        # like a `git checkout`: a new folder with many files appears at once
        staging = root / "staging"
        (staging / "neu").mkdir(parents=True)
        for i in range(300):
            (staging / "neu" / f"artikel-{i}.md").write_text(f"# Artikel {i}\n\nText {i}.\n", encoding="utf-8")
        os.replace(staging / "neu", root / "content/neu")
        _until(lambda: _shows(port, "/neu/artikel-299/", b"Text 299."))
        # a rename: the old page goes away, the new one appears
        os.replace(root / "content/versand/lieferzeiten.md", root / "content/versand/lieferzeit.md")
        _until(lambda: get(port, "/versand/lieferzeit/")[0] == 200 and get(port, "/versand/lieferzeiten/")[0] == 404)
        built = len(log.settle(2))
        # three hundred saves in a burst are one rebuild (a few more if a busy machine pauses the writer
        # longer than the debounce), never one per file
        for i in range(300):
            (root / "content/neu" / f"artikel-{i}.md").write_text(f"# Artikel {i}\n\nNeu {i}.\n", encoding="utf-8")
        after = log.settle(built + 1)
        assert len(after) - built <= 3, after[built:]
        assert all("ok" in line for line in after), after
        _until(lambda: _shows(port, "/neu/artikel-299/", b"Neu 299."))


def test_review_due_shows_in_the_preview_only(make_site, tmp_path):
    from conftest import build_site
    root = make_site({"content/versand/alt.md": "---\ntitle: Alt\nreview_by: 2020-01-01\n---\nText.\n",
                      "content/versand/neu.md": "---\ntitle: Neu\nreview_by: 2099-01-01\n---\nText.\n"})
    preview = build_site(root, out=tmp_path / "preview", preview=True)
    assert preview.written
    page = (tmp_path / "preview/versand/alt/index.html").read_text(encoding="utf-8")
    assert 'class="review-due"' in page and "review was due on 2020-01-01" in page
    assert 'class="review-due"' not in (tmp_path / "preview/versand/neu/index.html").read_text(encoding="utf-8")
    published = build_site(root, out=tmp_path / "public")  # same site, same cache: the note must not leak
    assert published.written
    assert 'class="review-due"' not in (tmp_path / "public/versand/alt/index.html").read_text(encoding="utf-8")


def test_folders_added_or_replaced_while_serving_are_watched(make_site):
    root = make_site({"content/versand/lieferzeiten.md": "# Lieferzeiten\n\nZwei Tage.\n"})
    with _serving(root) as (log, port):
        url = "/versand/lieferzeiten/"
        # a folder that did not exist when serve started
        (root / "i18n").mkdir()
        (root / "i18n/en.yml").write_text("search_placeholder: Ask us anything\n", encoding="utf-8")
        _until(lambda: _shows(port, url, b"Ask us anything"))
        # content/ swapped for another folder (a checkout tool, a sync): the new one is watched
        (root / "neu/versand").mkdir(parents=True)
        (root / "neu/versand/lieferzeiten.md").write_text("# Lieferzeiten\n\nVier Tage.\n", encoding="utf-8")
        os.replace(root / "content", root / "alt")
        os.replace(root / "neu", root / "content")
        _until(lambda: _shows(port, url, b"Vier Tage."))
        (root / "content/versand/lieferzeiten.md").write_text("# Lieferzeiten\n\nFünf Tage.\n", encoding="utf-8")
        _until(lambda: _shows(port, url, "Fünf Tage.".encode()))
        # removed and made again
        (root / "i18n/en.yml").unlink()
        (root / "i18n").rmdir()
        _until(lambda: not _shows(port, url, b"Ask us anything"))
        (root / "i18n").mkdir()
        (root / "i18n/en.yml").write_text("search_placeholder: Search the help\n", encoding="utf-8")
        _until(lambda: _shows(port, url, b"Search the help"))


def _tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _override_layout(root, name: str, old: str, new: str) -> None:
    """Save the site's own copy of a built-in layout with OLD replaced by NEW (as an editor would)."""
    base = (REPO / "layouts" / name).read_text(encoding="utf-8")
    assert old in base
    (root / "layouts").mkdir(exist_ok=True)
    tmp = root / "layouts" / f".{name}.tmp"
    tmp.write_text(base.replace(old, new), encoding="utf-8")
    os.replace(tmp, root / "layouts" / name)


def test_serve_rebuilds_after_any_sequence_of_edits_equal_a_clean_build(make_site, tmp_path):
    from conftest import build_site
    from kbgen.serve import DevState
    root = make_site({
        "content/versand/lieferzeiten.md": "---\ntitle: Lieferzeiten\ntags: [versand]\n---\nZwei Tage. Siehe [Kosten](kosten.md).\n",
        "content/versand/kosten.md": "---\ntitle: Versandkosten\ntags: [versand]\n---\nAb 50 € frei.\n",
        "content/konto/passwort.md": "# Passwort vergessen\n\nSo setzen Sie es zurück.\n",
    })
    state = DevState(root, tmp_path / "served", False)
    state.rebuild()
    article = root / "content/versand/lieferzeiten.md"
    edits = [
        lambda: article.write_text(article.read_text().replace("Zwei Tage.", "Drei Tage."), encoding="utf-8"),
        lambda: article.write_text(article.read_text().replace("title: Lieferzeiten", "title: Lieferdauer"),
                                   encoding="utf-8"),
        lambda: (root / "content/konto/email.md").write_text("# E-Mail ändern\n\nIm Konto.\n", encoding="utf-8"),
        lambda: (root / "content/versand/kosten.md").write_text("---\ntitle: [kaputt\n---\nText\n", encoding="utf-8"),
        lambda: (root / "content/versand/kosten.md").write_text("---\ntitle: Porto\n---\nAb 60 € frei.\n",
                                                                 encoding="utf-8"),
        lambda: (root / "content/konto/passwort.md").unlink(),
        lambda: os.replace(root / "content/konto/email.md", root / "content/konto/e-mail.md"),
        lambda: _override_layout(root, "article.html", "<article class", "<article data-neu class"),
        lambda: _override_layout(root, "article.html", "<article class", "<article data-neuer class"),
        lambda: _override_layout(root, "footer.html", "</footer>", "<p>Impressum folgt</p></footer>"),
    ]
    for number, edit in enumerate(edits):
        before = _tree(state.out)
        edit()
        # As the watcher reports them: the first edit (text only) is previewed from the model first.
        state.rebuild(changed={os.path.realpath(article)} if number in (0, 1) else
                      {os.path.realpath(root / "content/versand/kosten.md")} if number in (3, 4) else None)
        if state.problems:  # a failed rebuild keeps the last good pages
            assert number == 3 and _tree(state.out) == before
            continue
        clean = build_site(root, out=tmp_path / f"clean-{number}", cache=False, preview=True)
        assert clean.written, clean.diagnostics.items()
        assert _tree(state.out) == _tree(tmp_path / f"clean-{number}"), f"after edit {number}"


def _event(stream) -> int:
    """The generation of the next `build` event on a server-sent event stream."""
    line = b""
    while not line.startswith(b"event: build"):
        line = stream.fp.readline()
    return int(stream.fp.readline().decode().split(":", 1)[1])


def _stream(port: int, page: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/_kbgen/events?page={page}", headers={"Host": f"127.0.0.1:{port}"})
    return conn.getresponse()


def test_the_edited_page_reloads_once_per_save_and_every_other_page_too(make_site):
    root = make_site({"content/versand/lieferzeiten.md": "# Lieferzeiten\n\nZwei Tage.\n",
                      "content/versand/kosten.md": "# Versandkosten\n\nAb 50 € frei.\n"})
    with _serving(root) as (log, port):
        edited, other = _stream(port, "/versand/lieferzeiten/"), _stream(port, "/versand/kosten/")
        start, start_other = _event(edited), _event(other)
        article = root / "content/versand/lieferzeiten.md"
        for round_, text in enumerate(("Drei Tage.", "Vier Tage.")):
            built = len(log.rebuilds())
            article.write_text(f"# Lieferzeiten\n\n{text}\n", encoding="utf-8")
            generation = _event(edited)
            assert generation == start + round_ + 1  # one reload per save, none left over from the last one
            status, body = get(port, "/versand/lieferzeiten/")
            assert text.encode() in body
            # the reloaded page knows it is current: the stream gives it nothing more for this save
            assert f'data-kbgen-build="{generation}"'.encode() in body
            assert _event(other) == start_other + round_ + 1  # the other pages reload once all are written
            log.settle(built + 1)
        _, body = get(port, "/versand/kosten/")
        assert f'data-kbgen-build="{start_other + 2}"'.encode() in body


def test_a_rebuild_gives_way_to_changes_that_come_in_before_it_writes_but_not_twice(make_site, tmp_path,
                                                                                   monkeypatch, capsys):
    import kbgen.build
    from kbgen.serve import DevState
    root = make_site({"content/versand/lieferzeiten.md": "# Lieferzeiten\n\nZwei Tage.\n"})
    state = DevState(root, tmp_path / "served", False)
    state.rebuild()
    page = state.out / "versand/lieferzeiten/index.html"
    generation = state.stamp(None)
    (root / "content/versand/lieferzeiten.md").write_text("# Lieferzeiten\n\nDrei Tage.\n", encoding="utf-8")
    original = kbgen.build.validate_references

    def another_save_meanwhile(*args):  # the watcher notices a change while the site is being read
        state.changes += 1
        return original(*args)

    monkeypatch.setattr(kbgen.build, "validate_references", another_save_meanwhile)
    state.rebuild(may_give_way=True)
    assert b"Zwei Tage." in page.read_bytes() and state.stamp(None) == generation  # nothing written or announced
    state.rebuild(may_give_way=True)  # changes keep coming in: this one is built all the same
    assert b"Drei Tage." in page.read_bytes() and state.stamp(None) > generation
    log = capsys.readouterr().err.splitlines()
    assert "edited article in" in log[-1], log  # the edited page still reloads first

"""The build cache: a cached build is byte for byte a clean build, and a bad cache is never trusted."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import jinja2
import pytest

import kbgen.build
from conftest import build_site, run_cli
from kbgen.cache import CACHE_DIR, digest

SITE = {
    "kbgen.yml": "title: Hilfe\nlanguages: [de]\n",
    "content/versand/_category.yml": "title: Versand\n",
    "content/versand/lieferzeiten.md": """\
        ---
        title: Lieferzeiten
        tags: [versand]
        ---
        Pakete kommen in zwei Tagen. Siehe [Kosten](kosten.md).

        ## Express
        Am nächsten Tag.
        """,
    "content/versand/kosten.md": "---\ntitle: Versandkosten\ntags: [versand]\n---\nAb 50 € versandkostenfrei.\n",
    "content/konto/passwort.md": "# Passwort vergessen\n\nSo setzen Sie es zurück.\n",
}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, out: Path) -> dict[str, bytes]:
    result = build_site(root, out=out, cache=False)
    assert result.written, result.diagnostics.items()
    return tree(out)


def cache_file(root: Path) -> Path:
    return root / CACHE_DIR / "cache.sqlite"


@pytest.fixture
def counted_parses(monkeypatch):
    """How many articles were really parsed (not taken from the cache) in this process."""
    calls: list[str] = []
    original = kbgen.build.parse_article

    def counting(src, raw, ctx):
        calls.append(src.source)
        return original(src, raw, ctx)

    monkeypatch.setattr(kbgen.build, "parse_article", counting)
    monkeypatch.setenv("KBGEN_WORKERS", "1")
    return calls


def test_second_build_is_the_clean_build_and_parses_nothing(make_site, tmp_path, counted_parses):
    root = make_site(SITE)
    assert build_site(root, out=tmp_path / "a").written
    assert len(counted_parses) == 3
    counted_parses.clear()
    second = build_site(root, out=tmp_path / "a")
    assert second.written and second.articles == 3
    assert counted_parses == []  # restored from the stored output
    assert tree(tmp_path / "a") == clean_build(root, tmp_path / "clean")


def test_build_after_an_edit_reparses_only_that_article_and_matches_a_clean_build(make_site, tmp_path,
                                                                                counted_parses):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a")
    counted_parses.clear()
    # a new title changes the category page, the tag page, the A-Z index, related lists and the search index
    page = root / "content/versand/kosten.md"
    page.write_text(page.read_text().replace("Versandkosten", "Porto und Versandkosten"), encoding="utf-8")
    assert build_site(root, out=tmp_path / "a").written
    assert counted_parses == ["versand/kosten.md"]
    built = tree(tmp_path / "a")
    assert built == clean_build(root, tmp_path / "clean")
    assert "Porto und Versandkosten" in built["versand/index.html"].decode()


@pytest.mark.parametrize("change", ["layout", "config", "strings", "delete", "asset"])
def test_site_wide_changes_reach_every_page(make_site, tmp_path, change):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a")
    if change == "layout":
        (root / "layouts").mkdir()
        base = (Path(kbgen.__file__).parent.parent / "layouts" / "footer.html").read_text(encoding="utf-8")
        (root / "layouts/footer.html").write_text(base + "<p>Impressum folgt</p>\n", encoding="utf-8")
    elif change == "config":
        (root / "kbgen.yml").write_text("title: Kundenhilfe\nlanguages: [de]\n", encoding="utf-8")
    elif change == "strings":
        (root / "i18n").mkdir()
        (root / "i18n/de.yml").write_text("home: Hilfe-Start\n", encoding="utf-8")
    elif change == "delete":
        (root / "content/konto/passwort.md").unlink()
    else:
        (root / "assets").mkdir()
        (root / "assets/site.css").write_text("body { color: #111; }\n", encoding="utf-8")
    cached = build_site(root, out=tmp_path / "a")
    assert cached.written, cached.diagnostics.items()
    assert tree(tmp_path / "a") == clean_build(root, tmp_path / "clean")


def test_a_large_site_built_with_workers_matches_a_clean_build(make_site, tmp_path, monkeypatch):
    monkeypatch.setenv("KBGEN_WORKERS", "2")  # parse and render pools, each worker with its own connection
    files = dict(SITE)
    for i in range(260):
        files[f"content/thema-{i % 7}/artikel-{i}.md"] = (
            f"---\ntitle: Artikel {i} über Thema {i % 7}\ntags: [thema{i % 5}]\n---\n"
            f"Text zu Frage {i}. Siehe [Nachbar](artikel-{i + 7 if i + 7 < 260 else i - 252}.md).\n")
    root = make_site(files)
    assert build_site(root, out=tmp_path / "a").written
    page = root / "content/thema-3/artikel-3.md"
    page.write_text(page.read_text().replace("Text zu", "Neuer Text zu"), encoding="utf-8")
    assert build_site(root, out=tmp_path / "a").written
    assert tree(tmp_path / "a") == clean_build(root, tmp_path / "clean")


def test_corrupt_cache_is_ignored_with_a_note(make_site, tmp_path):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a")
    cache_file(root).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{cache_file(root)}{suffix}").unlink(missing_ok=True)
    r = run_cli("build", root, "-o", tmp_path / "b")
    assert r.code == 0 and "Traceback" not in r.stderr, r.stderr
    assert tree(tmp_path / "b") == clean_build(root, tmp_path / "clean")
    cache_file(root).write_bytes(b"garbage again" * 100)
    r = run_cli("check", root)  # check shows notes
    assert r.code == 0, r.stderr
    assert "build cache is unreadable" in r.stderr, r.stderr


def _rows(root: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(cache_file(root)) as conn:
        rows = conn.execute(sql, args).fetchall()
    return rows


def test_damaged_stored_files_are_detected_not_served(make_site, tmp_path):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a")
    with sqlite3.connect(cache_file(root)) as conn:  # flip the text of every stored file
        conn.execute("UPDATE blobs SET data = CAST(REPLACE(CAST(data AS TEXT), 'Lieferzeiten', 'Gefälscht') AS BLOB)")
    assert build_site(root, out=tmp_path / "b").written
    built = tree(tmp_path / "b")
    assert built == clean_build(root, tmp_path / "clean")
    assert not any(b"Gef\xc3\xa4lscht" in data for data in built.values())


class _Evil:
    def __reduce__(self):
        return (Path.touch, (Path("/tmp/kbgen-cache-pwned"),))


def test_a_planted_pickle_never_runs(make_site, tmp_path):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a", cache=True)
    marker = Path("/tmp/kbgen-cache-pwned")
    marker.unlink(missing_ok=True)
    evil = pickle.dumps(_Evil())
    with sqlite3.connect(cache_file(root)) as conn:  # a valid checksum: only the allow-list stands in the way
        conn.execute("UPDATE parse SET sum = ?, data = ?", (digest(evil), evil))
        conn.execute("DELETE FROM results WHERE name = 'manifest'")
    assert build_site(root, out=tmp_path / "b").written
    assert not marker.exists()
    assert tree(tmp_path / "b") == clean_build(root, tmp_path / "clean")


def test_a_cache_of_other_code_is_foreign_and_dropped(make_site, tmp_path, counted_parses):
    root = make_site(SITE)
    build_site(root, out=tmp_path / "a")
    with sqlite3.connect(cache_file(root)) as conn:
        conn.execute("UPDATE meta SET value = 'other' WHERE name = 'code'")
    counted_parses.clear()
    assert build_site(root, out=tmp_path / "a").written
    assert len(counted_parses) == 3
    assert tree(tmp_path / "a") == clean_build(root, tmp_path / "clean")


def test_no_cache_neither_reads_nor_writes_it(make_site, tmp_path):
    root = make_site(SITE)
    r = run_cli("build", root, "--no-cache", "-o", tmp_path / "a")
    assert r.code == 0, r.stderr
    assert not (root / CACHE_DIR).exists()


def test_strict_fails_on_warnings_restored_from_the_cache(make_site, tmp_path):
    root = make_site({**SITE, "content/konto/bild.md": "# Bild\n\n![](foto.png)\n", "content/konto/foto.png": b"png"})
    first = run_cli("build", root, "-o", tmp_path / "a")
    assert first.code == 0 and "warning" in first.stderr, first.stderr
    second = run_cli("build", root, "-o", tmp_path / "a", "--strict")
    assert second.code == 1 and "alt" in second.stderr, second.stderr


def test_in_place_update_rewrites_only_changed_files(make_site, tmp_path):
    root = make_site({**SITE, "content/konto/alt.md": "# Altes Konto\n\nGelöscht.\n"})
    out = tmp_path / "serve"
    first = build_site(root, out=out)
    stamp = {rel: (out / rel).stat().st_mtime_ns for rel in first.manifest.files}
    (root / "content/konto/passwort.md").write_text("# Passwort vergessen\n\nNeu: per App.\n", encoding="utf-8")
    (root / "content/konto/alt.md").unlink()
    second = build_site(root, out=out, previous=first.manifest)
    assert second.written
    changed = {rel for rel in second.manifest.files if rel in stamp and (out / rel).stat().st_mtime_ns != stamp[rel]}
    assert "konto/passwort/index.html" in changed
    assert "versand/lieferzeiten/index.html" not in changed  # untouched: its bytes are the same
    assert not (out / "konto/alt").exists()  # the page is gone, and its folder with it
    assert tree(out) == clean_build(root, tmp_path / "clean")


def test_an_intact_output_is_left_alone_and_a_touched_one_is_restored(make_site, tmp_path):
    root = make_site(SITE)
    out = tmp_path / "a"
    build_site(root, out=out)
    page = out / "versand/lieferzeiten/index.html"
    before = page.stat().st_mtime_ns
    assert build_site(root, out=out).written
    assert page.stat().st_mtime_ns == before  # nothing to do: not even rewritten
    page.write_text("verändert", encoding="utf-8")  # someone edits the output by hand
    (out / "konto/passwort/index.html").unlink()
    (out / "fremd.txt").write_text("nicht von kbgen", encoding="utf-8")
    assert build_site(root, out=out).written
    assert tree(out) == clean_build(root, tmp_path / "clean")


def test_a_build_over_its_own_output_writes_only_what_changed(make_site, tmp_path):
    root = make_site({**SITE, "content/konto/alt.md": "# Altes Konto\n\nGelöscht.\n"})
    out = tmp_path / "public"
    first = build_site(root, out=out)
    stamp = {rel: (out / rel).stat().st_mtime_ns for rel in first.manifest.files}
    (root / "content/konto/passwort.md").write_text("# Passwort vergessen\n\nNeu: per App.\n", encoding="utf-8")
    (root / "content/konto/alt.md").unlink()
    assert build_site(root, out=out).written
    changed = {rel for rel in stamp if (out / rel).is_file() and (out / rel).stat().st_mtime_ns != stamp[rel]}
    assert "konto/passwort/index.html" in changed
    assert "versand/lieferzeiten/index.html" not in changed  # its bytes are the same: not written
    assert not (out / "konto/alt").exists()  # the page is gone, and its folder with it
    assert not list(tmp_path.glob(".public.kbgen-*"))  # no temporary folder left beside OUT
    assert tree(out) == clean_build(root, tmp_path / "clean")


def test_a_failed_build_over_its_own_output_changes_nothing(make_site, tmp_path):
    root = make_site(SITE)
    out = tmp_path / "public"
    build_site(root, out=out)
    before = tree(out)
    (root / "content/versand/kosten.md").write_text("---\ntitle: [kaputt\n---\nText\n", encoding="utf-8")
    (root / "content/konto/passwort.md").write_text("# Passwort vergessen\n\nNeu.\n", encoding="utf-8")
    assert not build_site(root, out=out).written
    assert tree(out) == before
    assert not list(tmp_path.glob(".public.kbgen-*"))


def test_a_snippet_edit_reparses_only_the_articles_that_may_include_it(make_site, tmp_path, counted_parses):
    root = make_site({**SITE, "content/_snippets/hotline.md": "Hotline: 0800 123 456\n",
                      "content/konto/telefon.md": "# Telefon\n\n{{< snippet hotline >}}\n"})
    build_site(root, out=tmp_path / "a")
    counted_parses.clear()
    (root / "content/_snippets/hotline.md").write_text("Hotline: 0800 999 000\n", encoding="utf-8")
    assert build_site(root, out=tmp_path / "a").written
    assert counted_parses == ["konto/telefon.md"]
    built = tree(tmp_path / "a")
    assert "0800 999 000" in built["konto/telefon/index.html"].decode()
    assert built == clean_build(root, tmp_path / "clean")


def test_a_layout_edit_re_renders_only_the_pages_made_with_it(make_site, tmp_path, monkeypatch):
    monkeypatch.setenv("KBGEN_WORKERS", "1")
    root = make_site(SITE)
    out = tmp_path / "public"
    build_site(root, out=out)
    rendered: list[str] = []
    original = jinja2.Template.render

    def counting(self, *args, **kwargs):
        rendered.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    (root / "layouts").mkdir()
    base = (Path(kbgen.__file__).parent.parent / "layouts" / "article.html").read_text(encoding="utf-8")
    (root / "layouts/article.html").write_text(base.replace("<article class", "<article data-neu class"),
                                               encoding="utf-8")
    assert build_site(root, out=out).written
    assert rendered.count("article.html") == 3  # every article page
    assert {"folder.html", "home.html", "listing.html"}.isdisjoint(rendered)  # not made with article.html
    monkeypatch.undo()
    assert tree(out) == clean_build(root, tmp_path / "clean")


def _index_encodings(monkeypatch) -> list[str]:
    """The search index files really encoded (not reused from the last build) in this process."""
    import kbgen.search.format as format_module
    kinds: list[str] = []
    original = format_module.encode_file

    def counting(kind, data, hashed=True):
        kinds.append(kind)
        return original(kind, data, hashed)

    monkeypatch.setattr(format_module, "encode_file", counting)
    monkeypatch.setenv("KBGEN_WORKERS", "1")
    return kinds


def test_an_edit_encodes_only_the_index_files_whose_data_changed(make_site, tmp_path, monkeypatch):
    files = dict(SITE, **{f"content/konto/thema-{i}.md": f"# Thema {i}\n\nText über Gutschein{i} und Konto.\n"
                          for i in range(40)})
    root = make_site(files)
    encoded = _index_encodings(monkeypatch)
    assert build_site(root, out=tmp_path / "a").written
    total = len(encoded)
    encoded.clear()
    page = root / "content/konto/thema-7.md"
    page.write_text("# Thema 7\n\nText über Rücksendeetiketten.\n", encoding="utf-8")
    assert build_site(root, out=tmp_path / "a").written
    assert 0 < len(encoded) < total / 2, (total, encoded)  # its docs chunk, the shards its words live in
    assert tree(tmp_path / "a") == clean_build(root, tmp_path / "clean")


def test_index_files_missing_from_the_cache_are_built_again(make_site, tmp_path):
    root = make_site(SITE)
    assert build_site(root, out=tmp_path / "a").written
    with sqlite3.connect(cache_file(root)) as conn:  # the stored index files are gone
        conn.execute("DELETE FROM blobs WHERE CAST(data AS TEXT) LIKE '(self.__kbgen%'")
    page = root / "content/konto/passwort.md"
    page.write_text("# Passwort vergessen\n\nSo setzen Sie es zurück, per E-Mail.\n", encoding="utf-8")
    assert build_site(root, out=tmp_path / "b").written  # a new output folder: nothing to keep there
    assert tree(tmp_path / "b") == clean_build(root, tmp_path / "clean")


def test_related_articles_after_edits_are_those_a_full_computation_gives(make_site, tmp_path, monkeypatch):
    import random
    import kbgen.related
    words = ("Rücksendung Erstattung Lieferzeit Gutschein Passwort Rechnung Garantie Versand Ratenkauf Paypal "
             "Kreditkarte Lastschrift Steckdose Thermostat Kamera Sensor Router Firmware Akku Ladegerät Montage "
             "Bohrer Schraube Halterung Zubehör Filiale Abholung Umtausch Reklamation Reparatur").split()
    rng = random.Random(7)

    def article(i: int) -> str:
        title = " ".join(rng.sample(words, 2))
        tags = rng.sample(["retoure", "versand", "konto", "zahlung", "geraete", "montage", "app", "filiale"],
                          rng.randint(0, 1))
        return f"---\ntitle: {title} {i}\ntags: [{', '.join(tags)}]\n---\nText {i}.\n"

    root = make_site({f"content/{'ab'[i % 2]}/artikel-{i}.md": article(i) for i in range(60)})
    assert build_site(root, out=tmp_path / "out").written
    computed: list[set[str] | None] = []
    original = kbgen.related.compute_related

    def recording(site, limit, only=None, inputs=None):
        computed.append(only)
        return original(site, limit, only, inputs)

    monkeypatch.setattr(kbgen.build, "compute_related", recording)
    for round_ in range(4):
        for i in rng.sample(range(60), 1):  # a new title and tags: features come and go
            (root / f"content/{'ab'[i % 2]}/artikel-{i}.md").write_text(article(i), encoding="utf-8")
        computed.clear()
        cached = build_site(root, out=tmp_path / "out").site
        full = build_site(root, out=tmp_path / f"clean-{round_}", cache=False).site
        assert {s: a.related for s, a in cached.articles.items()} == {s: a.related for s, a in full.articles.items()}
        assert computed[0] is not None and len(computed[0]) < 30, computed  # only the lists an edit may change

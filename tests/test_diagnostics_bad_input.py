"""Bad input must give one clear diagnostic: severity, site-relative file, exact line, message and hint.

Never a traceback; the CLI exits 1 for content errors (warnings only under --strict) and 2 for usage errors.
Each case is a tiny site; files are written with lines(...) so line numbers can be counted.
"""

import os

import pytest

from conftest import build_site, run_cli

A = "content/versand/lieferzeiten.md"
B = "content/versand/kosten.md"
PRODUCTS = "products:\n  - id: lumio-hub\n    name: Lumio Hub\n"


def lines(*rows):
    """A file whose line N is rows[N-1]."""
    return "\n".join(rows) + "\n"


def article(*body):
    """An article with a 3-line front matter, an empty line 4 and BODY from line 5 on."""
    return lines("---", "title: Lieferzeiten", "---", "", *body)


def case(name, files, file, line, fragment, hint=None):
    return pytest.param(files, file, line, fragment, hint, id=name)


def find(result, file, fragment):
    """The first diagnostic for FILE whose message contains FRAGMENT (case-insensitive)."""
    items = result.diagnostics.items()
    hits = [d for d in items if d.file == file and fragment.lower() in d.message.lower()]
    assert hits, f"no diagnostic {fragment!r} for {file}; got:\n" + "\n".join(d.text() for d in items)
    return hits[0]


def check(files, file, line, fragment, hint, severity, make_site):
    d = find(build_site(make_site(files)), file, fragment)
    assert (d.severity, d.file, d.line) == (severity, file, line), d.text()
    assert d.hint, d.text()
    if hint:
        assert hint in d.hint, d.text()


def snapshot(folder):
    """The user's files below FOLDER (kbgen's own build cache is not theirs)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".kbgen-cache" not in p.relative_to(folder).parts}


ERRORS = [
    # --- front matter: YAML ---
    case("yaml-syntax", {A: lines("---", "title: Lieferzeiten", "description: Versand: in 2 Tagen", "---", "",
                                  "Text.")}, A, 3, "invalid front matter"),
    case("yaml-tab-indent", {A: lines("---", "title: Lieferzeiten", "tags:", "\t- versand", "---", "", "Text.")},
         A, 4, "invalid front matter"),
    case("front-matter-is-list", {A: lines("---", "- Lieferzeiten", "- Versand", "---", "", "Text.")},
         A, 2, "must be a mapping"),
    case("front-matter-is-value", {A: lines("---", "Lieferzeiten", "---", "", "Text.")}, A, 2, "must be a mapping"),
    case("duplicate-key", {A: lines("---", "title: Lieferzeiten", "tags: [versand]", "title: Versandzeiten", "---",
                                    "", "Text.")}, A, 4, "duplicate key 'title'"),
    case("front-matter-unclosed", {A: lines("---", "title: Lieferzeiten", "", "Text.")}, A, 1, "never closed"),
    case("non-text-key", {A: lines("---", "title: Lieferzeiten", "2026: Jahr", "---", "", "Text.")},
         A, 3, "keys must be words"),
    # --- front matter: types and values ---
    case("tags-not-list", {A: lines("---", "title: Lieferzeiten", "tags: versand", "---", "", "Text.")},
         A, 3, "'tags' must be a list"),
    case("order-not-number", {A: lines("---", "title: Lieferzeiten", "order: erste", "---", "", "Text.")},
         A, 3, "'order' must be a whole number"),
    case("draft-not-bool", {A: lines("---", "title: Lieferzeiten", "draft: vielleicht", "---", "", "Text.")},
         A, 3, "'draft' must be true or false"),
    case("date-german-format", {A: lines("---", "title: Lieferzeiten", "updated: 12.10.2026", "---", "", "Text.")},
         A, 3, "'updated' must be a date"),
    # 2026-02-30 looks like a YAML date, so PyYAML itself tries (and fails) to construct it
    case("date-impossible", {A: lines("---", "title: Lieferzeiten", "updated: 2026-02-30", "---", "", "Text.")},
         A, 3, "'updated' must be a date"),
    case("date-month-13", {A: lines("---", "title: Lieferzeiten", "created: 2026-13-01", "---", "", "Text.")},
         A, 3, "'created' must be a date"),
    case("slug-invalid", {A: lines("---", "title: Lieferzeiten", "slug: Liefer Zeiten", "---", "", "Text.")},
         A, 3, "slug 'Liefer Zeiten'"),
    case("type-unknown", {A: lines("---", "title: Lieferzeiten", "type: howto", "---", "", "Text.")},
         A, 3, "unknown type 'howto'", hint="faq"),
    # kosten.md sorts first and keeps the URL; lieferzeiten.md is reported at its slug line
    case("slug-duplicate", {B: lines("---", "slug: versand-info", "---", "", "Text."),
                            A: lines("---", "title: Lieferzeiten", "slug: versand-info", "---", "", "Text.")},
         A, 3, "taken twice"),
    case("related-missing", {A: lines("---", "title: Lieferzeiten", "related: [garantie.md]", "---", "", "Text.")},
         A, 3, "related article 'garantie.md' does not exist"),
    case("related-missing-block-list", {"content/versand/garantie.md": "# Garantie\n", A: lines(
        "---", "title: Lieferzeiten", "related:", "  - garantie.md", "  - reparatur.md", "---", "", "Text.")},
        A, 5, "related article 'reparatur.md' does not exist"),
    case("product-unknown", {"kbgen.yml": PRODUCTS,
                             A: lines("---", "title: Lieferzeiten", "products: [lumio-hup]", "---", "", "Text.")},
         A, 3, "unknown product 'lumio-hup'", hint="lumio-hub"),
    case("product-unknown-block-list", {"kbgen.yml": PRODUCTS, A: lines(
        "---", "title: Lieferzeiten", "products:", "  - lumio-hub", "  - lumio-hup", "---", "", "Text.")},
        A, 5, "unknown product 'lumio-hup'", hint="lumio-hub"),
    case("alias-twice", {B: lines("---", "aliases: [/retoure/]", "---", "", "Text."),
                         A: lines("---", "title: Lieferzeiten", "aliases: [/retoure/]", "---", "", "Text.")},
         A, 3, "/retoure/ is taken twice"),
    case("alias-is-page-url", {B: lines("# Kosten", "", "Text."),
                               A: lines("---", "title: Lieferzeiten", "aliases: [/versand/kosten/]", "---", "",
                                        "Text.")}, A, 3, "/versand/kosten/ is taken twice"),
    case("alias-escapes", {A: lines("---", "title: Lieferzeiten", "aliases: [../../etc/passwd]", "---", "",
                                    "Text.")}, A, 3, "leaves the site"),
    # --- Markdown body: links, anchors, images ---
    case("link-broken", {A: article("Text.", "", "Siehe [Kosten](kosten-neu.md).")}, A, 7, "broken link"),
    case("link-folder-missing", {A: article("Siehe [Retoure](../retoure/).")}, A, 5, "folder that has no page"),
    case("anchor-other-page", {B: lines("# Kosten", "", "## Preise", "", "Text."),
                               A: article("Siehe [Preise](kosten.md#preis).")},
         A, 5, "anchor '#preis' does not exist in content/versand/kosten.md", hint="'preise'"),
    case("anchor-same-page", {A: article("## Zustellung", "", "Text.", "", "Nach [oben](#nope).")},
         A, 9, "anchor '#nope' does not exist in this article"),
    case("image-missing", {A: article("Text.", "", "![Paket](bilder/paket.png)")}, A, 7, "missing image"),
    # --- Markdown body: unsafe HTML ---
    case("script-element", {A: article("Text.", "", "<div>", "<p>Hallo</p>", "<script>alert(1)</script>", "</div>")},
         A, 9, "<script>"),
    case("onerror-attribute", {A: article("Text.", "", 'Bild: <img src="paket.png" onerror="alert(1)">')},
         A, 7, "event-handler attribute is refused (onerror"),
    case("javascript-markdown-link", {A: article("Text.", "", "[Klick](javascript:alert(1))")},
         A, 7, "'javascript:' link"),
    case("javascript-html-link", {A: article("Text.", "", '<a href="javascript:alert(1)">Klick</a>')},
         A, 7, "'javascript:' URL"),
    # browsers decode the entity: this is the same javascript: link
    case("javascript-html-link-entity", {A: article("Text.", "", '<a href="&#106;avascript:alert(1)">Klick</a>')},
         A, 7, "'javascript:' URL"),
    # --- files ---
    case("not-utf8", {A: b"---\ntitle: Preise\n---\n\nKosten: 5 \xe4 Euro\n"}, A, 5, "not UTF-8"),
    # --- guides ---
    case("guide-step-twice", {"content/einrichtung/_guide.yml": lines(
        "title: Einrichtung", "steps:", "  - auspacken.md", "  - anschliessen.md", "  - auspacken.md"),
        "content/einrichtung/auspacken.md": "# Auspacken\n", "content/einrichtung/anschliessen.md": "# Anschließen\n"},
        "content/einrichtung/_guide.yml", 5, "'auspacken.md' is listed twice"),
    case("guide-step-missing", {"content/einrichtung/_guide.yml": lines(
        "title: Einrichtung", "steps:", "  - auspacken.md", "  - anschliesen.md"),
        "content/einrichtung/auspacken.md": "# Auspacken\n", "content/einrichtung/anschliessen.md": "# Anschließen\n"},
        "content/einrichtung/_guide.yml", 4, "'anschliesen.md' does not exist", hint="anschliessen.md"),
    case("guide-step-missing-one-line", {"content/einrichtung/_guide.yml": lines(
        "title: Einrichtung", "steps: [auspacken.md, fehlt.md]"), "content/einrichtung/auspacken.md": "# Auspacken\n"},
        "content/einrichtung/_guide.yml", 2, "'fehlt.md' does not exist"),
    case("guide-product-unknown", {"kbgen.yml": PRODUCTS, "content/einrichtung/_guide.yml": lines(
        "title: Einrichtung", "product: lumio-hup"), "content/einrichtung/auspacken.md": "# Auspacken\n"},
        "content/einrichtung/_guide.yml", 2, "unknown product 'lumio-hup'", hint="lumio-hub"),
    case("category-yaml-syntax", {"content/versand/_category.yml": lines("title: Versand",
                                                                         "description: Versand: schnell"),
                                  A: "# Lieferzeiten\n"},
         "content/versand/_category.yml", 2, "invalid _category.yml"),
    # --- kbgen.yml and languages ---
    case("config-yaml-syntax", {"kbgen.yml": lines("title: Hilfe", "description: Hilfe: alles"), A: "# L\n"},
         "kbgen.yml", 2, "invalid kbgen.yml"),
    case("config-language-invalid", {"kbgen.yml": lines("title: Hilfe", "languages: [de, english]"), A: "# L\n"},
         "kbgen.yml", 2, "invalid language code 'english'"),
    case("config-product-id-twice", {"kbgen.yml": lines(
        "products:", "  - id: hub", "    name: Hub", "  - id: hub", "    name: Hub 2"), A: "# L\n"},
        "kbgen.yml", 4, "product id 'hub' is declared twice"),
    case("ui-string-not-text", {"i18n/en.yml": lines("home: Start", "menu: [Menü, Navigation]"), A: "# L\n"},
         "i18n/en.yml", 2, "UI string 'menu' must be text"),
    # a folder has no line: line None
    case("language-folder-unknown", {"kbgen.yml": "languages: [de, en]\n", "content/de/versand/a.md": "# A\n",
                                     "content/fr/versand/a.md": "# A\n"},
         "content/fr", None, "not one of the site's languages", hint="de, en"),
    # --- override layouts ---
    case("template-syntax", {A: "# Lieferzeiten\n", "layouts/article.html": lines(
        '{% extends "base.html" %}', "{% block main %}", "{% if %}broken{% endif %}", "{% endblock %}")},
        "layouts/article.html", 3, "template error"),
    case("template-runtime-undefined", {A: "# Lieferzeiten\n", "layouts/article.html": lines(
        '{% extends "base.html" %}', "{% block main %}", "<h1>{{ page.title }}</h1>", "<p>{{ page.autor }}</p>",
        "{% endblock %}")}, "layouts/article.html", 4, "autor"),
]

WARNINGS = [
    case("unknown-key", {A: lines("---", "titel: Lieferzeiten", "---", "", "Text.")},
         A, 2, "unknown key 'titel'", hint="'title'"),
    case("config-unknown-key", {"kbgen.yml": lines("title: Hilfe", "base_ulr: https://example.com/"), A: "# L\n"},
         "kbgen.yml", 2, "unknown key 'base_ulr'", hint="'base_url'"),
    case("image-no-alt", {A: article("Text.", "", "![](paket.png)"), "content/versand/paket.png": b"\x89PNG"},
         A, 7, "no alt text"),
    case("empty-file", {A: ""}, A, 1, "empty"),
    case("front-matter-without-opening", {A: lines("title: Lieferzeiten", "---", "", "Text.")},
         A, 1, "without the opening '---'"),
    case("link-to-draft", {B: lines("---", "draft: true", "---", "", "Text."),
                           A: article("Siehe [Kosten](kosten.md).")}, A, 5, "draft"),
    case("ui-string-unknown", {"i18n/en.yml": lines("home: Start", "serach: Find"), A: "# L\n"},
         "i18n/en.yml", 2, "unknown UI string 'serach'"),
]


@pytest.mark.parametrize("files, file, line, fragment, hint", ERRORS)
def test_error(make_site, files, file, line, fragment, hint):
    check(files, file, line, fragment, hint, "error", make_site)


@pytest.mark.parametrize("files, file, line, fragment, hint", WARNINGS)
def test_warning(make_site, files, file, line, fragment, hint):
    check(files, file, line, fragment, hint, "warning", make_site)


def _cli_params(table):
    """(files, file) of every row of TABLE."""
    return [pytest.param(*p.values[:2], id=p.id) for p in table]


@pytest.mark.parametrize("files, file", _cli_params(ERRORS))
def test_cli_error_exits_1(make_site, files, file):
    r = run_cli("build", make_site(files))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.code == 1, r.stderr
    assert f"{file}:" in r.stderr and ": error: " in r.stderr, r.stderr
    assert "build failed" in r.stderr


@pytest.mark.parametrize("files, file", _cli_params(WARNINGS))
def test_cli_warning_exits_1_only_under_strict(make_site, files, file):
    root = make_site(files)
    lenient, strict = run_cli("build", root), run_cli("build", "--strict", root)
    assert "Traceback" not in lenient.stderr + strict.stderr
    assert (lenient.code, strict.code) == (0, 1), lenient.stderr + strict.stderr
    assert f"{file}:" in strict.stderr and ": warning: " in strict.stderr, strict.stderr


def test_unknown_key_is_error_under_strict_for_check_and_github(make_site):
    root = make_site({A: lines("---", "titel: Lieferzeiten", "---", "", "Text.")})
    assert run_cli("check", root).code == 0
    r = run_cli("check", "--strict", "--format", "github", root)
    assert r.code == 1, r.stderr
    assert f"::error file={A},line=2,title=kbgen unknown-key::unknown key 'titel'" in r.stdout, r.stdout


def test_json_format_names_file_and_line(make_site):
    root = make_site({A: article("Text.", "", "Siehe [Kosten](kosten-neu.md).")})
    r = run_cli("check", "--format", "json", root)
    assert r.code == 1
    [d] = [d for d in r.json() if d["code"] == "link-broken"]
    assert (d["severity"], d["file"], d["line"], bool(d["hint"])) == ("error", A, 7, True)


def test_duplicate_key_message_counts_lines_in_the_file(make_site):
    """The 'first at line N' in the message must be the file's line (2), not the line inside the YAML block (1)."""
    root = make_site({A: lines("---", "title: Lieferzeiten", "tags: [versand]", "title: Versandzeiten", "---")})
    d = find(build_site(root, write=False), A, "duplicate key")
    assert "line 2" in d.message, d.text()


def test_duplicate_slug_names_both_files(make_site):
    root = make_site({B: lines("---", "slug: versand-info", "---", "", "Text."),
                      A: lines("---", "slug: versand-info", "---", "", "Text.")})
    d = find(build_site(root, write=False), A, "taken twice")
    assert B in d.message and A in d.message, d.text()


def test_duplicate_url_from_file_names_names_both_files(make_site):
    """Kosten.md and kosten.md both become /versand/kosten/."""
    upper = "content/versand/Kosten.md"
    root = make_site({upper: "# Kosten\n", B: "# Kosten\n"})
    [d] = [d for d in build_site(root, write=False).diagnostics.items() if "taken twice" in d.message]
    assert d.severity == "error" and d.hint and d.file in (upper, B), d.text()
    assert upper in d.message and B in d.message, d.text()


def test_javascript_inside_code_is_only_text(make_site):
    """A code block or code span that shows a javascript: link is documentation, not a link."""
    root = make_site({A: article("Schreibe nie `[x](javascript:alert(1))`.", "", "```", "[x](javascript:alert(1))",
                                 "```")})
    result = build_site(root)
    assert [d.text() for d in result.diagnostics.items()] == [] and result.written


def test_alias_equal_to_own_url_is_explained(make_site):
    """An alias that repeats the article's own URL must not read 'taken twice: by X and by X'."""
    root = make_site({A: lines("---", "title: Lieferzeiten", "aliases: [/versand/lieferzeiten/]", "---", "", "Text.")})
    [d] = build_site(root).diagnostics.items()
    assert d.file == A and d.line == 3 and d.hint, d.text()
    assert d.message.count(A) < 2, d.text()


def test_bom_and_crlf_are_accepted_silently(make_site):
    root = make_site({A: b"\xef\xbb\xbf---\r\ntitle: Lieferzeiten\r\ntags: [versand]\r\n---\r\n\r\nText.\r\n"})
    result = build_site(root)
    assert result.diagnostics.items() == [] and result.written
    assert result.site.articles["versand/lieferzeiten.md"].title == "Lieferzeiten"
    assert result.site.articles["versand/lieferzeiten.md"].meta["tags"] == ["versand"]


def test_only_front_matter_warns(make_site):
    root = make_site({A: lines("---", "title: Lieferzeiten", "---")})
    d = find(build_site(root), A, "no text")
    assert d.severity == "warning" and d.hint, d.text()
    assert d.line == 4, d.text()  # the line after the closing '---', where the text belongs


def test_unreadable_file(make_site):
    root = make_site({A: "# Lieferzeiten\n"})
    path = root / A
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not make the file unreadable")
        d = find(build_site(root), A, "cannot read")
        assert d.severity == "error" and d.hint, d.text()
        r = run_cli("build", root)
        assert r.code == 1 and "Traceback" not in r.stderr, r.stderr
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(make_site, monkeypatch):
    """The same as above without relying on file permissions (which root ignores)."""
    import pathlib
    root = make_site({A: "# Lieferzeiten\n", B: "# Kosten\n"})
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "lieferzeiten.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    result = build_site(root)
    d = find(result, A, "cannot read")
    assert d.severity == "error" and d.hint and "Permission denied" in d.message, d.text()
    assert not result.written


@pytest.mark.parametrize("target, fragment", [("outside.md", "outside the site"), ("missing.md", "broken")])
def test_symlink_outside_the_site_or_broken_is_refused(make_site, tmp_path, target, fragment):
    (tmp_path / "outside.md").write_text("# Geheim\n", encoding="utf-8")
    root = make_site({A: "# Lieferzeiten\n"})
    (root / "content/versand/geheim.md").symlink_to(tmp_path / target)
    result = build_site(root)
    d = find(result, "content/versand/geheim.md", fragment)
    assert d.severity == "error" and d.hint, d.text()
    assert "versand/geheim.md" not in result.site.articles
    r = run_cli("build", root)
    assert r.code == 1 and "Traceback" not in r.stderr, r.stderr


def test_failed_build_leaves_previous_output_untouched(make_site):
    root = make_site({A: "# Lieferzeiten\n\nText.\n", B: "# Kosten\n\nSiehe [Lieferzeiten](lieferzeiten.md).\n"})
    first = run_cli("build", root)
    assert first.code == 0, first.stderr
    before = snapshot(root / "public")
    assert "versand/kosten/index.html" in before
    (root / B).write_text("# Kosten\n\nSiehe [Lieferzeiten](lieferzeit.md).\n", encoding="utf-8")
    second = run_cli("build", root)
    assert second.code == 1 and "Traceback" not in second.stderr, second.stderr
    assert f"{B}:3:" in second.stderr
    assert snapshot(root / "public") == before
    assert [p.name for p in root.iterdir() if "kbgen-tmp" in p.name or "kbgen-old" in p.name] == []


@pytest.mark.parametrize("output", [".", "content"])
def test_refuses_to_write_into_the_site_or_content(make_site, output):
    # a wrong -o is a usage error: exit 2
    root = make_site({A: "# Lieferzeiten\n"})
    before = snapshot(root)
    r = run_cli("build", root, "-o", root / output)
    assert r.code == 2 and "Traceback" not in r.stderr, r.stderr
    assert "refusing to write" in r.stderr and "hint:" in r.stderr, r.stderr
    assert snapshot(root) == before


def test_cli_relative_output_dot_is_refused(make_site):
    """`kbgen build -o .` run inside the site folder."""
    root = make_site({A: "# Lieferzeiten\n"})
    before = snapshot(root)
    r = run_cli("build", ".", "-o", ".", cwd=root)
    assert r.code == 2 and "Traceback" not in r.stderr and "refusing" in r.stderr, r.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize("args", [["build", "does-not-exist"], ["check", "does-not-exist"],
                                  ["build", "--no-such-option"], ["frobnicate"], []])
def test_usage_errors_exit_2(tmp_path, args):
    r = run_cli(*args, cwd=tmp_path)
    assert r.code == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.strip(), r.stderr

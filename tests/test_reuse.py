"""Snippets and variables: expansion, code left alone, nesting, and diagnostics at the line they were written on."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from conftest import build_site, read, run_cli
from kbgen.diagnostics import Diagnostics
from kbgen.discover import Source
from kbgen.expand import escape_value, expand
from kbgen.parse import ParseContext
from kbgen.reuse import Snippet

A = "content/versand/kosten.md"
AU = "content/de/versand/kosten.md"  # the article the unit tests expand
CONFIG = "variables:\n  hotline: \"0341 555 0100\"\n  preis: \"4,95 €\"\n"


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def article(*body: str) -> str:
    """Front matter on lines 1-3, an empty line 4, BODY from line 5 on."""
    return lines("---", "title: Kosten", "---", "", *body)


def run(body: str, snippets: dict[str, str] | None = None, variables: dict[str, str] | None = None,
        lang: str = "de", source: str = "de/versand/kosten.md"):
    """Expand BODY (starting at line 5) as an article of LANG; snippets are shared ("" scope) unless 'de:name'."""
    snips = []
    for key, text in (snippets or {}).items():
        scope, _, name = key.rpartition(":")
        folder = f"content/{scope}/_snippets" if scope else "content/_snippets"
        snips.append(Snippet(scope, name, f"{folder}/{name}.md", text))
    table = tuple(sorted((lang, k, v) for k, v in (variables or {}).items()))
    src = Source(Path("/x"), source, lang, source.split("/", 1)[1])
    diags = Diagnostics()
    result = expand(body, 5, src, tuple(snips), table, diags)
    return result, diags.items()


def test_variables_are_replaced_as_plain_text():
    result, problems = run("Ruf {{< var hotline >}} an, {{<var preis>}}.", variables={
        "hotline": "0341 555 0100", "preis": "*4,95 €* <b>"})
    assert not problems
    assert result.text == "Ruf 0341 555 0100 an, " + escape_value("*4,95 €* <b>") + "."
    assert "<" not in escape_value("<b>") and "*" not in escape_value("*x*")


def test_code_and_escaped_directives_are_left_alone():
    body = lines("`{{< var x >}}` and ``a ` {{< var x >}}`` and \\{{< var x >}}", "",
                 "```", "{{< snippet x >}}", "```", "", "    {{< var x >}}", "",
                 "~~~md", "{{< var x >}}", "~~~", "", "Text `über", "{{< var x >}}` zwei Zeilen")
    result, problems = run(body)
    assert not problems
    assert result.text == body and result.origins is None


def test_snippets_nest_and_keep_the_include_lines_indentation():
    result, problems = run(lines("- Schritt:", "", "  {{< snippet adresse >}}", "", "> {{< snippet adresse >}}"),
                           {"adresse": "Lumio GmbH\n{{< snippet ort >}}\n", "ort": "04109 {{< var stadt >}}\n"},
                           {"stadt": "Leipzig"})
    assert not problems
    assert result.text == lines("- Schritt:", "", "  Lumio GmbH", "  04109 Leipzig", "", "> Lumio GmbH",
                                "> 04109 Leipzig")
    assert result.includes == ["content/_snippets/adresse.md", "content/_snippets/ort.md"]
    ort = result.origins[3]
    assert (ort.file, ort.line, ort.at, ort.shift) == ("content/_snippets/ort.md", 1, 7, 2)


def test_language_snippet_wins_over_shared_one():
    result, _ = run("{{< snippet gruss >}}", {"gruss": "shared", "de:gruss": "deutsch"})
    assert result.text == "deutsch"
    result, _ = run("{{< snippet gruss >}}", {"gruss": "shared", "de:gruss": "deutsch"}, lang="en",
                    source="en/versand/kosten.md")
    assert result.text == "shared"


@pytest.mark.parametrize("body, snippets, where, fragment, hint", [
    ("{{< snippet a >}}", {"a": "x\n{{< snippet b >}}", "b": "{{< snippet a >}}"},
     ("content/_snippets/b.md", 1, 1), "includes itself (a → b → a)", "remove one"),
    ("{{< snippet selbst >}}", {"selbst": "\n\n{{< snippet selbst >}}"},
     ("content/_snippets/selbst.md", 3, 1), "includes itself (selbst → selbst)", None),
    ("Text\n{{< snippet ruecksendadresse >}}", {"ruecksendeadresse": "x"},
     (AU, 6, 1), "snippet 'ruecksendadresse' does not exist", "did you mean 'ruecksendeadresse'?"),
    ("{{< snippet ../../etc/passwd >}}", {}, (AU, 5, 1), "is not allowed", "cannot leave"),
    ("{{< snippet /etc/passwd >}}", {}, (AU, 5, 1), "is not allowed", None),
    ("{{< snippet a\\b >}}", {}, (AU, 5, 1), "is not allowed", None),
    ("Siehe {{< snippet a >}} hier", {"a": "x"}, (AU, 5, 7), "on a line of its own", "{{< var"),
    ("{{< snippet >}}", {}, (AU, 5, 1), "needs exactly one name", None),
    ("Ruf {{< var hotlien >}} an", {}, (AU, 5, 5), "unknown variable 'hotlien'", "did you mean 'hotline'?"),
    ("{{< snippet a >}}", {"a": "Ruf\n{{< var nix >}}"}, ("content/_snippets/a.md", 2, 1), "unknown variable", None),
    ("{{< vra hotline >}}", {}, (AU, 5, 1), "unknown '{{< vra >}}'", "did you mean 'var'?"),
    ("{{< var >}}", {}, (AU, 5, 1), "needs exactly one name", None),
])
def test_expansion_errors_name_file_line_and_column(body, snippets, where, fragment, hint):
    _, problems = run(body, snippets, {"hotline": "0341"})
    hits = [d for d in problems if fragment in d.message]
    assert hits, problems
    d = hits[0]
    assert (d.severity, d.file, d.line, d.column) == ("error", *where), d.text()
    assert d.hint and (hint is None or hint in d.hint), d.text()


def test_deep_nesting_stops(make_site):
    snippets = {f"s{i}": f"{{{{< snippet s{i + 1} >}}}}" for i in range(12)}
    snippets["s12"] = "Ende"
    _, problems = run("{{< snippet s0 >}}", snippets)
    assert [d.code for d in problems] == ["snippet-depth"]


def site(make_site, files: dict[str, str], config: str = CONFIG) -> Path:
    return make_site({"kbgen.yml": config, **files})


def test_problems_in_expanded_text_point_at_their_own_file_and_line(make_site):
    root = site(make_site, {
        "content/_snippets/adresse.md": lines("Lumio GmbH", "", "Siehe [Porto](../versand/porto.md)."),
        A: article("Ruf {{< var hotline >}} an.", "", "{{< snippet adresse >}}", "",
                   "Mehr unter [Lieferzeiten](lieferzeit.md), ![](bild.png)", "Tel. {{< var hotline >}} [x](nix.md)"),
    })
    result = build_site(root)
    got = {(d.file, d.line, d.column, d.code) for d in result.diagnostics.items()}
    assert ("content/_snippets/adresse.md", 3, 15, "link-broken") in got  # resolved from the snippet's folder
    assert (A, 9, 27, "link-broken") in got  # the article's own line, after a 3-line snippet
    assert (A, 9, 47, "image-alt") in got
    assert (A, 10, None, "link-broken") in got  # after a variable's value the column is unknown
    broken = [d for d in result.diagnostics.items() if d.file == "content/_snippets/adresse.md"]
    assert "content/versand/porto.md" in broken[0].message


def test_build_shows_snippets_and_variables_and_indexes_them(make_site):
    root = site(make_site, {
        "content/_snippets/adresse.md": lines("**Retourenabteilung** Am Lichthof 7",
                                              "", "Fragen? [Kosten](../versand/kosten.md)"),
        A: article("## Adresse", "", "{{< snippet adresse >}}", "", "Hotline {{< var hotline >}}, `{{< var x >}}`"),
    })
    result = build_site(root, strict=True)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    html = read(root / "public", "/versand/kosten/")
    assert "<strong>Retourenabteilung</strong> Am Lichthof 7" in html
    assert 'href="./"' in html  # the snippet's link to the article itself
    assert "Hotline 0341 555 0100" in html and "<code>{{&lt; var x &gt;}}</code>" in html
    assert result.site.articles["versand/kosten.md"].includes == ["content/_snippets/adresse.md"]
    found = run_cli("search", root, "Retourenabteilung", "--json").json()
    assert [r["source"] for r in found] == ["versand/kosten.md"]
    assert not (root / "public" / "_snippets").exists()
    assert "_snippets" not in {f.path for f in result.site.folders.values()}


def test_multilingual_snippets_resolve_links_in_the_articles_language(make_site):
    root = make_site({
        "kbgen.yml": "languages: [de, en]\nvariables:\n  preis: {de: \"4,95 €\", en: \"€4.95\"}\n",
        "content/_snippets/kontakt.md": "[Kontakt](../kontakt/telefon.md): {{< var preis >}}\n",
        "content/de/kontakt/telefon.md": "# Telefon\n\n{{< snippet kontakt >}}\n",
        "content/en/kontakt/telefon.md": "# Phone\n\n{{< snippet kontakt >}}\n",
        "content/de/_snippets/nur-de.md": "Nur deutsch\n",
        "content/en/kontakt/x.md": "# X\n\n{{< snippet nur-de >}}\n",
    })
    result = build_site(root)
    items = result.diagnostics.items()
    assert [(d.file, d.code) for d in items if d.severity == "error"] == [
        ("content/en/kontakt/x.md", "snippet-missing")], [d.text() for d in items]
    root.joinpath("content/en/kontakt/x.md").unlink()
    result = build_site(root, strict=True)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    assert "€4.95" in read(root / "public", "/en/kontakt/telefon/")
    assert "4,95 €" in read(root / "public", "/kontakt/telefon/")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_out_of_the_snippet_folder_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("geheim\n")
    root = site(make_site, {"content/versand/kosten.md": article("{{< snippet geheim >}}"),
                            "content/_snippets/ok.md": "ok\n", "content/versand/inside.md": "# In\n"})
    (root / "content/_snippets/geheim.md").symlink_to(secret)
    (root / "content/_snippets/auch.md").symlink_to(root / "content/versand/inside.md")
    items = build_site(root).diagnostics.items()
    refused = [d for d in items if d.code == "symlink-outside"]
    assert {d.file for d in refused} == {"content/_snippets/geheim.md", "content/_snippets/auch.md"}
    assert any(d.code == "snippet-missing" for d in items)


def test_parse_context_fingerprint_is_stable_and_sees_snippets():
    def ctx(text: str) -> ParseContext:
        return ParseContext(frozenset({"de/versand"}), {"de": {"tip": "Tipp"}},
                            (Snippet("", "a", "content/_snippets/a.md", text),), (("de", "hotline", "0341"),))
    assert ctx("x").fingerprint() == ctx("x").fingerprint()
    assert ctx("x").fingerprint() != ctx("y").fingerprint()
    assert pickle.loads(pickle.dumps(ctx("x"))).fingerprint() == ctx("x").fingerprint()


@pytest.mark.parametrize("yaml, line, fragment", [
    ("variables:\n  hotline: \"0341\"\n  preise: [1, 2]\n", 3, "must be text or a number"),
    ("variables:\n  ok: 1\n  an: true\n", 3, "must be text or a number"),
    ("variables:\n  \"mit leer\": x\n", 2, "may only use letters"),
    ("variables:\n  adresse: |\n    a\n    b\n", 2, "several lines"),
    ("variables:\n  preis: {de: x, fr: y}\n", 2, "not in languages"),
    ("variables: [a, b]\n", 1, "'variables' must be a mapping"),
    ("edit_url: ftp://x\n", 1, "not an http(s) address"),
])
def test_bad_variables_in_config(make_site, yaml, line, fragment):
    root = make_site({"kbgen.yml": yaml, "content/a.md": "# A\n"})
    items = build_site(root).diagnostics.items()
    hits = [d for d in items if fragment in d.message]
    assert hits, [d.text() for d in items]
    assert (hits[0].severity, hits[0].file, hits[0].line) == ("error", "kbgen.yml", line)
    assert hits[0].hint


def test_numbers_and_dates_are_variables_too(make_site):
    root = make_site({"kbgen.yml": "variables:\n  frist: 14\n  ab: 2026-01-01\n",
                      "content/a.md": "# A\n\n{{< var frist >}} Tage ab {{< var ab >}}\n"})
    result = build_site(root, strict=True)
    assert result.written
    assert "14 Tage ab 2026-01-01" in read(root / "public", "/a/")


def test_cli_reports_a_snippet_cycle_without_a_traceback(make_site):
    root = site(make_site, {"content/_snippets/a.md": "{{< snippet b >}}\n", "content/_snippets/b.md": "x\n{{< snippet a >}}\n",
                            A: article("{{< snippet a >}}")})
    r = run_cli("build", root, "--format", "github")
    assert r.code == 1 and "Traceback" not in r.stderr
    assert "::error file=content/_snippets/b.md,line=2,col=1,title=kbgen snippet-cycle::" in r.stdout, r.stdout


def test_random_markdown_expands_exactly_outside_code():
    """Random Markdown: a variable is expanded exactly where the page's parser does not see code."""
    import random
    import re
    from kbgen.markup import make_parser
    md = make_parser()
    parts = ["`", "``", "{{< var x >}}", "a", " ", "\n", "\n\n", "\\", "    ", "```\n", "> ", "- ", "| ", "|---|\n",
             "# ", "1. ", "~~~\n", "<div>\n", "*"]
    for seed in range(400):
        rnd = random.Random(seed)
        body = "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 25)))
        result, _ = run(body, variables={"x": "ZZZ"})
        html = md.render(result.text)
        assert not any("ZZZ" in c for c in re.findall(r"<code[^>]*>(.*?)</code>", html, re.S)), (body, html)
        outside = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
        assert "{{&lt; var x &gt;}}" not in outside or "\\{{< var x >}}" in body, (body, html)


SNIP = "content/_snippets/adresse.md"
BAD_SITES = [
    pytest.param({A: article("Text", "{{< snippet adrese >}}"), SNIP: "x\n"}, A, 6, "does not exist",
                 "did you mean 'adresse'?", id="snippet-missing"),
    pytest.param({A: article("{{< snippet adresse >}}"), SNIP: "x\n\n{{< snippet adresse >}}\n"}, SNIP, 3,
                 "includes itself", None, id="snippet-cycle"),
    pytest.param({A: article("{{< snippet ../../../etc/passwd >}}")}, A, 5, "not allowed", None, id="snippet-traversal"),
    pytest.param({A: article("Ruf {{< var hotlin >}} an")}, A, 5, "unknown variable", "did you mean 'hotline'?",
                 id="variable-unknown"),
    pytest.param({A: article("{{< snippet adresse >}}"), SNIP: "Tel. {{< var fax >}}\n"}, SNIP, 1, "unknown variable",
                 None, id="variable-unknown-in-snippet"),
    pytest.param({A: article("{{< snippet adresse >}}"), SNIP: "x\n[kaputt](nix.md)\n"}, SNIP, 2, "broken link",
                 None, id="link-broken-in-snippet"),
    pytest.param({"kbgen.yml": "variables:\n  hotline: [1]\n", A: article("x")}, "kbgen.yml", 2,
                 "must be text or a number", None, id="variable-not-scalar"),
]


@pytest.mark.parametrize("files, file, line, fragment, hint", BAD_SITES)
def test_bad_input_is_one_clear_error_and_exit_1(make_site, files, file, line, fragment, hint):
    root = site(make_site, files)
    hits = [d for d in build_site(root).diagnostics.items() if d.file == file and fragment in d.message]
    assert hits and (hits[0].severity, hits[0].line) == ("error", line), hits
    assert hits[0].hint and (hint is None or hint in hits[0].hint)
    r = run_cli("build", root)
    assert r.code == 1 and "Traceback" not in r.stderr and f"{file}:{line}:" in r.stderr, r.stderr


def test_check_notes_snippets_no_article_includes(make_site):
    root = site(make_site, {"content/_snippets/adresse.md": "x\n", "content/_snippets/alt.md": "y\n",
                            A: article("{{< snippet adresse >}}")})
    r = run_cli("check", root, "--strict")
    assert r.code == 0, r.stderr
    assert "content/_snippets/alt.md: note: no published article includes this snippet" in r.stderr
    assert "adresse.md: note" not in r.stderr


def test_a_snippet_folder_inside_a_category_is_pointed_out(make_site):
    root = site(make_site, {"content/versand/_snippets/x.md": "x\n", A: article("Text")})
    d = [d for d in build_site(root).diagnostics.items() if d.code == "snippet-folder"]
    assert [(x.severity, x.file) for x in d] == [("warning", "content/versand/_snippets")]
    assert "content/_snippets/" in d[0].hint


def test_an_edited_snippet_or_variable_reaches_cached_articles(make_site):
    root = site(make_site, {"content/_snippets/adresse.md": "Am Lichthof 7\n", A: article("{{< snippet adresse >}}"),
                            "content/versand/andere.md": article("Ohne Snippet")})
    assert build_site(root).written
    assert "Am Lichthof 7" in read(root / "public", "/versand/kosten/")
    (root / "content/_snippets/adresse.md").write_text("Am Lichthof 9\n", encoding="utf-8")
    assert build_site(root).written
    assert "Am Lichthof 9" in read(root / "public", "/versand/kosten/")
    (root / "kbgen.yml").write_text(CONFIG.replace("0341 555 0100", "0800 123"), encoding="utf-8")
    (root / "content/_snippets/adresse.md").write_text("Tel. {{< var hotline >}}\n", encoding="utf-8")
    assert build_site(root).written
    assert "Tel. 0800 123" in read(root / "public", "/versand/kosten/")


def test_front_matter_is_not_expanded_and_says_so(make_site):
    root = site(make_site, {A: lines("---", "title: Kosten", "description: Ruf {{< var hotline >}} an", "---", "Text")})
    d = [d for d in build_site(root).diagnostics.items() if d.code == "frontmatter-directive"]
    assert [(x.severity, x.file, x.line) for x in d] == [("warning", A, 3)], d

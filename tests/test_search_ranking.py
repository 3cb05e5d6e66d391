"""Ranking on a small real help center, with the reason each result ranks where it does."""

from __future__ import annotations


import pytest

from conftest import build_site, run_cli, write_files
from kbgen.search.engine import SearchIndex

SITE = {
    "kbgen.yml": "languages: [de]\nsearch:\n  synonyms:\n    - [Retoure, Rücksendung]\n",
    "content/de/garantie/verlaengerung.md": "---\ntitle: Garantieverlängerung\n---\nSo verlängern Sie auf 5 Jahre.\n",
    "content/de/garantie/bedingungen.md": "---\ntitle: Garantiebedingungen\n---\n## Verlängerung der Garantie\n"
                                          "Die Verlängerung der Garantie gilt für registrierte Geräte.\n",
    "content/de/garantie/reparatur.md": "---\ntitle: Reparatur anfragen\n---\n## Ablauf\nSchicken Sie das Gerät ein.\n",
    "content/de/versand/ruecksendung.md": "---\ntitle: Rücksendung anmelden\npromoted: true\n---\n"
                                         "Drucken Sie das Rücksendeetikett aus.\n",
    "content/de/versand/kosten.md": "---\ntitle: Versandkosten\n---\nEine Rücksendung ist kostenlos. "
                                   "Der Versand kostet 4,95 €.\n",
    "content/de/versand/lieferzeiten.md": "---\ntitle: Lieferzeiten\n---\nPakete kommen in 1–2 Werktagen.\n"
                                         "## Express\nMit Express am nächsten Tag.\n",
    "content/de/geraete/sh200.md": "---\ntitle: Rauchmelder SH-200 einrichten\n---\nFirmware v2.1, Hotline 0800 123 456.\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    root = tmp_path_factory.mktemp("ranking")
    write_files(root, SITE)
    assert build_site(root).written
    return SearchIndex(root / "public" / "assets" / "search", "de")


def sources(index: SearchIndex, query: str) -> list[str]:
    return [r.source.split("/", 1)[1] for r in index.search(query)[0]]


def test_exact_title_match_comes_first(index: SearchIndex) -> None:
    # Both articles contain "Rücksendung"; only one is titled with exactly the query's words.
    assert sources(index, "Rücksendung anmelden")[0] == "versand/ruecksendung.md"


def test_umlaut_spellings_match_each_other(index: SearchIndex) -> None:
    # ue for ü, and a plain u, fold to the same term.
    for query in ("Ruecksendung anmelden", "Rucksendung anmelden"):
        assert sources(index, query)[0] == "versand/ruecksendung.md"


def test_compound_part_finds_the_compound(index: SearchIndex) -> None:
    # "Garantie" is a part of "Garantieverlängerung" and "Garantiebedingungen": both are found.
    found = sources(index, "Garantie")
    assert {"garantie/verlaengerung.md", "garantie/bedingungen.md"} <= set(found[:2])


def test_compound_query_finds_its_parts_written_apart(index: SearchIndex) -> None:
    # The compound's own article first (exact title), then the text saying "Verlängerung der Garantie".
    assert sources(index, "Garantieverlängerung")[:2] == ["garantie/verlaengerung.md", "garantie/bedingungen.md"]


def test_inflections_match(index: SearchIndex) -> None:
    # "Lieferzeit" is the singular of the title's "Lieferzeiten"; "Paketen" an inflection of "Pakete".
    assert sources(index, "Lieferzeit")[0] == "versand/lieferzeiten.md"
    assert sources(index, "Paketen")[0] == "versand/lieferzeiten.md"


def test_prefix_as_typed(index: SearchIndex) -> None:
    # The last word is completed while the customer types.
    assert sources(index, "Liefer")[0] == "versand/lieferzeiten.md"
    assert sources(index, "Versandk")[0] == "versand/kosten.md"


def test_typos_are_forgiven_but_rank_below_exact(index: SearchIndex) -> None:
    # One slip in a 8-letter word, and two in a long one.
    assert sources(index, "Garantei")[0] in {"garantie/verlaengerung.md", "garantie/bedingungen.md"}
    assert sources(index, "Reperatur")[0] == "garantie/reparatur.md"
    assert sources(index, "Lieferzieten")[0] == "versand/lieferzeiten.md"


def test_all_words_beat_some_and_one_extra_word_never_empties(index: SearchIndex) -> None:
    # "Rücksendung kostenlos": only kosten.md has both words; an unknown word still leaves results.
    assert sources(index, "Rücksendung kostenlos")[0] == "versand/kosten.md"
    assert sources(index, "Rücksendung anmelden bitte schnell")[0] == "versand/ruecksendung.md"


def test_codes_and_numbers_as_typed(index: SearchIndex) -> None:
    for query in ("SH-200", "sh200", "v2.1", "0800 123"):
        assert sources(index, query)[0] == "geraete/sh200.md", query


def test_synonyms_from_the_site(index: SearchIndex) -> None:
    # kbgen.yml says Retoure = Rücksendung.
    assert sources(index, "Retoure")[0] == "versand/ruecksendung.md"


def test_results_deep_link_to_the_answering_section(index: SearchIndex) -> None:
    result = index.search("Express")[0][0]
    assert result.url == "/versand/lieferzeiten/#express" and result.heading == "Express"


def test_results_are_stable_while_typing(index: SearchIndex) -> None:
    # Each further letter keeps the answer on top.
    for typed in ("Rücks", "Rückse", "Rücksen", "Rücksend", "Rücksendung"):
        assert sources(index, typed)[0] == "versand/ruecksendung.md", typed


def test_nothing_found_suggests_a_correction(index: SearchIndex) -> None:
    results, suggestion = index.search("Reperaturx Ablaufz ")
    assert suggestion is not None or results


def test_search_tests_file_reports_misses_at_their_line(make_site) -> None:
    files = dict(SITE)
    files["search-tests.yml"] = (
        "- query: Lieferzeit\n  expect: versand/lieferzeiten.md\n"
        "- query: Express\n  expect: garantie/reparatur.md\n  top: 1\n"
    )
    root = make_site(files)
    result = run_cli("check", root)
    assert result.code == 1
    assert "search-tests.yml:3: error: search for 'Express' should find de/garantie/reparatur.md" in result.stderr


def test_cli_json_and_batch(make_site) -> None:
    root = make_site(SITE)
    assert run_cli("build", root).code == 0
    one = run_cli("search", root, "Lieferzeit", "--json")
    rows = one.json()
    assert rows[0]["source"] == "de/versand/lieferzeiten.md" and set(rows[0]) == {"url", "title", "heading", "source", "score"}
    batch = root / "q.txt"
    batch.write_text("Lieferzeit\nRetoure\n", encoding="utf-8")
    lines = run_cli("search", root, "--batch", batch).stdout.splitlines()
    assert len(lines) == 2 and '"de/versand/ruecksendung.md"' in lines[1]

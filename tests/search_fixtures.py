"""The search contract: one small site, queries of every kind, and the Python engine's answers to them.

kbgen has two query engines that must agree to the integer: kbgen/search/engine.py (the
Python twin, used by `kbgen search` and the tests) and assets/search.js (the browser).
This module is the single source of the contract between them. `generate(path)` builds
the fixture site below with kbgen, asks the PYTHON engine every query in both languages
and writes, into PATH (default tests/fixtures/):

  search_contract.json   {"queries": [{"q", "kind"}, ...],
                          "expected": {lang: [[{url, title, heading, source, score}, ...] per query]},
                          "suggestions": {lang: [did-you-mean or null per query]},
                          "filtered": [{"q", "lang", "category", "product", "expected": [...]}, ...],
                          "analysis": {"fold": {...}, "tokens": {lang: {...}}, "normalize": {lang: {...}}},
                          "known_differences": {"queries": [...], "tokens": [...]}}   Python's answers where
                                                 search.js is known to disagree (run as `todo` in Node)
  search_index/          the built index files, so the Node test (tests/js/search_contract.test.mjs)
                         needs neither Python nor a build

tests/test_search_contract.py regenerates into a temp folder and fails when the committed
files differ, i.e. when the index format, the ranking or this site changed without

    python tests/search_fixtures.py

being run again (then review the diff of search_contract.json: it is the ranking change).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kbgen.build import BuildOptions, build  # noqa: E402
from kbgen.search import indexer  # noqa: E402
from kbgen.search.analysis import fold, normalize, tokens  # noqa: E402
from kbgen.search.engine import SearchIndex  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTRACT = "search_contract.json"
INDEX = "search_index"
LANGS = ("de", "en")
LIMIT = 10
# A real site's shards hold ~40 KB each, so this tiny site would fit in one; small shards make the
# fixture exercise what differs between the engines most easily: which shard a word, its stem, its
# prefix completions and its compound parts live in, and loading them one by one.
SHARD_BYTES = 700

CONFIG = """
title: {de: Testhilfe, en: Test Help}
base_url: https://hilfe.example/
languages: [de, en]
products:
  - id: smart-hub
    name: Smart Hub SH-200
  - id: thermo
    name: Thermostat T1
search:
  synonyms:
    - [Retoure, Rücksendung]
"""

# Path below content/ -> file text (dedented). Same path in de/ and en/ = the same article translated.
ARTICLES: dict[str, str] = {
    "de/ruecksendung/_category.yml": "title: Rücksendung und Erstattung\norder: 1\n",
    "de/ruecksendung/ruecksendung-anmelden.md": """
        ---
        title: Rücksendung anmelden
        description: So schicken Sie einen Artikel innerhalb von 30 Tagen an uns zurück.
        keywords: [zurückschicken, Rücksendeschein]
        promoted: true
        ---

        Sie können jeden Artikel innerhalb von 30 Tagen zurückschicken.

        ## So gehen Sie vor

        Melden Sie die Rücksendung im Kundenkonto an und drucken Sie das Retourenetikett aus.
        Kleben Sie das Etikett auf das Paket und geben Sie es in einer Filiale ab.

        ## Kosten der Rücksendung

        Innerhalb Deutschlands ist die Rücksendung kostenlos.
        """,
    "de/ruecksendung/erstattung.md": """
        ---
        title: Erstattung nach der Rücksendung
        description: Wann Sie Ihr Geld zurückbekommen.
        ---

        Nach Eingang der Rücksendungen prüfen wir die Artikel innerhalb von fünf Werktagen.

        ## Dauer der Erstattung

        Die Erstattung auf die Kreditkarte dauert drei bis fünf Werktage, per Überweisung bis zu zehn.

        ## Teilerstattung

        Bei beschädigten Artikeln erstatten wir einen Teilbetrag.
        """,
    # Its title is exactly what "Rücksendung Kosten" asks; the longer article above scores higher.
    "de/ruecksendung/ruecksendekosten.md": """
        ---
        title: Kosten der Rücksendung
        description: Aus dem Ausland tragen Sie das Porto selbst.
        ---

        Aus dem Ausland tragen Sie das Porto selbst.
        """,
    "de/garantie/garantieverlaengerung.md": """
        ---
        title: Garantieverlängerung buchen
        description: Verlängern Sie die Herstellergarantie auf fünf Jahre.
        products: [smart-hub, thermo]
        ---

        Die Garantieverlängerung gilt für alle Geräte, die Sie bei uns gekauft haben.

        ## Preise

        Die Verlängerung kostet 29 Euro pro Gerät und Jahr.

        ## Garantiefall melden

        Im Garantiefall schicken Sie das Gerät mit dem Garantieschein ein.

        ## Antrag stellen

        Den Garantieverlängerungsantrag finden Sie im Kundenkonto. Stellen Sie den Antrag online.
        Für ältere Geräte gibt es den Gerätegarantieantrag.
        """,
    "de/garantie/garantiebedingungen.md": """
        ---
        title: Garantiebedingungen im Überblick
        description: Was die Garantie abdeckt und was nicht.
        ---

        Die Garantie beträgt zwei Jahre ab Kaufdatum.

        ## Verlängerung der Garantie

        Eine Verlängerung der Garantie um drei Jahre ist bis 30 Tage nach dem Kauf möglich.

        ## Ausschlüsse

        Schäden durch Wasser, Sturz oder eigene Reparaturen sind nicht abgedeckt. Den Antrag auf Garantie
        für ein Gerät oder Geräte stellen Sie bequem online.
        """,
    "de/geraete/sh-200-einrichten.md": """
        ---
        title: Smart Hub SH-200 einrichten
        description: Den SH-200 mit dem WLAN verbinden und Geräte koppeln.
        keywords: [Zentrale, Gateway]
        products: [smart-hub]
        ---

        Der SH-200 verbindet Ihre Geräte per Funk mit dem Internet.

        ## Mit dem WLAN verbinden

        Halten Sie die Taste drei Sekunden gedrückt, bis die Leuchte blau blinkt. Wählen Sie dann Ihr WLAN.

        ## Geräte koppeln

        Öffnen Sie die App, tippen Sie auf „Gerät hinzufügen“ und folgen Sie den Schritten.
        """,
    "de/geraete/firmware-update.md": """
        ---
        title: Firmware auf v2.1 aktualisieren
        description: Neue Funktionen und Fehlerbehebungen für den Smart Hub SH-200.
        products: [smart-hub]
        ---

        Die Firmware v2.1 behebt Verbindungsabbrüche und beschleunigt die Kopplung.

        ## Update starten

        Das Update startet automatisch in der Nacht. Sie können es auch in der App unter Einstellungen starten.

        ## Fehler beim Update

        Bricht das Update ab, starten Sie den SH-200 neu und versuchen Sie es erneut.
        """,
    "de/geraete/thermostat-koppeln.md": """
        ---
        title: Thermostat mit dem Hub koppeln
        description: Das Thermostat T1 an den Smart Hub SH-200 anlernen.
        products: [thermo]
        ---

        Legen Sie die Batterien ein und drücken Sie die Kopplungstaste am Thermostat.

        ## Heizkörperthermostat montieren

        Schrauben Sie das Heizkörperthermostat mit dem passenden Ventiladapter auf das Ventil.
        """,
    "de/kontakt/hotline.md": """
        ---
        title: Kundenservice anrufen
        description: Unsere Hotline erreichen Sie kostenlos unter 0800 123 456.
        keywords: [Telefonnummer, Hotline]
        ---

        Rufen Sie uns an: 0800 123 456, Montag bis Freitag von 8 bis 18 Uhr.

        ## Rückruf vereinbaren

        Wenn alle Leitungen belegt sind, hinterlassen Sie Ihre Telefonnummer für einen Rückruf.
        """,
    "de/kontakt/haeufige-fragen.md": """
        ---
        title: Häufige Fragen
        description: Kurze Antworten auf die häufigsten Fragen.
        type: faq
        ---

        ## Wie lange dauert die Lieferung?

        Die Lieferung dauert in der Regel zwei bis drei Werktage.

        ## Kann ich meine Lieferadresse ändern?

        Ja, solange die Bestellung noch nicht versendet wurde. Geben Sie die neue Straße und Hausnummer im Kundenkonto ein.

        ## Wie lange habe ich Zeit für eine Rücksendung?

        Sie haben 30 Tage Zeit.
        """,
    "de/versand/lieferzeiten.md": """
        ---
        title: Lieferzeiten und Versandkosten
        description: Wie lange die Lieferung dauert und was der Versand kostet.
        search: {boost: 1.5}
        ---

        Wir liefern innerhalb von zwei bis drei Werktagen. Ab 50 Euro ist der Versand kostenlos.

        ## Lieferung ins Ausland

        Nach Österreich und in die Schweiz liefern wir in fünf Werktagen.

        ## Lieferadresse und Packstation

        Wir liefern an jede Straße und an Packstationen.
        """,
    # The same text twice (a moved article left behind): equal scores, so the promoted copy goes first.
    "de/kontakt/packstation.md": """
        ---
        title: An eine Packstation liefern lassen
        description: Packstation als Lieferadresse angeben.
        ---

        Geben Sie als Lieferadresse die Nummer der Packstation und Ihre Postnummer an.
        """,
    "de/versand/packstation.md": """
        ---
        title: An eine Packstation liefern lassen
        description: Packstation als Lieferadresse angeben.
        promoted: true
        ---

        Geben Sie als Lieferadresse die Nummer der Packstation und Ihre Postnummer an.
        """,
    "en/ruecksendung/ruecksendung-anmelden.md": """
        ---
        title: Return an item
        description: How to send an item back to us within 30 days.
        keywords: [send back, refund]
        promoted: true
        ---

        You can return any item within 30 days.

        ## How to return

        Register the return in your account and print the return label.

        ## Return costs

        Returns from Germany are free of charge.
        """,
    "en/geraete/sh-200-einrichten.md": """
        ---
        title: Set up the Smart Hub SH-200
        description: Connect the SH-200 to your Wi-Fi and pair devices.
        products: [smart-hub]
        ---

        The SH-200 connects your devices to the internet.

        ## Connect to Wi-Fi

        Hold the button for three seconds until the light flashes blue, then choose your network.

        ## Pairing queue

        Devices waiting to be paired are shown in the pairing queue of the app.
        """,
    "en/geraete/firmware-update.md": """
        ---
        title: Update the firmware to v2.1
        description: New features and fixes for the Smart Hub SH-200.
        products: [smart-hub]
        ---

        Firmware v2.1 fixes dropped connections and speeds up pairing.

        ## Updating manually

        Updates install automatically at night. You can also start one in the app under Settings.
        """,
    "en/kontakt/hotline.md": """
        ---
        title: Call customer service
        description: Our hotline is free of charge at 0800 123 456.
        keywords: [phone number, hotline]
        ---

        Call us at 0800 123 456, Monday to Friday, 8am to 6pm.

        ## Arrange a callback

        If all lines are busy, leave your phone number and we will call you back.
        """,
    "en/kontakt/haeufige-fragen.md": """
        ---
        title: Frequently asked questions
        description: Short answers to the most common questions.
        type: faq
        ---

        ## How long does delivery take?

        Delivery usually takes two to three working days.

        ## Can I change my delivery address?

        Yes, as long as the order has not been shipped. Enter the new street in your account.
        """,
}

# (query, kind). Every query is asked in both languages: the other language's index is a test too
# (no hits, typo corrections against another vocabulary, stop words of another language).
QUERIES: list[tuple[str, str]] = [
    ("Rücksendung anmelden", "exact"),
    ("Rücksendung", "exact"),
    ("Rücksendungen", "inflected"),
    ("Erstattungen", "inflected"),
    ("Garantien verlängert", "inflected"),
    ("Ruecksendung", "umlaut"),
    ("Rucksendung", "umlaut"),
    ("RÜCKSENDUNG", "umlaut"),
    ("Garantieverlaengerung", "umlaut"),
    ("Strasse", "umlaut"),
    ("Straße ändern", "umlaut"),
    ("Garantieverlängerung", "compound"),
    ("Verlängerung der Garantie", "compound"),
    ("Garantie Verlängerung", "compound"),
    ("Garantiebedingung", "compound"),
    ("Heizkörper", "compound"),
    ("Garantiefallmeldung", "compound"),
    ("Garantieverlängerungsantrag", "compound"),
    ("Gerätegarantieantrag", "compound"),
    ("Rücksendungsetikett", "compound"),
    ("Rücks", "prefix"),
    ("Ga", "prefix"),
    ("Ver", "prefix"),
    ("Kundenservice an", "prefix"),
    ("Garantiev", "prefix"),
    ("Kundens", "prefix"),
    ("Lieferadresse ä", "prefix"),
    ("sh-2", "prefix"),
    ("Garantie ", "prefix"),
    ("Heizkörper ", "prefix"),
    ("Rücks ", "prefix"),
    ("Rücksednung", "typo"),
    ("Garantiebedingnugen", "typo"),
    ("Firmwrae", "typo"),
    ("Kundenservcie", "typo"),
    ("Lieferzieten", "typo"),
    ("Thermtat", "typo"),
    ("Verbindem", "typo"),
    ("Thermosttat", "typo"),
    ("SH-200", "code"),
    ("sh200", "code"),
    ("SH 200", "code"),
    ("v2.1", "code"),
    ("0800 123 456", "code"),
    ("0800123456", "code"),
    ("Firmware SH-200", "and"),
    ("Rücksendung Garantie", "and"),
    ("Rücksendung Xylophon", "and"),
    ("Kosten der Rücksendung", "title"),
    ("Rücksendung Kosten", "title"),
    ("Rücksendekosten", "compound"),
    ("Packstation", "promoted"),
    ("Retoure", "synonym"),
    ("Retoure anmelden", "synonym"),
    ("zurückschicken", "keyword"),
    ("Hotline", "keyword"),
    ("Wie lange dauert die Lieferung?", "question"),
    ("Wann bekomme ich mein Geld zurück", "question"),
    ("der die das", "stopwords"),
    ("und ", "stopwords"),
    ("the", "stopwords"),
    ("return an item", "exact"),
    ("returns", "inflected"),
    ("returning items", "inflected"),
    ("retunr", "typo"),
    ("custom", "prefix"),
    ("pairing queue", "exact"),
    ("how long does delivery take", "question"),
    ("xyzzy", "none"),
    ("", "none"),
]

# (query, lang, category, product): the facet filters of the results page.
FILTERED: list[tuple[str, str, str | None, str | None]] = [
    ("Garantie", "de", "de/garantie", None),
    ("SH-200", "de", None, "smart-hub"),
    ("koppeln", "de", "de/geraete", "thermo"),
    ("Rücksendung", "de", "de/kontakt", None),
    ("Garantie", "de", "de/unbekannt", None),
    ("SH-200", "en", None, "thermo"),
    ("firmware", "en", "en/geraete", "smart-hub"),
]

# Inputs on which the engines are known to DISAGREE today (found while writing this contract; kbgen/ and
# assets/ were left as they are). The Node test runs them as `todo`: reported, not failed. When a fix
# lands, move the case up into QUERIES / ANALYSIS_TEXTS.
KNOWN_QUERY_DIFFERENCES: list[tuple[str, str, str]] = [
    ("Garantie³", "de", "typo eligibility: engine.py c.isdigit() is true for '³', search.js /\\d/ is ASCII-only"),
    ("Lieferung٣", "de", "typo eligibility: engine.py c.isdigit() is true for Arabic-Indic '٣', search.js /\\d/ not"),
    ("Rücks\ufeff", "de", "last word a prefix?: engine.py str.isspace() is false for U+FEFF, search.js /\\s$/ true"),
    ("Rücks\x85", "de", "last word a prefix?: engine.py str.isspace() is true for U+0085, search.js /\\s$/ false"),
    ("Garanti\U0001d41e", "de", "lengths and edit distance: Python counts code points, search.js UTF-16 code units"),
    ("Hotlin\U0001d41e", "de", "lengths and edit distance: Python counts code points, search.js UTF-16 code units"),
]
KNOWN_TOKEN_DIFFERENCES: list[tuple[str, str, str]] = [
    ("x-٣", "de", "code joining: analysis.py _HAS_DIGIT r'\\d' matches any Unicode digit, search.js /\\d/ ASCII"),
]
_ESCAPE = {"\ufeff": "\\ufeff", "\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # invisible in editors

ANALYSIS_TEXTS = ["Rücksendung", "Ruecksendung", "SH-200", "v2.1", "Straße", "Queue", "Garantieverlängerung",
                  "0800 123 456", "E-Mail-Adresse", "Crème brûlée", "ÄÖÜ äöü ß ẞ", "Feuer und Quelle",
                  "aktuell", "Wi-Fi 6", "foo_bar baz", "Mauer-Bauer", "ÖSTERREICH", "über 50 €", ""]
NORMALIZE_WORDS = ["ruecksendung", "rucksendung", "queue", "feuer", "quelle", "mauer", "aebte", "oel", "strasse"]


def write_site(root: Path) -> None:
    """The fixture site as files: kbgen.yml and content/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kbgen.yml").write_text(textwrap.dedent(CONFIG).lstrip("\n"), encoding="utf-8")
    for rel, text in ARTICLES.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _rows(results: list[Any]) -> list[dict[str, Any]]:
    return [{"url": r.url, "title": r.title, "heading": r.heading, "source": r.source, "score": r.score}
            for r in results]


def contract(index_dir: Path) -> dict[str, Any]:
    """The Python engine's answers, one fresh SearchIndex per language as a page would have."""
    expected: dict[str, list[list[dict[str, Any]]]] = {}
    suggestions: dict[str, list[str | None]] = {}
    for lang in LANGS:
        index = SearchIndex(index_dir, lang)
        answers = [index.search(q, LIMIT) for q, _ in QUERIES]
        expected[lang] = [_rows(results) for results, _ in answers]
        suggestions[lang] = [suggestion for _, suggestion in answers]
    filtered = []
    for q, lang, category, product in FILTERED:
        results, _ = SearchIndex(index_dir, lang).search(q, LIMIT, category, product)
        filtered.append({"q": q, "lang": lang, "category": category, "product": product,
                         "expected": _rows(results)})
    analysis = {
        "fold": {t: fold(t) for t in ANALYSIS_TEXTS},
        "tokens": {lang: {t: tokens(t, lang) for t in ANALYSIS_TEXTS} for lang in LANGS},
        "normalize": {lang: {w: normalize(w, lang) for w in NORMALIZE_WORDS} for lang in LANGS},
    }
    known_queries = []
    for q, lang, why in KNOWN_QUERY_DIFFERENCES:
        results, suggestion = SearchIndex(index_dir, lang).search(q, LIMIT)
        known_queries.append({"q": q, "lang": lang, "why": why, "expected": _rows(results), "suggestion": suggestion})
    known_tokens = [{"text": t, "lang": lang, "why": why, "expected": tokens(t, lang)}
                    for t, lang, why in KNOWN_TOKEN_DIFFERENCES]
    return {"limit": LIMIT, "langs": list(LANGS), "queries": [{"q": q, "kind": k} for q, k in QUERIES],
            "expected": expected, "suggestions": suggestions, "filtered": filtered, "analysis": analysis,
            "known_differences": {"queries": known_queries, "tokens": known_tokens}}


def generate(path: Path = FIXTURES) -> None:
    """Build the fixture site and write PATH/search_contract.json and PATH/search_index/ (replacing old files)."""
    with tempfile.TemporaryDirectory(prefix="kbgen-search-fixture-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        write_site(site)
        default_shard_bytes = (indexer.DICT_TARGET_BYTES, indexer.POSTINGS_TARGET_BYTES)
        indexer.DICT_TARGET_BYTES = indexer.POSTINGS_TARGET_BYTES = SHARD_BYTES
        try:
            result = build(BuildOptions(site_root=site, out=out))
        finally:
            indexer.DICT_TARGET_BYTES, indexer.POSTINGS_TARGET_BYTES = default_shard_bytes
        errors = [d for d in result.diagnostics.items() if d.severity == "error"]
        if not result.written or errors:
            raise RuntimeError(f"the search fixture site did not build cleanly: {errors}")
        built = out / "assets" / "search"
        data = contract(built)
        target = path / INDEX
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)  # also creates PATH
        for file in sorted(built.iterdir()):
            shutil.copyfile(file, target / file.name)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    for char, escaped in _ESCAPE.items():  # these can only occur inside JSON strings, where the escape is valid
        text = text.replace(char, escaped)
    (path / CONTRACT).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
    print(f"wrote {FIXTURES if len(sys.argv) < 2 else sys.argv[1]}/{CONTRACT} and {INDEX}/")

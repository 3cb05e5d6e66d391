"""Deterministic synthetic German help centers for kbgen's benchmarks.

Benchmarks need corpora of any size that look like real help-center content
(German compounds, umlauts, lists, tables, cross-links) so that parsing,
link checking and the German search analysis do realistic work, and that are
byte-identical for the same arguments so figures are comparable across runs
and machines. Everything comes from the vocabulary below and one
``random.Random(seed)``; nothing depends on hashing, the clock or the file
system's order.

    python benchmarks/synthetic.py DEST --articles 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple, TypeVar

T = TypeVar("T")

# --- vocabulary -------------------------------------------------------------

_MASCULINE = """
Artikel Auftrag Gutschein Warenkorb Rabatt Versand Lieferschein Kaufbeleg
Rücksendeschein Zahlungseingang Lieferstatus Kundenservice Zugangscode
Bestätigungslink Benutzername Newsletter Treuebonus Geschenkgutschein Ratenkauf
Kaufvertrag Widerruf Umtausch Lieferzeitraum Abholschein Sicherheitscode
Aktionscode Versandkostenanteil Mindestbestellwert Garantieanspruch
Reparaturauftrag Kostenvoranschlag Zahlungsplan Lastschrifteinzug
Rechnungsbetrag Ansprechpartner Paketshop Zustelltermin Aufpreis
Bestellvorgang Bezahlvorgang Anmeldeversuch Akku Drucker Browser Datenexport
Filialbestand Lagerbestand Liefertermin Stornierungsantrag Verwendungszweck
Zahlungsdienstleister Servicevertrag Tarif Steuersatz Barcode Kundenbeleg
Rückruf Zahlungsstatus Versandweg Lieferhinweis Bonuspunkt Kaufpreis
"""
_FEMININE = """
Rücksendung Garantieverlängerung Lieferadresse Zahlungsart Bestellung Rechnung
Gutschrift Erstattung Kreditkarte Überweisung Lieferung Sendungsverfolgung
Bestellnummer Kundennummer Rechnungsadresse E-Mail-Adresse Telefonnummer
Zwei-Faktor-Authentifizierung Anmeldung Registrierung Datenschutzerklärung
Einwilligung Abonnementverlängerung Kündigung Kündigungsfrist Mitgliedschaft
Lieferzeit Expresslieferung Teillieferung Nachnahme Ratenzahlung Finanzierung
Bonitätsprüfung Reklamation Reparatur Ersatzlieferung Gewährleistung
Herstellergarantie Bedienungsanleitung Montageanleitung Installation
Verfügbarkeit Vorbestellung Filialabholung Paketstation Zustellung
Versandbestätigung Auftragsbestätigung Zahlungserinnerung Mahnung Umsatzsteuer
Umsatzsteuer-Identifikationsnummer Sammelrechnung Firmenadresse Benachrichtigung
Push-Mitteilung App Webseite Suchfunktion Wunschliste Produktbewertung
Größentabelle Sammelbestellung Preisgarantie Entsorgung Altgeräterücknahme
Verpackung Versandverpackung Hotline Chatfunktion Servicepauschale Gerätenummer
Seriennummer Kaufquittung Passwortänderung Sitzung Freischaltung Bankverbindung
IBAN Lieferbedingung Vertragslaufzeit Preisänderung Bonuskarte Kundenkarte
Geschenkverpackung Datenlöschung Datenauskunft Ersatzteilbestellung
Terminvereinbarung Abholung Stornierung Zahlungsfrist Lieferverzögerung
"""
_NEUTER = """
Kundenkonto Passwort Paket Retourenetikett Versandlabel Zahlungsmittel
Lastschriftmandat Guthaben Bestelldatum Lieferdatum Rückgaberecht
Widerrufsrecht Widerrufsformular Abonnement Ersatzteil Zubehör Gerät Produkt
Sortiment Angebot Kontaktformular Serviceportal Benutzerprofil Profilbild
Kaufdatum Ablaufdatum Rechnungsdatum Kundenprofil Firmenkonto Händlerkonto
Bestellformular Retourenportal Zahlungsziel Liefergebiet Postfach Zertifikat
Datenblatt Handbuch Firmware-Update Software-Update Treueprogramm
Prämienprogramm Aktionsangebot Ladegerät Netzteil Typenschild Sperrgut
Reparaturformular Servicecenter Gütesiegel Nutzerkonto Kundenportal
"""

_ARTICLES = {  # gender -> (nominative, accusative, dative)
    "m": ("der", "den", "dem"),
    "f": ("die", "die", "der"),
    "n": ("das", "das", "dem"),
}
NOUNS: dict[str, str] = {
    **{w: "m" for w in _MASCULINE.split()},
    **{w: "f" for w in _FEMININE.split()},
    **{w: "n" for w in _NEUTER.split()},
}
_NOUN_LIST = sorted(NOUNS)

# (separable prefix, stem, past participle): the prefix goes to the end in
# imperatives ("Wählen Sie die Zahlungsart aus.").
VERBS: list[tuple[str, str, str]] = [
    ("", "ändern", "geändert"), ("", "prüfen", "geprüft"),
    ("aus", "wählen", "ausgewählt"), ("", "bestätigen", "bestätigt"),
    ("", "hinterlegen", "hinterlegt"), ("", "stornieren", "storniert"),
    ("", "aktivieren", "aktiviert"), ("", "deaktivieren", "deaktiviert"),
    ("", "beantragen", "beantragt"), ("herunter", "laden", "heruntergeladen"),
    ("hoch", "laden", "hochgeladen"), ("ein", "reichen", "eingereicht"),
    ("", "aktualisieren", "aktualisiert"), ("", "löschen", "gelöscht"),
    ("", "verknüpfen", "verknüpft"), ("zurück", "setzen", "zurückgesetzt"),
    ("an", "fordern", "angefordert"), ("", "bearbeiten", "bearbeitet"),
    ("", "speichern", "gespeichert"), ("", "versenden", "versendet"),
    ("", "erstatten", "erstattet"), ("ein", "lösen", "eingelöst"),
    ("", "verlängern", "verlängert"), ("", "kündigen", "gekündigt"),
    ("frei", "schalten", "freigeschaltet"), ("", "reklamieren", "reklamiert"),
    ("", "verwalten", "verwaltet"), ("", "übertragen", "übertragen"),
    ("", "beantworten", "beantwortet"), ("", "registrieren", "registriert"),
]
PREDICATES = [
    "verfügbar", "gültig", "aktiv", "abgeschlossen", "vollständig",
    "erforderlich", "kostenlos", "sichtbar", "möglich", "hinterlegt",
]
PLACES = [
    "im Kundenkonto", "in der App", "unter „Meine Bestellungen“",
    "in den Kontoeinstellungen", "auf der Bestellübersicht", "im Serviceportal",
    "im Retourenportal", "unter „Mein Profil“", "im Bereich „Zahlungen“",
    "auf unserer Webseite", "im Kundenportal", "in der Filiale",
]
QUALIFIERS = [
    "für Geschäftskunden", "in der App", "im Ausland", "bei Vorbestellungen",
    "nach dem Kauf", "vor dem Versand", "telefonisch", "ohne Kundenkonto",
    "nachträglich", "bei Teillieferungen", "online",
]
CONNECTORS = ["Anschließend", "Danach", "Zusätzlich", "Außerdem", "In der Regel", "Meistens"]
NOTES = ["Hinweis:", "Wichtig:", "Tipp:", "Bitte beachten Sie:", "Gut zu wissen:"]
CHANNELS = ["per E-Mail", "per SMS", "in der App", "per Post", "im Kundenkonto"]
FIXED_STEPS = [
    "Melden Sie sich in Ihrem Kundenkonto an.",
    "Öffnen Sie den Bereich „Meine Bestellungen“.",
    "Klicken Sie auf „Speichern“.",
    "Bestätigen Sie Ihre Eingabe mit „Weiter“.",
    "Tippen Sie in der App auf das Menüsymbol.",
    "Prüfen Sie Ihr E-Mail-Postfach, auch den Spam-Ordner.",
]
FIXED_HEADINGS = [
    "Voraussetzungen", "So gehen Sie vor", "Häufige Fragen", "Kosten und Fristen",
    "Was Sie beachten sollten", "Schritt für Schritt", "Hinweise für Geschäftskunden",
    "Fehlerbehebung", "Sonderfälle", "Überblick", "Kontakt zum Kundenservice",
]

# (title, description, section titles, topic nouns: the words its articles favour)
CATEGORIES: list[tuple[str, str, list[str], list[str]]] = [
    (
        "Bestellung",
        "Alles rund um Ihre Bestellung, von der Auswahl bis zur Bestätigung.",
        ["Bestellung aufgeben", "Bestellung ändern", "Bestellstatus", "Stornierung", "Vorbestellungen"],
        "Bestellung Warenkorb Bestellnummer Auftragsbestätigung Stornierung Vorbestellung Mindestbestellwert".split(),
    ),
    (
        "Versand und Lieferung",
        "Lieferzeiten, Versandkosten und Sendungsverfolgung.",
        ["Lieferzeiten", "Versandkosten", "Sendungsverfolgung", "Lieferadresse", "Lieferung ins Ausland"],
        (
            "Lieferung Versand Lieferadresse Sendungsverfolgung "
            "Lieferzeit Paketstation Zustelltermin Expresslieferung"
        ).split(),
    ),
    (
        "Zahlung",
        "Zahlungsarten, Zahlungsfristen und Probleme beim Bezahlen.",
        ["Zahlungsarten", "Kreditkarte", "Lastschrift", "Überweisung", "Zahlungsprobleme"],
        "Zahlungsart Kreditkarte Überweisung Lastschriftmandat Zahlungseingang Zahlungsfrist Bezahlvorgang".split(),
    ),
    (
        "Rücksendung und Erstattung",
        "So senden Sie Artikel zurück und erhalten Ihr Geld.",
        ["Rücksendung anmelden", "Retourenetikett", "Erstattung", "Umtausch", "Widerruf"],
        "Rücksendung Retourenetikett Erstattung Umtausch Widerrufsrecht Rückgaberecht Gutschrift".split(),
    ),
    (
        "Kundenkonto",
        "Anmeldung, Passwort und persönliche Daten verwalten.",
        ["Registrierung", "Anmeldung", "Passwort", "Persönliche Daten", "Konto löschen"],
        "Kundenkonto Passwort Anmeldung Registrierung Benutzerprofil E-Mail-Adresse Benutzername".split(),
    ),
    (
        "Garantie und Reparatur",
        "Gewährleistung, Herstellergarantie und Reparaturaufträge.",
        ["Gewährleistung", "Herstellergarantie", "Garantieverlängerung", "Reparaturauftrag", "Kostenvoranschlag"],
        (
            "Gewährleistung Herstellergarantie Garantieverlängerung "
            "Reparatur Reparaturauftrag Kostenvoranschlag Garantieanspruch"
        ).split(),
    ),
    (
        "Gutscheine und Aktionen",
        "Gutscheine einlösen, Aktionscodes und Rabatte.",
        ["Gutschein einlösen", "Geschenkgutscheine", "Aktionscodes", "Rabatte", "Treueprogramm"],
        "Gutschein Geschenkgutschein Aktionscode Rabatt Treueprogramm Bonuspunkt Aktionsangebot".split(),
    ),
    (
        "Datenschutz und Sicherheit",
        "Ihre Daten, Einwilligungen und die Sicherheit Ihres Kontos.",
        ["Datenschutz", "Einwilligungen", "Zwei-Faktor-Authentifizierung", "Datenauskunft", "Betrugsversuche"],
        (
            "Datenschutzerklärung Einwilligung Zwei-Faktor-Authentifizierung "
            "Datenauskunft Datenlöschung Sicherheitscode Sitzung"
        ).split(),
    ),
    (
        "Abonnements",
        "Abonnements abschließen, verlängern und kündigen.",
        ["Abonnement abschließen", "Verlängerung", "Kündigung", "Tarifwechsel", "Abrechnung"],
        "Abonnement Abonnementverlängerung Kündigung Kündigungsfrist Tarif Vertragslaufzeit Mitgliedschaft".split(),
    ),
    (
        "App und Website",
        "Funktionen, Einstellungen und Fehler in App und Webseite.",
        ["App installieren", "Benachrichtigungen", "Suchfunktion", "Wunschliste", "Technische Probleme"],
        "App Webseite Push-Mitteilung Suchfunktion Wunschliste Browser Software-Update".split(),
    ),
    (
        "Produkte und Verfügbarkeit",
        "Produktinformationen, Größen und Lagerbestand.",
        ["Produktinformationen", "Größentabellen", "Verfügbarkeit", "Produktbewertungen", "Sortiment"],
        "Produkt Verfügbarkeit Größentabelle Produktbewertung Sortiment Lagerbestand Datenblatt".split(),
    ),
    (
        "Geschäftskunden",
        "Firmenkonto, Sammelrechnungen und Konditionen für Unternehmen.",
        ["Firmenkonto", "Sammelbestellungen", "Sammelrechnungen", "Umsatzsteuer", "Ansprechpartner"],
        (
            "Firmenkonto Sammelbestellung Sammelrechnung "
            "Umsatzsteuer-Identifikationsnummer Firmenadresse Ansprechpartner Zahlungsziel"
        ).split(),
    ),
    (
        "Rechnungen",
        "Rechnungen abrufen, korrigieren und bezahlen.",
        ["Rechnung abrufen", "Rechnungsadresse", "Rechnungskorrektur", "Zahlungserinnerung", "Mahnungen"],
        "Rechnung Rechnungsadresse Rechnungsbetrag Rechnungsdatum Zahlungserinnerung Mahnung Kaufbeleg".split(),
    ),
    (
        "Montage und Installation",
        "Aufbau, Anschluss und Inbetriebnahme Ihrer Geräte.",
        ["Montageanleitungen", "Montageservice", "Installation", "Inbetriebnahme", "Firmware"],
        "Montageanleitung Installation Bedienungsanleitung Gerät Firmware-Update Terminvereinbarung Handbuch".split(),
    ),
    (
        "Ersatzteile und Zubehör",
        "Passende Ersatzteile und Zubehör finden und bestellen.",
        ["Ersatzteile finden", "Zubehör", "Akkus und Ladegeräte", "Seriennummer", "Ersatzteilbestellung"],
        "Ersatzteil Zubehör Akku Ladegerät Netzteil Seriennummer Typenschild Ersatzteilbestellung".split(),
    ),
    (
        "Nachhaltigkeit",
        "Verpackung, Entsorgung und Rücknahme von Altgeräten.",
        ["Verpackung", "Altgeräterücknahme", "Entsorgung", "Reparieren statt Wegwerfen", "Gütesiegel"],
        "Verpackung Versandverpackung Altgeräterücknahme Entsorgung Gütesiegel Zertifikat".split(),
    ),
    (
        "Filialen und Abholung",
        "Abholung in der Filiale und Services vor Ort.",
        ["Filialabholung", "Öffnungszeiten", "Reservierung", "Filialbestand", "Service vor Ort"],
        "Filialabholung Abholschein Filialbestand Abholung Paketshop Servicecenter".split(),
    ),
    (
        "Kundenservice",
        "So erreichen Sie uns: Hotline, Chat und Kontaktformular.",
        ["Hotline", "Chat", "Kontaktformular", "Rückrufservice", "Beschwerden"],
        "Kundenservice Hotline Chatfunktion Kontaktformular Rückruf Ansprechpartner Reklamation".split(),
    ),
    (
        "Newsletter und Benachrichtigungen",
        "Newsletter abonnieren, abbestellen und Benachrichtigungen steuern.",
        ["Newsletter abonnieren", "Newsletter abbestellen", "E-Mail-Benachrichtigungen", "SMS", "Push-Mitteilungen"],
        "Newsletter Benachrichtigung Push-Mitteilung E-Mail-Adresse Telefonnummer Einwilligung".split(),
    ),
    (
        "Finanzierung und Ratenkauf",
        "Ratenzahlung, Finanzierung und Bonitätsprüfung.",
        ["Ratenkauf", "Finanzierung beantragen", "Bonitätsprüfung", "Zahlungsplan", "Vorzeitige Rückzahlung"],
        "Ratenkauf Ratenzahlung Finanzierung Bonitätsprüfung Zahlungsplan Kaufvertrag Bankverbindung".split(),
    ),
]

_FIRST_DAY = date(2020, 1, 1)
_LAST_DAY = date(2025, 6, 30)


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens, as people type URLs (ä → ae, ß → ss)."""
    text = text.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _quote(text: str) -> str:
    """Always double-quote YAML strings: titles carry colons and question marks."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- planning ---------------------------------------------------------------


@dataclass
class _Article:
    """One planned article: where it goes and what others call it when linking."""

    path: str  # relative to content/de, e.g. "zahlung/kreditkarte/kreditkarte-aendern.md"
    title: str
    topics: list[str]  # the category's topic nouns, for body text and tags
    links: list[_Article] = field(default_factory=list)


class Phrase(NamedTuple):
    """A noun with its definite article in the three cases the templates use."""

    nom: str  # "der Akku"
    acc: str  # "den Akku"
    dat: str  # "dem Akku"
    zu: str  # "zum Akku": German contracts zu + dem/der
    cap: str  # "Der Akku", for a sentence after "Hinweis:"


class Verb(NamedTuple):
    """The forms of one verb; separable prefixes move to the end in imperatives."""

    inf: str  # "auswählen"
    part: str  # "ausgewählt"
    imp: str  # "Wählen" as in "Wählen Sie … aus"
    tail: str  # " aus", or "" for inseparable verbs


_ZU = {"m": "zum", "f": "zur", "n": "zum"}


def _phrase(noun: str, gender: str) -> Phrase:
    nom, acc, dat = _ARTICLES[gender]
    zu, cap = _ZU[gender], nom.capitalize()
    return Phrase(f"{nom} {noun}", f"{acc} {noun}", f"{dat} {noun}", f"{zu} {noun}", f"{cap} {noun}")


PHRASES = {noun: _phrase(noun, gender) for noun, gender in NOUNS.items()}
VERB_FORMS = [Verb(pre + stem, part, stem.capitalize(), f" {pre}" if pre else "") for pre, stem, part in VERBS]

# Each template draws only the words it shows: a body takes ~45 sentences, so
# at 10,000 articles every random draw counts.
Template = Callable[["_Writer", Phrase, Phrase, Verb], str]
SENTENCES: list[Template] = [
    lambda w, a, b, v: f"Sie können {a.acc} jederzeit {w.pick(PLACES)} {v.inf}.",
    lambda w, a, b, v: f"{a.nom} wird innerhalb von {w.days()} Werktagen {v.part}.",
    lambda w, a, b, v: f"{v.imp} Sie {a.acc}{v.tail}, bevor Sie {b.acc} {w.part()} haben.",
    lambda w, a, b, v: f"Wenn {a.nom} nicht {w.pick(PREDICATES)} ist, wenden Sie sich bitte an unseren Kundenservice.",
    lambda w, a, b, v: f"{w.pick(CONNECTORS)} erhalten Sie {a.acc} {w.pick(CHANNELS)}.",
    lambda w, a, b, v: f"Für {a.acc} benötigen Sie {b.acc}.",
    lambda w, a, b, v: f"{a.nom} ist nur {w.pick(PREDICATES)}, wenn {b.nom} bereits {v.part} wurde.",
    lambda w, a, b, v: f"{w.pick(NOTES)} {a.cap} kann nicht mehr {v.part} werden, sobald {b.nom} {w.part()} wurde.",
    lambda w, a, b, v: f"{w.pick(PLACES)} sehen Sie, ob {a.nom} bereits {v.part} wurde.",
    lambda w, a, b, v: f"Ohne {a.acc} können wir {b.acc} leider nicht {v.inf}.",
    lambda w, a, b, v: f"Die Kosten für {a.acc} betragen {w.price()} Euro.",
    lambda w, a, b, v: f"Haben Sie {a.acc} noch nicht {v.part}, erhalten Sie nach {w.days()} Tagen eine Erinnerung.",
    lambda w, a, b, v: f"Weitere Details {a.zu} finden Sie {w.pick(PLACES)}.",
    lambda w, a, b, v: f"Es kann bis zu {w.days()} Werktage dauern, bis {a.nom} {v.part} ist.",
    lambda w, a, b, v: f"Geben Sie dazu {a.acc} und {b.acc} an.",
    lambda w, a, b, v: f"Sobald {a.nom} {v.part} wurde, informieren wir Sie {w.pick(CHANNELS)}.",
    lambda w, a, b, v: f"{a.nom} lässt sich {w.pick(PLACES)} mit wenigen Klicks {v.inf}.",
    lambda w, a, b, v: f"Bitte halten Sie {a.acc} bereit, wenn Sie unseren Kundenservice kontaktieren.",
]


class _Writer:
    """Makes German phrases from the vocabulary with one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, seq: Sequence[T]) -> T:
        """random.choice without its overhead: bodies need millions of draws."""
        return seq[int(self.rng.random() * len(seq))]

    def noun(self, topics: list[str]) -> str:
        return self.pick(topics if self.rng.random() < 0.5 else _NOUN_LIST)

    def phrase(self, topics: list[str]) -> Phrase:
        return PHRASES[self.noun(topics)]

    def part(self) -> str:
        """A second verb's participle, for templates with two actions."""
        return self.pick(VERB_FORMS).part

    def days(self) -> int:
        return self.between(2, 30)

    def between(self, low: int, high: int) -> int:
        """randint(low, high) at a third of its cost."""
        return low + int(self.rng.random() * (high - low + 1))

    def price(self) -> str:
        return f"{self.between(1, 49)},{self.pick(['00', '50', '95', '99'])}"

    def title(self, topics: list[str]) -> str:
        r = self.rng
        noun = r.choice(topics) if r.random() < 0.7 else r.choice(_NOUN_LIST)
        np, v = PHRASES[noun], self.pick(VERB_FORMS)
        qual = f"{r.choice(QUALIFIERS)} " if r.random() < 0.35 else ""
        return r.choice([
            f"{noun} {qual}{v.inf}",
            f"Wie kann ich {np.acc} {qual}{v.inf}?",
            f"Warum wurde {np.nom} nicht {v.part}?",
            f"Häufige Fragen {np.zu}",
            f"{noun} und {self.noun(topics)}",
            f"Probleme mit {np.dat}",
            f"Was passiert, wenn {np.nom} {v.part} wurde?",
        ])

    def sentence(self, topics: list[str]) -> str:
        s = self.pick(SENTENCES)(self, self.phrase(topics), self.phrase(topics), self.pick(VERB_FORMS))
        return s[0].upper() + s[1:]

    def step(self, topics: list[str]) -> str:
        if self.rng.random() < 0.3:
            return self.pick(FIXED_STEPS)
        v = self.pick(VERB_FORMS)
        return f"{v.imp} Sie {self.phrase(topics).acc}{v.tail}."

    def heading(self, topics: list[str]) -> str:
        r = self.rng
        if r.random() < 0.5:
            return self.pick(FIXED_HEADINGS)
        noun = self.noun(topics)
        return r.choice([
            f"{noun} {self.pick(VERB_FORMS).inf}",
            f"Wenn {PHRASES[noun].nom} nicht {self.pick(PREDICATES)} ist",
            f"Fragen {PHRASES[noun].zu}",
        ])

    def table(self, topics: list[str]) -> list[str]:
        r = self.rng
        rows = ["| Leistung | Bearbeitungszeit | Kosten |", "| --- | --- | --- |"]
        for noun in r.sample(topics, min(len(topics), r.randint(3, 5))):
            cost = "kostenlos" if r.random() < 0.4 else f"{r.randint(1, 30)},{r.choice(['00', '95', '99'])} €"
            rows.append(f"| {noun} | {r.randint(1, 14)} Werktage | {cost} |")
        return rows


def _plan(writer: _Writer, articles: int) -> tuple[list[_Article], list[int]]:
    """Place every article and pick its links before writing, so links hit real files.

    Returns the articles and the indexes of the categories that received any.
    """
    rng = writer.rng
    # interleaved, so that a small corpus still spans all categories
    slots = [(c, s) for s in range(5) for c in range(len(CATEGORIES))]
    slots = slots[: min(len(slots), articles)]
    counts = [1] * len(slots)
    weights = [rng.uniform(0.5, 1.5) for _ in slots]
    for i in rng.choices(range(len(slots)), weights, k=articles - len(slots)):
        counts[i] += 1

    planned: list[_Article] = []
    for (c, s), count in zip(slots, counts, strict=True):
        cat_title, _, sections, topics = CATEGORIES[c]
        folder = f"{slugify(cat_title)}/{slugify(sections[s])}"
        taken: set[str] = set()
        for _ in range(count):
            title, tries = writer.title(topics), 0
            while slugify(title) in taken:  # after 20 misses the folder is crowded: number the title
                tries += 1
                title = writer.title(topics) + (f" ({tries})" if tries > 20 else "")
            taken.add(slugify(title))
            planned.append(_Article(f"{folder}/{slugify(title)}.md", title, topics))

    by_category: dict[str, list[_Article]] = {}
    for art in planned:
        by_category.setdefault(art.path.split("/", 1)[0], []).append(art)
    for art in planned:
        near = by_category[art.path.split("/", 1)[0]]
        pool = near if rng.random() < 0.7 and len(near) > 1 else planned
        others = [o for o in rng.sample(pool, min(len(pool), 4)) if o is not art]
        art.links = others[: rng.randint(1, 3)]
    return planned, sorted({c for c, _ in slots})


# --- writing ----------------------------------------------------------------


def _front_matter(writer: _Writer, art: _Article) -> list[str]:
    rng = writer.rng
    created = _FIRST_DAY + timedelta(days=rng.randint(0, (_LAST_DAY - _FIRST_DAY).days))
    updated = created + timedelta(days=rng.randint(0, min(400, (_LAST_DAY - created).days)))
    what = f"{writer.phrase(art.topics).acc} {writer.pick(VERB_FORMS).inf}"
    description = f"Hier erfahren Sie, wie Sie {what} und was dabei zu beachten ist."
    tags = ", ".join(_quote(t) for t in rng.sample(art.topics, rng.randint(2, 4)))
    return [
        "---",
        f"title: {_quote(art.title)}",
        f"description: {_quote(description)}",
        f"tags: [{tags}]",
        f"created: {created.isoformat()}",
        f"updated: {updated.isoformat()}",
        "---",
    ]


def _relative(source: str, target: str) -> str:
    """Link from one category/section/article.md to another, as a writer types it."""
    src, dst = source.split("/"), target.split("/")
    if src[0] != dst[0]:
        return f"../../{target}"
    return dst[2] if src[1] == dst[1] else f"../{dst[1]}/{dst[2]}"


def _words(text: str) -> int:
    return text.count(" ") + 1


def _body(w: _Writer, art: _Article) -> list[str]:
    """About 500 words: intro, 3–5 ## sections of paragraphs, lists, tables and links."""
    target = w.between(370, 510)
    n_sections = w.between(3, 5)
    link_at: dict[int, list[str]] = {}
    for other in art.links:
        lead = w.pick(["Weitere Informationen finden Sie im Artikel", "Lesen Sie dazu auch", "Siehe auch:"])
        line = f"{lead} [{other.title}]({_relative(art.path, other.path)})."
        link_at.setdefault(w.between(0, n_sections - 1), []).append(line)
    table_at = w.between(0, n_sections - 1) if w.rng.random() < 0.25 else -1

    def paragraph(count: int) -> str:
        return " ".join([w.sentence(art.topics) for _ in range(count)])

    lines = [paragraph(w.between(2, 3)), ""]
    words = _words(lines[0])
    headings: list[str] = []
    for i in range(n_sections):
        heading = w.heading(art.topics)
        while heading in headings:
            heading = w.heading(art.topics)
        headings.append(heading)
        lines += [f"## {heading}", ""]
        budget = words + (target - words) // (n_sections - i)
        kinds = ["para", "para", "steps" if w.rng.random() < 0.5 else "bullets"]
        if i == table_at:
            kinds.insert(1, "table")
        for kind in kinds:
            if kind == "para":
                block = [paragraph(w.between(2, 4))]
            elif kind == "steps":
                block = [f"{k + 1}. {w.step(art.topics)}" for k in range(w.between(3, 5))]
            elif kind == "bullets":
                block = [f"- {w.sentence(art.topics)}" for _ in range(w.between(3, 5))]
            else:
                block = w.table(art.topics)
            lines += block
            lines.append("")
            words += sum(map(_words, block))
        while words < budget:
            text = paragraph(w.between(2, 4))
            lines += [text, ""]
            words += _words(text)
        if i in link_at:
            lines += [" ".join(link_at[i]), ""]
    return lines


def generate(dest: Path, articles: int, seed: int = 1) -> None:
    """Write a help center of `articles` articles into `dest`, which must be empty.

    kbgen.yml is written last, so its presence marks a complete corpus
    (benchmarks/build.py reuses kept corpora on that basis).
    """
    if articles < 1:
        raise ValueError("articles must be at least 1")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; stale files would break determinism")
    writer = _Writer(random.Random(seed))
    planned, categories = _plan(writer, articles)
    root = dest / "content" / "de"
    for order, c in enumerate(categories, start=1):
        title, description, _, _ = CATEGORIES[c]
        folder = root / slugify(title)
        folder.mkdir(parents=True)
        (folder / "_category.yml").write_text(
            f"title: {_quote(title)}\ndescription: {_quote(description)}\norder: {order}\n",
            encoding="utf-8",
        )
    for art in planned:
        path = root / art.path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join([*_front_matter(writer, art), "", *_body(writer, art)])
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    (dest / "kbgen.yml").write_text(
        "title: Synthetisches Hilfe-Center\nbase_url: https://example.org/hilfe/\nlanguages: [de]\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="empty or missing folder to write the site into")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        generate(args.dest, args.articles, args.seed)
    except (ValueError, FileExistsError) as e:
        parser.error(str(e))


if __name__ == "__main__":
    main()

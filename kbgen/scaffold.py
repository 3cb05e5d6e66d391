"""`kbgen init` and `kbgen new`: start a help center, and add articles, guides and FAQs to it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from kbgen.config import load_config
from kbgen.diagnostics import Diagnostics
from kbgen.slugs import slugify

INIT_FILES: dict[str, str] = {
    "kbgen.yml": """\
# Site settings; every key is optional. See the README's "Configuration" section.
title: Hilfe-Center
description: Antworten auf häufige Fragen zu Bestellung, Versand und Rücksendung.
# base_url: https://example.com/hilfe/   # the public address; needed for sitemap.xml
languages: [de]                          # the first is the default language
# products:
#   - id: mein-produkt
#     name: Mein Produkt
contact:
  email: service@example.com
  # phone: {number: "+4930123456", display: "030 123 456", hours: "Mo–Fr 9–17 Uhr"}
# feedback:
#   endpoint: https://feedback.example.com/kb   # receives "War dieser Artikel hilfreich?" votes as JSON
# notices:                                     # banners on every page; content/_notices/*.md works too
#   - {severity: warning, until: 2030-12-31, text: "Wegen Inventur versenden wir erst ab Montag."}
# theme:
#   colors: {primary: "#0b5cad", primary_dark: "#7cb7ff"}
#   logo: assets/logo.svg
#   favicon: assets/favicon.png
search:
  synonyms:
    - [Retoure, Rücksendung]
""",
    ".gitignore": "/public/\n.kbgen-cache/\n",
    "content/de/versand/_category.yml": "title: Versand & Lieferung\ndescription: Lieferzeiten, Kosten und Sendungsverfolgung.\nicon: truck\norder: 1\n",
    "content/de/versand/lieferzeiten.md": """\
---
title: Lieferzeiten
description: Wie lange ein Paket zu Ihnen unterwegs ist.
tags: [versand]
---
Bestellungen bis 14 Uhr verlassen unser Lager am selben Werktag.

## Innerhalb Deutschlands
Die Lieferung dauert 1–2 Werktage.

> [!TIP]
> Passt etwas nicht? So klappt die [Rücksendung](../ruecksendung/ruecksendung-anmelden.md).
""",
    "content/de/ruecksendung/_category.yml": "title: Rücksendung & Erstattung\ndescription: Widerruf und Erstattung.\nicon: return\norder: 2\n",
    "content/de/ruecksendung/ruecksendung-anmelden.md": """\
---
title: Rücksendung anmelden
description: So schicken Sie einen Artikel kostenlos zurück.
keywords: [Retoure, zurückschicken]
promoted: true
---
Sie haben 14 Tage Zeit, einen Artikel zurückzuschicken.

## So gehen Sie vor
1. Melden Sie die Rücksendung in Ihrem Kundenkonto an.
2. Drucken Sie das Rücksendeetikett aus.
3. Geben Sie das Paket bei der Post ab.
""",
    "content/de/ruecksendung/haeufige-fragen.md": """\
---
title: Häufige Fragen zur Rücksendung
type: faq
---
## Was kostet die Rücksendung?
Innerhalb Deutschlands nichts.

## Wann bekomme ich mein Geld zurück?
Wenige Tage, nachdem die Rücksendung bei uns angekommen ist.
""",
    "content/de/versand/erste-schritte/_guide.yml": """\
title: Erste Bestellung
description: In drei Schritten zur ersten Bestellung.
steps: [konto-anlegen.md, bestellen.md, bezahlen.md]
""",
    "content/de/versand/erste-schritte/konto-anlegen.md": "---\ntitle: Konto anlegen\n---\nRegistrieren Sie sich mit Ihrer E-Mail-Adresse.\n",
    "content/de/versand/erste-schritte/bestellen.md": "---\ntitle: Bestellen\n---\nLegen Sie Artikel in den Warenkorb.\n",
    "content/de/versand/erste-schritte/bezahlen.md": "---\ntitle: Bezahlen\n---\nWählen Sie eine Zahlungsart.\n",
    ".github/workflows/help-center.yml": """\
# Builds the help center on every pull request (problems appear as annotations on the diff)
# and deploys it to GitHub Pages from main.
name: help-center
on:
  push: {branches: [main]}
  pull_request:
permissions: {contents: read, pages: write, id-token: write}
concurrency: {group: pages, cancel-in-progress: false}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}   # full history: 'updated' falls back to each file's last commit
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install "kbgen @ git+https://github.com/your-org/kbgen"   # where your copy of kbgen lives
      - uses: actions/cache@v4                # the build cache: unchanged pages are not rebuilt
        with: {path: .kbgen-cache, key: kbgen-${{ github.sha }}, restore-keys: kbgen-}
      - run: kbgen build --strict --format github
      - uses: actions/upload-pages-artifact@v3
        with: {path: public}
  deploy:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: build
    runs-on: ubuntu-latest
    environment: {name: github-pages, url: "${{ steps.deployment.outputs.page_url }}"}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
""",
}


def init(target: Path) -> int:
    if target.exists() and any(target.iterdir()):
        print(f"kbgen init: {target} is not empty; choose a new folder", file=sys.stderr)
        return 2
    for rel, text in INIT_FILES.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"kbgen init: created a help center in {target}\n  next: kbgen serve {target}")
    return 0


def new(site: Path, kind: str, title: str, category: str | None, lang: str | None, today: dt.date) -> int:
    diags = Diagnostics()
    config = load_config(site, diags)
    lang = lang or config.default_language
    if lang not in config.languages:
        print(f"kbgen new: '{lang}' is not one of the site's languages ({', '.join(config.languages)})", file=sys.stderr)
        return 2
    content = config.content_dir
    root = content / lang if (content / config.default_language).is_dir() and config.multilingual_config else content
    folder = root / category if category else root
    if category and (".." in Path(category).parts or Path(category).is_absolute()):
        print("kbgen new: --category must be a folder inside content/", file=sys.stderr)
        return 2
    slug = slugify(title, kind)
    created = today.isoformat()
    review = (today + dt.timedelta(days=config.review_interval)).isoformat()
    if kind == "guide":
        path = folder / slug / "_guide.yml"
        files = {path: f"title: {_quote(title)}\ndescription: \nsteps: [schritt-1.md]\n",
                 folder / slug / "schritt-1.md": f"---\ntitle: Schritt 1\ncreated: {created}\nreview_by: {review}\n---\n\n"
                                                 "Was in diesem Schritt zu tun ist.\n"}
    else:
        path = folder / f"{slug}.md"
        body = "## Erste Frage?\n\nAntwort.\n" if kind == "faq" else "Eine kurze Antwort zuerst.\n\n## So gehen Sie vor\n\n"
        kind_line = "type: faq\n" if kind == "faq" else ""
        files = {path: f"---\ntitle: {_quote(title)}\ndescription: \n{kind_line}created: {created}\n"
                       f"review_by: {review}\n---\n\n{body}"}
    existing = [p for p in files if p.exists()]
    if existing:
        print(f"kbgen new: {existing[0]} exists already; nothing was changed", file=sys.stderr)
        return 1
    for file, text in files.items():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    print(path)
    return 0


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

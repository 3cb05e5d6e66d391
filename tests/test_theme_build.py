"""The theme's features in the built HTML: notices, feedback, contact page, JSON-LD, theming,
colour-scheme toggle, TOC and heading anchors, the guide print view and the language switcher,
plus the diagnostics for their mistakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import build_site, read
from kbgen.theming import contrast, parse_color

SITE = {
    "kbgen.yml": """
        title: {de: Hilfe, en: Help}
        base_url: https://example.com/hilfe/
        languages: [de, en]
        contact:
          phone: {number: "+49301234", display: "030 1234", hours: {de: "Mo–Fr 8–18 Uhr", en: "Mon–Fri 8–6"}}
          email: service@example.com
          social:
            - {name: Mastodon, url: "https://social.example/@hilfe"}
        feedback:
          endpoint: /feedback
        notices:
          - severity: critical
            until: 2030-01-01
            title: {de: Störung, en: Outage}
            text: {de: "Die App ist **gestört**.", en: "The app is **down**."}
          - severity: info
            until: 2020-01-01
            text: Abgelaufen.
    """,
    "content/_notices/lieferung.md": """
        ---
        severity: warning
        until: 2030-06-30
        lang: de
        title: Lieferverzögerung
        ---
        Pakete brauchen derzeit **zwei Tage** länger.
    """,
    "content/de/versand/_category.yml": "title: Versand\n",
    "content/de/versand/lieferzeiten.md": """
        ---
        title: Lieferzeiten
        created: 2026-01-02
        updated: 2026-03-04
        ---
        Pakete kommen in 2 Tagen.

        ## Inland
        Text.

        ## Ausland
        Text.

        ### Schweiz
        Text.
    """,
    "content/de/versand/fragen.md": """
        ---
        title: Fragen zum Versand
        type: faq
        ---
        ## Wie lange dauert es?
        Zwei **Tage**.

        ## Was kostet es?
        4,95 €.
    """,
    "content/de/reparatur/_category.yml": """
        title: Reparatur
        contact:
          phone: {number: "+49309999", display: "030 9999", hours: "Reparatur-Hotline"}
    """,
    "content/de/reparatur/einschicken.md": "---\ntitle: Gerät einschicken\n---\nSo geht es.\n",
    "content/de/reparatur/hub/_guide.yml": "title: Hub einrichten\nsteps: [eins.md, zwei.md]\n",
    "content/de/reparatur/hub/eins.md": "---\ntitle: Auspacken\n---\nErst auspacken.\n\n## Hinweis\nSiehe [zwei](zwei.md).\n",
    "content/de/reparatur/hub/zwei.md": "---\ntitle: Anschließen\n---\nDann [online](https://example.org/a).\n\n## Hinweis\nB.\n",
    "content/en/versand/_category.yml": "title: Shipping\n",
    "content/en/versand/lieferzeiten.md": "---\ntitle: Delivery times\n---\nTwo days.\n",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> Path:
    from conftest import write_files
    root = tmp_path_factory.mktemp("theme-site")
    write_files(root, SITE)
    monkeypatch_module.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    assert not [d for d in result.diagnostics.items() if d.severity != "note"]
    return result.out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def ld(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


# Notices

def test_current_notices_on_every_page_most_urgent_first(out: Path) -> None:
    home = read(out, "/")
    article = read(out, "/versand/lieferzeiten/")
    for html in (home, article):
        assert html.index("notice-critical") < html.index("notice-warning")
        assert "Die App ist <strong>gestört</strong>." in html
        assert "Pakete brauchen derzeit <strong>zwei Tage</strong> länger." in html
        assert 'data-until="2030-06-30"' in html
    assert "Abgelaufen" not in home  # until 2020-01-01 < build date 2026-01-01


def test_notice_language_and_localized_text(out: Path) -> None:
    en = read(out, "/en/")
    assert "The app is <strong>down</strong>." in en and "Outage" in en
    assert "Lieferverzögerung" not in en  # lang: de


def test_notices_folder_is_not_content(out: Path) -> None:
    assert not (out / "_notices").exists()
    assert not (out / "lieferung").exists()


def test_expiry_follows_source_date_epoch(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({"content/a.md": "# A\n", "content/_notices/n.md": "---\nuntil: 2026-05-01\n---\nBald vorbei.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1777680000")  # 2026-05-02
    assert "Bald vorbei" not in read(build_site(root).out, "/")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1777593600")  # 2026-05-01: the last day still shows it
    assert "Bald vorbei" in read(build_site(root).out, "/")


# Feedback

def test_feedback_widget_hidden_until_javascript_and_carries_the_source(out: Path) -> None:
    html = read(out, "/versand/lieferzeiten/")
    widget = re.search(r'<section class="feedback"[^>]*>', html).group(0)
    assert " hidden" in widget
    assert 'data-endpoint="/feedback"' in widget and 'data-source="de/versand/lieferzeiten.md"' in widget
    assert 'data-url="https://example.com/hilfe/versand/lieferzeiten/"' in widget and 'data-lang="de"' in widget
    for reason in ("outdated", "unclear", "unsolved", "other"):
        assert f'value="{reason}"' in html
    assert "War dieser Artikel hilfreich?" in html
    assert "Was this article helpful?" in read(out, "/en/versand/lieferzeiten/")


def test_no_feedback_widget_without_endpoint(make_site) -> None:
    root = make_site({"content/a.md": "# A\n\nText.\n"})
    assert 'class="feedback"' not in read(build_site(root).out, "/a/")


# Contact

def test_contact_page_at_localized_url_linked_from_footer_and_block(out: Path) -> None:
    de = read(out, "/kontakt/")
    assert "<h1>Kontakt</h1>" in de and 'href="tel:+49301234"' in de and "Mastodon" in de
    assert 'class="contact wrap"' not in de  # the page is the contact block
    en = read(out, "/en/contact/")
    assert "<h1>Contact</h1>" in en and "Mon–Fri 8–6" in en
    article = read(out, "/versand/lieferzeiten/")
    assert article.count('href="../../kontakt/"') == 3  # footer, contact block, feedback
    assert 'href="#contact-title"' in article.split('class="feedback"')[1]  # after "Nein": the channels below
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://example.com/hilfe/kontakt/</loc>" in sitemap and "/en/contact/</loc>" in sitemap


def test_category_that_owns_the_contact_url_shows_the_channels(make_site) -> None:
    root = make_site({
        "kbgen.yml": "contact: {email: a@example.com}\nlanguages: [de]\n",
        "content/kontakt/_category.yml": "title: Kontakt\n",
        "content/kontakt/zeiten.md": "# Servicezeiten\n\nText.\n",
    })
    result = build_site(root)
    assert result.written
    page = read(result.out, "/kontakt/")
    assert "mailto:a@example.com" in page and "Servicezeiten" in page
    assert 'class="contact wrap"' not in page
    assert read(result.out, "/").count('kontakt/">') == 3  # tile, contact block and footer, not twice there


def test_category_contact_replaces_channels_below_it(out: Path) -> None:
    repair = read(out, "/reparatur/einschicken/")
    assert "030 9999" in repair and "030 1234" not in repair.split('class="contact wrap"')[1]
    assert "service@example.com" in repair  # channels it does not set stay
    assert "030 1234" in read(out, "/versand/lieferzeiten/")
    assert "030 9999" in read(out, "/reparatur/hub/eins/")  # and in its guides


# JSON-LD

def test_jsonld_article_and_breadcrumbs(out: Path) -> None:
    items = {i["@type"]: i for i in ld(read(out, "/versand/lieferzeiten/"))}
    assert items["Article"]["headline"] == "Lieferzeiten"
    assert items["Article"]["dateModified"] == "2026-03-04" and items["Article"]["datePublished"] == "2026-01-02"
    assert items["Article"]["inLanguage"] == "de"
    assert items["Article"]["url"] == "https://example.com/hilfe/versand/lieferzeiten/"
    crumbs = items["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Startseite", "Versand", "Lieferzeiten"]
    assert crumbs[1]["item"] == "https://example.com/hilfe/versand/" and crumbs[2]["position"] == 3


def test_jsonld_faq_page(out: Path) -> None:
    faq = next(i for i in ld(read(out, "/versand/fragen/")) if i["@type"] == "FAQPage")
    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in faq["mainEntity"]] == [
        ("Wie lange dauert es?", "Zwei Tage."), ("Was kostet es?", "4,95 €.")]


def test_jsonld_cannot_break_out_of_its_script(make_site) -> None:
    root = make_site({"content/v/a.md": "---\ntitle: '</script><script>alert(1)</script> & <!--'\n---\nText.\n"})
    html = read(build_site(root).out, "/v/a/")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks and all("<" not in b and ">" not in b and "&" not in b for b in blocks)
    assert json.loads(blocks[-1])["headline"] == "</script><script>alert(1)</script> & <!--"


# Theming

def test_theme_colors_logo_and_favicon(make_site) -> None:
    root = make_site({
        "kbgen.yml": 'theme:\n  colors: {primary: "#7a1f5c", primary_dark: "#f0a6d6"}\n'
                     "  logo: assets/logo.svg\n  favicon: bilder/icon.png\n",
        "assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "bilder/icon.png": b"\x89PNG fake",
        "content/a.md": "# A\n",
    })
    result = build_site(root, strict=True)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    html = read(result.out, "/a/")
    css_href = re.search(r'href="(\.\./assets/theme\.[0-9a-f]{10}\.css)"', html).group(1)
    assert html.index("kbgen.") < html.index(css_href)  # after kbgen.css
    css = (result.out / "a" / css_href).resolve().read_text()
    assert "--accent: #7a1f5c;" in css and "--accent: #f0a6d6;" in css and '[data-theme="dark"]' in css
    assert re.search(r'<img class="site-logo" src="\.\./assets/logo\.[0-9a-f]{10}\.svg"', html)
    assert re.search(r'<link rel="icon" href="\.\./assets/favicon\.[0-9a-f]{10}\.png" type="image/png">', html)
    assert "style=" not in html


def test_low_contrast_colour_is_a_warning_at_its_line(make_site) -> None:
    root = make_site({"kbgen.yml": 'title: X\ntheme:\n  colors:\n    primary: "#7cb7ff"\n', "content/a.md": "# A\n"})
    result = build_site(root)
    warnings = [d for d in result.diagnostics.items() if d.code == "theme-contrast"]
    assert warnings and warnings[0].file == "kbgen.yml" and warnings[0].line == 4
    assert "light mode" in warnings[0].message and "4.5:1" in warnings[0].message and warnings[0].hint
    assert not build_site(root, strict=True).written


def test_invalid_colour_and_missing_logo_are_errors(make_site) -> None:
    root = make_site({"kbgen.yml": 'theme:\n  colors:\n    primary: blau\n  logo: fehlt.svg\n', "content/a.md": "# A\n"})
    result = build_site(root)
    errors = {d.code: d for d in result.diagnostics.items() if d.severity == "error"}
    assert errors["theme-color"].line == 3 and "#rrggbb" in errors["theme-color"].hint
    assert errors["theme-file"].line == 4
    assert not result.written


def test_wcag_contrast_formula() -> None:
    assert round(contrast("#ffffff", "#000000"), 2) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the well-known lightest AA grey on white
    assert parse_color("#ABC") == "#aabbcc" and parse_color("red") is None


# Colour scheme, TOC, anchors

def test_theme_toggle_and_early_script(out: Path) -> None:
    html = read(out, "/versand/lieferzeiten/")
    head = html.split("</head>")[0]
    assert re.search(r'<script src="\.\./\.\./assets/theme-init\.[0-9a-f]{10}\.js"></script>', head)
    assert re.search(r'<button type="button" class="theme-toggle" hidden', html)
    css = next((out / "assets").glob("kbgen.*.css")).read_text()
    assert ':root[data-theme="dark"]' in css and ':root:not([data-theme="light"])' in css


def test_toc_is_collapsible_and_headings_have_anchors(out: Path) -> None:
    html = read(out, "/versand/lieferzeiten/")
    assert '<details class="toc-details">' in html
    assert ('<h2 id="inland">Inland <a class="heading-anchor" href="#inland" '
            'aria-label="Link zu diesem Abschnitt: Inland">#</a></h2>') in html
    assert 'href="#schweiz"' in html


# Guide print view

def test_guide_print_view(out: Path) -> None:
    overview = read(out, "/reparatur/hub/")
    assert '<a class="print-link" href="alle-schritte/">Ganze Anleitung drucken</a>' in overview
    page = read(out, "/reparatur/hub/alle-schritte/")
    assert '<meta name="robots" content="noindex">' in page
    assert "Erst auspacken." in page and "Dann" in page
    assert 'id="schritt-1-hinweis"' in page and 'id="schritt-2-hinweis"' in page  # no duplicate ids
    assert "<h3 id=\"schritt-1-hinweis\">" in page  # below the step's own h2
    assert 'href="../zwei/"' in page  # relative links still right
    assert "alle-schritte" not in (out / "sitemap.xml").read_text()
    assert not list((out / "assets" / "search").glob("*")) or b"alle-schritte" not in b"".join(
        p.read_bytes() for p in (out / "assets" / "search").glob("*"))


def test_print_stylesheet_shows_link_addresses_and_hides_widgets() -> None:
    css = (Path(__file__).resolve().parent.parent / "assets" / "kbgen.css").read_text()
    block = css[css.index("@media print"):]
    assert 'a[href^="http"]::after { content: " (" attr(href) ")"' in block
    assert ".feedback" in block.split("}")[0] and ".search-form" in block.split("}")[0]


# Language switcher

def test_language_switcher_falls_back_to_the_other_home(out: Path) -> None:
    html = read(out, "/versand/fragen/")  # no English translation
    switch = html.split('class="lang-switch"')[1].split("</nav>")[0]
    assert 'href="../../en/" hreflang="en"' in switch
    translated = read(out, "/versand/lieferzeiten/").split('class="lang-switch"')[1].split("</nav>")[0]
    assert 'href="../../en/versand/lieferzeiten/"' in translated


# Diagnostics

@pytest.mark.parametrize("files, file, line, fragment", [
    ({"content/_notices/n.md": "---\nseverity: dringend\n---\nText.\n"}, "content/_notices/n.md", 2,
     "unknown notice severity 'dringend'"),
    ({"content/_notices/n.md": "---\nseverity: info\nuntil: 2026-13-45\n---\nText.\n"}, "content/_notices/n.md", 3,
     "'until' must be a date"),
    ({"content/_notices/n.md": "---\nlang: fr\n---\nText.\n"}, "content/_notices/n.md", 2, "notice language 'fr'"),
    ({"kbgen.yml": "notices:\n  - severity: alarm\n    text: Hallo\n"}, "kbgen.yml", 2,
     "unknown notice severity 'alarm'"),
    ({"kbgen.yml": "notices:\n  - severity: info\n    until: morgen\n    text: Hallo\n"}, "kbgen.yml", 2,
     "'until' must be a date"),
    ({"kbgen.yml": "languages: [de]\nnotices:\n  - {text: {de: Hallo, fr: Salut}}\n"}, "kbgen.yml", 3,
     "text for 'fr'"),
    ({"kbgen.yml": 'theme:\n  colors:\n    primary_dark: "#0b5cad"\n'}, "kbgen.yml", 3, "in dark mode"),
    ({"kbgen.yml": "title: X\nfeedback:\n  endpoint: ftp://example.com/x\n"}, "kbgen.yml", 3,
     "feedback endpoint 'ftp://example.com/x'"),
    ({"kbgen.yml": "feedback: {endpoint: 'javascript:alert(1)'}\n"}, "kbgen.yml", 1, "feedback endpoint"),
    ({"content/a/_category.yml": "title: A\ncontact: {telefon: 1}\n"}, "content/a/_category.yml", 2,
     "unknown key 'telefon' in contact"),
])
def test_theme_diagnostics(make_site, files, file, line, fragment) -> None:
    root = make_site({"content/a/b.md": "# B\n", **files})
    result = build_site(root, strict=True)
    found = [d for d in result.diagnostics.items() if fragment in d.message]
    assert found, [d.text() for d in result.diagnostics.items()]
    assert found[0].file == file and found[0].line == line and found[0].hint
    assert not result.written


def test_deterministic_with_theme_features(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import write_files
    root = make_site({})
    write_files(root, SITE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = build_site(root, out=root / "one").out
    second = build_site(root, out=root / "two").out
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_cached_rebuilds_see_category_contact_notices_and_theme_files(make_site) -> None:
    root = make_site({
        "kbgen.yml": "contact: {email: a@example.com}\ntheme: {favicon: bilder/icon.png}\n",
        "bilder/icon.png": b"\x89PNG one",
        "content/reparatur/_category.yml": "title: Reparatur\ncontact: {email: alt@example.com}\n",
        "content/reparatur/a.md": "# A\n\nText.\n",
        "content/_notices/n.md": "Erste Nachricht.\n",
    })
    first = read(build_site(root).out, "/reparatur/a/")
    assert "alt@example.com" in first and "Erste Nachricht." in first
    (root / "content/reparatur/_category.yml").write_text("title: Reparatur\ncontact: {email: neu@example.com}\n")
    assert "neu@example.com" in read(build_site(root).out, "/reparatur/a/")  # each change on its own
    (root / "content/_notices/n.md").write_text("Zweite Nachricht.\n")
    assert "Zweite Nachricht." in read(build_site(root).out, "/reparatur/a/")
    (root / "bilder/icon.png").write_bytes(b"\x89PNG two")
    second = read(build_site(root).out, "/reparatur/a/")
    assert re.search(r'favicon\.([0-9a-f]+)\.png', first).group(1) != re.search(r'favicon\.([0-9a-f]+)\.png', second).group(1)

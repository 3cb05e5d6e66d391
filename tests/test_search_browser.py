"""The search as a customer uses it, in real Chromium: typing, keyboard, highlighting, escaping,
file://, no JavaScript, filters, the query in the URL, a strict CSP and no third-party requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import browser, serve_folder, watch
from conftest import build_site

SITE = {
    "kbgen.yml": """
        title: Hilfe
        languages: [de, en]
        products:
          - {id: hub, name: Lumio Hub}
        search:
          analytics_endpoint: /collect
    """,
    "content/de/garantie/_category.yml": "title: Garantie & Reparatur\n",
    "content/de/garantie/verlaengerung.md": """
        ---
        title: Garantieverlängerung auf 5 Jahre
        products: [hub]
        ---
        Registrieren Sie Ihr Gerät innerhalb von 90 Tagen.

        ## Ablauf
        Die Verlängerung der Garantie ist kostenlos.
    """,
    "content/de/versand/_category.yml": "title: Versand\n",
    "content/de/versand/ruecksendung.md": """
        ---
        title: Rücksendung anmelden
        ---
        So schicken Sie ein Paket zurück.
    """,
    "content/de/versand/boese.md": """
        ---
        title: 'Paket <img src=x onerror=alert(1)> "><script>alert(2)</script>'
        description: 'Lieferung <b>fett</b>'
        ---
        Lieferung &lt;script&gt;alert(3)&lt;/script&gt; mit Sonderzeichen.
    """,
    "content/de/versand/fragen.md": "---\ntitle: Fragen zum Versand\ntype: faq\n---\n"
                                    "## Wie lange dauert der Versand?\nZwei Tage.\n## Was kostet er?\n4,95 €.\n",
    "content/en/versand/_category.yml": "title: Shipping\n",
    "content/en/versand/ruecksendung.md": "---\ntitle: Returning a parcel\n---\nSend it back.\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_files
    root = tmp_path_factory.mktemp("search-site")
    write_files(root, SITE)
    result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    return root / "public"


def test_typing_shows_highlighted_results_and_keyboard_opens_one(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        seen = watch(page)
        page.goto(base + "/")
        page.fill("#q", "garantie")  # a compound part finds the compound
        page.wait_for_selector("#q-listbox [role=option]")
        assert page.get_attribute("#q", "aria-expanded") == "true"
        first = page.locator("#q-listbox [role=option]").first
        assert "Garantieverlängerung" in first.inner_text()
        assert page.locator("#q-listbox mark").first.inner_text().lower().startswith("garantie")
        assert "Treffer" in page.locator("form [role=status]").first.inner_text()
        page.keyboard.press("ArrowDown")
        assert page.get_attribute("#q", "aria-activedescendant") == "q-listbox-0"
        assert first.get_attribute("aria-selected") == "true"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.startswith(base + "/garantie/verlaengerung/")
        assert not seen["errors"], seen["errors"]
        assert all(url.startswith(base) for url in seen["requests"]), seen["requests"]


def test_escape_closes_and_slash_focuses(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.goto(base + "/versand/ruecksendung/")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "header-q"
        page.keyboard.type("rücks")
        page.wait_for_selector("#header-q-listbox [role=option]")
        page.keyboard.press("Escape")
        assert page.get_attribute("#header-q", "aria-expanded") == "false"


def test_hostile_titles_are_shown_as_text(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "/suche/?q=lieferung")
        page.wait_for_selector("#search-results li")
        text = page.locator("#search-results").inner_text()
        assert "<img src=x onerror=alert(1)>" in text
        assert page.locator("#search-results img, #search-results script, #search-results b").count() == 0
        assert dialogs == []


def test_results_page_keeps_the_query_in_the_url_and_filters(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.goto(base + "/suche/?q=r%C3%BCcksendung")
        page.wait_for_selector("#search-results li")
        assert page.input_value("#q") == "rücksendung"
        assert "Rücksendung anmelden" in page.locator("#search-results").inner_text()
        assert page.locator(".needs-js").is_hidden()
        page.fill("#q", "garantie")
        page.wait_for_url("**q=garantie")
        page.select_option("#search-category", "de/versand")
        expect(page.locator("#search-results li")).to_have_count(0)
        assert "nichts gefunden" in page.locator("#search-empty").inner_text().lower()
        page.select_option("#search-category", "")
        page.select_option("#search-product", "hub")
        expect(page.locator("#search-results li")).to_have_count(1)
        # The language switcher keeps the query.
        assert "q=garantie" in page.get_attribute(".lang-switch a[hreflang=en]", "href")


def test_nothing_found_offers_did_you_mean_and_contact(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        beacons: list[str] = []
        page.route("**/collect", lambda route: (beacons.append(route.request.post_data or ""), route.fulfill(status=204)))
        page.goto(base + "/suche/?q=xyzzy%20qqq")
        page.wait_for_selector("#search-empty:not([hidden])")
        assert "Leider nichts gefunden" in page.locator("#search-empty").inner_text()
        page.wait_for_timeout(200)
        assert any('"no_results"' in b and "xyzzy" in b for b in beacons), beacons


def test_search_works_from_file_urls(site: Path) -> None:
    with browser() as context:
        page = context.new_page()
        seen = watch(page)
        page.goto((site / "index.html").as_uri())
        page.fill("#q", "Garantieverlaengerung")  # ae for ä
        page.wait_for_selector("#q-listbox [role=option]")
        href = page.locator("#q-listbox a").first.get_attribute("href")
        assert href.endswith("index.html") or "index.html#" in href
        assert not seen["errors"], seen["errors"]


def test_without_javascript_the_search_page_says_so(site: Path) -> None:
    with serve_folder(site) as base, browser(javascript=False) as context:
        page = context.new_page()
        page.goto(base + "/suche/?q=garantie")
        note = page.locator(".needs-js")
        assert note.is_visible() and "JavaScript" in note.inner_text()
        assert page.locator(".needs-js a").get_attribute("href").endswith("a-z/")


def test_pages_navigate_from_file_urls_and_without_javascript(site: Path) -> None:
    # From disk, folder links are pointed at index.html by the theme script.
    with browser() as context:
        page = context.new_page()
        page.goto((site / "index.html").as_uri())
        with page.expect_navigation():
            page.click("text=Garantie & Reparatur")
        assert page.url.endswith("/garantie/index.html")
        assert "Garantieverlängerung" in page.content()
    # Without JavaScript over http, every page still reads and navigates.
    with serve_folder(site) as base, browser(javascript=False) as context:
        page = context.new_page()
        page.goto(base + "/")
        with page.expect_navigation():
            page.click("text=Garantie & Reparatur")
        with page.expect_navigation():
            page.click("text=Garantieverlängerung auf 5 Jahre")
        assert page.locator("h1").inner_text() == "Garantieverlängerung auf 5 Jahre"


def test_faq_answer_opens_from_its_anchor(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.goto(base + "/versand/fragen/#was-kostet-er")
        assert page.locator("details:has(#was-kostet-er)").get_attribute("open") is not None
        assert page.locator("details:has(#wie-lange-dauert-der-versand)").get_attribute("open") is None
        assert page.locator("text=4,95 €").is_visible()
        page.click("text=Wie lange dauert der Versand?")  # a question opens on click, too
        assert page.locator("text=Zwei Tage.").is_visible()

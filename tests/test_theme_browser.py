"""The theme's enhancements in real Chromium under the strict CSP: the feedback widget and its POST
body, the colour-scheme toggle, copy-link anchors, notices that expire after the build, keyboard
operation, and what is left without JavaScript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import browser, serve_folder, watch
from conftest import build_site

SITE = {
    "kbgen.yml": """
        title: Hilfe
        languages: [de, en]
        contact: {email: service@example.com}
        feedback: {endpoint: /feedback}
        notices:
          - {severity: warning, until: 2020-06-30, text: "Nur bis Juni 2020."}
          - {severity: info, until: 2099-12-31, text: "Noch lange gültig."}
    """,
    "content/de/versand/_category.yml": "title: Versand\n",
    "content/de/versand/lieferzeiten.md": """
        ---
        title: Lieferzeiten
        ---
        Pakete kommen in 2 Tagen.

        ## Inland
        Text.

        ## Ausland
        Text.

        ## Express
        Text.
    """,
    "content/en/versand/lieferzeiten.md": "---\ntitle: Delivery times\n---\nTwo days.\n",
}
ARTICLE = "/versand/lieferzeiten/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_files
    root = tmp_path_factory.mktemp("theme-browser")
    write_files(root, SITE)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1577836800")  # built on 2020-01-01: both notices are current then
        result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    return result.out


def test_feedback_no_with_reason_posts_the_documented_json(site: Path) -> None:
    posts: list[tuple[str, str, bytes]] = []
    with serve_folder(site, posts) as base, browser() as context:
        page = context.new_page()
        seen = watch(page)
        page.goto(base + ARTICLE)
        expect(page.locator("#feedback")).to_be_visible()
        page.get_by_role("button", name="Nein").click()
        expect(page.locator(".feedback-reasons")).to_be_visible()
        page.get_by_label("Der Artikel ist unklar").check()
        page.fill("#feedback-comment", "Die Tabelle fehlt.")
        page.get_by_role("button", name="Absenden").click()
        expect(page.locator(".feedback-status")).to_have_text("Danke für Ihre Rückmeldung – wir verbessern den Artikel.")
        expect(page.locator(".feedback-contact")).to_be_visible()
        page.wait_for_function("() => true")
        page.wait_for_timeout(300)
        assert len(posts) == 1, posts
        path, content_type, body = posts[0]
        assert path == "/feedback" and content_type.startswith("application/json")
        assert json.loads(body) == {"source": "de/versand/lieferzeiten.md", "url": ARTICLE, "lang": "de",
                                    "vote": "no", "reason": "unclear", "comment": "Die Tabelle fehlt."}
        assert not seen["errors"], seen["errors"]


def test_feedback_by_keyboard_yes_announces_thanks(site: Path) -> None:
    posts: list[tuple[str, str, bytes]] = []
    with serve_folder(site, posts) as base, browser() as context:
        page = context.new_page()
        page.goto(base + ARTICLE)
        page.focus(".feedback-button[data-vote=yes]")
        page.keyboard.press("Enter")
        status = page.locator(".feedback-status")
        expect(status).to_have_text("Danke für Ihre Rückmeldung!")
        assert status.get_attribute("role") == "status"
        assert page.evaluate("document.activeElement.classList.contains('feedback-status')")
        page.wait_for_timeout(300)
        assert [json.loads(b)["vote"] for _, _, b in posts] == ["yes"]


def test_feedback_no_by_keyboard_only(site: Path) -> None:
    posts: list[tuple[str, str, bytes]] = []
    with serve_folder(site, posts) as base, browser() as context:
        page = context.new_page()
        page.goto(base + ARTICLE)
        page.focus(".feedback-button[data-vote=yes]")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # "Nein"
        assert page.evaluate("document.activeElement.value") == "outdated"  # focus moved to the reasons
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # the third reason: did not solve the problem
        page.keyboard.press("Tab")
        page.keyboard.type("Geht nicht")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator(".feedback-status")).not_to_be_empty()
        page.wait_for_timeout(300)
        assert json.loads(posts[0][2])["reason"] == "unsolved" and json.loads(posts[0][2])["comment"] == "Geht nicht"


def test_theme_toggle_cycles_and_is_remembered(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        seen = watch(page)
        page.goto(base + ARTICLE)
        toggle = page.locator(".theme-toggle")
        expect(toggle).to_be_visible()
        assert page.evaluate("document.documentElement.dataset.theme") is None
        background = "getComputedStyle(document.body).backgroundColor"
        light = page.evaluate(background)
        toggle.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        toggle.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert page.evaluate(background) != light
        expect(toggle).to_contain_text("dunkel")
        page.reload()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"  # set in <head> already
        toggle.click()
        assert page.evaluate("document.documentElement.dataset.theme") is None
        assert page.evaluate("localStorage.getItem('kbgen-theme')") is None
        assert not seen["errors"], seen["errors"]


def test_dark_system_preference_applies_without_a_choice(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.emulate_media(color_scheme="dark")
        page.goto(base + ARTICLE)
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert dark == "rgb(17, 20, 24)"
        page.click(".theme-toggle")  # system -> light wins over the system's dark
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


def test_copy_link_copies_the_section_address_and_announces_it(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.goto(base + ARTICLE)
        anchor = page.locator("#ausland .heading-anchor")
        anchor.focus()
        expect(anchor).to_have_css("opacity", "1")  # visible on focus
        page.keyboard.press("Enter")
        expect(page.locator("#kbgen-status")).to_have_text("Link kopiert")
        assert page.evaluate("navigator.clipboard.readText()") == base + ARTICLE + "#ausland"
        assert page.url.endswith("#ausland")


def test_notice_expired_after_the_build_is_hidden(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.goto(base + "/")
        expect(page.get_by_text("Nur bis Juni 2020.")).to_be_hidden()
        expect(page.get_by_text("Noch lange gültig.")).to_be_visible()


def test_toc_folds_on_phones_and_opens_on_wide_screens(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        page.goto(base + ARTICLE)
        assert page.evaluate("document.querySelector('.toc-details').open") is False
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(base + ARTICLE)
        assert page.evaluate("document.querySelector('.toc-details').open") is True
        assert page.evaluate("getComputedStyle(document.querySelector('.toc')).position") == "sticky"


def test_without_javascript_widgets_are_hidden_and_the_toc_still_opens(site: Path) -> None:
    with serve_folder(site) as base, browser(javascript=False) as context:
        page = context.new_page()
        page.goto(base + ARTICLE)
        expect(page.locator("#feedback")).to_be_hidden()
        expect(page.locator(".theme-toggle")).to_be_hidden()
        page.click(".toc summary")
        expect(page.locator(".toc a[href='#inland']")).to_be_visible()
        expect(page.get_by_text("Nur bis Juni 2020.")).to_be_visible()  # only the script knows today's date


def test_guide_free_pages_and_contact_page_have_no_csp_errors(site: Path) -> None:
    with serve_folder(site) as base, browser() as context:
        page = context.new_page()
        seen = watch(page)
        for url in ("/", "/kontakt/", "/en/contact/", ARTICLE):
            page.goto(base + url)
        assert not seen["errors"], seen["errors"]
        assert all(url.startswith(base) for url in seen["requests"]), seen["requests"]


def test_from_file_the_toggle_works_and_a_site_relative_endpoint_is_not_offered(site: Path) -> None:
    with browser() as context:
        page = context.new_page()
        seen = watch(page)
        page.goto((site / "versand" / "lieferzeiten" / "index.html").as_uri())
        expect(page.locator(".theme-toggle")).to_be_visible()
        page.click(".theme-toggle")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        expect(page.locator("#feedback")).to_be_hidden()  # /feedback has no server behind file://
        assert not seen["errors"], seen["errors"]

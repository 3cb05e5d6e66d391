"""What every page says to search engines and readers: a description (the page's, else the site's), lists in dictionary order."""

from __future__ import annotations

from conftest import build_site, read


def test_every_page_has_a_description(make_site) -> None:
    root = make_site({
        "kbgen.yml": "title: Hilfe\ndescription: Antworten zu Versand und Rücksendung.\n",
        "content/versand/lieferzeiten.md": "---\ntitle: Lieferzeiten\ntags: [paket]\ndescription: Wann Pakete kommen.\n---\nText.\n",
        "content/versand/kosten.md": "---\ntitle: Versandkosten\n---\nText.\n",
    })
    result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    site_text = '<meta name="description" content="Antworten zu Versand und Rücksendung.">'
    assert '<meta name="description" content="Wann Pakete kommen.">' in read(result.out, "/versand/lieferzeiten/")
    for url in ("/versand/kosten/", "/tag/paket/", "/a-z/", "/404.html"):
        page = read(result.out, url)
        assert site_text in page, url
        assert '<meta property="og:description" content="Antworten zu Versand und Rücksendung.">' in page, url


def test_lists_sort_umlauts_with_their_letter(make_site) -> None:
    # DIN 5007-1, as in a German dictionary: "Öffnungszeiten" between N and P, not after Z.
    root = make_site({
        "content/kontakt/oeffnungszeiten.md": "---\ntitle: Öffnungszeiten\ntags: [öffnungszeiten]\n---\nText.\n",
        "content/kontakt/zoll.md": "---\ntitle: Zoll\ntags: [zoll]\n---\nText.\n",
        "content/kontakt/newsletter.md": "---\ntitle: Newsletter\ntags: [newsletter]\n---\nText.\n",
    })
    result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    az = read(result.out, "/a-z/")
    assert az.index(">Newsletter<") < az.index(">Öffnungszeiten<") < az.index(">Zoll<")
    tags = read(result.out, "/tag/")
    assert tags.index(">newsletter<") < tags.index(">öffnungszeiten<") < tags.index(">zoll<")

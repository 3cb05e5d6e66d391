from conftest import build_site, read


def test_zero_configuration_folder_builds(make_site):
    root = make_site({
        "content/versand/lieferzeiten.md": "# Lieferzeiten\n\nText.\n",
        "content/versand/kosten.md": "Nur Text ohne Titel.\n",
    })
    result = build_site(root)
    assert result.written, result.diagnostics.items()
    out = root / "public"
    page = read(out, "/versand/lieferzeiten/")
    assert "<h1>Lieferzeiten</h1>" in page
    assert page.count("<h1") == 1
    assert "<h1>Kosten</h1>" in read(out, "/versand/kosten/")
    assert "Versand" in read(out, "/versand/")

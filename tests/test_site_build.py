"""Whole-site builds: the model and the output a writer and a customer would notice."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from conftest import build_site, read, run_cli

MULTI = {
    "kbgen.yml": """
        title: {de: Hilfe, en: Help}
        base_url: https://example.com/hilfe/
        languages: [de, en]
        products:
          - id: hub
            name: Lumio Hub
    """,
    "content/de/versand/_category.yml": "title: Versand & Lieferung\ndescription: Alles zum Paket.\norder: 2\n",
    "content/de/versand/lieferzeiten.md": """
        ---
        title: Lieferzeiten
        description: Wie lange ein Paket braucht.
        tags: [versand, paket]
        products: [hub]
        updated: 2026-10-12
        aliases: [/alt/lieferzeit/]
        ---
        Pakete kommen in 2 Tagen. Siehe [Kosten](kosten.md#preise-im-ueberblick).

        ## Rücksendung
        Text.
    """,
    "content/de/versand/kosten.md": """
        ---
        title: Versandkosten
        order: 1
        tags: [versand]
        updated: 2026-09-01
        ---
        ## Preise im Überblick
        | Land | Preis |
        |---|---|
        | DE | 4,90 € |
    """,
    "content/de/versand/top.md": "---\ntitle: Zuletzt alphabetisch\npromoted: true\norder: 9\n---\nText.\n",
    "content/en/versand/_category.yml": "title: Shipping\n",
    "content/en/versand/lieferzeiten.md": "---\ntitle: Delivery times\nupdated: 2026-10-13\n---\nTwo days.\n",
}


def test_multilingual_site_links_translations_and_urls(make_site):
    root = make_site(MULTI)
    result = build_site(root)
    assert result.written, [d.text() for d in result.diagnostics.items()]
    out = root / "public"
    page = read(out, "/versand/lieferzeiten/")
    assert 'href="../kosten/#preise-im-ueberblick"' in page  # .md link rewritten, relative, umlaut anchor
    assert '<h2 id="ruecksendung">Rücksendung <a class="heading-anchor" href="#ruecksendung"' in page
    # Search engines need full addresses in hreflang alternates; the language switcher stays relative.
    assert '<link rel="alternate" hreflang="en" href="https://example.com/hilfe/en/versand/lieferzeiten/">' in page
    assert 'href="../../en/versand/lieferzeiten/" hreflang="en"' in page
    assert '<link rel="canonical" href="https://example.com/hilfe/versand/lieferzeiten/">' in page
    assert '<html lang="de">' in page and '<html lang="en">' in read(out, "/en/versand/lieferzeiten/")
    # Category listing: promoted first, then order, then title.
    listing = read(out, "/versand/")
    assert listing.index("Zuletzt alphabetisch") < listing.index("Versandkosten") < listing.index(">Lieferzeiten<")
    # Tag and product pages list the article.
    assert "Lieferzeiten" in read(out, "/schlagwort/paket/")
    assert "Lieferzeiten" in read(out, "/produkt/hub/")
    # Aliases: a redirect page and a _redirects line, both under the base path.
    assert 'url=../../versand/lieferzeiten/' in read(out, "/alt/lieferzeit/")
    assert "/hilfe/alt/lieferzeit/ /hilfe/versand/lieferzeiten/ 301" in (out / "_redirects").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.com/hilfe/versand/lieferzeiten/</loc><lastmod>2026-10-12</lastmod>" in sitemap
    assert 'hreflang="en" href="https://example.com/hilfe/en/versand/lieferzeiten/"' in sitemap
    assert "Sitemap: https://example.com/hilfe/sitemap.xml" in (out / "robots.txt").read_text()
    feed = (out / "feed.xml").read_text()
    assert feed.index("Lieferzeiten") < feed.index("Versandkosten")  # newest first
    assert "<updated>2026-10-12T00:00:00Z</updated>" in feed
    assert (out / "en" / "feed.xml").exists()


def test_table_code_footnote_deflist_tasklist_callout(make_site):
    root = make_site({"content/a/x.md": """
        ---
        title: Markdown
        ---
        | A | B |
        |---|---|
        | 1 | 2 |

        ```yaml
        key: value
        ```

        Text mit Fußnote[^1].

        Begriff
        : Erklärung

        - [ ] offen
        - [x] erledigt

        > [!WARNING]
        > Nicht öffnen.

        [^1]: Die Fußnote.
    """})
    result = build_site(root)
    assert result.written
    html = read(root / "public", "/a/x/")
    assert "<table>" in html and '<code class="language-yaml">' in html
    assert 'class="footnote-ref"' in html and "<dl>" in html and "<dd>Erklärung</dd>" in html
    assert 'type="checkbox"' in html
    assert '<div class="callout callout-warning" role="note">' in html and "Warning</strong>" in html


def test_guide_steps_know_their_place(make_site):
    root = make_site({
        "content/einrichten/hub/_guide.yml": "title: Hub einrichten\nsteps: [auspacken.md, anschliessen.md, app.md]\n",
        "content/einrichten/hub/auspacken.md": "# Auspacken\nText.\n",
        "content/einrichten/hub/anschliessen.md": "# Anschließen\nText.\n",
        "content/einrichten/hub/app.md": "# App verbinden\nText.\n",
    })
    assert build_site(root).written
    out = root / "public"
    overview = read(out, "/einrichten/hub/")
    assert overview.index("Auspacken") < overview.index("Anschließen") < overview.index("App verbinden")
    step = read(out, "/einrichten/hub/anschliessen/")
    assert "Step 2 of 3" in step
    assert 'rel="prev" href="../auspacken/"' in step and 'rel="next" href="../app/"' in step


def test_faq_questions_get_anchors(make_site):
    root = make_site({"content/hilfe/faq.md": "---\ntitle: FAQ\ntype: faq\n---\n## Wie lange dauert der Versand?\nZwei Tage.\n## Kann ich zurückschicken?\nJa.\n"})
    assert build_site(root).written
    html = read(root / "public", "/hilfe/faq/")
    assert 'id="wie-lange-dauert-der-versand"' in html and 'id="kann-ich-zurueckschicken"' in html
    # Each question is a <details> whose summary is the question.
    assert html.count('<details class="faq-item"><summary><h2 id=') == 2
    assert '</summary><div class="faq-answer">\n<p>Zwei Tage.</p>\n</div></details>' in html


def test_drafts_are_left_out_unless_asked(make_site):
    files = {"content/a/live.md": "# Live\n", "content/a/entwurf.md": "---\ntitle: Entwurf\ndraft: true\n---\nText\n"}
    root = make_site(files)
    assert build_site(root).written
    assert not (root / "public/a/entwurf").exists()
    assert build_site(root, drafts=True).written
    assert (root / "public/a/entwurf/index.html").exists()


def test_updated_falls_back_to_git_commit_date_never_build_time(make_site):
    root = make_site({"content/a/x.md": "# X\nText.\n", "content/a/y.md": "# Y\nText.\n"})
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "content/a/x.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True,
                   env={"GIT_COMMITTER_DATE": "2024-05-06T12:00:00", "GIT_AUTHOR_DATE": "2024-05-06T12:00:00",
                        "PATH": "/usr/bin:/bin"})
    result = build_site(root)
    assert result.site.articles["a/x.md"].updated.isoformat() == "2024-05-06"
    assert result.site.articles["a/y.md"].updated is None  # uncommitted: no date rather than a made-up one
    assert '<time datetime="2024-05-06">' in read(root / "public", "/a/x/")


def test_two_builds_are_byte_identical(make_site, tmp_path):
    root = make_site(MULTI)
    a, b = tmp_path / "a", tmp_path / "b"
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert run_cli("build", root, "-o", a, env=env).code == 0
    assert run_cli("build", root, "-o", b, env=env).code == 0
    assert _tree_hash(a) == _tree_hash(b)


def test_parallel_build_is_the_serial_build(make_site, tmp_path, monkeypatch):
    """Worker processes (parse, render, the search index beside them) change nothing in the output."""
    files = dict(MULTI)
    for i in range(240):
        files[f"content/de/thema-{i % 6}/frage-{i}.md"] = (
            f"---\ntitle: Frage {i} zur Rücksendung\ntags: [thema{i % 4}]\n---\n"
            f"Antwort {i}: Garantieverlängerung und Rücksendeetikett.\n\n## Schritt {i}\nText.\n")
    root = make_site(files)
    for workers, out in (("1", tmp_path / "serial"), ("2", tmp_path / "parallel")):
        monkeypatch.setenv("KBGEN_WORKERS", workers)
        assert build_site(root, out=out, cache=False).written
    assert _tree_hash(tmp_path / "serial") == _tree_hash(tmp_path / "parallel")


def _tree_hash(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_assets_are_fingerprinted_and_pages_link_them_relatively(make_site):
    root = make_site({"content/a/b/c.md": "# Tief\n", "assets/extra.css": "body{}"})
    assert build_site(root).written
    out = root / "public"
    css = [p.name for p in (out / "assets").glob("kbgen.*.css")]
    assert len(css) == 1
    assert f'href="../../../assets/{css[0]}"' in read(out, "/a/b/c/")
    assert list((out / "assets").glob("extra.*.css"))


def test_site_layout_overrides_a_builtin_template(make_site):
    root = make_site({"content/a/x.md": "# X\n",
                      "layouts/404.html": "<!doctype html><title>Weg</title><p>Eigene 404</p>\n"})
    assert build_site(root).written
    assert "Eigene 404" in (root / "public/404.html").read_text()


def test_override_layouts_read_views_as_jinja_does(make_site):
    """Views are dicts looked up by key first: a dict's own methods and a missing key must still
    behave as in plain Jinja2, which layout writers know."""
    root = make_site({"content/a/x.md": "# Rücksendung\n\nText.\n",
                      "layouts/article.html": "<title>{{ page.title }}</title>"
                                              "<p>{{ page.get('title') }}|{{ page.items is callable }}|"
                                              "{{ page.nonexistent is defined }}</p>\n"})
    assert build_site(root).written
    assert "<title>Rücksendung</title><p>Rücksendung|True|False</p>" in read(root / "public", "/a/x/")


def test_404_links_work_at_any_depth(make_site):
    root = make_site({"kbgen.yml": "base_url: https://example.com/hilfe/\n", "content/a/x.md": "# X\n"})
    assert build_site(root).written
    page = (root / "public/404.html").read_text()
    assert 'href="/hilfe/assets/kbgen.' in page and 'href="/hilfe/a/"' in page


def test_computed_related_prefers_shared_tags(make_site):
    root = make_site({
        "content/a/x.md": "---\ntitle: Rücksendung anmelden\ntags: [retoure]\n---\nText\n",
        "content/a/y.md": "---\ntitle: Erstattung\ntags: [retoure]\n---\nText\n",
        "content/b/z.md": "---\ntitle: Lieferzeiten\ntags: [versand]\n---\nText\n",
    })
    site = build_site(root).site
    assert site.articles["a/x.md"].related == ["a/y.md"]

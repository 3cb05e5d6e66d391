"""kbgen build --report: the content-health report in _report/, outside the site, deterministic."""

from __future__ import annotations

import datetime as dt
import re

from conftest import build_site, run_cli
from kbgen.agechart import age_counts, months_between

EPOCH = "1796169600"  # 2026-12-02 00:00 UTC

FILES = {
    "kbgen.yml": "title: Hilfe\nbase_url: https://hilfe.example/\nlanguages: [de, en]\n"
                 "edit_url: https://git.example/hilfe/edit/main\n"
                 "products:\n  - id: hub\n    name: Lumio Hub\n",
    "content/de/versand/_category.yml": "title: Versand\n",
    "content/de/versand/alt.md": "---\ntitle: Alte Lieferzeiten\nreview_by: 2026-01-01\nupdated: 2024-05-01\n"
                                 "products: [hub]\n---\n## Teil\nText ![](bild.svg)\n",
    "content/de/versand/bild.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/de/versand/bald.md": "---\ntitle: Bald fällig\nreview_by: 2026-12-10\nupdated: 2026-11-20\n---\n"
                                  "Siehe [alt](alt.md).\n",
    "content/de/versand/lang.md": "---\ntitle: Lang\nupdated: 2026-06-01\n---\n" + "Wort " * 450 + "\n",
    "content/de/impressum.md": "---\ntitle: Impressum\nupdated: 2026-10-01\n---\nNiemand verlinkt mich.\n",
    "content/en/versand/alt.md": "---\ntitle: Old delivery times\nupdated: 2026-11-01\n---\n## Part\nText\n",
    "content/de/_snippets/vergessen.md": "Niemand nutzt mich.\n",
}


def report(root, **env):
    result = run_cli("build", root, "--report", env={"SOURCE_DATE_EPOCH": EPOCH, **env})
    assert result.code == 0, result.stderr
    return (root / "public" / "_report" / "index.html").read_text(encoding="utf-8")


def test_report_lists_findings_most_urgent_first(make_site):
    root = make_site(FILES)
    html = report(root)
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "as of 2026-12-02" in html
    order = [html.index(f'id="{s}"') for s in ("review", "soon", "alt", "translations", "orphans", "long", "clear")]
    assert order == sorted(order), "sections with findings come first, in order of urgency"
    assert "Broken things: none" in html[html.index('id="clear"'):]
    review = html[html.index('id="review"'):html.index('id="soon"')]
    assert "review was due on 2026-01-01" in review and "<td>335</td>" in review
    assert 'href="https://git.example/hilfe/edit/main/content/de/versand/alt.md"' in review
    assert 'href="../versand/alt/index.html">Alte Lieferzeiten</a>' in review
    assert "content/de/versand/alt.md:8" in html[html.index('id="alt"'):]  # the image without alt text, by line
    assert "content/de/versand/bald.md" in html[html.index('id="soon"'):html.index('id="alt"')]
    assert "content/de/impressum.md" in html[html.index('id="orphans"'):]
    assert "450" in html[html.index('id="long"'):]
    assert "Duplicate titles: none" in html
    assert "content/de/_snippets/vergessen.md" in html[html.index('id="snippets"'):]
    assert re.search(r"<th scope=\"row\">Lumio Hub</th><td class=\"num\">1</td><td class=\"num\">0</td>", html)
    assert re.search(r"<th scope=\"row\">Versand</th><td class=\"num\">3</td><td class=\"num\">1</td>", html)
    assert "<svg" in html and "2 years or more: 1" in html


def test_report_is_outside_the_site_and_deterministic(make_site):
    root = make_site(FILES)
    first = report(root)
    out = root / "public"
    assert (out / "_report" / "report.css").is_file()
    assert "_report" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    index = "".join(p.read_text(encoding="utf-8") for p in (out / "assets" / "search").rglob("*.js"))
    assert "_report" not in index and "Content report" not in index
    pages = [p for p in out.rglob("*.html") if "_report" not in p.parts]
    assert not any("_report" in p.read_text(encoding="utf-8") for p in pages), "no page links to the report"
    assert not re.search(r"\sstyle\s*=", first) and "<script" not in first and "<style" not in first
    snapshot = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = report(root)
    assert first == second
    assert snapshot == {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_without_edit_url_the_path_is_shown_and_without_report_nothing_is_written(make_site):
    files = dict(FILES, **{"kbgen.yml": "languages: [de, en]\nproducts:\n  - id: hub\n    name: Lumio Hub\n"})
    root = make_site(files)
    html = report(root)
    assert "<code>content/de/versand/alt.md:3</code>" in html and "git.example" not in html
    assert build_site(root).written
    assert not (root / "public" / "_report").exists()


def test_report_shows_build_warnings_as_broken_things(make_site):
    root = make_site({"content/a/x.md": "# X\n\n[gut](../a/y.md)\n", "content/a/y.md": "# Y\n\n[draft](z.md)\n",
                      "content/a/z.md": "---\ntitle: Z\ndraft: true\n---\nText\n"})
    html = report(root)
    problems = html[html.index('id="problems"'):]
    assert "warning: link &#39;z.md&#39; points to a draft" in problems
    assert "<code>content/a/y.md:3</code>" in problems


def test_age_buckets():
    today = dt.date(2026, 12, 2)
    assert months_between(dt.date(2026, 11, 2), today) == 1
    assert months_between(dt.date(2026, 11, 3), today) == 0
    assert months_between(dt.date(2027, 1, 1), today) == 0
    rows = age_counts([dt.date(2026, 12, 1), dt.date(2026, 10, 15), dt.date(2023, 1, 1), None], today)
    assert [(label, n) for label, n, _ in rows] == [
        ("under 1 month", 1), ("1–2 months", 1), ("3–5 months", 0), ("6–11 months", 0), ("1–2 years", 0),
        ("2 years or more", 1), ("no date", 1)]


def test_report_after_a_cached_build_without_it(make_site):
    root = make_site(FILES)
    assert run_cli("build", root, env={"SOURCE_DATE_EPOCH": EPOCH}).code == 0
    assert not (root / "public" / "_report").exists()
    report(root)  # the unchanged site's cached output has no report: --report builds it
    assert run_cli("build", root, env={"SOURCE_DATE_EPOCH": EPOCH}).code == 0
    assert not (root / "public" / "_report").exists()

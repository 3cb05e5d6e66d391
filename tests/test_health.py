"""kbgen check shows what needs a writer's attention, as notes that never fail the check."""

from __future__ import annotations

from conftest import run_cli


def test_check_reports_review_orphans_long_text_and_duplicate_titles(make_site):
    long_text = "Wort " * 450
    root = make_site({
        "content/versand/alt.md": "---\ntitle: Lieferzeiten\nreview_by: 2020-01-01\n---\n## Teil\nText\n",
        "content/versand/lang.md": f"---\ntitle: Lieferzeiten\n---\n{long_text}\n",
        "content/impressum.md": "# Impressum\nNiemand verlinkt mich.\n",
    })
    result = run_cli("check", root, "--strict")
    assert result.code == 0, result.stderr  # notes never fail, not even under --strict
    err = result.stderr
    assert "content/versand/alt.md:3: note: review was due on 2020-01-01" in err
    assert "content/impressum.md: note: no category lists this article and no page links to it" in err
    assert "content/versand/lang.md: note: 450 words without a single heading" in err
    assert "content/versand/alt.md:2: note: the title is also used by content/versand/lang.md" in err
    assert "note:" not in run_cli("build", root).stderr  # the build itself stays quiet

"""kbgen init and kbgen new give sites that build under --strict."""

from __future__ import annotations

from conftest import run_cli


def test_init_creates_a_site_that_builds_strictly(tmp_path):
    site = tmp_path / "hilfe"
    assert run_cli("init", site).code == 0
    assert (site / ".github/workflows/help-center.yml").exists() and (site / ".gitignore").exists()
    assert "--strict --format github" in (site / ".github/workflows/help-center.yml").read_text()
    result = run_cli("build", site, "--strict")
    assert result.code == 0, result.stderr
    assert (site / "public/versand/erste-schritte/bestellen/index.html").exists()
    assert run_cli("init", site).code == 2  # not into a folder that has files


def test_new_fills_front_matter_and_refuses_to_overwrite(tmp_path):
    site = tmp_path / "hilfe"
    run_cli("init", site)
    (site / "kbgen.yml").write_text((site / "kbgen.yml").read_text() + "review_interval: 30\n")
    made = run_cli("new", "article", "Rücksendung aus Österreich", "--category", "ruecksendung", cwd=site)
    assert made.code == 0
    path = site / made.stdout.strip()
    assert path.name == "ruecksendung-aus-oesterreich.md"
    text = path.read_text()
    assert 'title: "Rücksendung aus Österreich"' in text and "created: " in text and "review_by: " in text
    again = run_cli("new", "article", "Rücksendung aus Österreich", "--category", "ruecksendung", cwd=site)
    assert again.code == 1 and "exists already" in again.stderr
    assert run_cli("new", "faq", "Fragen zum Versand", "--category", "versand", cwd=site).code == 0
    assert run_cli("new", "guide", "Hub einrichten", "--category", "versand", cwd=site).code == 0
    assert run_cli("build", site, "--strict").code == 0

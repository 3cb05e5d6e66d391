"""kbgen serve's preview: a text-only edit's page, written from the last build's model before the rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import build_site, read
from kbgen.preview import preview_edit
from kbgen.serve import DevState

FILES = {
    "content/versand/lieferzeiten.md": "---\ntitle: Lieferzeiten\ntags: [versand]\n---\n"
                                       "Zwei Tage. Siehe [Kosten](kosten.md).\n\n## Express\n\nEin Tag.\n",
    "content/versand/kosten.md": "---\ntitle: Versandkosten\ntags: [versand]\n---\nAb 50 € frei.\n",
    "content/konto/passwort.md": "# Passwort vergessen\n\nSo setzen Sie es zurück.\n",
}


@pytest.fixture
def served(make_site, tmp_path):
    root = make_site(FILES)
    state = DevState(root, tmp_path / "served", False)
    state.rebuild()
    assert state.snapshot is not None and state.manifest is not None
    return root, state


def _preview(state: DevState, *paths: Path):
    assert state.snapshot is not None and state.manifest is not None
    return preview_edit(state.snapshot, {os.path.realpath(p) for p in paths}, state.out, state.manifest)


def test_a_text_edit_is_written_from_the_model_as_the_rebuild_writes_it(served, tmp_path):
    root, state = served
    article = root / "content/versand/lieferzeiten.md"
    article.write_text(FILES["content/versand/lieferzeiten.md"].replace("Ein Tag.", "Am nächsten Werktag.")
                       + "\n## Abholung\n\nIm Laden.\n", encoding="utf-8")
    page = _preview(state, article)
    assert page is not None and page.url == "/versand/lieferzeiten/"
    shown = read(state.out, page.url)
    assert "Am nächsten Werktag." in shown and 'id="abholung"' in shown  # the new text and its new heading
    assert 'href="../kosten/"' in shown  # its links resolved against the model
    clean = build_site(root, out=tmp_path / "clean", cache=False, preview=True)
    assert read(tmp_path / "clean", page.url) == shown  # what the rebuild then writes, byte for byte
    assert clean.written


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("title: Lieferzeiten", "title: Lieferdauer"),  # the title shows on other pages
    lambda text: text.replace("tags: [versand]", "tags: [versand, express]"),  # front matter: the model changes
    lambda text: text.replace("(kosten.md)", "(porto.md)"),  # a broken link: the rebuild reports it
    lambda text: text.replace("Zwei Tage.", "Zwei [Tage](#gibts-nicht)."),  # a broken anchor
    lambda text: "---\ntitle: [kaputt\n---\n",  # front matter that does not parse
])
def test_edits_beyond_the_text_are_left_to_the_rebuild(served, edit):
    root, state = served
    article = root / "content/versand/lieferzeiten.md"
    before = read(state.out, "/versand/lieferzeiten/")
    article.write_text(edit(article.read_text(encoding="utf-8")), encoding="utf-8")
    assert _preview(state, article) is None
    assert read(state.out, "/versand/lieferzeiten/") == before


def test_a_new_title_from_the_first_heading_is_left_to_the_rebuild(served):
    root, state = served
    article = root / "content/konto/passwort.md"
    article.write_text("# Passwort ändern\n\nSo setzen Sie es zurück.\n", encoding="utf-8")
    assert _preview(state, article) is None  # listings, breadcrumbs and related cards show the title
    article.write_text("# Passwort vergessen\n\nSo setzen Sie ein neues.\n", encoding="utf-8")
    assert _preview(state, article) is not None


def test_only_a_single_changed_article_is_previewed(served):
    root, state = served
    article, other = root / "content/versand/lieferzeiten.md", root / "content/versand/kosten.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Ein Tag.", "Sofort."), encoding="utf-8")
    assert _preview(state, article, other) is None  # two files: one may change what the other shows
    assert _preview(state, root / "content/versand") is None  # a folder
    assert _preview(state, root / "kbgen.yml") is None
    assert _preview(state, root / "content/versand/neu.md") is None  # a file the model does not have


def test_serve_previews_the_edit_then_rebuilds_to_a_clean_build(served, tmp_path, capsys):
    root, state = served
    article = root / "content/versand/lieferzeiten.md"
    generation = state.stamp("/versand/lieferzeiten/")
    article.write_text(article.read_text(encoding="utf-8").replace("Zwei Tage.", "Drei Tage."), encoding="utf-8")
    state.rebuild(changed={os.path.realpath(article)})
    assert "kbgen serve: previewed /versand/lieferzeiten/ in" in capsys.readouterr().err
    assert state.stamp("/versand/lieferzeiten/") == generation + 1  # the preview and the rebuild: one reload
    build_site(root, out=tmp_path / "clean", cache=False, preview=True)
    for url in ("/versand/lieferzeiten/", "/versand/", "/tag/versand/"):
        assert read(state.out, url) == read(tmp_path / "clean", url), url

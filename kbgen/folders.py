"""Categories, sections and product guides from folders and their _category.yml / _guide.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kbgen.config import CONTACT_FIELDS, SiteConfig, check_social
from kbgen.diagnostics import Diagnostics, did_you_mean
from kbgen.discover import Discovery, Source
from kbgen.model import UNORDERED, Folder
from kbgen.slugs import slugify
from kbgen.schema import INT, MAPPING, TEXT, WORDS, Field, check_mapping
from kbgen.textfile import read_text
from kbgen.yamlload import YamlMapping, load_mapping

CATEGORY_FIELDS = {
    "title": Field(TEXT, "the category's name"),
    "description": Field(TEXT, "one sentence shown on the category tile"),
    "icon": Field(TEXT, "an icon name: cart, truck, return, shield, user, wrench, alert, chat, book"),
    "order": Field(INT, "position among its siblings (lower first)"),
    "contact": Field(MAPPING, "contact channels for this category's pages, replacing the site's: phone, email, …"),
}
GUIDE_FIELDS = {
    "title": Field(TEXT, "the guide's name", required=True),
    "description": Field(TEXT, "one sentence shown on the guide's overview"),
    "product": Field(TEXT, "the id of the product from kbgen.yml the guide is for"),
    "steps": Field(WORDS, "the step articles in order, e.g. [auspacken.md, anschliessen.md]"),
    "order": Field(INT, "position among its siblings (lower first)"),
    "icon": Field(TEXT, "an icon name"),
}


@dataclass
class GuideSpec:
    key: str  # folder key
    steps: list[str]  # step sources in order (validated later against parsed articles)
    steps_line: int | None  # line of 'steps' in _guide.yml
    step_lines: list[int]  # line of each entry of steps
    file: str  # the _guide.yml, for diagnostics


@dataclass
class FolderTree:
    folders: dict[str, Folder] = field(default_factory=dict)
    guides: dict[str, GuideSpec] = field(default_factory=dict)


def lang_prefix(config: SiteConfig, lang: str) -> str:
    """URL prefix of a language: '' for the default, '/en' for the others."""
    return "" if lang == config.default_language else f"/{lang}"


def folder_url_path(rel: str) -> str:
    """A folder path as URL segments: 'Versand & Lieferung/DHL' -> 'versand-lieferung/dhl'."""
    return "/".join(slugify(segment, "folder") for segment in rel.split("/"))


def humanize(name: str) -> str:
    text = name.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def load_folders(config: SiteConfig, found: Discovery, diags: Diagnostics) -> FolderTree:
    tree = FolderTree()
    for src in found.folders:
        key = src.source
        parent_path = src.rel.rpartition("/")[0]
        parent = (key.rpartition("/")[0] if parent_path else None)
        folder = Folder(key=key, lang=src.lang, path=src.rel, title=humanize(src.rel.rpartition("/")[2]),
                        description="", icon="", order=UNORDERED,
                        url=f"{lang_prefix(config, src.lang)}/{folder_url_path(src.rel)}/", parent=parent)
        if key in found.guide_files:
            _apply_guide(folder, found.guide_files[key], config, tree, diags)
        elif key in found.category_files:
            _apply_category(folder, found.category_files[key], diags)
        tree.folders[key] = folder
    for key, folder in tree.folders.items():
        if folder.parent and folder.parent in tree.folders:
            tree.folders[folder.parent].children.append(key)
    for folder in tree.folders.values():
        folder.children.sort(key=lambda k: (tree.folders[k].order, tree.folders[k].title.casefold(), k))
    return tree


def _read(src: Source, diags: Diagnostics, what: str) -> tuple[dict[str, Any], YamlMapping] | None:
    text = read_text(src.path, src.file, diags)
    if text is None:
        return None
    mapping = load_mapping(text, src.file, diags, what=what)
    if mapping is None:
        return None
    fields = GUIDE_FIELDS if what == "_guide.yml" else CATEGORY_FIELDS
    return check_mapping(mapping, fields, src.file, diags, what=what), mapping


def _apply_category(folder: Folder, src: Source, diags: Diagnostics) -> None:
    folder.source = src.file
    result = _read(src, diags, "_category.yml")
    if result is None:
        return
    values, mapping = result
    folder.title = values.get("title") or folder.title
    folder.description = values.get("description", "")
    folder.icon = values.get("icon", "")
    folder.order = values.get("order", UNORDERED)
    if "contact" in values:
        line = mapping.lines.get("contact") or 1
        folder.contact = check_mapping(mapping, CONTACT_FIELDS, src.file, diags, what="contact",
                                       values=values["contact"], lines={}, base_line=line)
        if "social" in folder.contact:
            folder.contact["social"] = check_social(folder.contact["social"], src.file, line, diags)


def _apply_guide(folder: Folder, src: Source, config: SiteConfig, tree: FolderTree, diags: Diagnostics) -> None:
    folder.source = src.file
    folder.is_guide = True
    result = _read(src, diags, "_guide.yml")
    if result is None:
        return
    values, mapping = result
    lines = mapping.lines
    folder.title = values.get("title") or folder.title
    folder.description = values.get("description", "")
    folder.icon = values.get("icon", "")
    folder.order = values.get("order", UNORDERED)
    product = values.get("product")
    if product is not None:
        if product in config.products:
            folder.product = product
        else:
            diags.error(f"unknown product '{product}'", src.file, lines.get("product"),
                        hint=did_you_mean(product, config.products) or "declare it under products: in kbgen.yml",
                        code="product-unknown")
    steps = [f"{folder.key}/{step}" for step in values.get("steps", [])]
    tree.guides[folder.key] = GuideSpec(folder.key, steps, lines.get("steps"), mapping.item_lines.get("steps", []),
                                        src.file)

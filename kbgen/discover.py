"""Finding the site's sources: articles, category and guide folders, media files, per language.

Only this module walks the content folder, so the rules of the layout (language folders,
reserved `_` names, symlinks that leave the site) live in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.config import SiteConfig
from kbgen.diagnostics import Diagnostics

MARKDOWN_SUFFIXES = (".md", ".markdown")
NOTICES_DIR = "_notices"  # content/_notices/: banners; reserved like every "_" name, so never an article
SNIPPETS_DIR = "_snippets"  # below content/ or content/<lang>/: text that articles include


@dataclass(frozen=True)
class Source:
    path: Path  # absolute path on disk
    source: str  # path relative to content/, POSIX, e.g. "de/versand/lieferzeiten.md"
    lang: str  # the language it belongs to
    rel: str  # path relative to the language root, e.g. "versand/lieferzeiten.md"

    @property
    def file(self) -> str:
        """The site-relative name used in diagnostics."""
        return f"content/{self.source}"


@dataclass
class Discovery:
    articles: list[Source] = field(default_factory=list)  # Markdown files, sorted by source
    folders: list[Source] = field(default_factory=list)  # every folder below a language root (rel = folder path)
    category_files: dict[str, Source] = field(default_factory=dict)  # "<lang>/<folder>" -> its _category.yml
    guide_files: dict[str, Source] = field(default_factory=dict)  # "<lang>/<folder>" -> its _guide.yml
    media: list[Source] = field(default_factory=list)  # other files, copied as they are
    notices: list[Source] = field(default_factory=list)  # content/_notices/*.md: site-wide banners, not articles
    # Markdown files below a _snippets/ folder (see reuse.py); lang "" for content/_snippets/ shared by all
    # languages of a multilingual site, rel the path below _snippets/:
    snippets: list[Source] = field(default_factory=list)
    multilingual_layout: bool = False  # content/<lang>/ folders are used


def discover(config: SiteConfig, diags: Diagnostics) -> Discovery:
    found = Discovery()
    content = config.content_dir
    if not content.is_dir():
        diags.error("no content/ folder", "content",
                    hint="put your Markdown articles in a folder named content/ (kbgen init DIR starts a site)",
                    code="no-content")
        return found
    site_root = config.root.resolve()
    default_root = content / config.default_language
    found.multilingual_layout = config.multilingual_config and default_root.is_dir()
    if found.multilingual_layout:
        for entry in sorted(content.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir() and entry.name in config.languages:
                _walk(entry, entry.name, entry.name + "/", site_root, found, diags)
            elif entry.is_dir():
                diags.error(f"folder content/{entry.name}/ is not one of the site's languages",
                            f"content/{entry.name}", hint=f"languages in kbgen.yml are "
                            f"{', '.join(config.languages)}; add '{entry.name}' there or move the folder",
                            code="language-unknown")
            else:
                diags.warning(f"file content/{entry.name} is outside every language folder and is ignored",
                              f"content/{entry.name}",
                              hint=f"move it into content/{config.default_language}/", code="stray-file")
        _find_snippets(content, "", "", site_root, found, diags)
        for lang in config.languages:
            _find_snippets(content / lang, lang, lang + "/", site_root, found, diags)
    else:
        _walk(content, config.default_language, "", site_root, found, diags)
        _find_snippets(content, config.default_language, "", site_root, found, diags)
    found.snippets.sort(key=lambda s: s.source)
    _notices(content / NOTICES_DIR, config, site_root, found, diags)
    found.articles.sort(key=lambda s: s.source)
    found.media.sort(key=lambda s: s.source)
    found.folders.sort(key=lambda s: s.source)
    return found


def _walk(root: Path, lang: str, prefix: str, site_root: Path, found: Discovery, diags: Diagnostics) -> None:
    """Walk ROOT (a language root) without following symlinks that leave the site."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        keep = []
        for name in sorted(dirnames):
            if name == SNIPPETS_DIR and rel_dir:
                where = f"content/{prefix}{rel_dir}/{name}"
                diags.warning(f"{where}/ is not read: snippets live in content/{prefix}{SNIPPETS_DIR}/", where,
                              hint=f"move the files to content/{prefix}{SNIPPETS_DIR}/", code="snippet-folder")
            if name.startswith((".", "_")):
                continue
            if _escapes(here / name, site_root, prefix + _join(rel_dir, name), diags):
                continue
            keep.append(name)
        dirnames[:] = keep
        if rel_dir:
            found.folders.append(Source(here, prefix + rel_dir, lang, rel_dir))
        for name in sorted(filenames):
            path = here / name
            rel = _join(rel_dir, name)
            source = Source(path, prefix + rel, lang, rel)
            if name.startswith("."):
                continue
            if _escapes(path, site_root, source.source, diags):
                continue
            key = prefix + rel_dir if rel_dir else prefix.rstrip("/")
            if name == "_category.yml":
                found.category_files[key] = source
            elif name == "_guide.yml":
                found.guide_files[key] = source
            elif name.startswith("_"):
                continue
            elif name.lower().endswith(MARKDOWN_SUFFIXES):
                found.articles.append(source)
            else:
                found.media.append(source)


def _notices(folder: Path, config: SiteConfig, site_root: Path, found: Discovery, diags: Diagnostics) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        source = Source(path, f"{NOTICES_DIR}/{path.name}", config.default_language, path.name)
        if path.name.startswith((".", "_")) or not path.name.lower().endswith(MARKDOWN_SUFFIXES):
            continue
        if not _escapes(path, site_root, source.source, diags) and path.is_file():
            found.notices.append(source)
def _find_snippets(root: Path, lang: str, prefix: str, site_root: Path, found: Discovery,
                   diags: Diagnostics) -> None:
    """Collect ROOT/_snippets/**/*.md; a file or link whose target leaves that folder is refused."""
    folder = root / SNIPPETS_DIR
    if not folder.is_dir():
        return
    base = prefix + SNIPPETS_DIR
    if _escapes(folder, site_root, base, diags):
        return
    real = folder.resolve()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = Path(dirpath)
        rel_dir = here.relative_to(folder).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        keep = []
        for name in sorted(dirnames):
            if name.startswith(".") or _leaves(here / name, real, f"{base}/{_join(rel_dir, name)}", diags):
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = _join(rel_dir, name)
            if name.startswith(".") or _leaves(here / name, real, f"{base}/{rel}", diags):
                continue
            if name.lower().endswith(MARKDOWN_SUFFIXES):
                found.snippets.append(Source(here / name, f"{base}/{rel}", lang, rel))
            else:
                diags.warning(f"content/{base}/{rel} is not a Markdown file and is ignored", f"content/{base}/{rel}",
                              hint="snippets are .md files; keep images in a folder of the site and link them from the snippet "
                                   "with a relative path, e.g. ../bilder/hub.svg",
                              code="snippet-stray")


def _leaves(path: Path, folder: Path, source: str, diags: Diagnostics) -> bool:
    """Refuse a symlink in a snippet folder whose target is outside that folder."""
    return _refused_link(path, folder, source, diags, "its snippet folder",
                         "copy the text into a file in the snippet folder instead of linking to it")


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _escapes(path: Path, site_root: Path, source: str, diags: Diagnostics) -> bool:
    """Refuse symlinks whose target lies outside the site folder."""
    return _refused_link(path, site_root, source, diags, "the site", "copy the file into the site instead of linking to it")


def _refused_link(path: Path, boundary: Path, source: str, diags: Diagnostics, where: str, hint: str) -> bool:
    """True (with an error) for a broken or looping symlink, or one whose target is outside BOUNDARY."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        diags.error("broken or looping symlink", f"content/{source}", hint="remove the link or fix its target",
                    code="symlink")
        return True
    if target == boundary or boundary in target.parents:
        return False
    diags.error(f"symlink points outside {where} ({target}) and is refused", f"content/{source}", hint=hint,
                code="symlink-outside")
    return True

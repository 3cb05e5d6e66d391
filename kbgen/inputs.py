"""Everything a build reads from the site, hashed once: the key of the cached output.

The parent reads each article's bytes here, once; parsing gets those same bytes, so a file
saved during a build can never be cached under the hash of its older text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.cache import code_digest, digest
from kbgen.discover import Discovery

SOURCE_FOLDERS = ("content", "layouts", "assets", "i18n")


@dataclass
class SiteInputs:
    articles: dict[str, bytes]  # source -> the file's bytes, for the articles that could be read
    digest: str  # kbgen's code, the site's top-level files and every file below SOURCE_FOLDERS
    hashes: dict[str, str] = field(default_factory=dict)  # source -> digest of the article's bytes (hashed once)


def read_inputs(root: Path, found: Discovery) -> SiteInputs:
    articles: dict[str, bytes] = {}
    hashes: dict[str, str] = {}
    by_path: dict[str, str] = {}  # path -> digest of the bytes, for the articles read
    for src in found.articles:
        try:
            data = src.path.read_bytes()
        except OSError:
            continue  # parsing reports it
        articles[src.source] = data
        hashes[src.source] = by_path[str(src.path)] = digest(data)
    parts: list[bytes | str] = [code_digest()]
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.is_file() and not entry.name.startswith("."):
            parts += [entry.name, _read(entry)]
    for name in SOURCE_FOLDERS:
        folder = root / name
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"  # once per folder: 10,000 files add up
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                known = by_path.get(path)
                parts += [rel + filename, known if known is not None else _read(Path(path))]
    for src in [*found.articles, *found.media]:  # files reached through symlinked folders, too
        if str(src.path) not in by_path:
            parts += [src.source, _read(src.path)]
    return SiteInputs(articles, digest(*parts), hashes)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"unreadable: {exc.errno}".encode()

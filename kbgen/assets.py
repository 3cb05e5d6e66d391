"""Theme assets: the built-in files overlaid by the site's assets/, copied with content-hashed names.

Fingerprinted names let hosts cache CSS and JS forever; the templates ask for a logical
name (`asset('kbgen.css')`) and get the hashed one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kbgen.theme import builtin_assets
from kbgen.write import OutputWriter

FINGERPRINTED = (".css", ".js", ".mjs")


def collect_assets(site_root: Path) -> dict[str, Path]:
    """Logical name (path below assets/) -> file, the site's files replacing built-in ones."""
    files: dict[str, Path] = {}
    for root in (builtin_assets(), site_root / "assets"):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
                files[path.relative_to(root).as_posix()] = path
    return files


def fingerprint(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext}" not in FINGERPRINTED:
        return name
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}"


def write_assets(files: dict[str, Path], writer: OutputWriter) -> dict[str, str]:
    """Copy every asset into OUT/assets/ and return logical name -> site URL."""
    urls: dict[str, str] = {}
    for name, path in sorted(files.items()):
        data = path.read_bytes()
        hashed = fingerprint(name, data)
        writer.write(f"assets/{hashed}", data)
        urls[name] = f"/assets/{hashed}"
    return urls

"""URL arithmetic: site-internal paths (always starting with '/', pretty URLs end with '/'), made
relative to the page that links them so the site works under any base path and from file://."""

from __future__ import annotations

import posixpath
from pathlib import Path


def relative(from_url: str, to_url: str) -> str:
    """TO_URL as seen from the page at FROM_URL, e.g. ('/a/b/', '/a/c/') -> '../c/'."""
    target, sep, fragment = to_url.partition("#")
    if not target:
        return f"#{fragment}" if sep else "./"
    from_dir = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath(target, from_dir)
    if target.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel + (f"#{fragment}" if sep else "")


def output_path(out: Path, url: str) -> Path:
    """The file a URL is written to: pretty URLs get index.html. Refuses anything outside OUT."""
    rel = url.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    path = (out / rel).resolve()
    root = out.resolve()
    if root != path and root not in path.parents:
        raise ValueError(f"refusing to write outside the output folder: {url}")
    return path


def absolute(base_url: str | None, base_path: str, url: str) -> str:
    """The public address of URL: absolute when base_url is known, else root-relative."""
    return (base_url or base_path).rstrip("/") + url

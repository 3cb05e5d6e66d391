"""URL arithmetic: site-internal paths (always starting with '/', pretty URLs end with '/'), made
relative to the page that links them so the site works under any base path and from file://."""

from __future__ import annotations

from pathlib import Path


def relative(from_url: str, to_url: str) -> str:
    """TO_URL as seen from the page at FROM_URL, e.g. ('/a/b/', '/a/c/') -> '../c/'."""
    target, sep, fragment = to_url.partition("#")
    if not target:
        return f"#{fragment}" if sep else "./"
    from_parts = from_url.split("/")[1:-1]  # directories of the linking page
    to_parts = target.split("/")[1:]  # the last part is "" for a pretty URL, else a file name
    common = 0
    limit = min(len(from_parts), len(to_parts) - 1)
    while common < limit and from_parts[common] == to_parts[common]:
        common += 1
    rel = "../" * (len(from_parts) - common) + "/".join(to_parts[common:])
    return (rel or "./") + (f"#{fragment}" if sep else "")


def output_path(out: Path, url: str) -> Path:
    """The file a URL is written to: pretty URLs get index.html. Refuses anything outside OUT."""
    return out / output_rel(url)


def output_rel(url: str) -> str:
    """The path below the output folder a URL is written to (see output_path)."""
    rel = url.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    # URLs come from validated slugs and folder names; this is the last line of defence, kept
    # to string checks because the staging folder is new and holds no symlinks.
    if any(part in ("..", ".") for part in rel.split("/")) or "\\" in rel or "\x00" in rel:
        raise ValueError(f"refusing to write outside the output folder: {url}")
    return rel


def absolute(base_url: str | None, base_path: str, url: str) -> str:
    """The public address of URL: absolute when base_url is known, else root-relative."""
    return (base_url or base_path).rstrip("/") + url

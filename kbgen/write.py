"""Write stage: build into a temporary folder beside OUT and swap it in only when the build succeeded.

A failed build therefore leaves the previous output exactly as it was, and the checks
here refuse output folders that would overwrite the user's own files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kbgen.cache import digest as blob_key
from kbgen.diagnostics import Diagnostics

MARKER = ".kbgen-output"  # marks a folder kbgen wrote, so it may replace it


def check_output_folder(out: Path, site_root: Path, diags: Diagnostics) -> bool:
    out, root = out.resolve(), site_root.resolve()
    protected = [root, root / "content", root / "layouts", root / "assets", root / "i18n"]
    if out in protected or out in root.parents or any(p in out.parents for p in protected[1:]):
        diags.error(f"refusing to write the site into {out}: it would replace your sources", None,
                    hint="choose an output folder of its own, e.g. -o public", code="output-unsafe")
        return False
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        diags.error(f"{out} exists and was not written by kbgen; refusing to replace it", None,
                    hint="remove it yourself or choose another output folder with -o", code="output-unsafe")
        return False
    return True


class StagedOutput:
    """The temporary folder a build writes into, then commits over OUT or discards.

    In place (kbgen serve's own folder) the build writes straight into OUT, file by file.
    Sparse (OUT holds exactly what the previous build wrote there, as the cache recorded it)
    the temporary folder receives only the files that changed; committing moves each into
    OUT and deletes the files the build no longer has. Either way a failed build, which
    never commits, leaves OUT as it was.
    """

    def __init__(self, out: Path, in_place: bool = False, sparse: bool = False) -> None:
        self.out = out.resolve()
        self.in_place = in_place
        self.sparse = sparse and not in_place
        self.path = self.out if in_place else self.out.parent / f".{self.out.name}.kbgen-tmp-{os.getpid()}"
        self.moved: list[str] = []  # sparse: the files the commit moved into OUT, relative to it
        self.removed: list[str] = []  # sparse: the files the commit deleted from OUT

    def __enter__(self) -> "StagedOutput":
        if self.in_place:
            self.path.mkdir(parents=True, exist_ok=True)
        else:
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir(parents=True)
        if not self.sparse:
            (self.path / MARKER).write_text("This folder was written by kbgen and is replaced by each build.\n")
        return self

    def commit(self, stale: set[str] | None = None) -> None:
        """Make the build's output OUT; STALE (sparse only) are the files of OUT to delete."""
        if self.in_place:
            return
        if self.sparse:
            self._commit_sparse(stale or set())
            return
        old = self.out.parent / f".{self.out.name}.kbgen-old-{os.getpid()}"
        if self.out.exists():
            os.replace(self.out, old)
        os.replace(self.path, self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def _commit_sparse(self, stale: set[str]) -> None:
        for dirpath, _, filenames in os.walk(self.path):
            for name in filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), self.path).replace(os.sep, "/")
                target = safe_target(self.out, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(os.path.join(dirpath, name), target)
                self.moved.append(rel)
        for rel in sorted(stale):
            target = safe_target(self.out, rel)
            target.unlink(missing_ok=True)
            self.removed.append(rel)
            _remove_empty_parents(target.parent, self.out)

    def __exit__(self, *exc: object) -> None:
        if not self.in_place and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


def _remove_empty_parents(folder: Path, out: Path) -> None:
    """Delete FOLDER and its parents below OUT while they are empty (a page that moved away)."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def safe_target(out: Path, rel: str) -> Path:
    """OUT/REL, refused when REL would leave OUT (kbgen's own folders hold no symlinks to follow)."""
    return Path(_target(out, rel))


def _target(out: Path | str, rel: str) -> str:
    """safe_target as a plain string: pathlib costs more than the write for thousands of pages."""
    base = os.path.normpath(out)
    target = os.path.normpath(os.path.join(base, rel.lstrip("/")))
    if not target.startswith(base + os.sep):
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    return target


def write_file(out: Path, rel: str, data: str | bytes) -> None:
    path = safe_target(out, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


class OutputWriter:
    """Writes the files of one build into a folder and, for the cache, remembers what each holds.

    With PREVIOUS (output path -> blob key of what OUT holds now) only changed files are
    written: in place (`kbgen serve`'s folder) each is replaced atomically, so the browser
    never gets half a file; SPARSE, into a temporary folder that holds only the changes
    (see StagedOutput). With RECORD the bytes are kept too, for the cache to store.
    """

    def __init__(self, out: Path, record: bool = False, previous: dict[str, str] | None = None,
                 sparse: bool = False) -> None:
        self.out = out
        self.record = record
        self.previous = previous
        self.sparse = sparse  # OUT was checked to hold PREVIOUS: no need to look at each file
        self.files: dict[str, str] = {}  # output path -> blob key
        self.blobs: dict[str, bytes] = {}  # blob key -> bytes, of the files written here (with RECORD)
        self._folders: set[str] = set()

    def write(self, rel: str, data: str | bytes, key: str | None = None) -> None:
        """Write REL; KEY is the bytes' blob key when the caller knows it already."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        rel = rel.lstrip("/")
        path = _target(self.out, rel)
        if self.record or self.previous is not None:
            key = key or blob_key(raw)
            self.files[rel] = key
            if self.record:
                self.blobs[key] = raw
            if self.previous is not None and self.previous.get(rel) == key and (self.sparse or os.path.isfile(path)):
                return
        folder = os.path.dirname(path)
        if folder not in self._folders:
            if os.path.dirname(folder) in self._folders:  # a page's own folder, in one it made: one mkdir
                try:
                    os.mkdir(folder)
                except FileExistsError:
                    if not os.path.isdir(folder):
                        raise
            else:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if self.previous is not None and not self.sparse:
            replace_file(self.out, rel, raw)
        else:
            with open(path, "wb") as file:
                file.write(raw)

    def holds(self, rel: str, key: str) -> bool:
        """Whether OUT holds REL with the bytes of blob KEY already (the previous build wrote them)."""
        return self.previous is not None and self.previous.get(rel) == key and \
            (self.sparse or os.path.isfile(_target(self.out, rel.lstrip("/"))))

    def keep(self, rel: str, key: str) -> None:
        """Record REL as written: OUT holds it with blob KEY's bytes (see `holds`), and the cache has them."""
        self.files[rel.lstrip("/")] = key

    def stale(self, keep: set[str]) -> set[str]:
        """The files of the previous build that this one no longer has."""
        return set(self.previous or {}) - keep

    def remove_stale(self, keep: set[str]) -> None:
        """In place: delete the files of the previous build that this one no longer has, and emptied folders."""
        for rel in sorted(self.stale(keep)):
            target = safe_target(self.out, rel)
            target.unlink(missing_ok=True)
            _remove_empty_parents(target.parent, self.out.resolve())


def replace_file(out: Path, rel: str, data: bytes) -> None:
    """Write REL atomically: a reader sees the old bytes or the new ones, never a mix."""
    path = safe_target(out, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kbgen-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)

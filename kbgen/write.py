"""Write stage: build into a temporary folder beside OUT and swap it in only when the build succeeded.

A failed build therefore leaves the previous output exactly as it was, and the checks
here refuse output folders that would overwrite the user's own files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
    """The temporary folder a build writes into, then commits over OUT or discards."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.path = self.out.parent / f".{self.out.name}.kbgen-tmp-{os.getpid()}"

    def __enter__(self) -> "StagedOutput":
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        (self.path / MARKER).write_text("This folder was written by kbgen and is replaced by each build.\n")
        return self

    def commit(self) -> None:
        old = self.out.parent / f".{self.out.name}.kbgen-old-{os.getpid()}"
        if self.out.exists():
            os.replace(self.out, old)
        os.replace(self.path, self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


def write_file(out: Path, rel: str, data: str | bytes) -> None:
    path = (out / rel).resolve()
    if out.resolve() not in path.parents:
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)

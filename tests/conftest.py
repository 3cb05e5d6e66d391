"""Shared helpers: make a site from inline files, build it, and read the result."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbgen.build import BuildOptions, BuildResult, build

REPO = Path(__file__).resolve().parent.parent


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path):
    """make_site(files={...}) -> the site folder, with files given relative to it (text is dedented)."""
    def make(files: dict[str, str | bytes], name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        write_files(root, files)
        return root
    return make


def build_site(root: Path, **options: object) -> BuildResult:
    return build(BuildOptions(site_root=root, **options))  # type: ignore[arg-type]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run `python -m kbgen ARGS` in a real process, as CI would."""
    import os
    full_env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "kbgen", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=300)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def read(out: Path, url: str) -> str:
    rel = url.strip("/")
    path = out / rel / "index.html" if not rel.endswith((".html", ".xml", ".txt")) else out / rel
    return path.read_text(encoding="utf-8")

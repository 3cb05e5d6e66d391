"""The search contract: Python and JavaScript engines held to one specification, tests/fixtures/search_contract.json.

(a) The committed fixtures must be what tests/search_fixtures.py produces today; otherwise the
    JavaScript test would compare the browser engine with a stale picture of the Python one.
(b) The Node test suite (tests/js/, including search_contract.test.mjs) must pass.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import search_fixtures

REPO = Path(__file__).resolve().parent.parent
REGENERATE = "run `python tests/search_fixtures.py` and commit tests/fixtures/ (review the diff of search_contract.json)"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_fixtures_are_fresh(tmp_path: Path) -> None:
    committed_root = search_fixtures.FIXTURES
    assert (committed_root / search_fixtures.CONTRACT).is_file(), f"no search contract fixtures: {REGENERATE}"
    search_fixtures.generate(tmp_path)
    fresh = _files(tmp_path)
    committed = {k: v for k, v in _files(committed_root).items()
                 if k == search_fixtures.CONTRACT or k.startswith(search_fixtures.INDEX + "/")}
    missing, extra = sorted(fresh.keys() - committed.keys()), sorted(committed.keys() - fresh.keys())
    changed = sorted(k for k in fresh.keys() & committed.keys() if fresh[k] != committed[k])
    assert not (missing or extra or changed), (
        "the search contract fixtures are stale (index format, ranking, analysis or the fixture site changed):\n"
        f"  missing: {missing}\n  no longer produced: {extra}\n  different: {changed}\n{REGENERATE}")


def test_node_suite_passes() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript side of the search contract (node --test tests/js/) "
                    "cannot run here")
    proc = subprocess.run([node, "--test", "tests/js/"], cwd=REPO, capture_output=True, text=True, timeout=300)
    output = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"node --test tests/js/ failed (exit {proc.returncode}):\n{output}"

"""Where the built-in theme lives: inside the wheel (kbgen/_theme) or, in a checkout, at the repo root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _theme_dir(name: str) -> Path:
    installed = _PACKAGE / "_theme" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def builtin_layouts() -> Path:
    return _theme_dir("layouts")


def builtin_assets() -> Path:
    return _theme_dir("assets")

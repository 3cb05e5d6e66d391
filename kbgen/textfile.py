"""Reading users' text files: UTF-8 (a BOM is fine), CRLF folded, problems reported by name."""

from __future__ import annotations

from pathlib import Path

from kbgen.diagnostics import Diagnostics


def decode_text(raw: bytes, file: str, diags: Diagnostics) -> str | None:
    """Decode RAW as UTF-8, or report the line of the first bad byte."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.error(f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)", file, line,
                    hint="save the file as UTF-8 in your editor (it may be Latin-1/Windows-1252)",
                    code="not-utf8")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, file: str, diags: Diagnostics) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diags.error(f"cannot read file: {exc.strerror or exc}", file,
                    hint="check that the file exists and that you may read it", code="unreadable")
        return None
    return decode_text(raw, file, diags)

"""URL slugs and heading ids: lower-case ASCII with German umlauts transliterated (Rücksendung -> ruecksendung)."""

from __future__ import annotations

import re
import unicodedata

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "ẞ": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def transliterate(text: str) -> str:
    """ASCII for TEXT: German umlauts as ae/oe/ue/ss, other accents dropped."""
    text = text.translate(_GERMAN)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def sort_key(text: str) -> str:
    """Alphabetical order as in a German dictionary (DIN 5007-1): Ä with A, Ö with O, not after Z."""
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")


def slugify(text: str, fallback: str = "section") -> str:
    slug = _NON_WORD.sub("-", transliterate(text).lower()).strip("-")
    return slug or fallback


class IdAllocator:
    """Unique heading ids within one page: a repeated heading gets -2, -3 …, stable across builds."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._used: set[str] = set(reserved)

    def allocate(self, text: str) -> str:
        base = slugify(text)
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}-{n}"
        self._used.add(candidate)
        return candidate

"""Text analysis shared by the index (build time) and the query engines (Python twin and browser).

The browser cannot run Snowball, so the split is: the build stems every word of the site
with whoosh's Snowball stemmers and stores surface form -> stem in the index; the query
side only normalises words (this module's `normalize` and `tokens`, mirrored exactly in
assets/search.js) and looks them up. Everything here that the query side also does is
kept small and ASCII-level so the two implementations stay identical.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache
from typing import Callable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from whoosh.lang import has_stemmer, has_stopwords, stemmer_for_language, stopwords_for_language

_COMBINING = re.compile(r"[\u0300-\u036f]")
# Words, and codes like sh-200, v2.1, 0800: letters and digits, which is \w without "_"; tokens() blanks
# out "_" first, as \w is much faster to match than the class [^\W_].
_TOKEN = re.compile(r"\w+(?:[-./]\w+)*")
_HAS_DIGIT = re.compile(r"[0-9]")  # ASCII digits: the same in JavaScript
_SPLIT = re.compile(r"[-./]")
MIN_PART = 3  # shortest compound part
LINKING = ("s", "es", "n", "en", "e")  # German linking morphemes (Fugenelemente): Garantie|s|fall
ENDINGS = ("e", "en", "n", "s", "es", "er", "ern")  # inflection a compound's last part may carry


def fold(text: str) -> str:
    """Lower case, ß as ss, accents and umlauts dropped (ä -> a). Mirrored in search.js.

    Decomposed, then the combining marks dropped: each a C call over the whole text, which is
    several times faster than a per-character translate table. No decomposition yields ß, and
    lower() has made ẞ one.
    """
    text = unicodedata.normalize("NFD", text.lower())
    if text.isascii():
        return text
    text = _COMBINING.sub("", text)
    return text.replace("ß", "ss") if "ß" in text else text


def german_normalize(word: str) -> str:
    """ae/oe/ue as a/o/u (not 'ue' after a vowel or q), so Ruecksendung == Rücksendung.

    Plain replacements and a split (fast in C; a look-behind regex took five times as long on
    a whole article) equal search.js's single scan: replacing ae or oe leaves a vowel before
    any following 'ue', as the 'e' it removed was.
    """
    if "e" not in word:
        return word
    parts = word.replace("ae", "a").replace("oe", "o").split("ue")
    if len(parts) == 1:
        return parts[0]
    out = [parts[0]]
    before = parts[0][-1:]  # the letter before the next 'ue' ("" at the start)
    for part in parts[1:]:
        out.append("ue" if before and before in "aeiouq" else "u")
        out.append(part)
        before = part[-1:] or "e"  # an empty part: the 'e' of the 'ue' just passed
    return "".join(out)


@lru_cache(maxsize=1 << 18)
def normalize(word: str, lang: str) -> str:
    """A folded token in its language's canonical spelling: the form surface dictionaries use."""
    return german_normalize(word) if lang == "de" else word


def tokens(text: str, lang: str) -> list[str]:
    """Normalised surface tokens in order. A code like 'SH-200' yields 'sh200', 'sh', '200'.

    The language's spelling rule is applied to the whole folded text at once (it looks at
    one letter before a digraph, which is never part of another token), then split.
    """
    text = normalize_text(fold(text), lang).replace("_", " ")
    found = _TOKEN.findall(text)
    joined = " ".join(found)  # tokens hold - . or / only where they join parts: one scan in C, not one per token
    if "-" not in joined and "." not in joined and "/" not in joined:
        return found
    out: list[str] = []
    for token in found:
        if "-" in token or "." in token or "/" in token:
            parts = [p for p in _SPLIT.split(token) if p]
            if _HAS_DIGIT.search(token):
                out.append("".join(parts))
            out.extend(parts)
        else:
            out.append(token)
    return out


def normalize_text(text: str, lang: str) -> str:
    return german_normalize(text) if lang == "de" else text


@lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    if not has_stopwords(lang):
        return frozenset()
    return frozenset(normalize(fold(w), lang) for w in stopwords_for_language(lang))


@lru_cache(maxsize=None)
def _stemmer(lang: str) -> Callable[[str], str]:
    return stemmer_for_language(lang) if has_stemmer(lang) else (lambda w: w)


@lru_cache(maxsize=1 << 18)
def stem(word: str, lang: str) -> str:
    """The index term of a surface token (Snowball, via whoosh); digits and codes stay as they are."""
    if _HAS_DIGIT.search(word) or len(word) < 3:
        return word
    return _stemmer(lang)(word) or word


class Decompounder:
    """Dictionary-based decompounding with the site's own vocabulary as the dictionary.

    A word splits into known words (with an optional German linking morpheme between
    them), preferring the split with the fewest, longest parts: Garantieverlängerung ->
    garantie + verlangerung. Only words that occur on their own in the site count as parts.
    """

    def __init__(self, vocabulary: set[str], min_word: int = 4) -> None:
        self.words = {w for w in vocabulary if len(w) >= min_word and not _HAS_DIGIT.search(w)}
        self._splits: dict[str, tuple[str, ...]] = {}  # per instance: a rebuild's vocabulary is new

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of WORD, or () when it is not a compound of known words."""
        if word not in self._splits:
            best = None if len(word) < 2 * MIN_PART + 1 or _HAS_DIGIT.search(word) else self._split(word, 0)
            self._splits[word] = best if best and len(best) > 1 else ()
        return self._splits[word]

    def _known(self, word: str) -> bool:
        """A known word, possibly inflected: Verlängerungen counts as Verlängerung."""
        return word in self.words or any(word.endswith(e) and word[: -len(e)] in self.words for e in ENDINGS)

    def _split(self, word: str, depth: int) -> tuple[str, ...] | None:
        if depth > 0 and self._known(word):
            return (word,)
        if depth > 3:
            return None
        best: tuple[str, ...] | None = None
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # longest head first
            head, rest = word[:i], word[i:]
            heads = [head] + [head[: -len(link)] for link in LINKING if head.endswith(link) and
                              len(head) - len(link) >= MIN_PART]
            for h in heads:
                if h not in self.words:
                    continue
                tail = (rest,) if self._known(rest) else self._split(rest, depth + 1)
                if tail:
                    candidate = (h, *tail)
                    if best is None or len(candidate) < len(best):
                        best = candidate
            if best is not None and len(best) == 2:
                break
        return best

"""The query engine, Python twin of assets/search.js: the same index files, the same steps, the same integers.

Steps for a query (search.js follows them one by one; tests hold the two to identical results):
1. Words: `tokens()` of the query; the last word is a prefix unless the query ends in a space.
   Duplicates go; stop words go unless only stop words are left (a trailing prefix stays).
2. Candidates per word, each term with the best tier weight it earns:
   exact (the word is in the site's dictionary) · stemmed (after removing an ending in
   `suffixes`, the rest is in the dictionary) · family (longer stems starting with that stem) ·
   prefix (last word only: completions, most frequent first) · typo1/typo2 (dictionary words
   one or two edits away) · compound (the word's parts, from the dictionary or split at query
   time into a known head and a known rest, optionally after a linking s/es/n/en/e).
3. Scores, all integers: a term's value for an article is its article-level posting plus its
   best section posting, times the tier; a word's value is the best of its candidates (a
   compound alternative scores tier * sum of its parts // number of parts, and needs every part).
4. Order: more matched words first, then the total, then promoted articles, then index order;
   among the first `rerank` articles, those whose title has exactly the query's words move up.
5. Each article links to its best section (the most matched words' weight), if any matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.search.analysis import LINKING, tokens
from kbgen.search.format import VERSION, decode_file, decode_text, manifest_name

Entry = list[Any]  # [stem] or [stem, [part_stem, ...]]
ASCII_SPACE = (" ", "\t", "\n", "\r", "\f", "\v")  # a query ending in one of these has no prefix word


@dataclass
class Result:
    url: str
    title: str
    heading: str
    source: str
    score: int
    article: int  # index of the article in the language's index


class IndexError_(Exception):
    """The index folder is missing or from another kbgen version."""


def find_manifest(folder: Path, lang: str) -> Path:
    path = folder / manifest_name(lang)
    if not path.is_file():
        raise IndexError_(f"no search index for language '{lang}' in {folder}")
    return path


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (adjacent swaps count once), or limit + 1 when above LIMIT."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)] if prev[len(b)] <= limit else limit + 1


class SearchIndex:
    """One language's index, loaded lazily shard by shard as the browser does."""

    def __init__(self, folder: Path, lang: str, files: dict[str, bytes] | None = None) -> None:
        """Read the index from FOLDER, or from FILES (name -> bytes) when given (kbgen check)."""
        self.folder = folder
        self._files = files
        self.manifest = self._read(manifest_name(lang)) if files is not None else decode_file(find_manifest(folder, lang))
        if self.manifest.get("version") != VERSION:
            raise IndexError_(f"search index version {self.manifest.get('version')} is not {VERSION}; rebuild the site")
        self.lang = lang
        self.scores: list[int] = self.manifest["scores"]
        self.tiers: dict[str, int] = self.manifest["tiers"]
        self.stopwords = set(self.manifest["stopwords"])
        self.promoted = set(self.manifest["promoted"])
        self._shards: dict[str, dict[str, Any]] = {}
        self._docs: dict[int, list[Any]] = {}
        self._facets: dict[str, Any] | None = None
        self._decoded: dict[str, tuple[dict[int, tuple[int, int]], dict[int, dict[int, int]]]] = {}
        self._sorted_keys: dict[int, list[str]] = {}  # id of a loaded shard mapping -> its sorted keys

    # -- files -------------------------------------------------------------------------
    def _read(self, name: str) -> Any:
        if self._files is not None:
            return decode_text(self._files[name].decode("utf-8"), name)
        return decode_file(self.folder / name)

    def _file(self, table: str, key: str) -> dict[str, Any]:
        """The file of TABLE ('dicts' or 'postings') that holds KEY: the last whose first key <= KEY."""
        name = ""
        for first, file in self.manifest[table]:
            if first <= key:
                name = file
            else:
                break
        if name not in self._shards:
            self._shards[name] = self._read(name)
        return self._shards[name]

    def shard(self, word: str) -> dict[str, Any]:
        """The dictionary shard of a word (or of a term: its df is in 'stems')."""
        return self._file("dicts", word[: self.manifest["key_length"]])

    def posting_list(self, term: str) -> list[int]:
        return self._file("postings", term)["postings"].get(term, [])

    def _sorted(self, mapping: dict[str, Any]) -> list[str]:
        """A shard's keys in order, sorted once rather than on every keystroke."""
        key = id(mapping)
        if key not in self._sorted_keys:
            self._sorted_keys[key] = sorted(mapping)
        return self._sorted_keys[key]

    def entry(self, word: str) -> Entry | None:
        return self._entry(self.shard(word)["dict"], word)

    @staticmethod
    def _entry(dictionary: dict[str, Entry], surface: str) -> Entry | None:
        """The entry of SURFACE with its stem spelled out (a number n means the first n letters)."""
        entry = dictionary.get(surface)
        if entry is None or isinstance(entry[0], str):
            return entry
        return [surface[: entry[0]], *entry[1:]]

    def postings(self, term: str) -> dict[int, tuple[int, int]]:
        """article -> (article-level value, best section value)."""
        return self._decode(term)[0]

    def sections(self, term: str) -> dict[int, dict[int, int]]:
        """article -> section slot -> value."""
        return self._decode(term)[1]

    def _decode(self, term: str) -> tuple[dict[int, tuple[int, int]], dict[int, dict[int, int]]]:
        """Both views of a term's postings, in one pass, once per term."""
        if term not in self._decoded:
            flat = self.posting_list(term)
            values: dict[int, tuple[int, int]] = {}
            sections: dict[int, dict[int, int]] = {}
            aid = 0
            for i in range(0, len(flat), 2):
                aid += flat[i]
                q, slot = divmod(flat[i + 1], 16)
                art, sec = values.get(aid, (0, 0))
                value = self.scores[q]
                if slot == 15:
                    values[aid] = (art + value, sec)
                else:
                    values[aid] = (art, max(sec, value))
                    sections.setdefault(aid, {})[slot] = value
            self._decoded[term] = (values, sections)
        return self._decoded[term]

    def frequency(self, term: str) -> int:
        return int(self.shard(term)["stems"].get(term, 0))

    def doc(self, aid: int) -> list[Any]:
        chunk = aid // self.manifest["chunk"]
        if chunk not in self._docs:
            self._docs[chunk] = self._read(self.manifest["docs"][chunk])["articles"]
        return self._docs[chunk][aid % self.manifest["chunk"]]

    def facets(self) -> dict[str, Any]:
        if self._facets is None:
            self._facets = self._read(self.manifest["facets"])
        return self._facets

    # -- step 1 and 2 ---------------------------------------------------------------------
    def words(self, query: str) -> tuple[list[str], bool]:
        words: list[str] = []
        for w in tokens(query, self.lang):
            if w not in words:
                words.append(w)
        words = words[:8]
        prefix = bool(words) and query[-1:] not in ASCII_SPACE
        kept = [w for i, w in enumerate(words) if w not in self.stopwords or (prefix and i == len(words) - 1)]
        return (kept if kept else words), prefix

    def candidates(self, word: str, last_prefix: bool) -> tuple[dict[str, int], list[str], str | None]:
        """term -> tier, the compound parts (terms), and the best typo correction (a surface form)."""
        tiers, limits = self.tiers, self.manifest["limits"]
        cands: dict[str, int] = {}

        def offer(term: str, tier: int) -> None:
            if tier > cands.get(term, 0):
                cands[term] = tier

        entry = self.entry(word)
        base: str | None = None
        if entry is not None:
            base = entry[0]
            offer(base, tiers["exact"])
        else:
            for suffix in self.manifest["suffixes"]:
                if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                    found = self.entry(word[: -len(suffix)])
                    if found is not None:
                        base = found[0]
                        offer(base, tiers["stemmed"])
                        break
        if base is not None and len(base) >= limits["family_min"]:
            for term in self._sorted(self.shard(base)["stems"]):
                if term != base and term.startswith(base):
                    offer(term, tiers["family"])
        dictionary = self.shard(word)["dict"]
        if last_prefix and len(word) >= 2:
            stems = sorted({self._entry(dictionary, s)[0] for s in dictionary  # type: ignore[index]
                            if s.startswith(word) and s != word})
            stems.sort(key=lambda t: (-self.frequency(t), t))
            chosen, used = 0, 0
            for term in stems:
                if chosen >= limits["prefix"]:
                    break
                if chosen >= 3 and used + self.frequency(term) > limits["prefix_postings"]:
                    continue  # keeps a two-letter prefix from loading half the index
                offer(term, tiers["prefix"])
                chosen, used = chosen + 1, used + self.frequency(term)
        correction = None
        if len(word) >= 5 and not any("0" <= c <= "9" for c in word):
            limit = 2 if len(word) >= 9 else 1
            near = []
            for surface in self._sorted(dictionary):
                if surface != word:
                    d = osa_distance(word, surface, limit)
                    if d <= limit:
                        near.append((d, -self.frequency(self._entry(dictionary, surface)[0]), surface))  # type: ignore[index]
            near.sort()
            for d, _, surface in near[: limits["typo"]]:
                offer(self._entry(dictionary, surface)[0], tiers["typo1" if d == 1 else "typo2"])  # type: ignore[index]
            if near:
                correction = near[0][2]
        parts = list(entry[1]) if entry is not None and len(entry) > 1 else []
        if not parts and base is None:
            parts = self.split(word)
        return cands, parts, correction

    def split(self, word: str) -> list[str]:
        """Query-time decompounding into a known head and a known rest (German linking letters allowed)."""
        if self.lang != "de" or len(word) < 7:
            return []
        dictionary = self.shard(word)["dict"]
        heads = sorted((s for s in dictionary if word.startswith(s) and len(s) >= 3 and len(word) - len(s) >= 3),
                       key=lambda s: (-len(s), s))
        for head in heads:
            rest = word[len(head):]
            for variant in [rest] + [rest[len(link):] for link in LINKING if rest.startswith(link)
                                     and len(rest) - len(link) >= 3]:
                found = self.entry(variant)
                if found is not None:
                    return [self._entry(dictionary, head)[0], found[0]]  # type: ignore[index]
        return []

    # -- step 3 to 5 ------------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, category: str | None = None,
               product: str | None = None) -> tuple[list[Result], str | None]:
        words, prefix = self.words(query)
        if not words:
            return [], None
        plans: list[tuple[dict[str, int], list[str]]] = []  # per word: candidate terms and compound parts
        word_article: list[dict[int, int]] = []
        corrections: list[str | None] = []
        for index, word in enumerate(words):
            cands, parts, correction = self.candidates(word, prefix and index == len(words) - 1)
            corrections.append(correction)
            plans.append((cands, parts))
            art: dict[int, int] = {}
            for term in sorted(cands):
                tier = cands[term]
                for aid, (a, s) in self.postings(term).items():
                    value = tier * (a + s)
                    if value > art.get(aid, 0):
                        art[aid] = value
            if len(parts) >= 2:
                self._compound(parts, art)
            word_article.append(art)
        allowed = self._filter(category, product)
        coverage: dict[int, int] = {}
        total: dict[int, int] = {}
        for art in word_article:
            for aid, value in art.items():
                if value > 0 and (allowed is None or aid in allowed):
                    coverage[aid] = coverage.get(aid, 0) + 1
                    total[aid] = total.get(aid, 0) + value
        ranked = sorted(total, key=lambda aid: (-coverage[aid], -total[aid], 0 if aid in self.promoted else 1, aid))
        if not ranked:
            return [], self._suggestion(words, corrections)
        depth = self.manifest["limits"]["rerank"]
        head, tail = ranked[:depth], ranked[depth:]
        wanted = sorted(set(words))
        exact = [aid for aid in head if self._title_words(aid) == wanted]
        ranked = exact + [aid for aid in head if aid not in exact] + tail
        return [self._result(aid, total[aid], plans) for aid in ranked[:limit]], None

    def _compound(self, parts: list[str], art: dict[int, int]) -> None:
        """The compound alternative: every part must match; tier * sum of the parts // their number."""
        tier, n = self.tiers["compound"], len(parts)
        per_part = [self.postings(p) for p in parts]
        common = set(per_part[0]).intersection(*per_part[1:])
        for aid in common:
            value = tier * sum(p[aid][0] + p[aid][1] for p in per_part) // n
            if value > art.get(aid, 0):
                art[aid] = value

    def _section_values(self, aid: int, plans: list[tuple[dict[str, int], list[str]]]) -> dict[int, int]:
        """slot -> the words' summed best section values, for one result (the deep link)."""
        totals: dict[int, int] = {}
        for cands, parts in plans:
            best: dict[int, int] = {}
            for term in sorted(cands):
                tier = cands[term]
                for slot, value in self.sections(term).get(aid, {}).items():
                    if tier * value > best.get(slot, 0):
                        best[slot] = tier * value
            if len(parts) >= 2:
                tier, n = self.tiers["compound"], len(parts)
                per_part = [self.sections(p).get(aid, {}) for p in parts]
                for slot in set().union(*per_part):
                    value = tier * sum(p.get(slot, 0) for p in per_part) // n
                    if value > best.get(slot, 0):
                        best[slot] = value
            for slot, value in best.items():
                totals[slot] = totals.get(slot, 0) + value
        return totals

    def _filter(self, category: str | None, product: str | None) -> set[int] | None:
        if not category and not product:
            return None
        facets = self.facets()
        keys = [c[0] for c in facets["categories"]]
        pids = [p[0] for p in facets["products"]]
        allowed = set()
        for aid in range(self.manifest["articles"]):
            if category and (category not in keys or facets["article_category"][aid] != keys.index(category)):
                continue
            if product and (product not in pids or pids.index(product) not in facets["article_products"][aid]):
                continue
            allowed.add(aid)
        return allowed

    def _title_words(self, aid: int) -> list[str]:
        title = [w for w in tokens(self.doc(aid)[1], self.lang) if w not in self.stopwords]
        return sorted(set(title))

    def _result(self, aid: int, score: int, plans: list[tuple[dict[str, int], list[str]]]) -> Result:
        url, title, source, _description, _promoted, sections = self.doc(aid)
        totals = self._section_values(aid, plans)
        best_slot, best = -1, 0
        for slot in range(len(sections)):
            if totals.get(slot, 0) > best:
                best_slot, best = slot, totals[slot]
        heading, anchor = ("", "")
        if best_slot >= 0:
            heading, anchor = sections[best_slot][0], sections[best_slot][1]
        return Result(url + (f"#{anchor}" if anchor else ""), title, heading, source, score, aid)

    def _suggestion(self, words: list[str], corrections: list[str | None]) -> str | None:
        if not any(corrections):
            return None
        return " ".join(c or w for w, c in zip(words, corrections))

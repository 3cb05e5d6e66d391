"""Build-time indexing: the site's articles -> per-language index files (see format.py).

Analysis happens here, once: tokens, stop words, Snowball stems, compound parts from the
site's own vocabulary, synonyms; then BM25F scores are computed per term for each article
and section and quantised, so the browser only adds integers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain
from typing import Any

import numpy as np

from kbgen.config import SiteConfig
from kbgen.model import Article, SearchText, Site
from kbgen.search import ranking
from kbgen.search.analysis import Decompounder, stem, stopwords, tokens
from kbgen.search.format import (DICT_TARGET_BYTES, DOCS_CHUNK, KEY_LENGTH, POSTINGS_TARGET_BYTES, VERSION,
                                 Encoder, IndexFiles, encode_file, shard_key)

EXCERPT_CHARS = 160  # text kept per section for the result snippet


def searchable(site: Site, lang: str) -> list[Article]:
    """The articles a language's index holds, in a stable order (their ids are positions here)."""
    return sorted((a for a in site.in_lang(lang) if a.search is not None and
                   not (a.meta.get("search") or {}).get("exclude")), key=lambda a: a.source)


def build_index(site: Site, config: SiteConfig, lang: str, encode: Encoder | None = None) -> IndexFiles:
    """ENCODE may know the files of an earlier build: those whose data is the same are not encoded again
    (the result lists them as reused)."""
    encode = encode or Encoder()
    articles = searchable(site, lang)
    texts = [a.search for a in articles if a.search is not None]
    stops = stopwords(lang)
    vocabulary: set[str] = set()
    for text in texts:  # each text's words are split again below, one text at a time: no list of them all
        vocabulary.update(text.words.split())
    decompound = Decompounder(vocabulary | {stem(w, lang) for w in vocabulary if len(w) >= 4}) if lang == "de" \
        else Decompounder(set())
    synonyms = _synonym_stems(config, lang)
    entries: dict[str, tuple[str, tuple[str, ...]]] = {}
    # word -> the terms one occurrence counts for, with their weights, in the order they are added
    contributions: dict[str, tuple[tuple[str, float], ...]] = {}

    def contribution(word: str) -> tuple[tuple[str, float], ...]:
        if word not in entries:
            parts = tuple(stem(p, lang) for p in decompound.split(word) if p not in stops)
            entries[word] = (stem(word, lang), parts)
        term, parts = entries[word]
        found = ((term, 1.0), *((part, ranking.PART_TF) for part in parts),
                 *((other, ranking.SYNONYM_TF) for other in synonyms.get(term, ())))
        contributions[word] = found
        return found

    for group in config.synonyms:  # a synonym the site never writes must still be a known word
        for words in (tokens(w, lang) for w in group):
            if len(words) == 1 and words[0] not in stops:
                entries.setdefault(words[0], (stem(words[0], lang), ()))
    words = sorted(vocabulary)
    terms = _Terms()
    for word in words:  # in a sorted order: term ids, and so the float sums, do not depend on hashing
        for term, weight in contribution(word):
            terms.add(term, weight)
        terms.end_word()
    word_ids = {word: i for i, word in enumerate(words)}
    boosts = [float((a.meta.get("search") or {}).get("boost", 1.0)) for a in articles]
    # every (article, field, word) with its count; an article's words are sorted as WORDS is, so
    # mapping them to ids keeps the rows sorted by unit field, then word. The columns are int32:
    # a large site has millions of rows, and this runs beside the render workers.
    gids = np.fromiter(chain.from_iterable(map(word_ids.__getitem__, t.words.split()) for t in texts),
                       dtype=np.int32, count=sum(t.count for t in texts))
    first_word = np.cumsum([0] + [t.count for t in texts], dtype=np.int64)[:-1]
    table = np.frombuffer(b"".join(t.counts for t in texts), dtype=np.uint32).reshape(-1, 3)
    aid = np.repeat(np.arange(len(texts), dtype=np.int32), [len(t.counts) // 12 for t in texts])
    number, word_of, count = table[:, 0].astype(np.int32), gids[first_word[aid] + table[:, 1]], \
        table[:, 2].astype(np.int32)
    del table, gids
    n_articles, n_article_fields = len(texts), len(ranking.ARTICLE_FIELDS)
    own = number < n_article_fields
    article_postings = _score(aid[own] * n_article_fields + number[own], word_of[own], count[own], ranking.ARTICLE_FIELDS,
                              np.arange(n_articles, dtype=np.int64), np.full(n_articles, ranking.ARTICLE_SLOT),
                              terms, boosts)
    per_article = np.array([t.sections for t in texts], dtype=np.int64)
    first_unit = np.cumsum(np.r_[0, per_article], dtype=np.int64)[:-1]
    unit_aid = np.repeat(np.arange(n_articles, dtype=np.int64), per_article)
    slot = np.minimum(np.arange(len(unit_aid), dtype=np.int64) - first_unit[unit_aid], ranking.MAX_SECTION_SLOT)
    inner = ~own  # a section's heading is field 3 + 2k, its body 4 + 2k: unit field 2 * (first unit + k) + (0|1)
    section_postings = _score(2 * first_unit[aid[inner]] + number[inner] - n_article_fields, word_of[inner],
                              count[inner], ranking.SECTION_FIELDS, unit_aid, slot, terms, boosts)
    del aid, number, word_of, count, own, inner
    # every posting as one int: term rank << 32 | aid << 12 | slot << 8 | q, which sorts like the tuple
    packed = np.concatenate([article_postings, section_postings])
    files: dict[str, bytes] = {}
    dicts, ranges = _write_shards(entries, terms.names, packed, files, lang, encode)
    chunks = _write_docs(articles, files, lang, encode)
    facets_name = encode.emit(f"facets-{lang}", _facets(articles, site, config, lang), files)
    manifest = {
        "version": VERSION, "lang": lang, "articles": len(articles), "dicts": dicts, "postings": ranges,
        "docs": chunks,
        "chunk": DOCS_CHUNK, "facets": facets_name, "key_length": KEY_LENGTH,
        "scores": [round(math.expm1(q / ranking.SCORE_SCALE) * 1000) for q in range(256)],
        "tiers": ranking.TIERS, "suffixes": list(ranking.SUFFIXES.get(lang, ())),
        "stopwords": sorted(stops),
        "promoted": [aid for aid, a in enumerate(articles) if a.promoted],
        "limits": {"prefix": ranking.PREFIX_EXPANSIONS, "prefix_postings": ranking.PREFIX_POSTINGS,
                   "typo": ranking.TYPO_EXPANSIONS,
                   "family_min": ranking.FAMILY_MIN, "rerank": ranking.RERANK_DEPTH},
    }
    name, data = encode_file(f"search-{lang}", manifest, hashed=False)
    files[name] = data
    return IndexFiles(lang, name, files, dict(encode.reused), dict(encode.made))


def analyse_article(article: Article) -> SearchText:
    """The article's search words counted per field, stop words removed; runs in the parse workers.

    Counted here, where the text is split anyway, and kept compact (see SearchText): the model
    of a large site holds it for every article, and the parse cache stores it.
    """
    lang, meta = article.lang, article.meta
    kept = article.sections[: ranking.MAX_SECTION_SLOT + 1]
    sections = [[tokens(s.heading, lang), tokens(s.text, lang)] for s in kept]
    rest = tokens(" ".join(s.heading + " " + s.text for s in article.sections[ranking.MAX_SECTION_SLOT + 1:]), lang)
    if rest:  # sections past the last slot count as the last one's text
        sections[-1][1] += rest
    sections = sections or [[[], []]]
    fields = [tokens(article.title, lang), tokens(" ".join([*meta.get("keywords", []), *meta.get("tags", [])]), lang),
              tokens(article.description, lang), *(text for pair in sections for text in pair)]
    seen = set().union(*fields)
    stops = seen & stopwords(lang)
    words = sorted(seen - stops)
    index = dict.fromkeys(stops, -1)  # stop words are dropped below, as id -1
    index.update((word, i) for i, word in enumerate(words))
    # each occurrence as field * len(words) + word id; unique keys come sorted by field, then word
    width = max(len(words), 1)
    lengths = [len(text) for text in fields]
    ids = np.fromiter(map(index.__getitem__, chain.from_iterable(fields)), dtype=np.int64, count=sum(lengths))
    number = np.repeat(np.arange(len(fields), dtype=np.int64), lengths)
    keys, counts = np.unique((number * width + ids)[ids >= 0], return_counts=True)
    triples = np.column_stack((keys // width, keys % width, counts)).astype(np.uint32)
    return SearchText(" ".join(words), len(words), triples.tobytes(), len(sections))


def _synonym_stems(config: SiteConfig, lang: str) -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for group in config.synonyms:
        stems = [stem(t[0], lang) for t in (tokens(w, lang) for w in group) if len(t) == 1]
        for s in stems:
            groups[s].update(x for x in stems if x != s)
    return {k: tuple(sorted(v)) for k, v in groups.items()}


class _Terms:
    """The index terms, and for each vocabulary word (by id, in order) the terms one occurrence counts for."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self._term: list[int] = []
        self._weight: list[float] = []
        self._ends: list[int] = [0]

    def add(self, term: str, weight: float) -> None:
        tid = self.ids.get(term)
        if tid is None:
            tid = self.ids[term] = len(self.names)
            self.names.append(term)
        self._term.append(tid)
        self._weight.append(weight)

    def end_word(self) -> None:
        self._ends.append(len(self._term))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """term id and weight of each contribution; each word's first contribution and their number."""
        ends = np.array(self._ends, dtype=np.int64)
        return (np.array(self._term, dtype=np.int32), np.array(self._weight, dtype=np.float64), ends[:-1],
                np.diff(ends))


def _score(field_of: np.ndarray, word: np.ndarray, counts: np.ndarray, fields: dict[str, tuple[float, float]],
           aid: np.ndarray, slot: np.ndarray, terms: _Terms, boosts: list[float]) -> np.ndarray:
    """BM25F over FIELDS for every (term, unit); a unit is an article's own fields or one of its sections.

    Each (unit field, word) pair comes once, sorted, with how often the word occurs there; AID and
    SLOT give each unit's article and slot. Array operations over all units at once: a
    10,000-article site has millions of (unit, term) pairs. Returns the postings, each one int:
    term id << 32 | aid << 12 | slot << 8 | q.
    """
    n_fields, n_units = len(fields), len(aid)
    if not n_units:
        return np.zeros(0, dtype=np.int64)
    # each (unit field, word) once per term the word counts for (its stem, compound parts, synonyms)
    term_of, weight_of, first, per_word = terms.arrays()
    number = per_word[word]
    row = np.repeat(np.arange(len(word), dtype=np.int32), number)
    contribution = np.repeat(first[word] - (np.cumsum(number) - number), number) + np.arange(len(row))
    term, freq, field_of = term_of[contribution], weight_of[contribution] * counts[row], \
        field_of.astype(np.int32, copy=False)[row]
    del row, contribution, word, number
    length = np.bincount(field_of, weights=freq, minlength=n_units * n_fields)
    average = length.reshape(n_units, n_fields).sum(axis=0) / n_units
    average[average == 0] = 1.0
    weight = np.array([w for w, _ in fields.values()])
    b = np.array([b for _, b in fields.values()])
    field = field_of % n_fields
    contributed = weight[field] / (1 - b[field] + b[field] * length[field_of] / average[field]) * freq
    del field, freq  # the largest arrays here go before np.unique makes its own
    n_terms = max(len(terms.names), 1)
    unit_terms, inverse = np.unique((field_of // n_fields).astype(np.int64) * n_terms + term, return_inverse=True)
    del field_of, term
    weighted = np.bincount(inverse.ravel(), weights=contributed)
    del inverse, contributed
    unit, term = unit_terms // n_terms, unit_terms % n_terms
    df = np.bincount(term, minlength=n_terms)
    idf = np.log(1 + (n_units - df + 0.5) / (df + 0.5))
    boost = np.array(boosts, dtype=np.float64)[aid] * (ranking.K1 + 1)
    score = np.log1p(boost[unit] * idf[term] * weighted / (weighted + ranking.K1)) * ranking.SCORE_SCALE
    q = np.minimum(np.rint(score), 255).astype(np.int64)
    keep = q > 0
    return term[keep] << 32 | aid[unit[keep]] << 12 | slot[unit[keep]] << 8 | q[keep]


def _write_shards(entries: dict[str, tuple[str, tuple[str, ...]]], names: list[str], packed: np.ndarray,
                  files: dict[str, bytes], lang: str, encode: Encoder) -> tuple[list[list[str]], list[list[str]]]:
    """Dictionary shards by a word's first letters; posting shards by contiguous ranges of terms."""
    order = sorted(range(len(names)), key=names.__getitem__)  # term ids by the terms' code points
    ordered = [names[i] for i in order]
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    spans: dict[str, tuple[int, int]] = {}  # term -> its slice of FLAT, in term order
    flat = np.zeros(0, dtype=np.int64)
    if len(packed):
        key = np.sort(rank[packed >> 32] << 32 | (packed & 0xFFFFFFFF))
        term_rank, aids = key >> 32, key >> 12 & 0xFFFFF
        codes = (key & 255) << 4 | (key >> 8 & 15)  # q * 16 + slot
        starts = np.flatnonzero(np.r_[True, term_rank[1:] != term_rank[:-1]])
        previous = np.r_[0, aids[:-1]]
        previous[starts] = 0
        flat = np.empty(2 * len(key), dtype=np.int64)
        flat[0::2], flat[1::2] = aids - previous, codes
        ranks = term_rank[starts].tolist()
        del key, term_rank, aids, codes, previous
        for start, end, r in zip(starts.tolist(), [*starts[1:].tolist(), len(flat) // 2], ranks):
            spans[ordered[r]] = (2 * start, 2 * end)
    by_key: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: {"dict": {}, "stems": {}})
    for surface, (term, parts) in entries.items():
        if term in spans or parts:
            stored: str | int = len(term) if surface.startswith(term) and _bmp(surface) else term
            by_key[shard_key(surface)]["dict"][surface] = [stored, list(parts)] if parts else [stored]
    for term, (start, end) in spans.items():
        by_key[shard_key(term)]["stems"][term] = (end - start) // 2
    dicts = _group(sorted(by_key), lambda key: (by_key[key], sum(len(k) + 12 for k in by_key[key]["dict"]) +
                                                 sum(len(k) + 6 for k in by_key[key]["stems"])),
                   DICT_TARGET_BYTES, f"dict-{lang}", files, _merge_dicts, encode)
    # each term's list is made as its shard is written, so only one shard's lists exist at a time
    ranges = _group(list(spans), lambda term: ({"postings": {term: flat[spans[term][0]:spans[term][1]].tolist()}},
                                               len(term) + 4 * (spans[term][1] - spans[term][0])),
                    POSTINGS_TARGET_BYTES, f"postings-{lang}", files, _merge_dicts, encode)
    return dicts, ranges


def _bmp(text: str) -> bool:
    """Only then is a length the same in Python and JavaScript (UTF-16) terms."""
    return all(ord(c) < 0x10000 for c in text)


def _merge_dicts(into: dict[str, dict[str, Any]], part: dict[str, dict[str, Any]]) -> None:
    for name, values in part.items():
        into.setdefault(name, {}).update(values)


def _group(keys: list[str], item: Any, target: int, kind: str, files: dict[str, bytes], merge: Any,
           encode: Encoder) -> list[list[str]]:
    """Cut the sorted KEYS into files of about TARGET bytes; returns [[first key, file name], ...]."""
    table: list[list[str]] = []
    group: dict[str, dict[str, Any]] = {}
    first: str | None = None
    size = 0

    def flush() -> None:
        name = encode.emit(f"{kind}-{len(table)}", group, files)
        table.append([(first or "") if table else "", name])

    for key in keys:
        data, weight = item(key)
        if first is None:
            first = key
        merge(group, data)
        size += weight
        if size >= target:
            flush()
            group, first, size = {}, None, 0
    if group or not table:
        flush()
    return table


def excerpt(text: str) -> str:
    """The start of a section's text, cut at a word, for result snippets."""
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS] + " …"


def _write_docs(articles: list[Article], files: dict[str, bytes], lang: str, encode: Encoder) -> list[str]:
    names: list[str] = []
    for start in range(0, max(len(articles), 1), DOCS_CHUNK):
        rows = []
        for a in articles[start:start + DOCS_CHUNK]:
            sections = [[s.heading, s.anchor, excerpt(s.text)] for s in a.sections[: ranking.MAX_SECTION_SLOT + 1]]
            rows.append([a.url, a.title, a.source, a.description, 1 if a.promoted else 0, sections])
        name = encode.emit(f"docs-{lang}-{len(names)}", {"articles": rows}, files)
        names.append(name)
    return names


def _facets(articles: list[Article], site: Site, config: SiteConfig, lang: str) -> dict:
    categories = sorted({_category(a, site) for a in articles} - {""})
    category_index = {key: i for i, key in enumerate(categories)}
    products = sorted(config.products)
    product_index = {pid: i for i, pid in enumerate(products)}
    return {
        "categories": [[key, site.folders[key].title] for key in categories],
        "products": [[pid, config.localized(config.products[pid].name, lang)] for pid in products],
        "article_category": [category_index.get(_category(a, site), -1) for a in articles],
        "article_products": [[product_index[p] for p in a.meta.get("products", []) if p in product_index]
                             for a in articles],
    }


def _category(article: Article, site: Site) -> str:
    key = article.folder
    while key and key in site.folders and site.folders[key].parent:
        key = site.folders[key].parent or ""
    return key if key in site.folders else ""


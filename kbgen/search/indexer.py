"""Build-time indexing: the site's articles -> per-language index files (see format.py).

Analysis happens here, once: tokens, stop words, Snowball stems, compound parts from the
site's own vocabulary, synonyms; then BM25F scores are computed per term for each article
and section and quantised, so the browser only adds integers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import filterfalse
from typing import Any

import numpy as np

from kbgen.config import SiteConfig
from kbgen.model import Article, Site
from kbgen.search import ranking
from kbgen.search.analysis import Decompounder, stem, stopwords, tokens
from kbgen.search.format import (DICT_TARGET_BYTES, DOCS_CHUNK, KEY_LENGTH, POSTINGS_TARGET_BYTES, VERSION,
                                 IndexFiles, encode_file, shard_key)

EXCERPT_CHARS = 160  # text kept per section for the result snippet


def searchable(site: Site, lang: str) -> list[Article]:
    """The articles a language's index holds, in a stable order (their ids are positions here)."""
    return sorted((a for a in site.in_lang(lang) if not (a.meta.get("search") or {}).get("exclude")),
                  key=lambda a: a.source)


def build_index(site: Site, config: SiteConfig, lang: str) -> IndexFiles:
    articles = searchable(site, lang)
    stops = stopwords(lang)
    vocabulary: set[str] = set()
    for a in articles:
        for text in [*a.search_fields.values(), *(x for s in a.search_sections for x in s.values())]:
            vocabulary.update(text.split())
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
    article_units = [(aid, ranking.ARTICLE_SLOT, [a.search_fields[name] for name in ranking.ARTICLE_FIELDS])
                     for aid, a in enumerate(articles)]
    section_units = [(aid, min(slot, ranking.MAX_SECTION_SLOT), [s[name] for name in ranking.SECTION_FIELDS])
                     for aid, a in enumerate(articles) for slot, s in enumerate(a.search_sections)]
    # every posting as one int: term rank << 32 | aid << 12 | slot << 8 | q, which sorts like the tuple
    packed = np.concatenate([
        _score(article_units, ranking.ARTICLE_FIELDS, word_ids, terms, boosts),
        _score(section_units, ranking.SECTION_FIELDS, word_ids, terms, boosts)])
    files: dict[str, bytes] = {}
    dicts, ranges = _write_shards(entries, terms.names, packed, files, lang)
    chunks = _write_docs(articles, files, lang)
    facets_name, facets = encode_file(f"facets-{lang}", _facets(articles, site, config, lang))
    files[facets_name] = facets
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
    return IndexFiles(lang, name, files)


def analyse_article(article: Article) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Each field's search tokens, stop words removed, space-separated; runs in the parse workers.

    One string per field rather than a dict of counts: a tenth of the memory for the model of
    a large site, and quicker to send back from the workers; build_index counts them all at once.
    """
    lang, meta = article.lang, article.meta
    stops = stopwords(lang)

    def analysed(text: str) -> str:
        return " ".join(filterfalse(stops.__contains__, tokens(text, lang)))

    fields = {
        "title": analysed(article.title),
        "keywords": analysed(" ".join([*meta.get("keywords", []), *meta.get("tags", [])])),
        "description": analysed(article.description),
    }
    kept = article.sections[: ranking.MAX_SECTION_SLOT + 1]
    sections = [{"heading": analysed(s.heading), "body": analysed(s.text)} for s in kept]
    rest = analysed(" ".join(s.heading + " " + s.text for s in article.sections[ranking.MAX_SECTION_SLOT + 1:]))
    if rest:  # sections past the last slot count as the last one's text
        sections[-1]["body"] = f"{sections[-1]['body']} {rest}"
    return fields, sections or [{"heading": "", "body": ""}]


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
        return (np.array(self._term, dtype=np.int64), np.array(self._weight, dtype=np.float64), ends[:-1],
                np.diff(ends))


def _score(units: list[tuple[int, int, list[str]]], fields: dict[str, tuple[float, float]],
           word_ids: dict[str, int], terms: _Terms, boosts: list[float]) -> np.ndarray:
    """BM25F over FIELDS for every (term, unit); a unit is an article's own fields or one of its sections.

    UNITS are (article id, slot, the analysed text of each field). Array operations over all
    units at once: a 10,000-article site has millions of (unit, term) pairs. Returns the
    postings, each one int: term id << 32 | aid << 12 | slot << 8 | q.
    """
    n_fields, n_units = len(fields), len(units)
    if not n_units:
        return np.zeros(0, dtype=np.int64)
    ids: list[int] = []
    lengths: list[int] = []
    get = word_ids.__getitem__
    for _, _, texts in units:
        for text in texts:
            before = len(ids)
            ids.extend(map(get, text.split()))
            lengths.append(len(ids) - before)
    n_words = max(len(word_ids), 1)
    occurrences = np.repeat(np.arange(n_units * n_fields, dtype=np.int64), lengths) * n_words + \
        np.array(ids, dtype=np.int64)
    del ids
    pairs, counts = np.unique(occurrences, return_counts=True)  # (unit field, word) and how often
    del occurrences  # large sites: free each array once used, the index is built beside the whole model
    field_of, word = pairs // n_words, pairs % n_words
    del pairs
    # each (unit field, word) once per term the word counts for (its stem, compound parts, synonyms)
    term_of, weight_of, first, per_word = terms.arrays()
    number = per_word[word]
    row = np.repeat(np.arange(len(word)), number)
    contribution = np.repeat(first[word] - (np.cumsum(number) - number), number) + np.arange(len(row))
    term, freq, field_of = term_of[contribution], weight_of[contribution] * counts[row], field_of[row]
    del row, contribution, counts, word
    length = np.bincount(field_of, weights=freq, minlength=n_units * n_fields)
    average = length.reshape(n_units, n_fields).sum(axis=0) / n_units
    average[average == 0] = 1.0
    weight = np.array([w for w, _ in fields.values()])
    b = np.array([b for _, b in fields.values()])
    field = field_of % n_fields
    factor = weight[field] / (1 - b[field] + b[field] * length[field_of] / average[field])
    n_terms = max(len(terms.names), 1)
    unit_terms, inverse = np.unique(field_of // n_fields * n_terms + term, return_inverse=True)
    weighted = np.bincount(inverse.ravel(), weights=factor * freq)
    del inverse, factor, freq, field, field_of
    unit, term = unit_terms // n_terms, unit_terms % n_terms
    df = np.bincount(term, minlength=n_terms)
    idf = np.log(1 + (n_units - df + 0.5) / (df + 0.5))
    aid = np.array([u[0] for u in units], dtype=np.int64)
    slot = np.array([u[1] for u in units], dtype=np.int64)
    boost = np.array(boosts, dtype=np.float64)[aid] * (ranking.K1 + 1)
    score = np.log1p(boost[unit] * idf[term] * weighted / (weighted + ranking.K1)) * ranking.SCORE_SCALE
    q = np.minimum(np.rint(score), 255).astype(np.int64)
    keep = q > 0
    return term[keep] << 32 | aid[unit[keep]] << 12 | slot[unit[keep]] << 8 | q[keep]


def _write_shards(entries: dict[str, tuple[str, tuple[str, ...]]], names: list[str], packed: np.ndarray,
                  files: dict[str, bytes], lang: str) -> tuple[list[list[str]], list[list[str]]]:
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
                   DICT_TARGET_BYTES, f"dict-{lang}", files, merge=_merge_dicts)
    # each term's list is made as its shard is written, so only one shard's lists exist at a time
    ranges = _group(list(spans), lambda term: ({"postings": {term: flat[spans[term][0]:spans[term][1]].tolist()}},
                                               len(term) + 4 * (spans[term][1] - spans[term][0])),
                    POSTINGS_TARGET_BYTES, f"postings-{lang}", files, merge=_merge_dicts)
    return dicts, ranges


def _bmp(text: str) -> bool:
    """Only then is a length the same in Python and JavaScript (UTF-16) terms."""
    return all(ord(c) < 0x10000 for c in text)


def _merge_dicts(into: dict[str, dict[str, Any]], part: dict[str, dict[str, Any]]) -> None:
    for name, values in part.items():
        into.setdefault(name, {}).update(values)


def _group(keys: list[str], item: Any, target: int, kind: str, files: dict[str, bytes], merge: Any) -> list[list[str]]:
    """Cut the sorted KEYS into files of about TARGET bytes; returns [[first key, file name], ...]."""
    table: list[list[str]] = []
    group: dict[str, dict[str, Any]] = {}
    first: str | None = None
    size = 0

    def flush() -> None:
        name, data = encode_file(f"{kind}-{len(table)}", group)
        files[name] = data
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


def _write_docs(articles: list[Article], files: dict[str, bytes], lang: str) -> list[str]:
    names: list[str] = []
    for start in range(0, max(len(articles), 1), DOCS_CHUNK):
        rows = []
        for a in articles[start:start + DOCS_CHUNK]:
            sections = [[s.heading, s.anchor, excerpt(s.text)] for s in a.sections[: ranking.MAX_SECTION_SLOT + 1]]
            rows.append([a.url, a.title, a.source, a.description, 1 if a.promoted else 0, sections])
        name, data = encode_file(f"docs-{lang}-{len(names)}", {"articles": rows})
        files[name] = data
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


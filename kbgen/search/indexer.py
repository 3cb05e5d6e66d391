"""Build-time indexing: the site's articles -> per-language index files (see format.py).

Analysis happens here, once: tokens, stop words, Snowball stems, compound parts from the
site's own vocabulary, synonyms; then BM25F scores are computed per term for each article
and section and quantised, so the browser only adds integers.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

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

    def term_freqs(words: dict[str, int]) -> dict[str, float]:
        freqs: dict[str, float] = defaultdict(float)
        for word, n in words.items():
            for term, weight in contributions.get(word) or contribution(word):
                freqs[term] += weight * n
        return freqs

    for group in config.synonyms:  # a synonym the site never writes must still be a known word
        for words in (tokens(w, lang) for w in group):
            if len(words) == 1 and words[0] not in stops:
                entries.setdefault(words[0], (stem(words[0], lang), ()))
    article_tf = [{name: term_freqs(counts(text)) for name, text in a.search_fields.items()} for a in articles]
    section_tf = [[{name: term_freqs(counts(text)) for name, text in s.items()} for s in a.search_sections]
                  for a in articles]
    # term -> its postings, each one int aid << 12 | slot << 8 | q: sorts like the tuple (aid, slot, q)
    # and takes a third of its memory (a 10,000-article site has millions of postings)
    postings: dict[str, list[int]] = defaultdict(list)
    boosts = [float((a.meta.get("search") or {}).get("boost", 1.0)) for a in articles]
    _score(article_tf, ranking.ARTICLE_FIELDS, postings, boosts, article_level=True)
    _score(section_tf, ranking.SECTION_FIELDS, postings, boosts, article_level=False)
    files: dict[str, bytes] = {}
    dicts, ranges = _write_shards(entries, postings, files, lang)
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


def counts(text: str) -> dict[str, int]:
    """Token counts of a field analysed by analyse_article, in the order the tokens first occur."""
    return dict(Counter(text.split()))


def analyse_article(article: Article) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Each field's search tokens, stop words removed, space-separated; runs in the parse workers.

    One string per field rather than a dict of counts: a tenth of the memory for the model of
    a large site, and quicker to send back from the workers; build_index counts them.
    """
    lang, meta = article.lang, article.meta
    stops = stopwords(lang)

    def analysed(text: str) -> str:
        return " ".join([t for t in tokens(text, lang) if t not in stops])

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


def _score(units: list[Any], fields: dict[str, tuple[float, float]],
           postings: dict[str, list[int]], boosts: list[float], article_level: bool) -> None:
    """BM25F over FIELDS for every (term, unit); a unit is an article or one of its sections."""
    flat = [(aid, slot, tf) for aid, item in enumerate(units)
            for slot, tf in ([(ranking.ARTICLE_SLOT, item)] if article_level else enumerate(item))]
    count = max(len(flat), 1)
    avg = {name: (sum(sum(tf[name].values()) for _, _, tf in flat) / count) or 1.0 for name in fields}
    df: Counter[str] = Counter()
    for _, _, tf in flat:
        df.update({term for name in fields for term in tf[name]})
    idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in df.items()}
    k1, scale, log1p = ranking.K1, ranking.SCORE_SCALE, math.log1p
    # Per field: (name, weight, b, average length); in a fixed order, so the float sums are reproducible.
    field_stats = [(name, weight, b, avg[name]) for name, (weight, b) in fields.items()]
    for aid, slot, tf in flat:
        packed = aid << 12 | slot << 8
        weighted: dict[str, float] = defaultdict(float)
        for name, weight, b, average in field_stats:
            freqs = tf[name]
            if not freqs:
                continue
            factor = weight / (1 - b + b * sum(freqs.values()) / average)
            for term, freq in freqs.items():
                weighted[term] += factor * freq
        factor = boosts[aid] * (k1 + 1)
        for term, w in weighted.items():  # order does not matter: postings are sorted when written
            q = round(log1p(factor * idf[term] * w / (w + k1)) * scale)
            if q > 0:
                postings[term].append(packed | (q if q < 256 else 255))


def _write_shards(entries: dict[str, tuple[str, tuple[str, ...]]], postings: dict[str, list[int]],
                  files: dict[str, bytes], lang: str) -> tuple[list[list[str]], list[list[str]]]:
    """Dictionary shards by a word's first letters; posting shards by contiguous ranges of terms."""
    by_key: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: {"dict": {}, "stems": {}})
    for surface, (term, parts) in entries.items():
        if term in postings or parts:
            stored: str | int = len(term) if surface.startswith(term) and _bmp(surface) else term
            by_key[shard_key(surface)]["dict"][surface] = [stored, list(parts)] if parts else [stored]
    flat_postings: dict[str, list[int]] = {}
    for term, items in postings.items():
        items.sort()
        aids = [p >> 12 for p in items]
        codes = [(p & 255) << 4 | (p >> 8 & 15) for p in items]  # q * 16 + slot
        deltas = [aid - previous for aid, previous in zip(aids, [0, *aids])]
        flat_postings[term] = [n for pair in zip(deltas, codes) for n in pair]
        by_key[shard_key(term)]["stems"][term] = len(items)
    dicts = _group(sorted(by_key), lambda key: (by_key[key], sum(len(k) + 12 for k in by_key[key]["dict"]) +
                                                 sum(len(k) + 6 for k in by_key[key]["stems"])),
                   DICT_TARGET_BYTES, f"dict-{lang}", files, merge=_merge_dicts)
    ranges = _group(sorted(flat_postings), lambda term: ({"postings": {term: flat_postings[term]}},
                                                          len(term) + 4 * len(flat_postings[term])),
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


"""Computed related articles: shared tags, products and distinctive title words, deterministic.

Candidates come from inverted lists, not from comparing every pair, so 10,000 articles
stay fast; features shared by too many articles say nothing and are skipped.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np

from kbgen.model import Article, Site

TAG_WEIGHT = 3.0  # a shared tag is the writer's own statement of relatedness
PRODUCT_WEIGHT = 1.5  # a shared product relates articles loosely
WORD_WEIGHT = 1.0  # a shared distinctive title/keyword word
SAME_FOLDER_BONUS = 0.5  # prefer neighbours when scores are close
MAX_POSTING = 200  # features on more articles than this are too common to tell anything
BLOCK = 2000  # articles scored at once: a block's (article, other) pairs stay a few million at most
_WORD = re.compile(r"\w{4,}")


def _features(article: Article) -> set[str]:
    feats = {f"t:{t.casefold()}" for t in article.meta.get("tags", [])}
    feats |= {f"p:{p}" for p in article.meta.get("products", [])}
    words = _WORD.findall(" ".join([article.title, *article.meta.get("keywords", [])]).casefold())
    feats |= {f"w:{w}" for w in words}
    return feats


def _weight(feature: str) -> float:
    return {"t": TAG_WEIGHT, "p": PRODUCT_WEIGHT}.get(feature[0], WORD_WEIGHT)


RelatedInputs = tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]


def related_inputs(site: Site) -> dict[str, RelatedInputs]:
    """Everything compute_related reads of each article: language, folder, guide, explicit related, features."""
    return {a.source: (a.lang, a.folder, a.guide, tuple(a.related), tuple(sorted(_features(a))))
            for a in sorted(site.articles.values(), key=lambda a: a.source)}


def affected_by(before: dict[str, RelatedInputs], now: dict[str, RelatedInputs]) -> set[str] | None:
    """The articles whose related lists may differ from BEFORE's, or None when every one may.

    A score is a sum over the features two articles share, each weighted by how many articles
    have it. So when the articles and their places stay, only the edited ones and those with
    a feature an edit added or removed can rank differently; every other list is as it was.
    """
    if set(before) != set(now):
        return None
    changed = [s for s in now if now[s] != before[s]]
    if any(now[s][:3] != before[s][:3] for s in changed):
        return None  # a move between folders or guides changes the same-folder bonus and guide skips of others
    moved: set[str] = set()
    for s in changed:
        moved |= set(now[s][4]) ^ set(before[s][4])
    return set(changed) | {s for s, inputs in now.items() if moved.intersection(inputs[4])}


def compute_related(site: Site, limit: int, only: set[str] | None = None,
                    inputs: dict[str, RelatedInputs] | None = None) -> None:
    """Fill each article's related list: explicit ones first, then the best computed ones.

    ONLY: fill just these articles' lists (the others are known); each comes out as a full
    computation would give it. INPUTS: related_inputs of the site, when made already.
    """
    for lang in site.languages:
        articles = sorted(site.in_lang(lang), key=lambda a: a.source)
        # sorted: float sums in a stable order
        features = [list(inputs[a.source][4]) if inputs else sorted(_features(a)) for a in articles]
        postings: dict[str, list[int]] = defaultdict(list)
        for index, feats in enumerate(features):
            for feat in feats:
                postings[feat].append(index)
        total = max(len(articles), 1)
        # Features shared by too many articles are skipped; the others' weights are the same for every article.
        weights = {f: _weight(f) * math.log(1 + total / len(p)) for f, p in postings.items() if len(p) <= MAX_POSTING}
        rows = [[feat for feat in feats if feat in weights] for feats in features]
        todo = [i for i, a in enumerate(articles) if only is None or a.source in only]
        for start in range(0, len(todo), BLOCK):
            block = todo[start:start + BLOCK]
            ranked = _ranked([rows[i] for i in block], np.array(block, dtype=np.int64), postings, weights,
                             [a.folder for a in articles])
            for index, candidates in zip(block, ranked):
                article = articles[index]
                chosen = list(article.related)
                wanted = limit + len(chosen) + 8  # room for skipped guide siblings
                for other in candidates[:wanted]:
                    if len(chosen) >= limit:
                        break
                    source = articles[other].source
                    if source in chosen or (article.guide and articles[other].guide == article.guide):
                        continue  # steps of the same guide are linked by previous/next already
                    chosen.append(source)
                article.related = chosen[:max(limit, len(article.related))]


def _ranked(rows: list[list[str]], index: np.ndarray, postings: dict[str, list[int]], weights: dict[str, float],
            folders: list[str]) -> list[list[int]]:
    """For each article of ROWS (its weighted features; article INDEX[i] for row i), the others by falling score.

    All (article, other, shared feature) triples of the block as arrays, summed per pair in
    each article's feature order, so every score is the same float a loop over the features
    would give; ties go to the other article's source path.
    """
    n = len(folders)
    feats = sorted({f for row in rows for f in row})
    fid = {f: k for k, f in enumerate(feats)}
    members = [np.array(postings[f], dtype=np.int64) for f in feats]
    sizes = np.array([len(m) for m in members], dtype=np.int64)
    row_of = np.repeat(np.arange(len(rows), dtype=np.int64), [len(row) for row in rows])
    feat_of = np.array([fid[f] for row in rows for f in row], dtype=np.int64)
    if not len(feat_of):
        return [[] for _ in rows]
    count = sizes[feat_of]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(members)
    position = np.repeat(starts[feat_of] - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    other = flat[position]
    row = np.repeat(row_of, count)
    weight = np.array([weights[f] for f in feats])[np.repeat(feat_of, count)]
    pairs, inverse = np.unique(row * n + other, return_inverse=True)
    score = np.bincount(inverse.ravel(), weights=weight)  # in input order: the loop's sums
    row, other = pairs // n, pairs % n
    folder_ids = {f: k for k, f in enumerate(sorted(set(folders)))}
    folder = np.array([folder_ids[f] for f in folders], dtype=np.int64)
    score = score + np.where(folder[index[row]] == folder[other], SAME_FOLDER_BONUS, 0.0)
    keep_mask = index[row] != other
    row, other, score = row[keep_mask], other[keep_mask], score[keep_mask]
    order = np.lexsort((other, -score, row))
    row, other = row[order], other[order]
    bounds = np.searchsorted(row, np.arange(len(rows) + 1))
    listed = other.tolist()
    return [listed[bounds[i]:bounds[i + 1]] for i in range(len(rows))]

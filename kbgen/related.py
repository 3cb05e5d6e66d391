"""Computed related articles: shared tags, products and distinctive title words, deterministic.

Candidates come from inverted lists, not from comparing every pair, so 10,000 articles
stay fast; features shared by too many articles say nothing and are skipped.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict

from kbgen.model import Article, Site

TAG_WEIGHT = 3.0  # a shared tag is the writer's own statement of relatedness
PRODUCT_WEIGHT = 1.5  # a shared product relates articles loosely
WORD_WEIGHT = 1.0  # a shared distinctive title/keyword word
SAME_FOLDER_BONUS = 0.5  # prefer neighbours when scores are close
MAX_POSTING = 200  # features on more articles than this are too common to tell anything
_WORD = re.compile(r"\w{4,}")


def _features(article: Article) -> set[str]:
    feats = {f"t:{t.casefold()}" for t in article.meta.get("tags", [])}
    feats |= {f"p:{p}" for p in article.meta.get("products", [])}
    words = _WORD.findall(" ".join([article.title, *article.meta.get("keywords", [])]).casefold())
    feats |= {f"w:{w}" for w in words}
    return feats


def _weight(feature: str) -> float:
    return {"t": TAG_WEIGHT, "p": PRODUCT_WEIGHT}.get(feature[0], WORD_WEIGHT)


def related_inputs(site: Site) -> str:
    """Everything compute_related reads, as one string: the key under which the build cache keeps its result."""
    rows = [(a.source, a.lang, a.folder, a.guide, a.related, sorted(_features(a)))
            for a in sorted(site.articles.values(), key=lambda a: a.source)]
    return repr(rows)


def compute_related(site: Site, limit: int) -> None:
    """Fill each article's related list: explicit ones first, then the best computed ones."""
    for lang in site.languages:
        articles = sorted(site.in_lang(lang), key=lambda a: a.source)
        features = {a.source: sorted(_features(a)) for a in articles}  # sorted: float sums in a stable order
        postings: dict[str, list[str]] = defaultdict(list)
        for source, feats in features.items():
            for feat in feats:
                postings[feat].append(source)
        total = max(len(articles), 1)
        idf = {f: math.log(1 + total / len(p)) for f, p in postings.items()}
        for article in articles:
            scores: dict[str, float] = defaultdict(float)
            for feat in features[article.source]:
                posting = postings[feat]
                if len(posting) > MAX_POSTING:
                    continue
                weight = _weight(feat) * idf[feat]
                for other in posting:
                    if other != article.source:
                        scores[other] += weight
            for other in scores:
                if site.articles[other].folder == article.folder:
                    scores[other] += SAME_FOLDER_BONUS
            chosen = list(article.related)
            wanted = limit + len(chosen) + 8  # room for skipped guide siblings
            ranked = heapq.nsmallest(wanted, scores.items(), key=lambda kv: (-kv[1], kv[0]))
            for other, _ in ranked:
                if len(chosen) >= limit:
                    break
                if other in chosen or (article.guide and site.articles[other].guide == article.guide):
                    continue  # steps of the same guide are linked by previous/next already
                chosen.append(other)
            article.related = chosen[:max(limit, len(article.related))]

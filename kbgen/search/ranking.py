"""The ranking constants, in one place. assets/search.js reads the same values from the manifest.

Build time: BM25F (Robertson & Zaragoza) per term over an article's own fields (title,
keywords, description) and, separately, per section (heading, body), so that a result can
both rank the article and deep-link to the section that answers.
Query time: each query word's candidate terms carry a tier weight (exact > stemmed > compound
part > prefix > typo); scores are integers so Python and JavaScript add them identically.
"""

from __future__ import annotations

K1 = 1.2  # term-frequency saturation
# Field: (weight, length normalisation b). Titles and keywords are short and decisive.
ARTICLE_FIELDS = {"title": (5.0, 0.5), "keywords": (3.0, 0.3), "description": (1.5, 0.5)}
SECTION_FIELDS = {"heading": (2.5, 0.5), "body": (1.0, 0.75)}
PART_TF = 0.5  # a compound part counts half an occurrence: "Garantieverlängerung" for "Garantie"
SYNONYM_TF = 0.6  # a configured synonym counts a little more than half an occurrence

SCORE_SCALE = 48.0  # quantisation: q = round(ln(1 + score) * SCORE_SCALE), 0..255
ARTICLE_SLOT = 15  # the section index that marks an article-level posting
MAX_SECTION_SLOT = 14  # sections past this share the last slot

# Tier weights (percent) for a query word's candidate terms.
TIERS = {
    "exact": 100,  # the query word's own stem (its surface form occurs in the site)
    "stemmed": 90,  # found after removing an inflection ending the site never used
    "family": 70,  # a longer stem that starts with the word's stem: personalisi -> personalisier
    "compound": 70,  # all parts of a compound query word match
    "prefix": 60,  # as-you-type completion of the last word
    "typo1": 45,  # one edit away (words of 5+ letters)
    "typo2": 30,  # two edits away (words of 9+ letters)
}
PREFIX_EXPANSIONS = 20  # completions of the last word, the most frequent first
PREFIX_POSTINGS = 20_000  # ... while their postings stay within this many (the first three always count)
TYPO_EXPANSIONS = 8  # typo corrections per word, the closest and most frequent first
FAMILY_MIN = 4  # shortest stem whose longer family members are matched
RERANK_DEPTH = 10  # how many top articles the exact-title check looks at (their docs are loaded anyway)
SUFFIXES = {  # endings removed from a query word the site does not use, longest first
    "de": ("ungen", "innen", "ern", "em", "en", "er", "es", "e", "n", "s"),
    "en": ("ings", "ing", "ies", "ied", "es", "ed", "s"),
}

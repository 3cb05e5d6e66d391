"""The search index format, version 1: a few small documented types, written as self-registering .js files.

Every file is `(self.__kbgen = self.__kbgen || {})["<name>"] = <JSON>;` so it loads with
a plain <script> tag over http(s) and from file:// alike (no fetch, no eval, strict CSP),
and the Python twin reads the JSON back. File names carry a content hash, so hosts may
cache them forever; only the small manifest (search-<lang>.js) keeps a stable name. The client refuses a manifest whose version it does not know.

manifest  {"version": 1, "lang": "de", "articles": N,
           "dicts": [[first_key, file], ...]    sorted; a word's key is its first KEY_LENGTH letters,
                                                 it lives in the last dict shard whose first_key <= key
           "postings": [[first_term, file], ...]  sorted; a term's postings live in the last posting
                                                 shard whose first_term <= the term
           "docs": [file, ...]                  docs chunk i holds articles i*chunk .. (i+1)*chunk-1
           "chunk": 32, "facets": file,
           "scores": [int, ...]                 decoded score of each quantised value 0..255
           "tiers": {...}, "suffixes": [...], "stopwords": [...], "limits": {...}}
dict      {"dict": {surface: [stem] or [stem, [part_stem, ...]]},  each word of the site -> its term and,
                                                 for a compound, its parts' terms; a stem that is the
                                                 surface's first n letters is written as the number n
           "stems": {stem: number of postings}}  the terms whose key is in this shard
postings  {"postings": {stem: [article_delta, q * 16 + slot, ...]}}
                                                 slot 15 = the article's own fields, 0..14 = its sections
docs      {"articles": [[url, title, source, description, promoted, [[heading, anchor, excerpt], ...]], ...]}
facets    {"categories": [[key, title], ...], "products": [[id, name], ...],
           "article_category": [index, ...], "article_products": [[index, ...], ...]}
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.cache import digest

VERSION = 1
KEY_LENGTH = 2  # letters of a term that choose its shard
DOCS_CHUNK = 8  # articles per docs file: a first query loads about one small file per result
DICT_TARGET_BYTES = 24_000  # dictionary shards grow key by key up to about this size
POSTINGS_TARGET_BYTES = 24_000  # posting shards grow term by term up to about this size (one term may exceed it)
_WRAPPER = re.compile(r'^\(self\.__kbgen = self\.__kbgen \|\| \{\}\)\["([^"]+)"\] = (.*);\n?$', re.S)


def shard_key(term: str) -> str:
    return term[:KEY_LENGTH]


def manifest_name(lang: str) -> str:
    """The manifest keeps a stable name, so pages can point at it before the index exists."""
    return f"search-{lang}.js"


def encode_file(kind: str, data: Any, hashed: bool = True) -> tuple[str, bytes]:
    """The file name (content-hashed unless HASHED is false) and bytes of one index file."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()[:10]
    name = f"{kind}.{digest}.js" if hashed else f"{kind}.js"
    return name, f'(self.__kbgen = self.__kbgen || {{}})["{name}"] = {body};\n'.encode()


class Encoder:
    """encode_file for hashed files, skipping those an earlier build made from equal data.

    Data is compared as its pickle: equal pickles are equal data and so equal JSON (a difference
    pickle sees but JSON does not, such as a tuple for a list, only costs a miss). After one edit
    most of a large site's index files hold the same data as before, and pickling is several
    times faster than encoding. A file found in EARLIER is not encoded at all: the build has its
    bytes already (the output folder or the build cache holds them, by blob key).
    """

    def __init__(self, earlier: dict[str, tuple[str, str]] | None = None) -> None:
        self.earlier = earlier or {}  # reuse key -> (file name, blob key of its bytes)
        self.made: dict[str, str] = {}  # reuse key -> file name, of every file encoded or reused here
        self.reused: dict[str, str] = {}  # file name -> blob key, of the files taken from EARLIER

    def emit(self, kind: str, data: Any, files: dict[str, bytes]) -> str:
        """The name of KIND's file for DATA; its bytes go to FILES unless an earlier build has them."""
        key = digest(kind, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        found = self.earlier.get(key)
        if found is not None:
            name = found[0]
            self.reused[name] = found[1]
        else:
            name, files[name] = encode_file(kind, data)
        self.made[key] = name
        return name


def decode_text(text: str, name: str) -> Any:
    match = _WRAPPER.match(text)
    if not match:
        raise ValueError(f"{name} is not a kbgen search index file")
    return json.loads(match.group(2))


def decode_file(path: Path) -> Any:
    return decode_text(path.read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class IndexFiles:
    lang: str
    manifest: str  # file name of the manifest, relative to the index folder
    files: dict[str, bytes]  # file name -> bytes, of the files encoded (not reused)
    reused: dict[str, str] = field(default_factory=dict)  # file name -> blob key, of the files an earlier build made
    encoded: dict[str, str] = field(default_factory=dict)  # Encoder's reuse key -> file name, for the next build

"""The persistent build cache in `SITE/.kbgen-cache/`: work a build can skip, keyed by content hashes.

What is kept, each under a key that hashes everything the result depends on:

- parse results (one per article: file bytes + parse settings + kbgen's own code),
- rendered pages (page fingerprint: the template context plus templates, assets and strings),
- the computed related articles (the features they are computed from),
- the output manifest of the last good build (every input of the site) with its diagnostics,
  so an unchanged site is restored from stored files without any stage running.

The store is one SQLite file (atomic commits, safe for the forked render workers). Nothing
read from it is trusted: rows carry a BLAKE2 checksum that is verified on every read,
pickles are loaded with an allow-list of classes, and a file that is unreadable, corrupt or
written by another kbgen (format or code) is set aside and the build goes on without it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import sqlite3
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import kbgen
from kbgen.diagnostics import Diagnostic, Diagnostics

CACHE_DIR = ".kbgen-cache"
FORMAT = "kbgen-cache 1"
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parse (key TEXT PRIMARY KEY, sum TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (fp TEXT PRIMARY KEY, blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (name TEXT PRIMARY KEY, key TEXT NOT NULL, sum TEXT NOT NULL, data BLOB NOT NULL);
"""
_DEPENDENCIES = ("markdown-it-pyrs", "markdown-it-pyrs-abi3", "jinja2", "markupsafe", "pyyaml", "whoosh",
                 "numpy")
_SAFE_GLOBALS = {
    ("kbgen.model", name) for name in ("Article", "Heading", "Section", "Reference", "SearchText")
} | {("kbgen.diagnostics", "Diagnostic"), ("kbgen.cache", "Manifest"), ("datetime", "date"), ("datetime", "datetime"),
     ("datetime", "timedelta"), ("datetime", "timezone"), ("collections", "Counter"),
     ("collections", "defaultdict"), ("collections", "OrderedDict"), ("builtins", "set"),
     ("builtins", "frozenset"), ("builtins", "int"), ("builtins", "float"), ("copyreg", "_reconstructor"),
     ("builtins", "object")}


def digest(*parts: bytes | str) -> str:
    """A short, stable content hash of PARTS (length-prefixed, so parts cannot run together)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """kbgen's own files (code, built-in layouts and assets) and the versions of the libraries that shape output.

    A cache written by other code is foreign: a hash of the code, not the version string,
    so a changed checkout never reuses results of the old one.
    """
    package = Path(kbgen.__file__).resolve().parent
    roots = [package] + [p for p in (package.parent / "layouts", package.parent / "assets") if p.is_dir()]
    parts: list[bytes | str] = [kbgen.__version__]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    for name in _DEPENDENCIES:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, ""]
    return digest(*parts)


def template_digest(roots: Iterable[Path]) -> str:
    """Every file below ROOTS, by path and content (layout folders: a change to any template counts)."""
    parts: list[bytes | str] = []
    for root in roots:
        parts.append(str(root))
        for path in sorted(root.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def canonical(value: Any) -> Any:
    """VALUE with sets sorted and mappings as sorted items, so its repr is the same in every process."""
    if isinstance(value, dict):
        return [(canonical(k), canonical(v)) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return [type(value).__name__, canonical(vars(value))]
    return value


class _SafeUnpickler(pickle.Unpickler):
    """Loads kbgen's plain data classes and nothing that could run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    return _SafeUnpickler(io.BytesIO(data)).load()


@dataclass
class Manifest:
    """The output of a good build: file path (relative to OUT) -> blob key, and what it reported."""

    files: dict[str, str]
    diagnostics: list[Diagnostic]
    articles: int
    fingerprints: dict[str, str]  # page path -> the fingerprint it was rendered from
    parsed: dict[str, str] = field(default_factory=dict)  # article source -> the parse key of the text it shows


class BuildCache:
    """One build's view of the cache; a disabled cache answers every question with a miss."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self.used_parse: set[str] = set()
        self.used_pages: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.path is not None

    @classmethod
    def disabled(cls) -> "BuildCache":
        return cls(None)

    @classmethod
    def open(cls, site_root: Path, diags: Diagnostics) -> "BuildCache":
        """The site's cache; a corrupt or foreign one is set aside (with a note) and a new one started."""
        folder = site_root / CACHE_DIR
        path = folder / "cache.sqlite"
        try:
            folder.mkdir(exist_ok=True)
            if not (folder / ".gitignore").exists():
                (folder / ".gitignore").write_text("# kbgen's build cache: safe to delete, never commit it\n*\n")
        except OSError:
            return cls.disabled()  # a read-only checkout builds without a cache
        cache = cls(path)
        try:
            conn = cache._connection()
            conn.executescript(_TABLES)
            rows = dict(conn.execute("SELECT name, value FROM meta").fetchall())
            if rows.get("format") != FORMAT or rows.get("code") != code_digest():
                if rows:  # written by another kbgen: nothing in it applies
                    for table in ("parse", "blobs", "pages", "results"):
                        conn.execute(f"DELETE FROM {table}")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?), ('code', ?)", (FORMAT, code_digest()))
                conn.commit()
            return cache
        except sqlite3.Error as exc:
            cache.close()
            diags.note(f"the build cache is unreadable ({exc}) and was ignored; starting a new one",
                       f"{CACHE_DIR}/cache.sqlite", hint="nothing to do; delete the folder if this repeats",
                       code="cache-ignored")
            try:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                return cls.open(site_root, Diagnostics()) if not path.exists() else cls.disabled()
            except OSError:
                return cls.disabled()

    def _connection(self) -> sqlite3.Connection:
        """A connection of this process: forked workers must not share the parent's."""
        if self._conn is None or self._pid != os.getpid():
            assert self.path is not None
            self._pid = os.getpid()
            self._conn = sqlite3.connect(self.path, timeout=60, isolation_level="DEFERRED")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        return self._conn

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def _safe(self, default: Any, action: Any) -> Any:
        """Run a cache operation; any failure of the store is a miss, never a failed build."""
        if not self.enabled:
            return default
        try:
            return action(self._connection())
        except (sqlite3.Error, OSError):
            return default

    # -- parse results -------------------------------------------------------------------

    def articles(self, keys: Iterable[str]) -> dict[str, Any]:
        """Stored parse results for KEYS that are present and intact."""
        wanted = list(keys)

        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for key, total, data in _rows_in(conn, "SELECT key, sum, data FROM parse WHERE key IN ({})", wanted):
                value = _verified(data, total)
                if value is not None:
                    found[key] = value
            return found

        return self._safe({}, read)

    def put_articles(self, items: list[tuple[str, Any]]) -> None:
        rows = []
        for key, article in items:
            data = dumps(article)
            rows.append((key, digest(data), data))

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO parse VALUES (?, ?, ?)", rows)

        self._safe(None, write)

    # -- computed results (related articles) ----------------------------------------------

    def result(self, name: str, key: str) -> Any:
        def read(conn: sqlite3.Connection) -> Any:
            row = conn.execute("SELECT key, sum, data FROM results WHERE name = ?", (name,)).fetchone()
            return _verified(row[2], row[1]) if row and row[0] == key else None

        return self._safe(None, read)

    def latest(self, name: str) -> tuple[str, Any] | None:
        """The key and value last stored under NAME, whatever the key."""
        def read(conn: sqlite3.Connection) -> tuple[str, Any] | None:
            row = conn.execute("SELECT key, sum, data FROM results WHERE name = ?", (name,)).fetchone()
            value = _verified(row[2], row[1]) if row else None
            return (row[0], value) if value is not None else None

        return self._safe(None, read)

    def put_result(self, name: str, key: str, value: Any) -> None:
        data = dumps(value)

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", (name, key, digest(data), data))

        self._safe(None, write)

    # -- rendered pages and stored files --------------------------------------------------

    def pages(self, fps: list[str]) -> dict[str, tuple[str, bytes]]:
        """Fingerprint -> (blob key, bytes) of the stored pages among FPS that are intact."""
        def read(conn: sqlite3.Connection) -> dict[str, tuple[str, bytes]]:
            found: dict[str, tuple[str, bytes]] = {}
            sql = "SELECT p.fp, b.key, b.data FROM pages p JOIN blobs b ON b.key = p.blob WHERE p.fp IN ({})"
            for fp, key, data in _rows_in(conn, sql, fps):
                if digest(data) == key:
                    found[fp] = (key, bytes(data))
            return found

        return self._safe({}, read) if fps else {}

    def put_pages(self, items: list[tuple[str, str, bytes]]) -> None:
        """Store (fingerprint, blob key, bytes) of newly rendered pages in one transaction."""
        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", [(k, d) for _, k, d in items])
                conn.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", [(fp, k) for fp, k, _ in items])

        if items:
            self._safe(None, write)

    def put_blobs(self, items: Iterable[tuple[str, bytes]]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", items)

        self._safe(None, write)

    def blobs(self, keys: Iterable[str]) -> Iterable[tuple[str, bytes]]:
        """(key, bytes) of the stored files, checked against their keys; a bad one raises CacheMiss."""
        wanted = sorted(set(keys))
        seen = 0
        try:
            for key, data in _rows_in(self._connection(), "SELECT key, data FROM blobs WHERE key IN ({})", wanted):
                if digest(data) != key:
                    raise CacheMiss("a stored file is damaged")
                seen += 1
                yield key, bytes(data)
        except sqlite3.Error as exc:  # the store failed half-way: build without it
            raise CacheMiss(str(exc)) from exc
        if seen != len(wanted):
            raise CacheMiss("a stored file is missing")

    # -- the output manifest ----------------------------------------------------------------

    def manifest(self, key: str) -> Manifest | None:
        value = self.result("manifest", key)
        return value if isinstance(value, Manifest) else None

    def put_manifest(self, key: str, manifest: Manifest) -> None:
        self.put_result("manifest", key, manifest)

    def prune(self, manifest: Manifest | None) -> None:
        """Drop what this build did not use, so the cache stays the size of one site."""
        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                conn.execute("DELETE FROM keep")
                conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(k,) for k in self.used_parse])
                conn.execute("DELETE FROM parse WHERE key NOT IN (SELECT key FROM keep)")
                conn.execute("DELETE FROM keep")
                conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(k,) for k in self.used_pages])
                conn.execute("DELETE FROM pages WHERE fp NOT IN (SELECT key FROM keep)")
                conn.execute("DELETE FROM keep")
                if manifest is not None:
                    conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(k,) for k in manifest.files.values()])
                conn.execute("DELETE FROM blobs WHERE key NOT IN (SELECT key FROM keep) "
                             "AND key NOT IN (SELECT blob FROM pages)")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        if self.used_parse or self.used_pages:
            self._safe(None, write)


class CacheMiss(Exception):
    """The cache cannot answer after all (a stored file is missing or damaged)."""


def _rows_in(conn: sqlite3.Connection, sql: str, keys: list[str]) -> Iterable[tuple[Any, ...]]:
    """The rows of SQL (with `IN ({})`) for KEYS, queried in chunks SQLite's variable limit allows."""
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        yield from conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall()


def _verified(data: bytes, total: str) -> Any:
    """The unpickled value if DATA matches its checksum and holds only allowed classes, else None."""
    if digest(data) != total:
        return None
    try:
        return loads(data)
    except Exception:  # anything a damaged or hostile pickle raises is a miss
        return None

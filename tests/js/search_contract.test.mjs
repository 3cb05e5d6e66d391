// The search contract, JavaScript side: assets/search.js must answer every fixture query exactly as the
// Python engine did (tests/fixtures/search_contract.json, written by `python tests/search_fixtures.py`).
// Runs with `node --test tests/js/`; needs neither Python nor a build (the index is committed too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "..", "fixtures");
const indexDir = path.join(fixtures, "search_index");
const contract = JSON.parse(readFileSync(path.join(fixtures, "search_contract.json"), "utf8"));
const engine = readFileSync(path.join(here, "../../assets/search.js"), "utf8");
const REGENERATE = "if the Python side changed on purpose, run `python tests/search_fixtures.py`";

// A page: search.js as a classic script in its own global, index files "loaded as <script>" from disk.
function page() {
  const context = vm.createContext({});
  context.self = context;
  vm.runInContext(engine, context, { filename: "assets/search.js" });
  const loaded = [];
  const load = async (url) => {
    loaded.push(path.basename(url));
    vm.runInContext(readFileSync(url, "utf8"), context, { filename: url });
  };
  return { api: context.KbgenSearch, context, loaded, load };
}

async function openIndex(lang) {
  const p = page();
  const index = await p.api.open(path.join(indexDir, `search-${lang}.js`), { load: p.load });
  return { index, loaded: p.loaded };
}

// Plain data of this realm: objects made inside the vm context have its prototypes, which deepEqual rejects.
const plain = (value) => JSON.parse(JSON.stringify(value));
// A query as readable ASCII for test names and messages: invisible and non-Latin characters as \u escapes.
const show = (text) => JSON.stringify(text).replace(/[^\x20-\x7e\u00c0-\u017f]/gu,
  (c) => "\\u{" + c.codePointAt(0).toString(16) + "}");
const rows = (results) => plain(results.map((r) => ({ url: r.url, title: r.title, heading: r.heading, source: r.source, score: r.score })));

function explain(lang, query, expected, actual) {
  return `[${lang}] ${show(query)}: JavaScript differs from Python\n` +
    `  python: ${JSON.stringify(expected)}\n  js:     ${JSON.stringify(actual)}\n(${REGENERATE})`;
}

for (const lang of contract.langs) {
  test(`every query, one page (${lang}): same results, scores and suggestions as Python`, async () => {
    const { index } = await openIndex(lang);
    contract.queries.forEach((_, i) => assert.ok(contract.expected[lang][i], `no expected row ${i}`));
    for (const [i, { q }] of contract.queries.entries()) {
      const { results, suggestion } = await index.search(q, { limit: contract.limit });
      const expected = contract.expected[lang][i];
      assert.deepEqual(rows(results), expected, explain(lang, q, expected, rows(results)));
      assert.equal(suggestion ?? null, contract.suggestions[lang][i], `[${lang}] ${show(q)}: did-you-mean differs`);
    }
  });

  test(`every query on a fresh page (${lang}): nothing depends on what earlier queries loaded`, async () => {
    for (const [i, { q }] of contract.queries.entries()) {
      const { index } = await openIndex(lang);
      const { results } = await index.search(q, { limit: contract.limit });
      assert.deepEqual(rows(results), contract.expected[lang][i], explain(lang, q, contract.expected[lang][i], rows(results)));
    }
  });

  test(`queries in reverse order (${lang}): caches give the same answers`, async () => {
    const { index } = await openIndex(lang);
    for (const [i, { q }] of [...contract.queries.entries()].reverse()) {
      const { results } = await index.search(q, { limit: contract.limit });
      assert.deepEqual(rows(results), contract.expected[lang][i], explain(lang, q, contract.expected[lang][i], rows(results)));
    }
  });
}

test("category and product filters: same results as Python", async () => {
  for (const f of contract.filtered) {
    const { index } = await openIndex(f.lang);
    const { results } = await index.search(f.q, { limit: contract.limit, category: f.category, product: f.product });
    assert.deepEqual(rows(results), f.expected, explain(f.lang, `${f.q} [category=${f.category} product=${f.product}]`, f.expected, rows(results)));
  }
});

test("the fixture exercises several shards", async () => {
  const { index, loaded } = await openIndex("de");
  assert.ok(index.manifest.dicts.length > 1 && index.manifest.postings.length > 1,
    "the fixture index should have several dictionary and posting shards");
  for (const { q } of contract.queries) await index.search(q, { limit: contract.limit });
  assert.ok(loaded.filter((n) => n.startsWith("dict-")).length > 1, "queries should load more than one dict shard");
  assert.ok(loaded.filter((n) => n.startsWith("postings-")).length > 1, "queries should load more than one posting shard");
});

test("a manifest of another index version is refused", async () => {
  const p = page();
  const load = async () => {
    vm.runInContext('(self.__kbgen = self.__kbgen || {})["search-xx.js"] = {"version": 999};', p.context);
  };
  await assert.rejects(p.api.open("search-xx.js", { load }), /version 999/);
});

// Unicode edge cases that once differed (KNOWN_*_DIFFERENCES in tests/search_fixtures.py): now held equal.
const known = contract.known_differences || { queries: [], tokens: [] };
for (const k of known.queries) {
  test(`unicode edge case [${k.lang}] ${show(k.q)}`, async () => {
    const { index } = await openIndex(k.lang);
    const { results, suggestion } = await index.search(k.q, { limit: contract.limit });
    assert.deepEqual(rows(results), k.expected, explain(k.lang, k.q, k.expected, rows(results)));
    assert.equal(suggestion ?? null, k.suggestion);
  });
}
for (const k of known.tokens) {
  test(`unicode edge case tokens(${show(k.text)}, ${k.lang})`, () => {
    assert.deepEqual(plain(page().api.tokens(k.text, k.lang)), k.expected);
  });
}

test("fold() as Python's analysis.fold", () => {
  const { api } = page();
  for (const [text, expected] of Object.entries(contract.analysis.fold)) {
    assert.equal(api.fold(text), expected, `fold(${JSON.stringify(text)}); ${REGENERATE}`);
  }
});

test("tokens() as Python's analysis.tokens", () => {
  const { api } = page();
  for (const [lang, cases] of Object.entries(contract.analysis.tokens)) {
    for (const [text, expected] of Object.entries(cases)) {
      assert.deepEqual(plain(api.tokens(text, lang)), expected, `tokens(${JSON.stringify(text)}, ${lang}); ${REGENERATE}`);
    }
  }
});

test("normalize() as Python's analysis.normalize", () => {
  const { api } = page();
  for (const [lang, cases] of Object.entries(contract.analysis.normalize)) {
    for (const [word, expected] of Object.entries(cases)) {
      assert.equal(api.normalize(word, lang), expected, `normalize(${JSON.stringify(word)}, ${lang}); ${REGENERATE}`);
    }
  }
});

test("the contract covers what it should", () => {
  const kinds = new Set(contract.queries.map((q) => q.kind));
  for (const kind of ["exact", "inflected", "umlaut", "compound", "prefix", "typo", "code", "and", "synonym", "keyword", "title", "promoted", "question", "stopwords"]) {
    assert.ok(kinds.has(kind), `no ${kind} query in the contract`);
  }
  for (const text of ["Rücksendung", "Ruecksendung", "SH-200", "v2.1", "Straße", "Queue"]) {
    assert.ok(text in contract.analysis.fold, `no analysis check for ${text}`);
  }
  const hits = contract.langs.map((lang) => contract.expected[lang].filter((r) => r.length).length);
  assert.ok(hits.every((n) => n >= 10), `most queries should find something: ${hits}`);
});

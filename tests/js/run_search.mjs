// Runs assets/search.js in Node against a built index: one query per stdin line, one JSON line out.
// Usage: node tests/js/run_search.mjs INDEX_DIR LANG [LIMIT]   (INDEX_DIR = OUT/assets/search)
// Instrumentation for benchmarks/search.py (off by default; the default output is unchanged):
//   KBGEN_TRACE_FILES=1  each JSON line also has "files": the index files (names in INDEX_DIR) loaded
//                        since the previous query, in load order; the first query's list includes the manifest
//   KBGEN_FRESH=1        every query runs on a fresh page: new vm context, nothing loaded or cached
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [dir, lang, limitArg] = process.argv.slice(2);
const limit = Number(limitArg || 10);
const trace = process.env.KBGEN_TRACE_FILES === "1";
const fresh = process.env.KBGEN_FRESH === "1";
const engine = readFileSync(path.join(here, "../../assets/search.js"), "utf8");
let loadedFiles = [];

async function openPage() {
  const context = vm.createContext({});
  context.self = context;
  vm.runInContext(engine, context);
  const load = async (url) => {
    if (trace) loadedFiles.push(path.relative(dir, url));
    vm.runInContext(readFileSync(url, "utf8"), context, { filename: url });
  };
  return context.KbgenSearch.open(path.join(dir, `search-${lang}.js`), { load });
}

let index = fresh ? null : await openPage();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const query of lines) {
  if (fresh) {
    loadedFiles = [];
    index = await openPage();
  }
  const started = process.hrtime.bigint();
  const { results } = await index.search(query, { limit });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = results.map((r) => ({ url: r.url, title: r.title, heading: r.heading, source: r.source, score: r.score }));
  const line = { results: rows, ms };
  if (trace) {
    line.files = loadedFiles;
    loadedFiles = [];
  }
  process.stdout.write(JSON.stringify(line) + "\n");
}

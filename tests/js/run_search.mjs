// Runs assets/search.js in Node against a built index: one query per stdin line, one JSON line out.
// Usage: node tests/js/run_search.mjs INDEX_DIR LANG [LIMIT]   (INDEX_DIR = OUT/assets/search)
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [dir, lang, limitArg] = process.argv.slice(2);
const limit = Number(limitArg || 10);
const context = vm.createContext({});
context.self = context;
vm.runInContext(readFileSync(path.join(here, "../../assets/search.js"), "utf8"), context);
const load = async (url) => vm.runInContext(readFileSync(url, "utf8"), context, { filename: url });
const index = await context.KbgenSearch.open(path.join(dir, `search-${lang}.js`), { load });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const query of lines) {
  const started = process.hrtime.bigint();
  const { results } = await index.search(query, { limit });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = results.map((r) => ({ url: r.url, title: r.title, heading: r.heading, source: r.source, score: r.score }));
  process.stdout.write(JSON.stringify({ results: rows, ms }) + "\n");
}

// kbgen search engine: the browser twin of kbgen/search/engine.py (same steps, same integers).
// A classic script, not an ES module: module scripts do not load from file://, this does.
// It defines one global, KbgenSearch; the page UI lives in search-ui.js.
(function (root) {
  "use strict";

  const VERSION = 1;
  const LINKING = ["s", "es", "n", "en", "e"];
  const COMBINING = /[\u0300-\u036f]/g;
  const TOKEN = /[\p{L}\p{N}]+(?:[-./][\p{L}\p{N}]+)*/gu;
  const SPLIT = /[-./]/;
  const DIGIT = /[0-9]/;
  const SURROGATE = /[\ud800-\udfff]/;
  // Lengths and comparisons in code points, as Python counts them.
  const cpLen = (s) => (SURROGATE.test(s) ? Array.from(s).length : s.length);
  const GERMAN_DIGRAPH = /([ao])e|(?<![aeiouq])(u)e/g;

  // -- analysis: mirrors kbgen/search/analysis.py -------------------------------------------
  function fold(text) {
    return text.toLowerCase().replace(/ß/g, "ss").replace(/ẞ/g, "ss").normalize("NFD").replace(COMBINING, "");
  }
  function normalize(word, lang) {
    return lang === "de" && word.includes("e") ? word.replace(GERMAN_DIGRAPH, "$1$2") : word;
  }
  // The language's spelling rule is applied to the whole folded text at once, then split.
  function tokens(text, lang) {
    const out = [];
    for (const match of normalize(fold(text), lang).matchAll(TOKEN)) {
      const token = match[0];
      if (SPLIT.test(token)) {
        const parts = token.split(/[-./]/).filter(Boolean);
        if (DIGIT.test(token)) out.push(parts.join(""));
        for (const p of parts) out.push(p);
      } else {
        out.push(token);
      }
    }
    return out;
  }

  // The same distance for strings without surrogates, on reused rows: the typo search's hot loop.
  const ROWS = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
  function osaBmp(a, b, limit) {
    const n = a.length;
    const m = b.length;
    if (Math.abs(n - m) > limit) return limit + 1;
    if (m + 1 > ROWS[0].length) return osaDistance(a, b, limit);
    let [prev2, prev, cur] = ROWS;
    for (let j = 0; j <= m; j++) prev[j] = j;
    for (let i = 1; i <= n; i++) {
      cur[0] = i;
      let best = i;
      const ai = a.charCodeAt(i - 1);
      for (let j = 1; j <= m; j++) {
        const bj = b.charCodeAt(j - 1);
        let value = prev[j - 1] + (ai === bj ? 0 : 1);
        if (prev[j] + 1 < value) value = prev[j] + 1;
        if (cur[j - 1] + 1 < value) value = cur[j - 1] + 1;
        if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj && prev2[j - 2] + 1 < value) {
          value = prev2[j - 2] + 1;
        }
        cur[j] = value;
        if (value < best) best = value;
      }
      if (best > limit) return limit + 1;
      [prev2, prev, cur] = [prev, cur, prev2];
    }
    return prev[m] <= limit ? prev[m] : limit + 1;
  }

  // Optimal string alignment distance, or limit + 1 when above LIMIT.
  function osaDistance(a, b, limit) {
    if (SURROGATE.test(a) || SURROGATE.test(b)) {
      a = Array.from(a);
      b = Array.from(b);
    }
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let prev2 = [];
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      let best = i;
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let value = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, prev2[j - 2] + 1);
        cur[j] = value;
        if (value < best) best = value;
      }
      if (best > limit) return limit + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length] <= limit ? prev[b.length] : limit + 1;
  }

  // Python's order of strings, by code point (JavaScript's < compares UTF-16 units).
  function cmp(a, b) {
    if (SURROGATE.test(a) || SURROGATE.test(b)) {
      const x = Array.from(a, (c) => c.codePointAt(0));
      const y = Array.from(b, (c) => c.codePointAt(0));
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // The entry of SURFACE with its stem spelled out (a number n means the first n letters).
  function entryOf(dictionary, surface) {
    if (!Object.prototype.hasOwnProperty.call(dictionary, surface)) return null;
    const entry = dictionary[surface];
    return typeof entry[0] === "number" ? [surface.slice(0, entry[0]), ...entry.slice(1)] : entry;
  }

  // -- loading ------------------------------------------------------------------------------
  function scriptLoader(url) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = url;
      tag.async = true;
      tag.onload = () => resolve();
      tag.onerror = () => reject(new Error("cannot load " + url));
      document.head.appendChild(tag);
    });
  }

  class SearchIndex {
    constructor(base, manifest, load) {
      this.base = base;
      this.manifest = manifest;
      this.load = load;
      this.lang = manifest.lang;
      this.scores = manifest.scores;
      this.tiers = manifest.tiers;
      this.stopwords = new Set(manifest.stopwords);
      this.promoted = new Set(manifest.promoted);
      this.files = new Map(); // file name -> Promise of its data
      this.loaded = new Map(); // shard file name -> its data, once loaded
      this.astralCache = new WeakMap(); // dictionary -> whether it has astral characters
      this.sortedCache = new WeakMap(); // shard mapping -> its keys, sorted
      this.decoded = new Map(); // term -> [article values, section values]
    }

    file(name) {
      if (!this.files.has(name)) {
        const registry = () => (root.__kbgen || {})[name];
        this.files.set(name, registry() ? Promise.resolve(registry()) : this.load(this.base + name).then(() => {
          const data = registry();
          if (!data) throw new Error("index file did not register: " + name);
          return data;
        }));
      }
      return this.files.get(name);
    }

    // The file of TABLE ("dicts" or "postings") that holds KEY: the last whose first key <= KEY.
    fileFor(table, key) {
      let name = "";
      for (const [first, file] of this.manifest[table]) {
        if (cmp(first, key) <= 0) name = file;
        else break;
      }
      return name;
    }
    dictName(word) {
      return this.fileFor("dicts", word.slice(0, this.manifest.key_length));
    }

    // Loads the files that hold KEYS; afterwards lookups of those keys are synchronous.
    async readyFiles(names) {
      const missing = [...new Set(names)].filter((n) => !this.loaded.has(n));
      const data = await Promise.all(missing.map((n) => this.file(n)));
      missing.forEach((n, i) => this.loaded.set(n, data[i]));
    }
    async ready(words) {
      await this.readyFiles(words.map((w) => this.dictName(w)));
    }
    async readyPostings(terms) {
      await this.readyFiles(terms.map((t) => this.fileFor("postings", t)));
    }
    shard(word) {
      return this.loaded.get(this.dictName(word));
    }

    // A shard's keys in order, sorted once rather than on every keystroke.
    sortedKeys(mapping) {
      if (!this.sortedCache.has(mapping)) this.sortedCache.set(mapping, Object.keys(mapping).sort(cmp));
      return this.sortedCache.get(mapping);
    }

    // Whether any word of a dictionary shard lies outside the Basic Multilingual Plane.
    astral(dictionary) {
      if (!this.astralCache.has(dictionary)) this.astralCache.set(dictionary, Object.keys(dictionary).some((s) => SURROGATE.test(s)));
      return this.astralCache.get(dictionary);
    }

    entry(word) {
      return entryOf(this.shard(word).dict, word);
    }
    postingList(term) {
      const p = this.loaded.get(this.fileFor("postings", term)).postings;
      return Object.prototype.hasOwnProperty.call(p, term) ? p[term] : [];
    }
    frequency(term) {
      const stems = this.shard(term).stems;
      return Object.prototype.hasOwnProperty.call(stems, term) ? stems[term] : 0;
    }
    // Sorted article ids and each one's article-level value plus best section value.
    postings(term) {
      return this.decode(term);
    }
    // article -> Map(section slot -> value)
    sections(term) {
      return this.decode(term).sections;
    }
    // Both views of a term's postings, in one pass, once per term (postings are sorted by article).
    decode(term) {
      if (!this.decoded.has(term)) {
        const flat = this.postingList(term);
        const aids = [];
        const sums = [];
        const sections = new Map();
        let aid = 0;
        let art = 0;
        let sec = 0;
        for (let i = 0; i < flat.length; i += 2) {
          const next = aid + flat[i];
          if (i > 0 && next !== aid) {
            aids.push(aid);
            sums.push(art + sec);
            art = sec = 0;
          }
          aid = next;
          const slot = flat[i + 1] & 15;
          const value = this.scores[flat[i + 1] >> 4];
          if (slot === 15) {
            art += value;
          } else {
            if (value > sec) sec = value;
            let bySlot = sections.get(aid);
            if (!bySlot) sections.set(aid, (bySlot = new Map()));
            bySlot.set(slot, value);
          }
        }
        if (flat.length) {
          aids.push(aid);
          sums.push(art + sec);
        }
        this.decoded.set(term, { aids: Int32Array.from(aids), sums: Int32Array.from(sums), sections });
      }
      return this.decoded.get(term);
    }

    // -- step 1: words --------------------------------------------------------------------
    words(query) {
      let words = [];
      for (const w of tokens(query, this.lang)) if (!words.includes(w)) words.push(w);
      words = words.slice(0, 8);
      const prefix = words.length > 0 && !/[ \t\n\r\f\v]$/.test(query);
      const kept = words.filter((w, i) => !this.stopwords.has(w) || (prefix && i === words.length - 1));
      return [kept.length ? kept : words, prefix];
    }

    // -- step 2: candidates -------------------------------------------------------------------
    async candidates(word, lastPrefix) {
      const tiers = this.tiers;
      const limits = this.manifest.limits;
      const cands = new Map();
      const offer = (term, tier) => {
        if (tier > (cands.get(term) || 0)) cands.set(term, tier);
      };
      await this.ready([word]);
      const entry = this.entry(word);
      let base = null;
      if (entry !== null) {
        base = entry[0];
        offer(base, tiers.exact);
      } else {
        for (const suffix of this.manifest.suffixes) {
          if (word.endsWith(suffix) && cpLen(word) - suffix.length >= 3) {
            const rest = word.slice(0, word.length - suffix.length);
            await this.ready([rest]);
            const found = this.entry(rest);
            if (found !== null) {
              base = found[0];
              offer(base, tiers.stemmed);
              break;
            }
          }
        }
      }
      if (base !== null && cpLen(base) >= limits.family_min) {
        await this.ready([base]);
        for (const term of this.sortedKeys(this.shard(base).stems)) {
          if (term !== base && term.startsWith(base)) offer(term, tiers.family);
        }
      }
      const dictionary = this.shard(word).dict;
      const surfaces = this.sortedKeys(dictionary);
      if (lastPrefix && cpLen(word) >= 2) {
        const stems = [...new Set(surfaces.filter((s) => s.startsWith(word) && s !== word).map((s) => entryOf(dictionary, s)[0]))];
        await this.ready(stems);
        stems.sort((a, b) => this.frequency(b) - this.frequency(a) || cmp(a, b));
        let chosen = 0;
        let used = 0;
        for (const term of stems) {
          if (chosen >= limits.prefix) break;
          if (chosen >= 3 && used + this.frequency(term) > limits.prefix_postings) continue; // a two-letter prefix must not load half the index
          offer(term, tiers.prefix);
          chosen += 1;
          used += this.frequency(term);
        }
      }
      let correction = null;
      if (cpLen(word) >= 5 && !DIGIT.test(word)) {
        const limit = cpLen(word) >= 9 ? 2 : 1;
        const near = [];
        const distance = SURROGATE.test(word) || this.astral(dictionary) ? osaDistance : osaBmp;
        for (const surface of surfaces) {
          if (surface === word) continue;
          const d = distance(word, surface, limit);
          if (d <= limit) near.push([d, surface]);
        }
        await this.ready(near.map(([, s]) => entryOf(dictionary, s)[0]));
        const keyed = near.map(([d, s]) => [d, -this.frequency(entryOf(dictionary, s)[0]), s]);
        keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1] || cmp(a[2], b[2]));
        for (const [d, , surface] of keyed.slice(0, limits.typo)) offer(entryOf(dictionary, surface)[0], d === 1 ? tiers.typo1 : tiers.typo2);
        if (keyed.length) correction = keyed[0][2];
      }
      let parts = entry !== null && entry.length > 1 ? entry[1].slice() : [];
      if (!parts.length && base === null) parts = await this.split(word);
      await this.readyPostings([...cands.keys(), ...parts]);
      return [cands, parts, correction];
    }

    async split(word) {
      if (this.lang !== "de" || cpLen(word) < 7) return [];
      const dictionary = this.shard(word).dict;
      const heads = Object.keys(dictionary)
        .filter((s) => word.startsWith(s) && cpLen(s) >= 3 && cpLen(word) - cpLen(s) >= 3)
        .sort((a, b) => cpLen(b) - cpLen(a) || cmp(a, b));
      for (const head of heads) {
        const rest = word.slice(head.length);
        const variants = [rest];
        for (const link of LINKING) if (rest.startsWith(link) && cpLen(rest) - link.length >= 3) variants.push(rest.slice(link.length));
        for (const variant of variants) {
          await this.ready([variant]);
          const found = this.entry(variant);
          if (found !== null) return [entryOf(dictionary, head)[0], found[0]];
        }
      }
      return [];
    }

    // -- steps 3 to 5 -------------------------------------------------------------------------
    async search(query, options = {}) {
      const limit = options.limit || 10;
      const [words, prefix] = this.words(query);
      if (!words.length) return { results: [], suggestion: null };
      const plans = []; // per word: [candidate terms, compound parts]
      const n = this.manifest.articles;
      const total = new Float64Array(n);
      const coverage = new Int32Array(n);
      const seen = [];
      const allowed = await this.filter(options.category, options.product);
      const corrections = [];
      for (let index = 0; index < words.length; index++) {
        const [cands, parts, correction] = await this.candidates(words[index], prefix && index === words.length - 1);
        corrections.push(correction);
        plans.push([cands, parts]);
        const art = new Int32Array(n); // the word's best value per article
        const touched = [];
        for (const term of [...cands.keys()].sort(cmp)) {
          const tier = cands.get(term);
          const { aids, sums } = this.postings(term);
          for (let i = 0; i < aids.length; i++) {
            const aid = aids[i];
            const value = tier * sums[i];
            if (value > art[aid]) {
              if (art[aid] === 0) touched.push(aid);
              art[aid] = value;
            }
          }
        }
        if (parts.length >= 2) this.compound(parts, art, touched);
        for (const aid of touched) {
          if (allowed !== null && !allowed.has(aid)) continue;
          if (coverage[aid] === 0) seen.push(aid);
          coverage[aid] += 1;
          total[aid] += art[aid];
        }
      }
      let ranked = seen.sort((a, b) =>
        coverage[b] - coverage[a] || total[b] - total[a] ||
        (this.promoted.has(a) ? 0 : 1) - (this.promoted.has(b) ? 0 : 1) || a - b);
      if (!ranked.length) return { results: [], suggestion: this.suggestion(words, corrections) };
      const depth = this.manifest.limits.rerank;
      const head = ranked.slice(0, depth);
      await Promise.all(head.concat(ranked.slice(depth, limit)).map((aid) => this.doc(aid)));
      const wanted = [...new Set(words)].sort(cmp).join(" ");
      const exact = [];
      for (const aid of head) if ((await this.titleWords(aid)) === wanted) exact.push(aid);
      ranked = exact.concat(head.filter((aid) => !exact.includes(aid)), ranked.slice(depth));
      const results = [];
      for (const aid of ranked.slice(0, limit)) results.push(await this.result(aid, total[aid], plans));
      return { results, suggestion: null, words };
    }

    // The compound alternative: every part must match; tier * sum of the parts // their number.
    compound(parts, art, touched) {
      const tier = this.tiers.compound;
      const n = this.manifest.articles;
      const dense = parts.map((p) => {
        const values = new Int32Array(n);
        const { aids, sums } = this.postings(p);
        for (let i = 0; i < aids.length; i++) values[aids[i]] = sums[i];
        return values;
      });
      const { aids } = this.postings(parts[0]);
      for (const aid of aids) {
        let sum = 0;
        let all = true;
        for (const values of dense) {
          if (values[aid] === 0) {
            all = false;
            break;
          }
          sum += values[aid];
        }
        if (!all) continue;
        const value = Math.floor((tier * sum) / parts.length);
        if (value > art[aid]) {
          if (art[aid] === 0) touched.push(aid);
          art[aid] = value;
        }
      }
    }

    // slot -> the words' summed best section values, for one result (the deep link).
    sectionValues(aid, plans) {
      const totals = new Map();
      const none = new Map();
      for (const [cands, parts] of plans) {
        const best = new Map();
        for (const term of [...cands.keys()].sort(cmp)) {
          const tier = cands.get(term);
          for (const [slot, value] of this.sections(term).get(aid) || none) {
            if (tier * value > (best.get(slot) || 0)) best.set(slot, tier * value);
          }
        }
        if (parts.length >= 2) {
          const tier = this.tiers.compound;
          const perPart = parts.map((p) => this.sections(p).get(aid) || none);
          const slots = new Set();
          for (const p of perPart) for (const slot of p.keys()) slots.add(slot);
          for (const slot of slots) {
            let sum = 0;
            for (const p of perPart) sum += p.get(slot) || 0;
            const value = Math.floor((tier * sum) / parts.length);
            if (value > (best.get(slot) || 0)) best.set(slot, value);
          }
        }
        for (const [slot, value] of best) totals.set(slot, (totals.get(slot) || 0) + value);
      }
      return totals;
    }

    async facets() {
      return this.file(this.manifest.facets);
    }

    async filter(category, product) {
      if (!category && !product) return null;
      const facets = await this.facets();
      const keys = facets.categories.map((c) => c[0]);
      const pids = facets.products.map((p) => p[0]);
      const allowed = new Set();
      for (let aid = 0; aid < this.manifest.articles; aid++) {
        if (category && (!keys.includes(category) || facets.article_category[aid] !== keys.indexOf(category))) continue;
        if (product && (!pids.includes(product) || !facets.article_products[aid].includes(pids.indexOf(product)))) continue;
        allowed.add(aid);
      }
      return allowed;
    }

    async doc(aid) {
      const chunk = Math.floor(aid / this.manifest.chunk);
      const data = await this.file(this.manifest.docs[chunk]);
      return data.articles[aid % this.manifest.chunk];
    }

    async titleWords(aid) {
      const title = tokens((await this.doc(aid))[1], this.lang).filter((w) => !this.stopwords.has(w));
      return [...new Set(title)].sort(cmp).join(" ");
    }

    async result(aid, score, plans) {
      const [url, title, source, description, , sections] = await this.doc(aid);
      const totals = this.sectionValues(aid, plans);
      let bestSlot = -1;
      let best = 0;
      for (let slot = 0; slot < sections.length; slot++) {
        const value = totals.get(slot) || 0;
        if (value > best) {
          bestSlot = slot;
          best = value;
        }
      }
      const [heading, anchor, excerpt] = bestSlot >= 0 ? sections[bestSlot] : ["", "", (sections[0] || ["", "", ""])[2]];
      return { url: url + (anchor ? "#" + anchor : ""), title, heading, source, score, article: aid,
               excerpt: excerpt || description, description };
    }

    suggestion(words, corrections) {
      if (!corrections.some(Boolean)) return null;
      return words.map((w, i) => corrections[i] || w).join(" ");
    }
  }

  async function open(manifestUrl, options = {}) {
    const load = options.load || scriptLoader;
    const name = manifestUrl.slice(manifestUrl.lastIndexOf("/") + 1);
    const base = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1);
    if (!(root.__kbgen || {})[name]) await load(manifestUrl);
    const manifest = (root.__kbgen || {})[name];
    if (!manifest || manifest.version !== VERSION) {
      throw new Error("search index version " + (manifest && manifest.version) + " is not " + VERSION + "; rebuild the site");
    }
    return new SearchIndex(base, manifest, load);
  }

  root.KbgenSearch = { open, tokens, fold, normalize, osaDistance, VERSION };
})(typeof self !== "undefined" ? self : globalThis);

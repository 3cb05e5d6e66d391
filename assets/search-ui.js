// kbgen search UI: an accessible combobox on every search form, and the results page.
// WAI-ARIA 1.2 combobox pattern: the input owns a listbox; arrows move, Enter opens, Escape
// closes, "/" focuses the search. Everything shown is built with textContent: never HTML.
(function () {
  "use strict";
  const engine = self.KbgenSearch;
  const forms = [...document.querySelectorAll("form[data-search-index]")];
  if (!engine || !forms.length) return;

  const indexes = new Map(); // manifest URL -> Promise of an index
  function openIndex(url) {
    if (!indexes.has(url)) indexes.set(url, engine.open(url));
    return indexes.get(url);
  }

  function send(form, event, query, url) {
    const endpoint = form.dataset.analytics;
    if (!endpoint || !navigator.sendBeacon) return; // nothing leaves the page unless the site asks
    const body = JSON.stringify({ event, query, url: url || null, lang: document.documentElement.lang });
    navigator.sendBeacon(endpoint, new Blob([body], { type: "application/json" }));
  }

  // Text with the query's words marked: a token is marked when its normalised form starts with a query word.
  function highlighted(text, words, lang) {
    const fragment = document.createDocumentFragment();
    const pattern = /[\p{L}\p{N}]+/gu;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const form = engine.normalize(engine.fold(match[0]), lang);
      if (words.some((w) => w.length >= 2 && form.startsWith(w))) {
        fragment.append(text.slice(last, match.index));
        const mark = document.createElement("mark");
        mark.textContent = match[0];
        fragment.append(mark);
        last = match.index + match[0].length;
      }
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  // Opened from disk, "folder/" would show a directory listing: point at folder/index.html.
  function pageHref(href) {
    if (location.protocol !== "file:") return href;
    const [path, hash] = href.split("#");
    return (path.endsWith("/") ? path + "index.html" : path) + (hash === undefined ? "" : "#" + hash);
  }

  function resultNode(result, words, lang, base, id) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = pageHref(base + result.url.replace(/^\//, ""));
    link.className = "result-link";
    const title = document.createElement("span");
    title.className = "result-title";
    title.append(highlighted(result.title, words, lang));
    link.append(title);
    if (result.heading) {
      const heading = document.createElement("span");
      heading.className = "result-heading";
      heading.append(highlighted(result.heading, words, lang));
      link.append(heading);
    }
    if (result.excerpt) {
      const excerpt = document.createElement("span");
      excerpt.className = "result-excerpt";
      excerpt.append(highlighted(result.excerpt, words, lang));
      link.append(excerpt);
    }
    if (id) {
      // The link itself is the option: an option may not hold a focusable element (axe nested-interactive).
      item.setAttribute("role", "none");
      link.id = id;
      link.setAttribute("role", "option");
      link.setAttribute("aria-selected", "false");
      link.tabIndex = -1;
    }
    item.append(link);
    return item;
  }

  function emptyNode(strings, suggestion, onSuggest) {
    const box = document.createDocumentFragment();
    const p = document.createElement("p");
    p.textContent = strings.no_results;
    box.append(p);
    if (suggestion) {
      const again = document.createElement("p");
      again.append(strings.did_you_mean + " ");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = suggestion;
      button.addEventListener("click", () => onSuggest(suggestion));
      again.append(button);
      box.append(again);
    }
    if (document.getElementById("contact-title")) {
      const reach = document.createElement("p");
      const link = document.createElement("a");
      link.href = "#contact-title";
      link.textContent = strings.contact_prompt;
      reach.append(link);
      box.append(reach);
    }
    return box;
  }

  function enhance(form) {
    const input = form.querySelector("input[name=q]");
    if (!input) return;
    const strings = JSON.parse(form.dataset.strings || "{}");
    const base = form.dataset.root || "./";
    const lang = document.documentElement.lang;
    const page = form.hasAttribute("data-results-page") ? document.getElementById("search-results") : null;
    const emptyBox = (page && document.getElementById("search-empty")) || document.createElement("div");
    emptyBox.className = "search-empty";
    emptyBox.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.append(status);
    const list = document.createElement("ul");
    const listId = input.id + "-listbox";
    list.id = listId;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", strings.results_label || "");
    list.hidden = true;
    if (!page) form.append(list, emptyBox);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", page ? "search-results" : listId);
    let active = -1;
    let generation = 0;
    let lastResults = [];

    function setActive(index) {
      const options = [...list.querySelectorAll("[role=option]")];
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      list.hidden = true;
      if (!page) emptyBox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }
    function filters() {
      const category = document.getElementById("search-category");
      const product = document.getElementById("search-product");
      return { category: category ? category.value : "", product: product ? product.value : "" };
    }

    async function run(query) {
      const mine = ++generation;
      const trimmed = query.trim();
      if (trimmed.length < 2) {
        close();
        emptyBox.hidden = true;
        if (page) page.replaceChildren();
        status.textContent = "";
        return;
      }
      let index;
      try {
        index = await openIndex(form.dataset.searchIndex);
      } catch (error) {
        status.textContent = strings.unavailable || String(error);
        return;
      }
      const { category, product } = filters();
      const answer = await index.search(query, { limit: page ? 30 : 8, category, product });
      if (mine !== generation) return; // a newer keystroke won
      const words = answer.words || [];
      lastResults = answer.results;
      const target = page || list;
      target.replaceChildren();
      emptyBox.replaceChildren();
      emptyBox.hidden = answer.results.length > 0;
      if (!answer.results.length) {
        emptyBox.append(emptyNode(strings, answer.suggestion, (s) => {
          input.value = s;
          run(s);
          input.focus();
        }));
        status.textContent = strings.no_results;
        send(form, "no_results", trimmed);
      } else {
        answer.results.forEach((r, i) => target.append(resultNode(r, words, lang, base, page ? null : `${listId}-${i}`)));
        status.textContent = strings.count.replace("{n}", String(answer.results.length));
      }
      if (!page) {
        list.hidden = !answer.results.length;
        input.setAttribute("aria-expanded", "true");
        setActive(-1);
      }
    }

    input.addEventListener("focus", () => openIndex(form.dataset.searchIndex).catch(() => {}), { once: true });
    input.addEventListener("input", () => {
      run(input.value);
      if (page) {
        const url = new URL(location.href);
        url.searchParams.set("q", input.value);
        history.replaceState(null, "", url);
        updateLanguageLinks(input.value);
      }
    });
    input.addEventListener("keydown", (event) => {
      const options = [...list.querySelectorAll("[role=option]")];
      if (event.key === "ArrowDown" && !page) {
        event.preventDefault();
        if (list.hidden && input.value.trim()) run(input.value);
        setActive(options.length ? (active + 1) % options.length : -1);
      } else if (event.key === "ArrowUp" && !page) {
        event.preventDefault();
        setActive(options.length ? (active <= 0 ? options.length - 1 : active - 1) : -1);
      } else if (event.key === "Enter" && active >= 0 && options[active]) {
        event.preventDefault();
        const link = options[active];
        send(form, "click", input.value.trim(), lastResults[active] && lastResults[active].url);
        location.href = link.href;
      } else if (event.key === "Escape") {
        if (!list.hidden) close();
        else input.value = "";
      }
    });
    input.addEventListener("blur", () => setTimeout(() => { if (!form.contains(document.activeElement)) close(); }, 150));
    (page || list).addEventListener("click", (event) => {
      const link = event.target.closest("a.result-link");
      if (!link) return;
      const items = [...(page || list).querySelectorAll("a.result-link")];
      const result = lastResults[items.indexOf(link)];
      send(form, "click", input.value.trim(), result && result.url);
    });
    if (page) {
      for (const id of ["search-category", "search-product"]) {
        const select = document.getElementById(id);
        if (select) select.addEventListener("change", () => run(input.value));
      }
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const url = new URL(location.href);
        url.searchParams.set("q", input.value);
        history.pushState(null, "", url);
        run(input.value);
      });
      const fromUrl = () => {
        const q = new URL(location.href).searchParams.get("q") || "";
        input.value = q;
        updateLanguageLinks(q);
        run(q);
      };
      addEventListener("popstate", fromUrl);
      fromUrl();
    }
  }

  // On the results page the language switcher keeps the query.
  function updateLanguageLinks(query) {
    for (const link of document.querySelectorAll(".lang-switch a[hreflang]")) {
      const href = link.getAttribute("href").split("?")[0];
      link.setAttribute("href", query ? `${href}?q=${encodeURIComponent(query)}` : href);
    }
  }

  for (const note of document.querySelectorAll(".needs-js")) note.hidden = true;
  for (const form of forms) enhance(form);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.defaultPrevented) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const input = forms[0].querySelector("input[name=q]");
    if (input) {
      event.preventDefault();
      input.focus();
    }
  });
})();

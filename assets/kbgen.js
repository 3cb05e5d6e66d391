// kbgen theme script: progressive enhancements only; every page works without it.

// Opened from disk, a link to "folder/" shows a directory listing: point it at folder/index.html.
if (location.protocol === "file:") {
  for (const link of document.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href");
    if (!href || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#") || href.startsWith("//")) continue;
    const [path, hash] = href.split("#");
    if (path.endsWith("/") || path === "." || path === "..") {
      const fixed = (path === "." || path === ".." ? path + "/" : path) + "index.html";
      link.setAttribute("href", hash === undefined ? fixed : `${fixed}#${hash}`);
    }
  }
  for (const form of document.querySelectorAll("form[action]")) {
    const action = form.getAttribute("action");
    if (action.endsWith("/")) form.setAttribute("action", action + "index.html");
  }
}

// FAQ answers are closed <details>: open the one an anchor link points at.
function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  const item = target && target.closest("details");
  if (item) {
    item.open = true;
    target.scrollIntoView();
  }
}
addEventListener("hashchange", openTarget);
openTarget();
addEventListener("beforeprint", () => {
  for (const item of document.querySelectorAll("details")) item.open = true;
});

// Notices are shown through their last day (data-until); a page built earlier hides them afterwards.
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
for (const notice of document.querySelectorAll(".notice[data-until]")) {
  if (notice.dataset.until < today()) notice.hidden = true;
}

// On wide screens the table of contents is a sticky column: open it. On phones it stays folded.
const toc = document.querySelector(".toc-details");
if (toc && matchMedia("(min-width: 64rem)").matches) toc.open = true;

// Colour scheme: system -> light -> dark, remembered; theme-init.js applies it before the next paint.
const themeToggle = document.querySelector(".theme-toggle");
if (themeToggle) {
  const root = document.documentElement;
  const order = ["system", "light", "dark"];
  let scheme = root.dataset.theme || "system";
  const show = () => {
    themeToggle.dataset.scheme = scheme;
    themeToggle.querySelector(".theme-toggle-text").textContent =
      themeToggle.getAttribute(`data-label-${scheme}`);
  };
  themeToggle.addEventListener("click", () => {
    scheme = order[(order.indexOf(scheme) + 1) % order.length];
    if (scheme === "system") delete root.dataset.theme;
    else root.dataset.theme = scheme;
    try {
      if (scheme === "system") localStorage.removeItem("kbgen-theme");
      else localStorage.setItem("kbgen-theme", scheme);
    } catch (e) { /* storage blocked: the choice lasts for this page */ }
    show();
  });
  show();
  themeToggle.hidden = false;
}

// Heading anchors: a click copies the section's address and says so.
const statusBox = document.getElementById("kbgen-status");
let statusTimer = 0;
function announce(text) {
  if (!statusBox) return;
  statusBox.textContent = text;
  statusBox.classList.add("toast-visible");
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    statusBox.classList.remove("toast-visible");
    statusBox.textContent = "";
  }, 3000);
}
document.addEventListener("click", (event) => {
  const anchor = event.target.closest && event.target.closest("a.heading-anchor");
  if (!anchor || !navigator.clipboard) return;
  event.preventDefault();
  const hash = anchor.getAttribute("href");
  history.replaceState(null, "", hash);
  navigator.clipboard.writeText(new URL(hash, location.href).href)
    .then(() => announce(statusBox.dataset.copied), () => { location.hash = hash; });
});

// "War dieser Artikel hilfreich?": a vote, on "no" a reason, sent as JSON without personal data.
const feedback = document.getElementById("feedback");
// Opened from disk, a site-relative endpoint has no server behind it: the widget stays hidden.
const reachable = (url) => location.protocol !== "file:" || /^https?:/i.test(url);
if (feedback && feedback.dataset.endpoint && reachable(feedback.dataset.endpoint) && (window.fetch || navigator.sendBeacon)) {
  const endpoint = feedback.dataset.endpoint;
  const vote = feedback.querySelector(".feedback-vote");
  const reasons = feedback.querySelector(".feedback-reasons");
  const status = feedback.querySelector(".feedback-status");
  const contact = feedback.querySelector(".feedback-contact");
  let pending = null; // a "no" whose reason is not sent yet
  const payload = (answer, reason, comment) => ({
    source: feedback.dataset.source, url: feedback.dataset.url, lang: feedback.dataset.lang,
    vote: answer, reason, comment,
  });
  const send = (data) => {
    const body = JSON.stringify(data);
    if (window.fetch) {
      fetch(endpoint, { method: "POST", keepalive: true, credentials: "omit",
        headers: { "Content-Type": "application/json" }, body }).catch(() => {});
    } else {
      navigator.sendBeacon(endpoint, new Blob([body], { type: "application/json" }));
    }
  };
  const thank = (text) => {
    status.textContent = text;
    status.tabIndex = -1;
    status.focus();
  };
  for (const button of feedback.querySelectorAll("[data-vote]")) {
    button.addEventListener("click", () => {
      vote.hidden = true;
      if (button.dataset.vote === "yes") {
        send(payload("yes", null, null));
        thank(feedback.dataset.thanks);
        return;
      }
      pending = payload("no", null, null);
      reasons.hidden = false;
      reasons.querySelector("input").focus();
    });
  }
  reasons.addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = reasons.querySelector("input[name=reason]:checked");
    const comment = reasons.querySelector("textarea").value.trim().slice(0, 500);
    send(payload("no", checked ? checked.value : null, comment || null));
    pending = null;
    reasons.hidden = true;
    contact.hidden = false;
    thank(feedback.dataset.thanksNo);
  });
  addEventListener("pagehide", () => {
    if (pending && navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([JSON.stringify(pending)], { type: "application/json" }));
      pending = null;
    }
  });
  feedback.hidden = false;
}

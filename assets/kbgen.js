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

// Loaded in <head> before the page paints: apply the colour scheme the visitor chose, so there is no flash.
// With JavaScript the colour-scheme button will appear: the "js" class keeps its place, so nothing shifts.
document.documentElement.classList.add("js");
try {
  const chosen = localStorage.getItem("kbgen-theme");
  if (chosen === "light" || chosen === "dark") document.documentElement.dataset.theme = chosen;
} catch (e) { /* storage blocked: the system preference applies */ }

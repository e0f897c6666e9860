// Every page: the phone menu and the focus after in-place (HTMX) updates.
// Loaded as a file: the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The menu button shows and hides the main navigation on narrow screens.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("#nav-toggle");
    if (!toggle) return;
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.querySelector(".topbar").classList.toggle("nav-open", open);
  });

  // An HTMX swap replaces the element that had the focus: keep the keyboard where it was by
  // focusing the replacement (same id), or the first control inside it.
  let focusedId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const active = document.activeElement;
    const target = event.detail.target;
    focusedId = null;
    if (active && target && target.contains(active)) {
      const holder = active.closest("[id]");
      focusedId = holder && target.contains(holder) ? holder.id : target.id;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    const again = document.getElementById(focusedId);
    focusedId = null;
    if (!again || again.contains(document.activeElement)) return;
    const control = again.matches("button, a, input, select, textarea, summary")
      ? again
      : again.querySelector("button, a[href], input:not([type=hidden]), select, textarea, summary");
    (control || again).focus({ preventScroll: true });
  });
})();

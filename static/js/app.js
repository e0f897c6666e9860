// Every page: the phone menu, focus after in-place (HTMX) updates, the queue's keyboard keys.
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
  let focusedItself = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const active = document.activeElement;
    const target = event.detail.target;
    focusedId = null;
    if (active && target && target.contains(active)) {
      const holder = active.closest("[id]");
      focusedId = holder && target.contains(holder) ? holder.id : target.id;
      focusedItself = active === holder;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    const again = document.getElementById(focusedId);
    focusedId = null;
    if (!again || again.contains(document.activeElement)) return;
    if (focusedItself) {
      // A queue row moved to with j / k is focused itself, not a control inside it.
      if (!again.hasAttribute("tabindex")) again.setAttribute("tabindex", "-1");
      again.focus({ preventScroll: true });
      return;
    }
    const control = again.matches("button, a, input, select, textarea, summary")
      ? again
      : again.querySelector("button, a[href], input:not([type=hidden]), select, textarea, summary");
    (control || again).focus({ preventScroll: true });
  });

  // The queue: j / k move between rows, o opens the company, c claims it.
  const NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset"];
  function typing(target) {
    if (target.closest("select, textarea, [contenteditable]")) return true;
    return target.matches("input") && NOT_TYPED.indexOf(target.type) === -1;
  }
  function rows() {
    return Array.from(document.querySelectorAll("[data-company-id]"));
  }
  function currentRow() {
    return document.activeElement ? document.activeElement.closest("[data-company-id]") : null;
  }
  function moveTo(row) {
    if (!row) return;
    row.setAttribute("tabindex", "-1");
    row.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (!document.querySelector("[data-queue-keys]")) return;
    const all = rows();
    if (!all.length) return;
    const row = currentRow();
    const at = row ? all.indexOf(row) : -1;
    if (event.key === "j") {
      moveTo(all[Math.min(at + 1, all.length - 1)]);
    } else if (event.key === "k") {
      moveTo(all[Math.max(at - 1, 0)]);
    } else if (event.key === "o" && row) {
      const link = row.querySelector("a[href]");
      if (link) link.click();
    } else if (event.key === "c" && row) {
      const claim = row.querySelector(".claim-form button");
      if (claim) claim.click();
    } else {
      return;
    }
    event.preventDefault();
  });
})();

// Company page: after an in-place save (HTMX swaps #company-main), keep the reader where they
// were: the form they used (or, when it is gone, its panel) stays at the same place on screen,
// and the keyboard focus goes back to it.
(function () {
  "use strict";
  let anchor = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt.closest("form[id]");
    const panel = event.detail.elt.closest("section[id]");
    const kept = [form, panel].filter(Boolean).map(function (el) {
      return { id: el.id, top: el.getBoundingClientRect().top };
    });
    anchor = kept.length ? kept : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!anchor) return;
    for (const place of anchor) {
      const again = document.getElementById(place.id);
      if (!again) continue;
      window.scrollBy(0, again.getBoundingClientRect().top - place.top);
      const target = again.querySelector(".errors, .error") ? again.querySelector("input, select, textarea") : again.querySelector("button, summary, a");
      if (target) target.focus({ preventScroll: true });
      break;
    }
    anchor = null;
  });
})();

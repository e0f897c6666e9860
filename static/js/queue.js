// Queue page: "select all" ticks every row's box; the bulk form shows only the fields its
// action needs (a reason, a day, a person).
(function () {
  "use strict";
  function rows() {
    return document.querySelectorAll('input[name="ids"][form="bulk-form"]');
  }
  function showFields() {
    const action = document.getElementById("bulk-action");
    if (!action) return;
    document.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      const wanted = el.getAttribute("data-bulk-for") === action.value;
      el.hidden = !wanted;
      el.querySelectorAll("input, select").forEach(function (input) { input.disabled = !wanted; });
    });
  }
  function countSelected() {
    const out = document.getElementById("bulk-count");
    const all = document.getElementById("bulk-all");
    if (!out) return;
    const n = Array.prototype.filter.call(rows(), function (box) { return box.checked; }).length;
    out.textContent = all && all.checked ? "All matching rows" : n + " selected";
  }
  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.id === "select-page") {
      rows().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.id === "bulk-action") showFields();
    countSelected();
  });
  document.addEventListener("htmx:afterSettle", countSelected);
  document.addEventListener("DOMContentLoaded", function () { showFields(); countSelected(); });
})();

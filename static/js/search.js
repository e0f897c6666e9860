// "/" anywhere (outside a text field) puts the cursor in the nav's search box, as on GitHub.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const box = document.getElementById("nav-search");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();

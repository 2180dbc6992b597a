// Strategy editor: keyboard focus for inline editing (htmx swaps a card for its form and back).
// Opening the form moves focus to its first field; saving or cancelling returns it to the card's
// heading, so keyboard and screen-reader users stay where they were. Errors are focused by kommpass.js.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.target;
    var card = target && target.id ? document.getElementById(target.id) : null;
    if (!card || !card.classList.contains("kp-item")) { return; }
    if (card.querySelector("[aria-invalid='true']")) { return; }
    var field = card.querySelector("form input:not([type=hidden]), form textarea, form select");
    var heading = card.querySelector("[id$='-title']");
    var focus = field || heading;
    if (!focus) { return; }
    if (focus === heading && !heading.hasAttribute("tabindex")) { heading.setAttribute("tabindex", "-1"); }
    focus.focus();
  });
})();

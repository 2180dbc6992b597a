// Kommpass front-end glue. No inline scripts (CSP): charts read their Chart.js config from
// <script type="application/json" data-chart-for="canvas-id"> blocks next to the canvas.
(function () {
  "use strict";
  var charts = {};

  function renderCharts(root) {
    if (typeof window.Chart === "undefined") { return; }
    (root || document).querySelectorAll("script[data-chart-for]").forEach(function (node) {
      var id = node.getAttribute("data-chart-for");
      var canvas = document.getElementById(id);
      if (!canvas) { return; }
      if (charts[id]) { charts[id].destroy(); }
      try {
        var spec = JSON.parse(node.textContent);
        spec.options = spec.options || {};
        spec.options.responsive = true;
        spec.options.maintainAspectRatio = false;
        spec.options.animation = false;
        spec.options.locale = "de-DE";
        charts[id] = new window.Chart(canvas, spec);
      } catch (e) { console.error("Diagramm " + id + " konnte nicht gezeichnet werden", e); }
    });
  }

  // After an htmx swap: draw charts in the new content and move focus to the first error.
  document.addEventListener("htmx:afterSettle", function (evt) {
    renderCharts(evt.detail.elt);
    var invalid = evt.detail.elt.querySelector && evt.detail.elt.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
  // htmx 2 does not swap 4xx responses by default; forms answer 409/422 with the form
  // (values kept, errors per field), so swap those too.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 409 || status === 422) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });
  // Forms that delete, withdraw or close something carry data-confirm="question": the browser's
  // own confirmation dialog (keyboard- and screen-reader-accessible) asks first. Captured on the
  // document, so the check also runs before htmx sends a form's hx-post.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopPropagation();
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
})();

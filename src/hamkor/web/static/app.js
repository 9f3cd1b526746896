// Charts: Vega-Lite specs embedded as JSON in the page, drawn as SVG by the vendored vega-embed.
(function () {
  function draw() {
    var locale = document.getElementById("number-locale");
    var lang = locale ? JSON.parse(locale.textContent).lang : "en";
    var formats = { ru: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", " $"] },
                    uz: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", " $"] },
                    en: { decimal: ".", thousands: ",", grouping: [3], currency: ["$", ""] } };
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var source = document.getElementById("spec-" + el.dataset.spec);
      if (!source || !window.vegaEmbed) return;
      window.vegaEmbed(el, JSON.parse(source.textContent),
        { renderer: "svg", actions: false, formatLocale: formats[lang] || formats.en })
        .catch(function (err) { el.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();

// Destructive forms ask first: a form with data-confirm submits only when the person agrees.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});

// A button that prints the page (no inline handlers: the Content-Security-Policy allows none).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

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

// A mission's time is printed in the mission's zone; where the reader's browser lives in another zone
// (a Tashkent phone reading a Barnaul deadline) their own time is added beside it. The server adds it
// itself when it knows the reader's zone (data-reader-known).
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function offsetText(minutes) {
    if (!minutes) return "UTC";
    var sign = minutes > 0 ? "+" : "\u2212", whole = Math.abs(minutes);
    return "UTC" + sign + Math.floor(whole / 60) + (whole % 60 ? ":" + pad(whole % 60) : "");
  }
  function addLocal() {
    document.querySelectorAll("time[data-zone][data-offset]:not([data-reader-known])").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      var mine = -moment.getTimezoneOffset();
      var theirs = parseInt(el.dataset.offset, 10);
      if (mine === theirs || el.querySelector(".your-time")) return;
      var there = new Date(moment.getTime() + theirs * 60000);  // the mission's wall clock, read in UTC
      var sameDay = there.getUTCDate() === moment.getDate();
      var lang = document.documentElement.lang;
      var date = lang === "en" ? pad(moment.getDate()) + "/" + pad(moment.getMonth() + 1) + "/" + moment.getFullYear()
                               : pad(moment.getDate()) + "." + pad(moment.getMonth() + 1) + "." + moment.getFullYear();
      var span = document.createElement("span");
      span.className = "your-time";
      span.textContent = " \u2014 " + el.dataset.yourTime + " " + (sameDay ? "" : date + ", ") +
        pad(moment.getHours()) + ":" + pad(moment.getMinutes()) + " (" + offsetText(mine) + ")";
      el.appendChild(span);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addLocal); else addLocal();
})();

// A suggested HS code is added to its field with a tap (the registration form's assistant).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-add-code]");
  if (!button) return;
  var form = button.closest("form");
  var field = form && form.querySelector("input[name='" + button.dataset.target + "']");
  if (!field) return;
  var codes = field.value.split(/[\s,;]+/).filter(Boolean);
  if (codes.indexOf(button.dataset.addCode) < 0) codes.push(button.dataset.addCode);
  field.value = codes.join(", ");
  button.setAttribute("aria-pressed", "true");
});

// A long form on a phone survives a closed tab: what was typed is kept on the phone (never the password)
// and comes back when the form is opened again empty. Sending the form forgets it.
(function () {
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf" && el.type !== "password" && el.type !== "hidden" &&
        !el.hasAttribute("data-no-draft") && el.type !== "submit" && el.type !== "button";
    });
  }
  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      var key = el.name + (el.type === "checkbox" || el.type === "radio" ? "=" + el.value : "");
      data[key] = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
    });
    try { localStorage.setItem("draft:" + form.dataset.draft, JSON.stringify(data)); } catch (e) { /* full or off */ }
  }
  function restore(form) {
    var raw;
    try { raw = localStorage.getItem("draft:" + form.dataset.draft); } catch (e) { return; }
    if (!raw) return;
    var typed = fields(form).some(function (el) {
      return (el.type === "text" || el.type === "email" || el.tagName === "TEXTAREA") && el.value;
    });
    if (typed) return;  // the page came back with the person's answers already (a mistake was found)
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      var key = el.name + (el.type === "checkbox" || el.type === "radio" ? "=" + el.value : "");
      if (!(key in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[key]; else el.value = data[key];
    });
    var note = document.getElementById("draft-note");
    if (note) note.hidden = false;
  }
  function start() {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      form.addEventListener("submit", function () {
        try { localStorage.removeItem("draft:" + form.dataset.draft); } catch (e) { /* nothing kept */ }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

// "Select all": a checkbox with data-select-all="name" ticks or clears every box of that name in its form.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name || !event.target.form) return;
  event.target.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});

// A form sent back with mistakes opens on their list (a phone would otherwise show the page's top, and
// the person would think nothing happened).
(function () {
  function show() {
    var problems = document.querySelector("#problems[role=alert], #availability-warning[role=alert]");
    if (!problems) return;
    problems.scrollIntoView({ block: "start" });
    var first = problems.querySelector("a");
    if (first) first.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show); else show();
})();

// "Back" on a message page: the previous page when there is one (no inline script: the CSP allows none),
// else the link's own address.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-back]");
  if (link && window.history.length > 1) { event.preventDefault(); window.history.back(); }
});

// Check-in: where the browser can read barcodes (BarcodeDetector: Chrome on Android, among others), the camera
// button reads the QR on an agenda or badge into the code field and sends the form; elsewhere the code is typed.
(function () {
  const button = document.getElementById("scan");
  const video = document.getElementById("camera");
  const field = document.getElementById("code");
  if (!button || !video || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", async function () {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (refused) {
      return; // no camera, or the person said no: the code is typed
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const look = async function () {
      const found = await detector.detect(video).catch(function () { return []; });
      if (found.length) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        field.value = found[0].rawValue;
        field.form.submit();
        return;
      }
      window.requestAnimationFrame(look);
    };
    look();
  });
})();

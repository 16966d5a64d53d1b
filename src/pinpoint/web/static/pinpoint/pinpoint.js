// Pinpoint: the anaesthetic countdown, the runner's zones and error summary, the organization switch, and the browser's time zone as a default.
// No framework, and nothing inline in the pages: the Content-Security-Policy allows only this file.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  document.querySelectorAll("[data-countdown-until]").forEach(function (el) {
    var until = Date.parse(el.getAttribute("data-countdown-until"));
    var doneText = el.getAttribute("data-done-text") || "done";
    function tick() {
      var left = Math.round((until - Date.now()) / 1000);
      if (left <= 0) { el.textContent = doneText; el.classList.add("done"); return; }
      el.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      window.setTimeout(tick, 1000);
    }
    tick();
  });
  // The session runner: a link to a zone (or to a field inside one) opens that zone first; the
  // error summary of a refused submission takes the focus so it is read first.
  function openFor(id) {
    var el = id && document.getElementById(id);
    var zone = el && el.closest("details");
    if (zone) { zone.open = true; }
    return el;
  }
  document.querySelectorAll(".error-summary a[href^='#'], a[data-open-zone]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      var el = openFor(a.getAttribute("href").slice(1));
      if (!el) { return; }
      event.preventDefault();
      el.scrollIntoView({ block: "center" });
      if (el.matches("input, select, textarea")) { el.focus({ preventScroll: true }); }
      else if (el.matches("details")) { el.querySelector("summary").focus({ preventScroll: true }); }
      window.history.replaceState(null, "", "#" + el.id);
    });
  });
  openFor(window.location.hash.slice(1));
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A select that acts at once (the organization switch); a plain button stands in without script.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  var tz = document.querySelector("select[data-browser-tz]");
  if (tz && window.Intl && !tz.dataset.touched) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && tz.value === "UTC" && tz.querySelector('option[value="' + zone + '"]')) { tz.value = zone; }
  }
})();

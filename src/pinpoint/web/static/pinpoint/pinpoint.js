// Pinpoint: the anaesthetic countdown, the organization switch, and the browser's time zone as a default.
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

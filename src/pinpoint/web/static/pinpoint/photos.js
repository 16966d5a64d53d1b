// Pinpoint photos: preview the chosen photo over last time's (faint) to line it up, and the before/after slider.
// A static file: the Content-Security-Policy allows no inline script; styles change through the CSSOM only.
(function () {
  document.querySelectorAll("[data-photo-input]").forEach(function (input) {
    var view = input.closest(".photo-view");
    var preview = view && view.querySelector("[data-photo-preview]");
    var ghost = view && view.querySelector("[data-photo-ghost]");
    if (!preview) { return; }
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { preview.hidden = true; return; }
      if (preview.src) { URL.revokeObjectURL(preview.src); }
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
      if (ghost) { ghost.classList.add("photo-ghost-over"); }
    });
  });
  document.querySelectorAll("[data-photo-slider]").forEach(function (box) {
    var top = box.querySelector("[data-photo-slider-top]");
    var range = box.parentNode.querySelector("[data-photo-slider-range]");
    if (!top || !range) { return; }
    function show() { top.style.clipPath = "inset(0 " + (100 - Number(range.value)) + "% 0 0)"; }
    range.addEventListener("input", show);
    show();
  });
})();

// Trent console: the little behaviour the pages need, without inline
// script (the Content-Security-Policy allows none). Every page works
// without it; it only adds conveniences.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A form button with data-busy shows progress and cannot be pressed twice.
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll("button[data-busy]").forEach(function (b) {
        b.setAttribute("aria-busy", "true");
        b.textContent = b.getAttribute("data-busy");
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
  // An input with data-confirm enables its form's submit button only when
  // it holds that exact text (typed confirmation of a deletion).
  document.querySelectorAll("input[data-confirm]").forEach(function (inp) {
    var btn = inp.form && inp.form.querySelector("button[type=submit]");
    if (!btn) { return; }
    var check = function () { btn.disabled = inp.value !== inp.getAttribute("data-confirm"); };
    inp.addEventListener("input", check);
    check();
  });
  // A checkbox with data-reveal shows the element whose id it names.
  document.querySelectorAll("input[data-reveal]").forEach(function (cb) {
    var el = document.getElementById(cb.getAttribute("data-reveal"));
    if (!el) { return; }
    var sync = function () { el.hidden = !cb.checked; };
    cb.addEventListener("change", sync);
    sync();
  });
});

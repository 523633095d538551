// callwarden console: enhancement only. Without it every page still reads and every form posts.
(function () {
  "use strict";
  // Seek the recording's audio to a flag or a word: the highlighted phrase seeks to its flag's start.
  function seek(t) {
    var audio = document.getElementById("audio");
    if (!audio || isNaN(t)) { return false; }
    audio.currentTime = t;
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
    return true;
  }
  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) { return; }
    var el = target.closest("mark[data-t]") || target.closest("[data-t]");
    if (!el || !document.getElementById("audio")) { return; }
    if (seek(parseFloat(el.getAttribute("data-t")))) { ev.preventDefault(); }
  });
  // Live queue counts: refresh the numbers per category every 15 s.
  var counts = document.querySelector("[data-counts-url]");
  if (counts && window.fetch) {
    var refresh = function () {
      fetch(counts.getAttribute("data-counts-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) {
          if (!doc) { return; }
          counts.querySelectorAll("[data-count]").forEach(function (el) {
            var key = el.getAttribute("data-count");
            el.textContent = key === "total" ? doc.total : (doc.counts[key] || 0);
          });
        })
        .catch(function () {});
    };
    setInterval(refresh, 15000);
  }
})();

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
  // The transcript comes a page at a time. With a script, the next (or earlier) page is fetched
  // and put in place, and a flag whose phrase is on another page loads that page; without one,
  // the same links open those pages (every fetch is a page view, logged with the reason).
  function fetchPage(href) {
    var url = href.split("#")[0] + "&part=rows";
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var page = doc.querySelector(".tpage");
        if (!page) { throw new Error("no page"); }
        return page;
      });
  }
  function morePage(link) {
    var holder = link.closest("p.pager");
    var prev = link.getAttribute("rel") === "prev";
    fetchPage(link.href).then(function (page) {
      // Appending keeps this page's own links; drop the fetched page's link back the other way.
      var drop = page.querySelector(prev ? "p.pager.later" : "p.pager.earlier");
      if (drop) { drop.remove(); }
      holder.replaceWith.apply(holder, Array.prototype.slice.call(page.childNodes));
    }).catch(function () { window.location.href = link.href; });
  }
  function flagPage(link, flagId) {
    var current = document.querySelector(".transcript .tpage");
    if (!current) { window.location.href = link.href; return; }
    fetchPage(link.href).then(function (page) {
      current.replaceWith(page);
      var mark = document.getElementById("w-" + flagId);
      if (mark) { mark.scrollIntoView({ block: "center" }); }
    }).catch(function () { window.location.href = link.href; });
  }
  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) { return; }
    var more = target.closest("a.tmore");
    if (more && window.fetch && window.DOMParser) {
      ev.preventDefault();
      morePage(more);
      return;
    }
    var flagLink = target.closest("a.seek[data-flag]");
    if (flagLink && !document.getElementById("w-" + flagLink.getAttribute("data-flag")) && window.fetch && window.DOMParser) {
      ev.preventDefault();
      seek(parseFloat(flagLink.getAttribute("data-t")));
      flagPage(flagLink, flagLink.getAttribute("data-flag"));
      return;
    }
    var el = target.closest("mark[data-t]") || target.closest("[data-t]");
    if (!el || !document.getElementById("audio")) { return; }
    if (seek(parseFloat(el.getAttribute("data-t")))) {
      ev.preventDefault();
      // A flag's link still shows its phrase (the jump the link makes without a script).
      var phrase = el.hasAttribute("data-flag") && document.getElementById("w-" + el.getAttribute("data-flag"));
      if (phrase) { phrase.scrollIntoView({ block: "center" }); }
    }
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

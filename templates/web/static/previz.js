// previz review app: player markers, seek on click, playing-shot highlight, job progress.
// No framework, no inline script (the Content-Security-Policy forbids it).
"use strict";

(function () {
  function setupPlayer() {
    var video = document.getElementById("animatic");
    if (!video) return;
    var items = Array.prototype.slice.call(document.querySelectorAll(".shot[data-start], .marker[data-start]"));
    var spans = items.map(function (el) {
      var start = parseFloat(el.dataset.start);
      var duration = parseFloat(el.dataset.duration || "0");
      return { el: el, id: el.dataset.shotId, start: start, end: start + duration };
    });

    items.forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        video.currentTime = parseFloat(el.dataset.start) + 0.001;
        var played = video.play();
        if (played && played.catch) played.catch(function () {});
        highlight(video.currentTime);
        video.scrollIntoView({ behavior: "smooth", block: "nearest" });
      });
    });

    var current = null;
    function highlight(t) {
      var playing = null;
      for (var i = 0; i < spans.length; i++) {
        if (t >= spans[i].start && t < spans[i].end) { playing = spans[i].id; break; }
      }
      if (playing === current) return;
      current = playing;
      spans.forEach(function (span) {
        span.el.classList.toggle("playing", span.id === playing);
      });
    }
    video.addEventListener("timeupdate", function () { highlight(video.currentTime); });
    video.addEventListener("seeked", function () { highlight(video.currentTime); });
  }

  // Job progress: server-sent events from <url>/events, or polling <url> where they fail.
  function setupJob() {
    var box = document.getElementById("job-status");
    if (!box || !box.dataset.url) return;
    var active = { queued: true, running: true };
    if (!active[box.dataset.state]) return;
    var label = box.querySelector(".job-label");
    var bar = box.querySelector(".progress > span");
    var badge = box.querySelector(".badge");

    // Shows the job; false once it is over (the page then reloads with the results).
    function show(job) {
      box.dataset.state = job.state;
      if (badge) { badge.textContent = job.state; badge.className = "badge " + job.state; }
      if (label) label.textContent = job.message || job.stage || "";
      if (bar && job.total) bar.style.width = Math.min(100, (100 * job.done) / job.total) + "%";
      if (active[job.state]) return true;
      window.location.reload();
      return false;
    }

    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { window.setTimeout(poll, 2000); return; }
          if (show(job)) window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }

    if (!window.EventSource) { window.setTimeout(poll, 1000); return; }
    var source = new EventSource(box.dataset.url + "/events");
    var heard = false;
    source.addEventListener("job", function (event) {
      heard = true;
      if (!show(JSON.parse(event.data))) source.close();
    });
    source.onerror = function () {
      // Before any event (refused, or no stream through a proxy): poll instead. After one,
      // the browser reconnects by itself.
      if (!heard || source.readyState === EventSource.CLOSED) { source.close(); poll(); }
    };
  }

  // The approval counts filter the grid ("#status=approved" in the address keeps it).
  function setupStatusFilter() {
    var buttons = Array.prototype.slice.call(document.querySelectorAll(".status-filter"));
    if (!buttons.length) return;
    function apply(status) {
      document.querySelectorAll(".shot-card[data-status]").forEach(function (card) {
        card.hidden = Boolean(status) && card.dataset.status !== status;
      });
      document.querySelectorAll("section.scene").forEach(function (scene) {
        scene.hidden = !scene.querySelector(".shot-card:not([hidden])");
      });
      buttons.forEach(function (button) {
        var on = button.dataset.status === status;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        if (!button.dataset.status) button.hidden = !status;
      });
      var here = window.location.pathname + window.location.search;
      window.history.replaceState(null, "", status ? "#status=" + status : here);
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var pressed = button.getAttribute("aria-pressed") === "true";
        apply(pressed ? "" : button.dataset.status);
      });
    });
    var match = /^#status=(\w+)$/.exec(window.location.hash);
    if (match) apply(match[1]);
  }

  function setupConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // Sizes from data attributes: the CSP allows no inline style attributes.
  function setupSizes() {
    document.querySelectorAll(".marker[data-duration]").forEach(function (el) {
      el.style.flex = parseFloat(el.dataset.duration) + " 1 0";
    });
    document.querySelectorAll("[data-fraction]").forEach(function (el) {
      el.style.width = 100 * parseFloat(el.dataset.fraction) + "%";
    });
  }

  // A label wider than its marker is hidden, not cut to "4-(": the tooltip names the shot.
  function fitMarkerLabels() {
    document.querySelectorAll(".marker").forEach(function (el) {
      el.classList.remove("narrow");
      if (el.scrollWidth > el.clientWidth + 1) el.classList.add("narrow");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSizes();
    fitMarkerLabels();
    window.addEventListener("resize", fitMarkerLabels);
    setupPlayer();
    setupJob();
    setupStatusFilter();
    setupConfirm();
  });
})();

/* Export job page: poll the job's JSON status and move the progress bar; show the download
   link when the file is ready. No inline script (CSP-friendly); without JS the page still
   works by reloading. */
(function () {
  "use strict";

  var POLL_MS = 1500;

  function init() {
    var box = document.getElementById("export-job");
    if (!box) { return; }
    var url = box.getAttribute("data-status-url");
    var bar = document.getElementById("export-progress");
    var percent = document.getElementById("export-percent");
    var state = document.getElementById("export-state");
    var download = document.getElementById("export-download");

    function show(job) {
      bar.value = job.progress;
      bar.textContent = job.progress + "%";
      percent.textContent = job.progress + "%";
      box.setAttribute("data-status", job.status);
      if (job.status === "done") {
        state.textContent = box.getAttribute("data-text-done") + " " + job.rows;
        download.hidden = !job.download_url;
      } else if (job.status === "failed") {
        state.textContent = box.getAttribute("data-text-failed") + ": " + (job.error || "");
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (job) {
          show(job);
          if (job.status === "pending" || job.status === "running") { window.setTimeout(poll, POLL_MS); }
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 4); });
    }

    var status = box.getAttribute("data-status");
    if (status === "pending" || status === "running") { window.setTimeout(poll, POLL_MS); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

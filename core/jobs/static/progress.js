/* Vatra — keeps the progress of running jobs current on the jobs pages.
   Every element with data-job-poll="<API URL>" and data-job-active="1" is polled
   (JSON of GET /api/v1/t/<tenant>/jobs/<id>); its <progress> and the children marked
   data-job-field="status|message|attempts|percent" are updated. When a job finishes
   the page reloads once, to show its result or its error. */
(function () {
  "use strict";

  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-job-poll]"));
  if (!nodes.length) {
    return;
  }
  var delay = 2000;
  var maxDelay = 10000;

  function active() {
    return nodes.filter(function (node) { return node.getAttribute("data-job-active") === "1"; });
  }

  function setField(node, name, text) {
    var targets = node.querySelectorAll('[data-job-field="' + name + '"]');
    Array.prototype.forEach.call(targets, function (target) {
      if (target.textContent !== text) {
        target.textContent = text;
      }
    });
  }

  function update(node, job) {
    var bar = node.querySelector("progress");
    if (bar) {
      bar.value = job.progress;
      bar.textContent = job.progress + "%";
    }
    setField(node, "status", job.status_label);
    setField(node, "message", job.message || "");
    setField(node, "attempts", job.attempts + "/" + job.max_attempts);
    setField(node, "percent", job.progress + "%");
  }

  function fetchOne(node) {
    return fetch(node.getAttribute("data-job-poll"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (job) {
      if (!job) {
        return false;
      }
      update(node, job);
      if (!job.active) {
        node.setAttribute("data-job-active", "0");
        return true;
      }
      return false;
    }).catch(function () {
      return false;
    });
  }

  function poll() {
    var pending = active();
    if (!pending.length) {
      return;
    }
    Promise.all(pending.map(fetchOne)).then(function (finished) {
      if (finished.some(Boolean)) {
        window.location.reload();
        return;
      }
      delay = Math.min(Math.round(delay * 1.25), maxDelay);
      window.setTimeout(poll, delay);
    });
  }

  if (active().length) {
    window.setTimeout(poll, delay);
  }
}());

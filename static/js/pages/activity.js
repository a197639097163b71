/* Activity: the API log with filters and CSV export, job runs, alerts. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var operationsLoaded = false;

  function filters() {
    return new URLSearchParams({ platform: $("platform").value, operation: $("operation").value,
      outcome: $("outcome").value, error_code: $("error_code").value }).toString();
  }

  async function loadCalls() {
    var page = await C.api("/api/api-calls?" + filters());
    var body = C.clear($("calls"));
    if (!page.items.length) body.appendChild(C.emptyRow(8));
    page.items.forEach(function (call) {
      var ok = call.status_code >= 200 && call.status_code < 400;
      body.appendChild(el("tr", { dataset: { operation: call.operation } },
        el("td", {}, C.when(call.created_at)), el("td", {}, call.platform), el("td", {}, call.operation),
        el("td", {}, call.marketplace_id || "–"),
        el("td", {}, el("span", { className: "badge " + (ok ? "badge-success" : "badge-critical") }, String(call.status_code || "—"))),
        el("td", {}, call.error_codes.join(", ") || "", call.error_message ? el("div", { className: "small subdued" }, call.error_message) : null),
        el("td", { className: "num" }, call.duration_ms), el("td", {}, el("code", {}, call.request_id || ""))));
    });
    $("calls-total").textContent = page.total;
    if (!operationsLoaded) {
      page.operations.forEach(function (op) { $("operation").appendChild(el("option", { value: op }, op)); });
      operationsLoaded = true;
    }
  }

  async function loadRuns() {
    var runs = await C.api("/api/runs?limit=30");
    var body = C.clear($("runs"));
    if (!runs.length) body.appendChild(C.emptyRow(6));
    runs.forEach(function (run) {
      body.appendChild(el("tr", {}, el("td", {}, C.when(run.started_at || run.created_at)), el("td", {}, run.title || run.kind),
        el("td", {}, C.badge(run.status)), el("td", { className: "num" }, run.done + " / " + run.total),
        el("td", { className: "num" }, run.failed), el("td", { className: "small" }, run.message)));
    });
  }

  async function loadAlerts() {
    var alerts = await C.api("/api/alerts");
    $("alerts-card").hidden = !alerts.length;
    var box = C.clear($("alerts"));
    alerts.forEach(function (alert) {
      box.appendChild(el("div", { className: "problem" + (alert.severity === "error" ? "" : " warning") },
        el("strong", {}, alert.kind), " ", alert.message, " ",
        el("button", { className: "btn btn-plain", "data-min-role": "editor", onclick: async function () {
          try { await C.api("/api/alerts/" + alert.id + "/resolve", { method: "POST" }); loadAlerts(); } catch (e) { C.fail(e); }
        } }, t("label.resolve"))));
    });
    C.applyRole();
  }

  async function load() {
    await C.ready;
    try { await Promise.all([loadCalls(), loadRuns(), loadAlerts()]); } catch (error) { C.fail(error); }
  }

  $("filters").addEventListener("submit", function (e) { e.preventDefault(); loadCalls().catch(C.fail); });
  $("export").addEventListener("click", async function () {
    try {
      var response = await C.api("/api/api-calls.csv?" + filters(), { raw: true });
      var url = URL.createObjectURL(await response.blob());
      var link = el("a", { href: url, download: "crossport-api-log.csv" });
      document.body.appendChild(link); link.click(); link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } catch (error) { C.fail(error); }
  });
  load();
})();

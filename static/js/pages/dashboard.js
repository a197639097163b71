/* Dashboard: counts, inline SVG charts (orders per day, problems by code), last syncs, and
   account health (Amazon's rates beside the same rates from Crossport's own orders). */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#2c6ecb", "#29845a", "#b98900", "#d82c0d", "#8051ff", "#0094d5", "#e36ba6", "#616161"];

  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function ordersChart(days, series) {
    var ids = Object.keys(series), W = 720, H = 200, pad = 28;
    var totals = days.map(function (_, i) { return ids.reduce(function (s, id) { return s + series[id][i]; }, 0); });
    var max = Math.max(1, Math.max.apply(null, totals));
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img" });
    var bw = (W - pad * 2) / days.length;
    days.forEach(function (day, i) {
      var y = H - pad;
      ids.forEach(function (id, k) {
        var h = (series[id][i] / max) * (H - pad * 2);
        if (h > 0) {
          var rect = svg("rect", { x: pad + i * bw + 2, y: y - h, width: Math.max(1, bw - 4), height: h, fill: COLORS[k % COLORS.length] });
          rect.appendChild(svg("title", {}, id + " " + day + ": " + series[id][i]));
          chart.appendChild(rect);
        }
        y -= h;
      });
      if (i % Math.ceil(days.length / 7) === 0) chart.appendChild(svg("text", { x: pad + i * bw, y: H - 8 }, day.slice(5)));
    });
    chart.appendChild(svg("text", { x: 2, y: pad }, max));
    chart.appendChild(svg("line", { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: "#c9cccf" }));
    C.clear($("orders-chart")).appendChild(chart);
    var legend = C.clear($("orders-legend"));
    ids.forEach(function (id, k) {
      legend.appendChild(el("span", {}, el("i", { style: "background:" + COLORS[k % COLORS.length] }), id));
    });
    if (!ids.length) legend.appendChild(el("span", { className: "subdued" }, t("msg.no_rows")));
  }

  function problemsChart(items) {
    var box = C.clear($("problems-chart"));
    if (!items.length) { box.appendChild(el("p", { className: "subdued" }, t("msg.no_problems"))); return; }
    var W = 360, row = 24, H = items.length * row + 8, max = items[0].count;
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img" });
    items.forEach(function (item, i) {
      var w = (item.count / max) * (W - 170);
      chart.appendChild(svg("text", { x: 0, y: i * row + 16 }, item.code.slice(0, 22)));
      chart.appendChild(svg("rect", { x: 150, y: i * row + 4, width: Math.max(2, w), height: 16, rx: 3, fill: "#d82c0d" }));
      chart.appendChild(svg("text", { x: 156 + w, y: i * row + 16 }, item.count));
    });
    box.appendChild(chart);
  }

  var METRICS = ["order_defect_rate", "late_shipment_rate", "pre_fulfillment_cancellation_rate"];
  var CONDITIONS = { LESS_THAN: "< ", GREATER_THAN: "> ", EQUALS: "= " };
  var healthTimer = null;

  function percent(rate) { return (rate * 100).toFixed(2) + " %"; }
  function day(value) { return value ? String(value).slice(0, 10) : "–"; }

  function amazonCell(row, metric) {
    if (!metric) {
      var note = row.status === "requested" ? t("health.requested")
        : row.status === "failed" ? t("health.failed", { message: row.message })
        : row.status === "done" ? "–" : t("health.not_fetched");  // done: Amazon left it out
      return el("td", { className: "subdued" }, note);
    }
    var tone = metric.meets_target ? "badge-success" : "badge-critical";
    return el("td", { dataset: { status: metric.status } }, percent(metric.rate), " ",
      el("span", { className: "badge " + tone }, t("health." + metric.status)));
  }

  function ownCell(own) {
    if (own === null || own === undefined) return el("td", { className: "subdued" }, t("health.not_visible"));
    if (own.rate === null) return el("td", { className: "subdued" }, t("health.no_orders"));
    return el("td", {}, percent(own.rate), " ",
      el("span", { className: "subdued small" }, t("health.count_of", { count: own.count, orders: own.orders })));
  }

  function periodCell(metric, own) {
    var from = metric ? metric.date_from : own && own.date_from, to = metric ? metric.date_to : own && own.date_to;
    return el("td", {}, from || to ? day(from) + " – " + day(to) : "–");
  }

  function renderHealth(h) {
    $("health-orders").textContent = h.orders;
    $("health-state").textContent = h.refreshing ? t("health.requested") : "";
    var body = C.clear($("health-rows"));
    if (!h.marketplaces.length) body.appendChild(C.emptyRow(7));
    h.marketplaces.forEach(function (row) {
      METRICS.forEach(function (name, i) {
        var metric = row.amazon[name], own = row.own[name];
        var tr = el("tr", { dataset: { marketplace: row.marketplace_id, metric: name } });
        if (i === 0) {
          tr.appendChild(el("th", { rowspan: METRICS.length }, row.country_code, " ",
            row.account_status ? el("span", { className: "badge" + (row.account_status === "NORMAL" ? " badge-success" : " badge-critical") },
              t("health." + row.account_status)) : null));
        }
        tr.appendChild(el("td", {}, t("health." + name)));
        tr.appendChild(amazonCell(row, metric));
        tr.appendChild(el("td", {}, metric && metric.target_value !== null
          ? (CONDITIONS[metric.target_condition] || "") + percent(metric.target_value) : "–"));
        tr.appendChild(ownCell(own));
        tr.appendChild(periodCell(metric, own));
        tr.appendChild(el("td", {}, C.when(row.fetched_at)));
        body.appendChild(tr);
      });
    });
    clearTimeout(healthTimer);
    if (h.refreshing) healthTimer = setTimeout(reloadHealth, 5000);  // until the reports are in
  }

  async function reloadHealth() {
    try { renderHealth((await C.api("/api/dashboard")).account_health); } catch (error) { C.fail(error); }
  }

  $("health-refresh").addEventListener("click", async function () {
    try {
      await C.api("/api/account-health/refresh", { method: "POST" });
      C.toast(t("health.refresh_queued"));
      $("health-state").textContent = t("health.requested");
      clearTimeout(healthTimer);
      healthTimer = setTimeout(reloadHealth, 3000);
    } catch (error) { C.fail(error); }
  });

  async function load() {
    await C.ready;
    // ui.js disables role-gated buttons before it knows who is here, and never enables them
    // again: decide for this one now that /api/me has answered.
    var refresh = $("health-refresh");
    refresh.disabled = !C.canDo("editor");
    refresh.title = refresh.disabled ? t("msg.forbidden") : "";
    try {
      var d = await C.api("/api/dashboard");
      var counts = C.clear($("listing-counts"));
      Object.keys(d.listing_counts).forEach(function (status) {
        counts.appendChild(el("span", {}, C.badge(status), " ", d.listing_counts[status]));
      });
      if (!Object.keys(d.listing_counts).length) counts.appendChild(el("span", { className: "subdued" }, t("msg.no_rows")));
      $("api-calls").textContent = d.api_calls_24h;
      $("api-errors").textContent = d.api_errors_24h + " ✕";
      var lat = d.stock_latency;
      $("latency").textContent = lat.count ? lat.p50 + " s / " + lat.p95 + " s" : "–";
      ordersChart(d.days, d.orders_per_day);
      problemsChart(d.problems_by_code);
      var rows = C.clear($("last-sync"));
      Object.keys(d.last_sync).forEach(function (key) {
        rows.appendChild(el("tr", {}, el("td", {}, key), el("td", {}, C.when(d.last_sync[key]))));
      });
      renderHealth(d.account_health);
    } catch (error) { C.fail(error); }
  }
  load();
})();

/* Orders: Amazon orders, the store orders they became, shipments, failed imports with retry. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;

  async function retry(order) {
    try { await C.api("/api/orders/" + order.id + "/retry", { method: "POST" }); C.toast(t("msg.retry_queued")); }
    catch (error) { C.fail(error); }
  }

  async function load() {
    await C.ready;
    var q = new URLSearchParams({ q: $("q").value, state: $("state").value });
    try {
      var page = await C.api("/api/orders?" + q.toString());
      var body = C.clear($("orders"));
      if (!page.items.length) body.appendChild(C.emptyRow(8));
      page.items.forEach(function (o) {
        var shipment = o.shipment && o.shipment.tracking_number
          ? (o.shipment.carrier || "") + " " + o.shipment.tracking_number + (o.shipment.confirmed_at ? " ✓" : "") : "–";
        body.appendChild(el("tr", { dataset: { order: o.amazon_order_id } },
          el("td", {}, el("code", {}, o.amazon_order_id), el("div", { className: "subdued small" }, C.when(o.purchase_date))),
          el("td", {}, o.marketplace_name, " ", el("span", { className: "subdued small" }, o.fulfillment_channel)),
          el("td", {}, o.amazon_status),
          el("td", {}, C.badge(o.state), o.error ? el("div", { className: "small problem" }, o.error) : null),
          el("td", {}, o.store_order_name || o.store_order_id || "–"),
          el("td", { className: "num" }, o.total ? o.total + " " + o.currency : "–"),
          el("td", { className: "small" }, shipment),
          el("td", {}, o.state === "failed" ? el("button", { className: "btn", "data-min-role": "editor", onclick: function () { retry(o); } }, t("label.retry")) : null)));
      });
      var failed = $("failed-banner");
      failed.hidden = !page.failed;
      failed.textContent = page.failed ? t("status.failed") + ": " + page.failed : "";
      C.applyRole();
    } catch (error) { C.fail(error); }
  }
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();

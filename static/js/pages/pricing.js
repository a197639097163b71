/* Pricing: a rule per marketplace with the rate used and its date, and live examples. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var FIELDS = ["markup_percent", "markup_fixed", "ending", "minimum", "maximum", "rate_override", "vat"];

  function fill(card, market) {
    card.querySelector(".market-name").textContent = market.name + " · " + market.currency;
    card.querySelector(".rate").textContent = market.rate
      ? "1 " + C.pricing.store_currency + " = " + market.rate + " " + market.currency + " (" + market.rate_date + ", " + market.rate_source + ")" : "–";
    var formNode = card.querySelector("form");
    FIELDS.forEach(function (name) {
      var value = market.rule[name];
      formNode.elements[name].value = value === null || value === undefined ? "" : value;
    });
    var rows = C.clear(card.querySelector(".examples"));
    if (!market.examples.length) rows.appendChild(C.emptyRow(4));
    market.examples.forEach(function (x) {
      rows.appendChild(el("tr", {}, el("td", {}, x.sku), el("td", {}, x.store_price),
        el("td", {}, x.price || "–"), el("td", { className: "small" }, x.error || x.breakdown)));
    });
  }

  async function load() {
    await C.ready;
    try {
      C.pricing = await C.api("/api/pricing");
      var box = C.clear($("rules"));
      if (!C.pricing.marketplaces.length) box.appendChild(el("p", { className: "card subdued" }, t("msg.no_rows")));
      C.pricing.marketplaces.forEach(function (market) {
        var card = $("rule-template").content.firstElementChild.cloneNode(true);
        card.dataset.marketplace = market.marketplace_id;
        fill(card, market);
        card.querySelector("form").addEventListener("submit", async function (e) {
          e.preventDefault();
          var body = {};
          FIELDS.forEach(function (name) {
            var v = e.target.elements[name].value;
            body[name] = v === "" ? (name === "markup_percent" || name === "markup_fixed" ? "0" : null) : v;
          });
          try {
            var saved = await C.api("/api/pricing/" + market.marketplace_id, { method: "PUT", body: body });
            fill(card, saved); C.toast(t("msg.saved"));
          } catch (error) {
            if (error.fields) C.toast(JSON.stringify(error.fields), true); else C.fail(error);
          }
        });
        box.appendChild(card);
      });
      C.applyRole();
    } catch (error) { C.fail(error); }
  }
  load();
})();

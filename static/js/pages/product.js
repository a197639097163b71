/* One product: per marketplace the exact payload, problems with fixes, Amazon issues, price. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var productId = C.boot.product_id, product = null, current = null;
  var NOT_ATTRIBUTES = ["productType", "product", "sku", "price", "quantity"];

  function problemNode(problem, fixable) {
    var node = el("div", { className: "problem" + ({ warning: " warning", info: " info" }[String(problem.severity).toLowerCase()] || ""), dataset: { code: problem.code || "" } },
      el("div", {}, el("strong", {}, problem.attribute || (problem.attributeNames || []).join(", ") || ""), " ",
        el("code", {}, problem.code || "")),
      el("div", {}, problem.message || ""),
      problem.fix ? el("div", { className: "help" }, problem.fix) : null);
    var attribute = problem.attribute || (problem.attributeNames || [])[0];
    // Only an Amazon attribute takes a value; "productType" or "product" problems need other fixes.
    if (fixable && attribute && NOT_ATTRIBUTES.indexOf(attribute) < 0 && product.product_type && C.canDo("editor")) {
      var input = el("input", { type: "text", "aria-label": t("label.fix") + " " + attribute, className: "fix-value" });
      node.appendChild(el("form", { className: "inline", onsubmit: function (e) { e.preventDefault(); fix(attribute, input.value); } },
        input, el("button", { className: "btn", type: "submit" }, t("label.use_value"))));
    }
    return node;
  }

  function section(title, children) {
    return el("div", {}, el("h3", {}, title), children);
  }

  function breakdownText(value) {
    if (!value) return "–";
    return typeof value === "string" ? value : (value.text || JSON.stringify(value));
  }

  function noProblems() { return el("p", { className: "subdued no-problems" }, t("msg.no_problems")); }

  /* The live check: what would be sent now for each SKU, and what stops it. */
  function planNode(plan) {
    var problems = plan.problems || [];
    return el("div", { className: "card plan", dataset: { sku: plan.sku } },
      el("div", { className: "card-header" }, el("strong", {}, t("label.sku") + " " + (plan.sku || "–")),
        el("span", { className: "badge badge-magic" }, t("plan." + (plan.role || "single")))),
      section(t("label.local_problems"), problems.length ? problems.map(function (p) { return problemNode(p, true); }) : noProblems()),
      (plan.hints || []).length ? el("div", {}, plan.hints.map(function (p) { return problemNode(p, false); })) : null,
      section(t("label.price_breakdown"), el("p", { className: "breakdown" }, breakdownText(plan.price_breakdown))),
      section(t("label.payload"), el("pre", { className: "payload" }, JSON.stringify(plan.payload, null, 2))));
  }

  /* What Amazon last got and said, from the stored listing. */
  function listingNode(listing, withProblems) {
    return el("div", { className: "card listing", dataset: { sku: listing.sku } },
      el("div", { className: "card-header" }, el("strong", {}, t("label.sku") + " " + listing.sku + (listing.asin ? " · " + listing.asin : "")),
        C.badge(listing.status)),
      withProblems ? section(t("label.local_problems"), listing.local_problems.length
        ? listing.local_problems.map(function (p) { return problemNode(p, true); }) : noProblems()) : null,
      listing.amazon_issues.length ? section(t("label.amazon_issues"), listing.amazon_issues.map(function (p) { return problemNode(p, true); })) : null,
      withProblems ? section(t("label.price_breakdown"), el("p", {}, listing.price_breakdown || "–")) : null,
      withProblems ? section(t("label.payload"), el("pre", {}, JSON.stringify(listing.payload, null, 2))) : null);
  }

  function renderMarket(market) {
    current = market.marketplace_id;
    var panel = C.clear($("market-panel"));
    panel.appendChild(el("div", { className: "inline" }, C.badge(market.status), el("span", { className: "subdued" }, market.name + " · " + market.currency)));
    var plans = market.plan || [];
    plans.forEach(function (plan) { panel.appendChild(planNode(plan)); });
    market.listings.forEach(function (listing) { panel.appendChild(listingNode(listing, !plans.length)); });
    if (!plans.length && !market.listings.length) panel.appendChild(el("p", { className: "subdued" }, t("status.not_mapped")));
    Array.prototype.forEach.call($("market-tabs").children, function (b) {
      b.setAttribute("aria-selected", String(b.dataset.marketplace === current));
    });
  }

  function render() {
    $("product-title").textContent = product.title;
    document.title = product.title + " · Crossport";
    var tabs = C.clear($("market-tabs"));
    product.marketplaces.forEach(function (m) {
      tabs.appendChild(el("button", { role: "tab", type: "button", dataset: { marketplace: m.marketplace_id },
        onclick: function () { renderMarket(m); } }, m.country_code + " ", C.badge(m.status)));
    });
    var chosen = product.marketplaces.filter(function (m) { return m.marketplace_id === current; })[0] || product.marketplaces[0];
    if (chosen) renderMarket(chosen); else C.clear($("market-panel")).appendChild(el("p", { className: "subdued" }, t("msg.no_rows")));
    var variants = C.clear($("variants"));
    product.variants.forEach(function (v) {
      variants.appendChild(el("tr", {}, el("td", {}, v.sku), el("td", {}, v.barcode || "–"),
        el("td", { className: "num" }, v.price || "–"), el("td", { className: "num" }, v.quantity)));
    });
    $("type-help").textContent = product.vendor_category || "";
  }

  async function loadTypes() {
    var types = await C.api("/api/product-types?product_id=" + productId);
    var options = C.clear($("type-options"));
    types.forEach(function (type) {
      options.appendChild(el("option", { value: type.name },
        type.display_name + (type.suggested ? " (" + t("msg.suggested") + ")" : "")));
    });
    var suggested = types.filter(function (type) { return type.suggested; })[0];
    // never overwrite what the seller is typing while the list loads
    if (!$("product-type").value) $("product-type").value = product.product_type || "";
    if (!product.product_type && suggested) $("product-type").placeholder = suggested.name;
  }

  async function load() {
    await C.ready;
    try { product = await C.api("/api/products/" + productId); render(); await loadTypes(); }
    catch (error) { C.fail(error); }
  }

  async function fix(attribute, value) {
    if (!value) return;
    try {
      var profiles = await C.api("/api/mappings");
      var profile = profiles.filter(function (p) { return p.product_type === product.product_type; })[0];
      // "true"/"false" typed for a yes/no attribute mean the booleans Amazon expects
      var typed = value === "true" ? true : value === "false" ? false : value;
      var rule = { source: "constant", value: typed };
      if (profile) {
        profile.attributes[attribute] = rule;
        await C.api("/api/mappings/" + profile.id, { method: "PUT", body: { product_type: profile.product_type,
          attributes: profile.attributes, overrides: profile.overrides } });
      } else {
        var attributes = {}; attributes[attribute] = rule;
        await C.api("/api/mappings", { method: "POST", body: { product_type: product.product_type, attributes: attributes, overrides: {} } });
      }
      C.toast(t("msg.fix_saved"));
      product = await C.api("/api/products/" + productId); render();
    } catch (error) { C.fail(error); }
  }

  $("type-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    try {
      product = await C.api("/api/products/" + productId + "/product-type", { method: "PUT", body: { product_type: $("product-type").value.trim().toUpperCase() || null } });
      render(); C.toast(t("msg.saved"));
    } catch (error) { C.fail(error); }
  });

  $("revalidate").addEventListener("click", async function () {
    try {
      var run = await C.api("/api/publish", { method: "POST", body: { product_ids: [productId],
        marketplace_ids: product.marketplaces.map(function (m) { return m.marketplace_id; }), mode: "validate" } });
      C.followRun(run.id, function () { load(); });
    } catch (error) { C.fail(error); }
  });
  load();
})();

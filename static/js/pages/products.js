/* Products: status per marketplace, filters, selection, validate → trial → publish, progress. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var page = 1, data = null, selected = new Set(), marketsLoaded = false;

  function query() {
    var q = new URLSearchParams({ q: $("q").value, status: $("status").value,
      marketplace_id: $("marketplace").value, page: page, per_page: 50 });
    return "/api/products?" + q.toString();
  }

  function renderHead() {
    var head = $("products-head");
    while (head.children.length > 3) head.removeChild(head.lastChild);
    data.marketplaces.forEach(function (m) {
      // a disconnected account's marketplace: its listings are on Amazon, no longer kept in step
      head.appendChild(el("th", { title: m.disconnected ? m.name + " · " + t("status.disconnected") : m.name,
        className: m.disconnected ? "subdued" : "" }, m.country_code));
    });
    if (!marketsLoaded) {
      data.marketplaces.forEach(function (m) { $("marketplace").appendChild(el("option", { value: m.marketplace_id }, m.name)); });
      marketsLoaded = true;
    }
  }

  function render() {
    renderHead();
    var body = C.clear($("products"));
    if (!data.items.length) body.appendChild(C.emptyRow(3 + data.marketplaces.length, t("msg.no_products")));
    data.items.forEach(function (p) {
      var box = el("input", { type: "checkbox", checked: selected.has(p.id), "aria-label": p.title,
        onchange: function (e) { if (e.target.checked) selected.add(p.id); else selected.delete(p.id); update(); } });
      var link = el("a", { href: "/app/products/" + p.id, "data-nav": "" }, p.title);
      var tr = el("tr", { dataset: { productId: p.id } }, el("td", {}, box),
        el("td", {}, link, el("div", { className: "subdued small" }, p.skus.join(", "))),
        el("td", {}, p.product_type || "–"));
      data.marketplaces.forEach(function (m) { tr.appendChild(el("td", { dataset: { marketplace: m.marketplace_id } }, C.badge(p.statuses[m.marketplace_id] || "not_mapped"))); });
      body.appendChild(tr);
    });
    var pages = Math.max(1, Math.ceil(data.total / data.per_page));
    $("page-info").textContent = page + " / " + pages + " · " + t("msg.products", { count: data.total });
    $("prev").disabled = page <= 1; $("next").disabled = page >= pages;
    update();
  }

  function update() {
    $("selected-count").textContent = t("msg.selected", { count: selected.size });
    ["validate", "trial", "publish"].forEach(function (id) { $(id).disabled = !selected.size || !C.canDo("editor"); });
  }

  async function load() {
    await C.ready;
    try { data = await C.api(query()); render(); } catch (error) { C.fail(error); }
  }

  async function start(mode) {
    var markets = $("marketplace").value ? [$("marketplace").value] : data.marketplaces
      .filter(function (m) { return !m.disconnected; }).map(function (m) { return m.marketplace_id; });
    try {
      var run = await C.api("/api/publish", { method: "POST", body: {
        product_ids: Array.from(selected), marketplace_ids: markets, mode: mode } });
      C.followRun(run.id, function (finished) {
        C.toast(t("msg.run_finished", { message: finished.message || t("status." + finished.status) }), finished.status === "failed");
        load();
      });
    } catch (error) { C.fail(error); }
  }

  $("filters").addEventListener("submit", function (e) { e.preventDefault(); page = 1; load(); });
  $("select-all").addEventListener("change", function (e) {
    data.items.forEach(function (p) { if (e.target.checked) selected.add(p.id); else selected.delete(p.id); });
    render();
  });
  $("prev").addEventListener("click", function () { page -= 1; load(); });
  $("next").addEventListener("click", function () { page += 1; load(); });
  $("validate").addEventListener("click", function () { start("validate"); });
  $("trial").addEventListener("click", function () { start("trial"); });
  $("publish").addEventListener("click", function () { start("publish"); });
  load();
})();

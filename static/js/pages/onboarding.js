/* Onboarding: regions to connect, marketplaces to choose, defaults, and the checklist. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var state = null, editing = null, disconnecting = null;

  function render() {
    var list = C.clear($("checklist"));
    state.checklist.forEach(function (item) {
      list.appendChild(el("li", { className: item.done ? "done" : "", dataset: { key: item.key } },
        el("span", { className: "tick", "aria-hidden": "true" }, item.done ? "✓" : ""),
        el("span", { className: "label" }, t("check." + item.key))));
    });
    var regions = C.clear($("regions"));
    state.regions.forEach(function (r) {
      var status = el("td", {}, C.badge(r.status));
      if (r.status === "disconnected") {
        status.appendChild(el("div", { className: "subdued small" }, r.disconnected_by
          ? t("msg.disconnected_by", { who: r.disconnected_by, when: new Date(r.disconnected_at).toLocaleString() })
          : r.status_reason));
      }
      if (r.status === "unconfirmed") {
        status.appendChild(el("div", { className: "subdued small" },
          t("msg.confirm_seller_why", { seller: r.selling_partner_id })));
      }
      var actions = el("td", { className: "inline" },
        el("button", { className: "btn" + (r.connected ? "" : " btn-primary"), "data-min-role": "admin", dataset: { action: "connect" },
          onclick: function () { connect(r); } }, r.status === "not_connected" ? t("msg.connect") : t("msg.reconnect")));
      if (r.confirm_url) {
        actions.insertBefore(el("button", { className: "btn btn-primary", "data-min-role": "admin", dataset: { action: "confirm" },
          onclick: function () { confirmSeller(r); } }, t("msg.confirm_seller", { seller: r.selling_partner_id })), actions.firstChild);
      }
      if (r.disconnect_url) {
        actions.appendChild(el("button", { className: "btn btn-plain", "data-min-role": "admin", dataset: { action: "disconnect" },
          onclick: function () { askDisconnect(r); } }, t("msg.disconnect")));
      }
      regions.appendChild(el("tr", { dataset: { region: r.region } },
        el("td", {}, r.region), status, el("td", {}, r.selling_partner_id || "–"), actions));
    });
    var rows = C.clear($("marketplaces"));
    if (!state.marketplaces.length) rows.appendChild(C.emptyRow(7));
    state.marketplaces.forEach(function (m) {
      var tr = el("tr", { dataset: { marketplace: m.marketplace_id } },
        el("td", {}, el("strong", {}, m.name), el("div", { className: "subdued small" }, m.country_code + " · " + m.region)),
        el("td", {}, m.currency), el("td", {}, m.language));
      if (m.paused) {
        // its account is disconnected: nothing is sent there until the region is connected again
        tr.appendChild(el("td", { colspan: 4, className: "subdued" }, C.badge("disconnected"), " ",
          m.listings_left ? t("msg.listings_left", { count: m.listings_left }) : ""));
      } else if (!m.participating || m.id === null) {
        tr.appendChild(el("td", { colspan: 4, className: "subdued" }, t("msg.how_to_open", { where: m.how_to_open || "Seller Central" })));
      } else {
        tr.appendChild(el("td", {}, el("input", { type: "checkbox", checked: m.enabled, "data-min-role": "admin",
          "aria-label": t("msg.enabled") + " " + m.name, onchange: function (e) { save(m, { enabled: e.target.checked }); } })));
        var channel = el("select", { "data-min-role": "admin", onchange: function (e) { save(m, { fulfillment_channel: e.target.value }); } },
          el("option", { value: "FBM", selected: m.fulfillment_channel === "FBM" }, "FBM"),
          el("option", { value: "FBA", selected: m.fulfillment_channel === "FBA" }, "FBA"));
        tr.appendChild(el("td", {}, channel));
        tr.appendChild(el("td", {}, el("input", { type: "number", min: 0, style: "width:80px", value: m.safety_buffer === null ? "" : m.safety_buffer,
          placeholder: String(state.safety_buffer), "data-min-role": "admin",
          onchange: function (e) { save(m, { safety_buffer: e.target.value === "" ? null : Number(e.target.value) }); } })));
        var addr = m.return_address || {};
        tr.appendChild(el("td", {}, el("div", { className: "small" }, [addr.address1, addr.city, addr.country_code].filter(Boolean).join(", ") || "–"),
          el("button", { className: "btn-plain btn", "data-min-role": "admin", onclick: function () { editAddress(m); } }, "✎")));
      }
      rows.appendChild(tr);
    });
    $("safety_buffer").value = state.safety_buffer;
    $("trial_run_size").value = state.trial_run_size;
    C.applyRole();
  }

  async function load() {
    await C.ready;
    try { state = await C.api("/api/onboarding"); render(); } catch (error) { C.fail(error); }
  }

  async function connect(region) {
    // Seller Central refuses to be framed: a top-level window (opened now, while the click
    // allows it) posts the start ticket to this site, which binds the consent to this browser
    // with a cookie there and goes on to Seller Central (web/amazon_connect.py).
    var name = "crossport-amazon-" + Date.now();
    var win = window.open("", name);
    try {
      var answer = await C.api(region.authorize_url, { method: "POST" });
      var form = el("form", { method: "post", action: answer.start_url, target: win ? name : "_blank" },
        el("input", { type: "hidden", name: "ticket", value: answer.ticket }));
      document.body.appendChild(form);
      form.submit();
      form.remove();
    } catch (error) { if (win) win.close(); C.fail(error); }
  }

  async function confirmSeller(region) {
    // the seller id shown on the page is the one confirmed: a page showing a stale one gets 409
    try {
      await C.api(region.confirm_url, { method: "POST", body: { selling_partner_id: region.selling_partner_id } });
      C.toast(t("msg.seller_confirmed", { seller: region.selling_partner_id }));
    } catch (error) { C.fail(error); }
    load();
  }

  function askDisconnect(region) {
    disconnecting = region;
    $("disconnect-title").textContent = t("msg.disconnect_title", { region: region.region });
    $("disconnect-dialog").returnValue = "";  // Escape keeps the last value: never a stale "yes"
    $("disconnect-dialog").showModal();
  }

  $("disconnect-dialog").addEventListener("close", async function () {
    var region = disconnecting;
    disconnecting = null;
    if ($("disconnect-dialog").returnValue !== "disconnect" || !region) return;
    try {
      await C.api(region.disconnect_url, { method: "POST" });
      C.toast(t("msg.disconnected", { region: region.region }));
    } catch (error) { C.fail(error); }
    load();
  });

  async function save(market, change) {
    try {
      await C.api("/api/marketplaces/" + market.id, { method: "PUT", body: change });
      C.toast(t("msg.saved"));
      load();
    } catch (error) { C.fail(error); load(); }
  }

  function editAddress(market) {
    editing = market;
    $("address-market").textContent = market.name;
    var form = $("address-form"), addr = market.return_address || {};
    Array.prototype.forEach.call(form.elements, function (input) { if (input.name) input.value = addr[input.name] || ""; });
    if (!addr.country_code) form.elements.country_code.value = market.country_code;
    $("address-dialog").showModal();
  }

  $("address-dialog").addEventListener("close", function () {
    if ($("address-dialog").returnValue !== "save" || !editing) return;
    var address = {};
    Array.prototype.forEach.call($("address-form").elements, function (input) { if (input.name) address[input.name] = input.value; });
    save(editing, { return_address: address });
  });

  $("defaults").addEventListener("submit", async function (event) {
    event.preventDefault();
    try {
      state = await C.api("/api/settings", { method: "PUT", body: {
        safety_buffer: Number($("safety_buffer").value || 0), trial_run_size: Number($("trial_run_size").value || 10) } });
      render(); C.toast(t("msg.saved"));
    } catch (error) { C.fail(error); }
  });

  $("import-catalogue").addEventListener("click", async function () {
    try { await C.api("/api/catalogue/import", { method: "POST" }); C.toast(t("msg.queued")); }
    catch (error) { C.fail(error); }
  });
  load();
})();

/* Small UI helpers: elements built with textContent only, badges, tables, toasts, i18n. */
(function () {
  "use strict";
  var C = window.Crossport;
  var strings = C.boot.strings || {};
  var ROLE_ORDER = { viewer: 0, editor: 1, admin: 2, owner: 3 };
  var TONES = {
    active: "success", done: "success", created: "success", shipped: "success", connected: "success",
    ready: "info", submitted: "info", running: "info", queued: "info", claimed: "info",
    problems: "warning", held: "warning", not_mapped: "", not_connected: "",
    error: "critical", failed: "critical", disconnected: "critical", cancelled: "",
  };

  /* A translated string with {name} placeholders filled (values are text, never HTML). */
  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  /* el("td", {className: "num"}, "text", child): data always goes in as text nodes. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "className") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else if (key === "checked" || key === "disabled" || key === "value" || key === "selected") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }

  function badge(status) {
    var tone = TONES[status] || "";
    return el("span", { className: "badge" + (tone ? " badge-" + tone : ""), dataset: { status: status } },
      t("status." + status));
  }

  function toast(message, isError) {
    var node = $("toast");
    node.textContent = message;
    node.className = "toast" + (isError ? " error" : "");
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { node.hidden = true; }, 4000);
  }

  function banner(message, tone) {
    var node = $("banner");
    node.textContent = message;
    node.className = "banner" + (tone ? " banner-" + tone : "");
    node.hidden = !message;
  }

  /* Show an API failure in the seller's words; 401 and 403 get their own messages. */
  function fail(error) {
    if (error && error.status === 401) {
      banner(error.code === "shop_not_installed" ? t("msg.not_installed") : t("msg.session_ended"), "critical");
    } else if (error && error.status === 403) {
      toast(t("msg.forbidden"), true);
    } else {
      toast(t("msg.error", { message: (error && error.message) || String(error) }), true);
    }
  }

  function emptyRow(colspan, text) {
    return el("tr", {}, el("td", { colspan: colspan, className: "empty" }, text || t("msg.no_rows")));
  }

  function when(value) { return value ? String(value).replace("T", " ").slice(0, 19) : "–"; }

  function canDo(minRole) {
    var role = C.me ? C.me.user.role : C.boot.role;
    return (ROLE_ORDER[role] || 0) >= ROLE_ORDER[minRole];
  }

  /* Disable actions the role cannot take (the server refuses them anyway); run again once the
     role is known, it enables what it alone had disabled. */
  function applyRole() {
    document.querySelectorAll("[data-min-role]").forEach(function (node) {
      if (!canDo(node.dataset.minRole)) {
        node.disabled = true; node.title = t("msg.forbidden"); node.dataset.roleDisabled = "1";
      } else if (node.dataset.roleDisabled) {
        node.disabled = false; node.title = ""; delete node.dataset.roleDisabled;
      }
    });
  }

  /* Poll a job run every second, drawing the progress bar, until it finishes. */
  function followRun(runId, onDone) {
    var box = $("run"), bar = $("run-progress");
    box.hidden = false;
    async function tick() {
      try {
        var run = await C.api("/api/runs/" + runId);
        bar.firstElementChild.style.width = run.percent + "%";
        bar.setAttribute("aria-valuenow", String(run.percent));
        if ($("run-title")) $("run-title").textContent = run.title;
        if ($("run-status")) clear($("run-status")).appendChild(badge(run.status));
        $("run-counts").textContent = t("msg.run_progress", { done: run.done, total: run.total, failed: run.failed })
          + (run.message ? " — " + run.message : "");
        if (run.status === "done" || run.status === "failed") { if (onDone) onDone(run); return; }
      } catch (error) { fail(error); }
      setTimeout(tick, 1000);
    }
    tick();
  }

  async function loadMe() {
    try {
      C.me = await C.api("/api/me");
      if (!C.boot.role && C.me.locale !== C.boot.locale) {
        // The page loaded without a token, so the server could not know this staff member's
        // language: load it once more with a token (the admin normally sends one).
        C.navigate(window.location.pathname);
        return new Promise(function () {});
      }
      if (C.me.shop && !$("shop-name").textContent) $("shop-name").textContent = C.me.shop.name || C.me.shop.domain;
      applyRole();
    } catch (error) { fail(error); }
    return C.me;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    C.navigate(link.getAttribute("href"));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var select = $("language");
    if (select) select.addEventListener("change", async function () {
      try {
        await C.api("/api/me/locale", { method: "PUT", body: { locale: select.value } });
        C.navigate(window.location.pathname);
      } catch (error) { fail(error); }
    });
    applyRole();
  });

  Object.assign(C, { t: t, el: el, clear: clear, $: $, badge: badge, toast: toast, banner: banner,
    fail: fail, emptyRow: emptyRow, when: when, canDo: canDo, applyRole: applyRole,
    followRun: followRun, loadMe: loadMe, ready: C.loadMe });
  C.ready = loadMe();
})();

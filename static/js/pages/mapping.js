/* Mapping: a form generated from the product type's schema, sources per attribute, overrides. */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var form = null, profile = null, attributes = {}, overrides = {}, timer = null, requiredNow = [];

  function rulesInScope() {
    var market = $("form-marketplace").value;
    if (!market) return attributes;
    overrides[market] = overrides[market] || {};
    return overrides[market];
  }

  function valueInput(field, rule, onchange) {
    var source = rule ? rule.source : "";
    if (source === "constant" && field.type === "boolean") {
      return el("select", { name: "value-" + field.name, "aria-label": field.title,
        onchange: function (e) { onchange({ value: e.target.value === "" ? null : e.target.value === "true" }); } },
        el("option", { value: "" }, "–"), el("option", { value: "true", selected: rule.value === true }, "✓ true"),
        el("option", { value: "false", selected: rule.value === false }, "✕ false"));
    }
    if (source === "constant" && field.choices.length) {
      var select = el("select", { name: "value-" + field.name, "aria-label": field.title,
        onchange: function (e) {
          // keep the schema's own type (numbers stay numbers)
          var chosen = field.choices.filter(function (c) { return String(c.value) === e.target.value; })[0];
          onchange({ value: chosen ? chosen.value : null });
        } }, el("option", { value: "" }, "–"));
      field.choices.forEach(function (c) { select.appendChild(el("option", { value: String(c.value), selected: rule.value === c.value }, c.label)); });
      return select;
    }
    if (!source) {
      var def = field.default_rule;
      return el("span", { className: "help" }, def ? t("source." + def.source) + (def.key ? ": " + [].concat(def.key).join(" / ") : "") : t("msg.none"));
    }
    var key = source === "constant" ? "value" : source === "template" ? "template" : "key";
    var label = source === "constant" ? t("label.value") : source === "template" ? t("label.template") : t("label.key");
    var current = rule[key] === undefined || rule[key] === null ? "" : [].concat(rule[key]).join(", ");
    return el("input", { type: "text", value: current, placeholder: label, "aria-label": field.title + " " + label,
      name: "value-" + field.name, onchange: function (e) { var c = {}; c[key] = e.target.value; onchange(c); } });
  }

  function row(field) {
    var rules = rulesInScope(), rule = rules[field.name];
    var sourceSelect = el("select", { name: "source-" + field.name, "aria-label": field.title + " source",
      onchange: function (e) {
        if (!e.target.value) delete rules[field.name];
        else rules[field.name] = { source: e.target.value };
        renderGroups(); checkSoon();
      } }, el("option", { value: "" }, t("source.default")));
    form.sources.forEach(function (s) { sourceSelect.appendChild(el("option", { value: s, selected: rule && rule.source === s }, t("source." + s))); });
    var tag = field.required ? el("span", { className: "badge badge-critical" }, t("msg.required"))
      : field.conditional ? el("span", { className: "badge badge-warning", title: t("msg.required_when", { names: field.required_when.join(", ") }) }, t("msg.required_when", { names: field.required_when.slice(0, 3).join(", ") }))
      : null;
    var now = requiredNow.indexOf(field.name) >= 0;
    return el("div", { className: "form-row" + (field.conditional ? " conditional" : "") + (now ? " revealed" : ""), dataset: { attribute: field.name } },
      el("div", {}, el("label", {}, field.title, " ", tag), el("div", { className: "help" }, field.description.slice(0, 160)),
        now ? el("span", { className: "badge badge-critical required-now" }, t("msg.required_now")) : null),
      sourceSelect,
      valueInput(field, rule, function (change) { Object.assign(rules[field.name], change); checkSoon(); }));
  }

  function renderGroups() {
    var box = C.clear($("groups"));
    if (!form) return;
    form.groups.forEach(function (group) {
      var fields = group.fields.filter(function (f) { return !f.hidden; });
      if (!fields.length) return;
      box.appendChild(el("section", { className: "card", dataset: { group: group.key } },
        el("h2", {}, group.title), el("p", { className: "help" }, group.description), fields.map(row)));
    });
    C.applyRole();
  }

  function checkSoon() { clearTimeout(timer); timer = setTimeout(checkRequirements, 300); }

  async function checkRequirements() {
    if (!form) return;
    try {
      var merged = Object.assign({}, attributes, overrides[$("form-marketplace").value] || {});
      var answer = await C.api("/api/product-types/" + encodeURIComponent(form.product_type) + "/requirements",
        { method: "POST", body: { marketplace_id: $("form-marketplace").value, attributes: merged } });
      requiredNow = answer.required_now;
      document.querySelectorAll(".form-row").forEach(function (node) {
        var now = answer.required_now.indexOf(node.dataset.attribute) >= 0;
        node.classList.toggle("revealed", now);
        var flag = node.querySelector(".required-now");
        if (now && !flag) node.firstElementChild.appendChild(el("span", { className: "badge badge-critical required-now" }, t("msg.required_now")));
        if (!now && flag) flag.remove();
      });
    } catch (error) { C.fail(error); }
  }

  async function loadSamples() {
    var box = C.clear($("samples"));
    if (!profile) return;
    var market = $("form-marketplace").value;
    var samples = await C.api("/api/mappings/" + profile.id + "/samples" + (market ? "?marketplace_id=" + market : ""));
    if (!samples.length) box.appendChild(el("p", { className: "subdued" }, t("msg.no_rows")));
    samples.forEach(function (s) {
      var problems = s.plan ? [].concat.apply([], s.plan.map(function (p) { return p.problems || []; })) : s.problems;
      box.appendChild(el("div", { className: "stack" }, el("div", { className: "inline" },
        el("a", { href: "/app/products/" + s.product_id, "data-nav": "" }, s.title), C.badge(s.status)),
        problems.length ? problems.slice(0, 5).map(function (p) { return el("div", { className: "problem" }, el("code", {}, p.code || ""), " ", p.message || ""); })
          : el("p", { className: "subdued" }, t("msg.no_problems"))));
    });
  }

  var choosing = 0;

  async function chooseType(name) {
    var mine = ++choosing;  // a later choice wins over an answer still on its way
    var profiles = await C.api("/api/mappings");
    if (mine !== choosing) return;
    profile = null; attributes = {}; overrides = {};
    var list = C.clear($("profiles"));
    profiles.forEach(function (p) {
      list.appendChild(el("li", {}, p.product_type + " · " + t("msg.products", { count: p.product_count })));
      if (p.product_type === name) { profile = p; attributes = p.attributes; overrides = p.overrides; }
    });
    try {
      var loaded = await C.api("/api/product-types/" + encodeURIComponent(name) + "/form");
      if (mine !== choosing) return;
      form = loaded;
    } catch (error) {
      form = null; C.clear($("groups")).appendChild(el("p", { className: "card subdued" }, t("msg.no_schema")));
      return;
    }
    renderGroups(); checkRequirements(); loadSamples().catch(C.fail);
  }

  async function load() {
    await C.ready;
    try {
      var types = await C.api("/api/product-types");
      var select = C.clear($("product-type"));
      types.forEach(function (type) {
        select.appendChild(el("option", { value: type.name }, type.display_name + (type.has_profile ? " ✓" : "")));
      });
      var onboarding = await C.api("/api/onboarding");
      onboarding.marketplaces.filter(function (m) { return m.enabled; }).forEach(function (m) {
        $("form-marketplace").appendChild(el("option", { value: m.marketplace_id }, m.name));
      });
      var wanted = new URLSearchParams(window.location.search).get("product_type");
      if (wanted) select.value = wanted;
      if (select.value) await chooseType(select.value);
    } catch (error) { C.fail(error); }
  }

  $("product-type").addEventListener("change", function (e) { chooseType(e.target.value).catch(C.fail); });
  $("form-marketplace").addEventListener("change", function () { renderGroups(); checkSoon(); loadSamples().catch(C.fail); });
  $("mapping-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    var body = { product_type: form.product_type, attributes: attributes, overrides: overrides };
    try {
      profile = profile ? await C.api("/api/mappings/" + profile.id, { method: "PUT", body: body })
        : await C.api("/api/mappings", { method: "POST", body: body });
      attributes = profile.attributes; overrides = profile.overrides;
      C.toast(t("msg.saved")); loadSamples().catch(C.fail);
    } catch (error) {
      if (error.fields) C.toast(JSON.stringify(error.fields), true); else C.fail(error);
    }
  });
  load();
})();

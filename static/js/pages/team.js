/* Team: staff and their roles; owners and admins change them (the server checks). */
(function () {
  "use strict";
  var C = window.Crossport, el = C.el, $ = C.$, t = C.t;
  var ROLES = ["owner", "admin", "editor", "viewer"];

  async function load() {
    await C.ready;
    try {
      var team = await C.api("/api/team");
      var body = C.clear($("team"));
      team.forEach(function (member) {
        var select = el("select", { "data-min-role": "admin", "aria-label": t("role." + member.role),
          onchange: async function (e) {
            try { await C.api("/api/team/" + member.id, { method: "PUT", body: { role: e.target.value } }); C.toast(t("msg.saved")); }
            catch (error) { C.fail(error); }
            load();
          } });
        ROLES.forEach(function (role) { select.appendChild(el("option", { value: role, selected: role === member.role }, t("role." + role))); });
        body.appendChild(el("tr", { dataset: { member: member.id } },
          el("td", {}, member.name || member.platform_user_id, member.me ? " ★" : ""),
          el("td", {}, member.email || "–"), el("td", {}, select), el("td", {}, C.when(member.created_at))));
      });
      C.applyRole();
    } catch (error) { C.fail(error); }
  }
  load();
})();

/* The page's one way to call the JSON API: attaches the store token, renews it on a 401. */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("crossport-boot").textContent);
  var params = new URLSearchParams(window.location.search);
  var woocommerce = boot.platform === "woocommerce";
  // A plugin token (wc_token) works once, and the page load has used it: never send it again.
  var token = boot.page_token || (woocommerce ? "" : params.get("id_token")) || "";
  // What the URL carried to open this page (Shopify's session token, the plugin's token, a
  // handoff code) has been used: drop it from the address bar, history and later Referers.
  var CREDENTIALS = ["id_token", "wc_token", "handoff"];
  if (CREDENTIALS.some(function (key) { return params.has(key); }) && window.history.replaceState) {
    var clean = new URL(window.location.href);
    CREDENTIALS.forEach(function (key) { clean.searchParams.delete(key); });
    window.history.replaceState(window.history.state, "", clean.toString());
  }
  var RENEWABLE = { token_expired: 1, token_invalid: 1, token_missing: 1 };
  var pending = {};
  if (window.top === window && boot.platform === "shopify" && boot.embed_url && !boot.page_token) {
    // Opened outside the store admin (e.g. right after the install): go to the embedded app.
    window.location.replace(boot.embed_url);
  }
  var counter = 0;

  function ApiError(status, info) {
    this.status = status;
    this.code = (info && info.error) || "http_" + status;
    this.message = (info && info.message) || "HTTP " + status;
    this.fields = info && info.fields;
  }

  window.addEventListener("message", function (event) {
    // Only wp-admin's Crossport page that embeds us, at the store's origin, may hand us a token.
    if (!boot.store_origin || event.origin !== boot.store_origin) return;
    if (event.source !== window.parent || !event.data) return;
    var data = event.data;
    if (data.type === "crossport:plugin-token" && pending[data.requestId]) {
      pending[data.requestId](typeof data.token === "string" ? data.token : "");
      delete pending[data.requestId];
    }
  });

  /* A fresh plugin token from wp-admin (wordpress-plugin/crossport/assets/token-bridge.js). */
  function askStore() {
    return new Promise(function (resolve) {
      if (window.parent === window || !boot.store_origin) return resolve("");
      var id = "t" + (++counter) + "-" + Date.now();
      pending[id] = resolve;
      window.parent.postMessage({ type: "crossport:plugin-token-request", requestId: id },
                                boot.store_origin);
      setTimeout(function () { if (pending[id]) { delete pending[id]; resolve(""); } }, 8000);
    });
  }

  /* Swap a plugin token for a page token of our own (web/woocommerce_session.py). */
  async function renewPageToken() {
    var pluginToken = await askStore();
    if (!pluginToken) return "";
    var response = await fetch("/woocommerce/session", { method: "POST", credentials: "omit",
      headers: { "Authorization": "Bearer " + pluginToken, "Accept": "application/json" } });
    if (!response.ok) return "";
    return (await response.json()).page_token || "";
  }

  var renewing = null;

  /* A fresh token: App Bridge in Shopify's admin; in wp-admin one renewal at a time, shared by
     the calls that failed together (each plugin token and each exchange costs a round trip). */
  function freshToken() {
    if (woocommerce) {
      if (!renewing) {
        renewing = renewPageToken().finally(function () { renewing = null; });
      }
      return renewing;
    }
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    return Promise.resolve("");
  }

  /* A Shopify shop Crossport does not know yet (managed install): let the server exchange the
     session token for API tokens, once, then retry. */
  async function installViaSession() {
    var response = await fetch("/shopify/session", { method: "POST", credentials: "omit",
      headers: { "Authorization": "Bearer " + token } });
    return response.ok;
  }

  async function api(path, options) {
    options = options || {};
    var installed = false;
    for (var attempt = 0; attempt < 3; attempt++) {
      if (!token) token = await freshToken();
      var sent = token;
      var headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
      var init = { method: options.method || "GET", headers: headers, credentials: "omit" };
      if (options.body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(options.body);
      }
      var response = await fetch(path, init);
      if (response.status === 401 && attempt < 2) {
        var info = await response.json().catch(function () { return {}; });
        if (RENEWABLE[info.error] && attempt === 0) {
          // another call may have renewed the token meanwhile: then retry with that one
          if (token !== sent) continue;
          var renewed = await freshToken();
          if (renewed) { token = renewed; Crossport.renewals += 1; continue; }
        }
        if (info.error === "shop_not_installed" && boot.platform === "shopify" && !installed) {
          installed = true;
          if (await installViaSession()) continue;
        }
        throw new ApiError(401, info);
      }
      if (!response.ok) {
        throw new ApiError(response.status, await response.json().catch(function () { return {}; }));
      }
      if (options.raw) return response;
      return response.status === 204 ? null : response.json();
    }
    throw new ApiError(401, { error: "token_expired" });
  }

  /* Follow an in-app link. The token stays in headers: the next page gets a one-time code
     (web/page_handoff.py), asked for with the current token (renewed by api() if needed). */
  async function navigate(href) {
    var url = new URL(href, window.location.origin);
    ["shop", "host", "embedded"].forEach(function (key) {
      if (params.get(key)) url.searchParams.set(key, params.get(key));
    });
    try {
      var answer = await api("/app/handoff", { method: "POST" });
      url.searchParams.set("handoff", answer.code);
    } catch (error) { /* the page opens without a session and renews its token itself */ }
    window.location.assign(url.toString());
  }

  window.Crossport = {
    boot: boot, api: api, navigate: navigate, ApiError: ApiError, renewals: 0,
    currentToken: function () { return token; },
  };
})();

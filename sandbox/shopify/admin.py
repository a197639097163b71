"""The store admin a merchant sees: products, orders, the install link, the embedded app with a
session-token provider that answers like App Bridge's shopify.idToken()."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template_string
from markupsafe import Markup

from sandbox.shopify.oauth import session_token

ADMIN_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>{{ shop.name }} admin</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>
<h1>{{ shop.name }} <small>({{ shop.domain }})</small></h1>
<p>{% if shop.installed %}<a id="open-app" href="apps/{{ api_key }}">Open Crossport</a>
{% else %}<a id="install-app" href="{{ install_url }}">Install app: Crossport</a>{% endif %}</p>
<h2>Products ({{ shop.products|length }})</h2><table><tr><th>Title</th><th>SKU</th><th>Price</th>
<th>Available</th></tr>{% for p in products %}{% for v in p.variants %}<tr><td>{{ p.title }}</td>
<td>{{ v.sku }}</td><td>{{ v.price }}</td><td>{{ v.available }}</td></tr>{% endfor %}{% endfor %}
</table><h2>Orders ({{ shop.orders|length }})</h2><table><tr><th>Name</th><th>Source</th>
<th>Amazon order</th><th>Cancelled</th></tr>{% for o in shop.orders.values() %}<tr>
<td>{{ o.name }}</td><td>{{ o.sourceName }}</td><td>{{ o.sourceIdentifier or "" }}</td>
<td>{{ o.cancelledAt or "" }}</td></tr>{% endfor %}</table>{{ bridge }}</body></html>"""

EMBED_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Crossport in {{ shop }}</title>
<style>body{margin:0;font-family:sans-serif}header{padding:8px;background:#1a1a1a;color:#fff}
iframe{border:0;width:100%;height:calc(100vh - 40px)}</style></head><body>
<header>{{ shop }} / Apps / Crossport</header>
<iframe id="app-iframe" name="app-iframe" src="{{ src }}"></iframe>{{ bridge }}</body></html>"""

# The admin side of App Bridge: the embedded app asks by postMessage, the admin answers with a
# fresh token. window.shopify.idToken() answers the same way on the admin page itself.
BRIDGE_HOST = """<script>
(function(){
  const tokenUrl = {{ token_url|tojson }}, appOrigin = {{ app_origin|tojson }};
  async function idToken(){
    const r = await fetch(tokenUrl, {method: "POST"});
    if (!r.ok) throw new Error("idToken failed: " + r.status);
    return (await r.json()).token;
  }
  window.shopify = Object.assign(window.shopify || {}, {idToken});
  window.addEventListener("message", async (event) => {
    const msg = event.data || {};
    if (event.origin !== appOrigin || msg.type !== "shopify:idToken:request") return;
    try { event.source.postMessage({type: "shopify:idToken", id: msg.id, token: await idToken()},
                                   event.origin); }
    catch (e) { event.source.postMessage({type: "shopify:idToken", id: msg.id,
                                          error: String(e)}, event.origin); }
  });
})();
</script>"""

# The app side, served as the emulator's app-bridge.js: shopify.idToken() inside the iframe.
BRIDGE_CLIENT = """(function(){
  let next = 1; const waiting = {};
  window.addEventListener("message", (event) => {
    const msg = event.data || {};
    if (event.source !== window.parent || msg.type !== "shopify:idToken") return;
    const w = waiting[msg.id]; if (!w) return; delete waiting[msg.id];
    msg.error ? w.reject(new Error(msg.error)) : w.resolve(msg.token);
  });
  function idToken(){
    return new Promise((resolve, reject) => {
      const id = next++; waiting[id] = {resolve, reject};
      window.parent.postMessage({type: "shopify:idToken:request", id}, "*");
      setTimeout(() => { if (waiting[id]) { delete waiting[id];
        reject(new Error("idToken timed out")); } }, 5000);
    });
  }
  window.shopify = Object.assign(window.shopify || {}, {idToken});
})();
"""


def build_admin(state, config: dict) -> Blueprint:
    bp = Blueprint("shopify_admin", __name__)
    app_url = config["app_url"]
    app_origin = "/".join(app_url.split("/")[:3])

    def bridge(domain: str) -> Markup:
        return Markup(
            render_template_string(
                BRIDGE_HOST, token_url=f"/store/{domain}/admin/_id_token", app_origin=app_origin
            )
        )

    @bp.get("/store/<domain>/admin")
    @bp.get("/store/<domain>/admin/")
    def admin(domain: str):
        shop = state.shop(domain)
        products = [
            {
                "title": p["title"],
                "variants": [
                    {
                        "sku": v["sku"],
                        "price": v["price"],
                        "available": shop.available(v["inventory_item_id"]),
                    }
                    for v in (shop.variants[i] for i in p["variant_ids"])
                ],
            }
            for p in list(shop.products.values())[:200]
        ]
        return render_template_string(
            ADMIN_PAGE,
            shop=shop,
            products=products,
            api_key=config["api_key"],
            install_url=f"{app_url}/shopify/install?shop={domain}",
            bridge=bridge(domain),
        )

    @bp.get("/store/<domain>/admin/apps/<api_key>")
    def embedded(domain: str, api_key: str):
        shop = state.shop(domain, create=False)
        if shop is None or not shop.installed or api_key != config["api_key"]:
            abort(404)
        host = f"admin.shopify.com/store/{domain.split('.')[0]}"
        import base64

        host_param = base64.b64encode(host.encode()).decode().rstrip("=")
        src = f"{app_url}/app?shop={domain}&host={host_param}&embedded=1"
        return render_template_string(EMBED_PAGE, shop=domain, src=src, bridge=bridge(domain))

    @bp.post("/store/<domain>/admin/_id_token")
    def id_token(domain: str):
        shop = state.shop(domain, create=False)
        if shop is None or not shop.installed:
            abort(403)
        return jsonify(token=session_token(config["api_key"], config["api_secret"], domain))

    @bp.get("/app-bridge.js")
    @bp.get("/store/<domain>/admin/app-bridge.js")
    def app_bridge(domain: str | None = None):
        return BRIDGE_CLIENT, 200, {"Content-Type": "application/javascript"}

    return bp

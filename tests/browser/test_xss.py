"""XSS in the pages: every stored text a page renders (the shop's name, product titles,
descriptions, SKUs and image URLs, alert and run messages, order errors, API log messages, Amazon
issue and local problem messages on a listing, mapping constants, staff names) holds markup and
script payloads; each page of the app is opened in chromium, and none of them runs or becomes
markup.

Checked on every page: `window.__xss` stays undefined, no dialog opens, no element the payloads
would create exists (`img[src=x]`, a script mentioning __xss, a `javascript:` link), and the page's
Content-Security-Policy reported no violation (an injected inline script or handler would be
blocked there, so a report means the escaping failed and only the CSP saved the page).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import (
    Alert,
    ApiCall,
    JobRun,
    Listing,
    MappingProfile,
    OrderLink,
    ProductSnapshot,
    Shop,
    User,
    VariantSnapshot,
)
from tests.browser import seed
from tests.browser.test_journey import go, open_crossport

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = '"><script>window.__xss=1</script>'
PAYLOAD = IMG + SCRIPT
JS_URL = "javascript:window.__xss=1"
# An SKU appears in attributes and ids as well as in text: the quote breaks out of both.
SKU = 'VASE"><img src=x onerror="window.__xss=1">'

RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
PROBE = """() => ({
  xss: window.__xss,
  csp: window.__csp || [],
  imgs: document.querySelectorAll('img[src="x"]').length,
  scripts: [...document.scripts].filter(s => s.textContent.includes("__xss")).length,
  js_links: [...document.querySelectorAll("[href],[src],[action],[formaction]")].filter(
    n => /^\\s*javascript:/i.test(n.getAttribute("href") || n.getAttribute("src")
      || n.getAttribute("action") || n.getAttribute("formaction") || "")).length,
})"""
CLEAN = {"xss": None, "csp": [], "imgs": 0, "scripts": 0, "js_links": 0}


def poison(live) -> None:
    """Put the payloads into every stored text of the seeded shop."""
    ids = live.ids
    with live.app.app_context():
        db.session.get(Shop, ids["shop"]).name = f"Alpha {PAYLOAD}"
        vase = db.session.get(ProductSnapshot, ids["vase"])
        vase.title = f"Vase {PAYLOAD}"
        vase.data = {
            **vase.data,
            "title": vase.title,
            "description_html": f"<p>{PAYLOAD}</p><a href='{JS_URL}'>x</a>",
            "images": [JS_URL],
            "tags": [PAYLOAD],
            "category": PAYLOAD,
        }
        variant = db.session.scalars(
            db.select(VariantSnapshot).where(VariantSnapshot.product_id == vase.id)
        ).one()
        for listing in db.session.scalars(db.select(Listing).where(Listing.sku == variant.sku)):
            listing.sku = SKU
            listing.amazon_issues = [{**seed.AMAZON_ISSUE, "message": f"Issue {PAYLOAD}"}]
            listing.local_problems = [
                {**seed.MISSING_BRAND, "message": f"Problem {PAYLOAD}", "fix": PAYLOAD}
            ]
            listing.price_breakdown = PAYLOAD
        variant.sku = SKU
        variant.data = {"options": {"Color": PAYLOAD}}
        for alert in db.session.scalars(db.select(Alert)):
            alert.message = f"Alert {PAYLOAD}"
        for run in db.session.scalars(db.select(JobRun)):
            run.title, run.message = f"Run {PAYLOAD}", f"Run message {PAYLOAD}"
        for order in db.session.scalars(db.select(OrderLink)):
            order.error = f"Order {PAYLOAD}"
            order.store_order_name = PAYLOAD
        for call in db.session.scalars(db.select(ApiCall)):
            call.error_message = f"Call {PAYLOAD}"
            call.url_path = JS_URL
        for user in db.session.scalars(db.select(User)):
            user.name = f"Staff {PAYLOAD}"
        db.session.add(
            MappingProfile(
                shop_id=ids["shop"],
                product_type="HOME",
                attributes={
                    "brand": {"source": "constant", "value": f"Brand {PAYLOAD}"},
                    "item_name": {"source": "template", "template": JS_URL},
                },
            )
        )
        db.session.commit()


def test_no_stored_text_runs_as_script_on_any_page(page, live):
    poison(live)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.add_init_script(RECORD)
    frame = open_crossport(page, live)
    seen, missing = {}, []

    def probe(name: str) -> None:
        iframe = page.frame(name="app-iframe")
        iframe.wait_for_load_state("networkidle")
        # the shop's name, rendered on every page, proves the payloads reached the page
        expect(frame.locator("#shop-name")).to_contain_text("Alpha ")
        seen[name] = iframe.evaluate(PROBE)
        if f"Alpha {PAYLOAD}" not in frame.locator("#shop-name").inner_text():
            missing.append((name, "shop name"))

    # what each page must show before it is probed: the payloads reached it
    shown = {
        "Products": [f"Vase {PAYLOAD}"],
        "Orders": [f"Order {PAYLOAD}"],
        "Activity": [f"Run {PAYLOAD}", f"Call {PAYLOAD}", f"Alert {PAYLOAD}"],
        "Team": [f"Staff {PAYLOAD}"],
    }
    probe("Dashboard")
    for section in ("Onboarding", "Products", "Mapping", "Pricing", "Orders", "Activity", "Team"):
        go(frame, section)
        for text in shown.get(section, []):
            # the label first (the text is there), the whole payload as text after the probe
            expect(frame.locator("body")).to_contain_text(text.split(" ")[0] + " ")
        if section == "Mapping":
            expect(frame.locator("input[name=value-brand]")).to_have_value(f"Brand {PAYLOAD}")
        probe(section)
        body = frame.locator("body").inner_text()
        missing += [(section, text) for text in shown.get(section, []) if text not in body]
    go(frame, "Products")
    frame.locator("a", has_text="Vase ").first.click()
    expect(frame.locator("body")).to_contain_text("Issue ", timeout=15000)
    probe("Product")
    if f"Issue {PAYLOAD}" not in frame.locator("body").inner_text():
        missing.append(("Product", "Amazon issue"))
    assert {name: found for name, found in seen.items() if found != CLEAN} == {}
    assert dialogs == []
    assert missing == [], "a payload did not reach its page as text"
    assert page.errors == []

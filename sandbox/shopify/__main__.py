"""Run the Shopify emulator as a process: python -m sandbox.shopify --port N."""

from __future__ import annotations

import argparse
import os

from werkzeug.serving import run_simple

from sandbox.shopify.app import create_emulator
from sandbox.shopify.seed import demo_products, seed_shop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--api-key", default=os.environ.get("CROSSPORT_SHOPIFY_API_KEY", "crossport-demo-api-key")
    )
    parser.add_argument(
        "--api-secret",
        default=os.environ.get("CROSSPORT_SHOPIFY_API_SECRET", "crossport-demo-api-secret"),
    )
    parser.add_argument(
        "--app-url", default=os.environ.get("CROSSPORT_PUBLIC_URL", "http://127.0.0.1:8000")
    )
    parser.add_argument(
        "--seed-shop",
        default="demo.myshopify.com",
        help="shop seeded with the demo catalogue ('' for none)",
    )
    parser.add_argument("--auto-approve", action="store_true", help="skip the approve page")
    parser.add_argument("--restore-rate", type=float, default=100.0)
    args = parser.parse_args()
    app = create_emulator(
        args.api_key,
        args.api_secret,
        args.app_url,
        auto_approve=args.auto_approve,
        restore_rate=args.restore_rate,
    )
    if args.seed_shop:
        ext = app.extensions["shopify_emulator"]
        seed_shop(ext["changes"], ext["state"].shop(args.seed_shop), demo_products())
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()

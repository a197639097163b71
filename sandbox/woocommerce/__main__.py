"""Run the WooCommerce emulator as a process: python -m sandbox.woocommerce --port N."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from sandbox.woocommerce.app import create_emulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", action="store_true", help="seed the demo catalogue")
    parser.add_argument("--auto-approve", action="store_true", help="skip the approve page")
    parser.add_argument("--crossport-url", default=None, help="Crossport's public URL")
    args = parser.parse_args()
    app = create_emulator(
        site_url=f"http://127.0.0.1:{args.port}",
        seed=args.seed,
        auto_approve=args.auto_approve,
        crossport_url=args.crossport_url,
    )
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()

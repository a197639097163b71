"""Run the SP-API emulator as a process: python -m sandbox.amazon --port 8101 [--speedup 10].

Point Crossport at it with:
    CROSSPORT_SPAPI_ENDPOINTS=NA=http://127.0.0.1:8101/na,EU=http://127.0.0.1:8101/eu,FE=...
    CROSSPORT_LWA_TOKEN_URL=http://127.0.0.1:8101/auth/o2/token
    CROSSPORT_AMAZON_CONSENT_URL=http://127.0.0.1:8101/{region}/apps/authorize/consent
"""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .app import create_emulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--speedup", type=float, default=1.0, help="rate limits x, delays /")
    parser.add_argument("--no-contracts", action="store_true", help="skip model validation")
    parser.add_argument("--manual-consent", action="store_true", help="show a consent button")
    parser.add_argument("--public-url", default=None, help="base URL in document links")
    parser.add_argument("--sqs-url", default=None, help="SQS endpoint for notifications")
    parser.add_argument(
        "--lwa-client",
        action="append",
        default=[],
        metavar="ID:SECRET",
        help="accept only these LWA client credentials (default: any non-empty pair)",
    )
    args = parser.parse_args()
    clients = dict(pair.split(":", 1) for pair in args.lwa_client) or None
    app = create_emulator(
        speedup=args.speedup,
        validate_contracts=not args.no_contracts,
        auto_approve=not args.manual_consent,
        public_url=args.public_url,
        lwa_clients=clients,
        sqs_url=args.sqs_url,
    )
    base = f"http://127.0.0.1:{args.port}"
    print(f"SP-API emulator: endpoints {base}/na {base}/eu {base}/fe")
    print(f"LWA {base}/auth/o2/token, consent {base}/{{region}}/apps/authorize/consent")
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()

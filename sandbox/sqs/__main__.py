"""Run the SQS emulator as a process: python -m sandbox.sqs --port 8104 --queue NAME.

Point boto3 at it with endpoint_url=http://127.0.0.1:8104 (any credentials, any region); the
queue URL is http://127.0.0.1:8104/000000000000/NAME.
"""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .app import create_sqs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--region", default="us-east-1", help="the region in queue ARNs")
    parser.add_argument(
        "--queue", action="append", default=[], metavar="NAME", help="a queue to create"
    )
    args = parser.parse_args()
    public_url = f"http://127.0.0.1:{args.port}"
    app = create_sqs(args.queue, region=args.region, public_url=public_url)
    print(f"SQS emulator: {public_url}, queues {', '.join(args.queue) or '(none)'}")
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()

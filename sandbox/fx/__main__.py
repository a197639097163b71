"""Run the ECB rates emulator as a process: python -m sandbox.fx --port 8105.

Crossport reads it at http://127.0.0.1:8105/stats/eurofxref/eurofxref-daily.xml (the ECB's path).
"""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .app import DAILY_PATH, create_fx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8105)
    args = parser.parse_args()
    print(f"ECB rates emulator: http://127.0.0.1:{args.port}{DAILY_PATH}")
    run_simple("127.0.0.1", args.port, create_fx(), threaded=True)


if __name__ == "__main__":
    main()

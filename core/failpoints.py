"""Failpoints: named places where a test can make the process die, to prove crash safety.

Set CROSSPORT_FAILPOINTS="order-after-store-create,..." and CROSSPORT_FAILPOINT_DIR=<dir> in a
worker's environment: the first time a named point is reached, a marker file is written and the
process is killed with SIGKILL (no cleanup, no exception handler runs), exactly as a machine
that loses power. Never active in production.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path


def failpoint(name: str) -> None:
    """Die here once, if a test asked for it."""
    wanted = os.environ.get("CROSSPORT_FAILPOINTS", "")
    if not wanted or os.environ.get("CROSSPORT_ENV") == "production":
        return
    if name not in {w.strip() for w in wanted.split(",")}:
        return
    marker = Path(os.environ.get("CROSSPORT_FAILPOINT_DIR", "/tmp")) / f"failpoint-{name}"
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # only the first one dies
    except FileExistsError:
        return
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)

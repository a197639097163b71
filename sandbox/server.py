"""Run an emulator's WSGI app as a real HTTP server on 127.0.0.1, in a thread or as a process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

# The official contracts live beside the project, never inside it (docs/operations.md).
REPO_ROOT = Path(__file__).resolve().parent.parent


def specs_dir() -> Path:
    """Where the official contracts are looked for: ../shared/specs beside the checkout, or
    CROSSPORT_SPECS_DIR. Tests ask tests/support/specs.py, which says what their absence means."""
    import os

    return Path(os.environ.get("CROSSPORT_SPECS_DIR", REPO_ROOT.parent / "shared" / "specs"))


@dataclass
class RunningServer:
    """A started emulator: its base URL and a way to stop it."""

    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_in_thread(wsgi_app, port: int = 0) -> RunningServer:
    """Serve `wsgi_app` on 127.0.0.1 (a free port when port=0) from a daemon thread."""
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="emulator", daemon=True)
    thread.start()
    return RunningServer(server=server, thread=thread)

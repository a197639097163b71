"""The emulator also runs as a process: python -m sandbox.woocommerce --port N --seed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_emulator_runs_as_a_process_with_the_demo_seed():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.woocommerce", "--port", str(port), "--seed"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/wp-admin/", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert page.status_code == 200
        assert "Organic Cotton T-Shirt" in page.text
        assert "crossport-menu" in page.text
    finally:
        process.terminate()
        process.wait(10)

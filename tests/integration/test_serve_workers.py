"""`aidhub serve --workers N`: several processes answer on one port, sign-in and data are
the same whichever answers, and /metrics counts every worker's requests."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from tests.helpers import make_hub, signed_in
from tests.integration.test_ops import samples


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _started(url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    proc = subprocess.Popen([sys.executable, "-m", "aidhub", "--database", url, "serve",
                             "--port", str(port), "--workers", "2", "--sync-every", "0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("aidhub serve --workers 2 did not start")


def test_workers_answer_alike_and_metrics_count_them_all(ctx, db_url):
    make_hub(ctx)
    admin = signed_in(ctx, "admin")
    port = _free_port()
    proc = _started(db_url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        answers = []
        for _ in range(40):  # a new connection each: the workers share them out
            with httpx.Client(base_url=base, headers=admin) as client:
                answers.append(client.get("/api/v1/sites"))
        assert {a.status_code for a in answers} == {200}
        assert {tuple(s["code"] for s in a.json()) for a in answers} == {("ALP-HUB",
                                                                          "DAM-HUB")}
        for _ in range(4):  # whichever worker answers the scrape sees all 40
            with httpx.Client(base_url=base, headers=admin) as client:
                figures = samples(client.get("/metrics"))
            counted = sum(v for (name, labels), v in figures.items()
                          if name == "aidhub_http_request_duration_seconds_count"
                          and ("route", "/api/v1/sites") in labels)
            assert counted == 40
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode is not None
    time.sleep(0.5)
    with socket.socket() as s:  # every worker is gone with the server: the port is free
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))

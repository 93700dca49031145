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


def _connections_by_process(server_pid: int, port: int) -> dict[int, int]:
    """The server's processes and how many established connections to ``port`` each
    holds (read from /proc: which socket inodes each has open, which are connected)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in list(f)[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":
                    established.add(fields[9])
    held: dict[int, int] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            if parent != server_pid:
                continue
            inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1]
                      for fd in os.listdir(f"/proc/{pid}/fd")}
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        held[int(pid)] = len(inodes & established)
    return held


def test_connections_opened_at_once_are_spread_over_the_workers(ctx, db_url):
    """A burst of keep-alive connections (a load test, or browsers behind one proxy) does
    not all land on the worker that woke first."""
    import asyncio
    import concurrent.futures

    make_hub(ctx)
    admin = signed_in(ctx, "admin")
    port = _free_port()
    proc = _started(db_url, port)

    async def burst() -> dict[int, int]:
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=admin,
                                     limits=limits) as client:
            answers = await asyncio.gather(*(client.get("/api/v1/sites")
                                             for _ in range(20)))
            assert {a.status_code for a in answers} == {200}
            return _connections_by_process(proc.pid, port)

    try:  # in a thread of its own: the suite's browser tests leave a loop running here
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            held = pool.submit(asyncio.run, burst()).result()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    workers = sorted(n for n in held.values() if n)
    assert sum(held.values()) == 20 and len(workers) == 2 and workers[0] >= 2, held


def test_a_port_in_use_is_named_and_nothing_shares_it(ctx, db_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "aidhub", "--database", db_url, "serve",
                               "--port", str(port), "--workers", "2", "--sync-every", "0"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stdout + done.stderr

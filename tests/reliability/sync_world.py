"""A central server and site nodes as real processes on loopback, with a link that can be
cut (issue #10). Used by test_sync_nodes.py and bench/sync.py.

The central server is `aidhub serve` in its own process. Each node is its own SQLite
file; its syncs are `aidhub node sync` processes, which the test may kill at any moment.
Between the nodes and the central server sits :class:`Link`, a TCP relay that can refuse
connections (the link is down) or close a connection after a given number of bytes (the
link drops in the middle of a batch, in either direction).
"""

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Link:
    """A TCP relay to ``port`` that can be taken down or made to drop a connection."""

    def __init__(self, port: int):
        self.target = port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.up = True
        self.cut_after: int | None = None  # bytes; for the next connection only
        self.cuts = 0
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            budget, self.cut_after = self.cut_after, None
            self.connections += 1
            threading.Thread(target=self._relay, args=(client, budget), daemon=True).start()

    def _relay(self, client: socket.socket, budget: int | None) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            client.close()
            return
        left = [budget]
        lock = threading.Lock()

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    with lock:
                        if left[0] is not None:
                            if len(data) >= left[0]:
                                data = data[:left[0]]
                                dst.sendall(data)
                                self.cuts += 1
                                raise ConnectionAbortedError
                            left[0] -= len(data)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()

        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        pump(upstream, client)

    def close(self) -> None:
        self.server.close()


def aidhub(database: str, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aidhub", "--database", database, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, text=True)


class Central:
    """`aidhub serve` on ``url`` in its own process."""

    def __init__(self, url: str):
        self.url = url
        self.port = free_port()
        self.process = aidhub(url, "serve", "--port", str(self.port), "--sync-every", "0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the central server did not start: "
                                   f"{self.process.stderr.read()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the central server did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Node:
    def __init__(self, path: Path, site: str):
        self.path = path
        self.site = site
        self.url = f"sqlite:///{path}"

    def init(self, central: str, token: str) -> subprocess.CompletedProcess:
        p = aidhub(self.url, "node", "init", "--central", central, "--site", self.site,
                   env={"AIDHUB_NODE_TOKEN": token})
        out, err = p.communicate(timeout=300)
        return subprocess.CompletedProcess(p.args, p.returncode, out, err)

    def sync(self, *, kill_after: float | None = None, timeout: float = 300
             ) -> tuple[int | None, str]:
        """Run `aidhub node sync`; kill it after ``kill_after`` seconds if given. Returns
        (exit status, or None when killed; stderr)."""
        p = aidhub(self.url, "node", "sync")
        if kill_after is not None:
            try:
                p.wait(kill_after)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                return None, ""
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            raise
        return p.returncode, err


def jitter(rng: random.Random, low: float, high: float) -> float:
    return low + (high - low) * rng.random()

"""Worker processes for ``aidhub serve --workers N``: each on a listening socket of its own.

Uvicorn's supervisor gives every worker the same listening socket. A worker woken by a
new connection accepts every connection waiting (up to the backlog) in one go, so a burst
of clients (20 keep-alive connections from a load test, the 6 of each browser behind an
office's proxy) lands on whichever worker woke first and stays there: measured here, one
worker served all 20 connections at 0.82 of a core while the other stood idle. Here each
worker listens on its own socket bound to the same port with ``SO_REUSEPORT``, and the
kernel spreads new connections across the sockets. The supervisor keeps every socket open
and listening, so connections that arrive while a worker starts, or is being replaced,
wait for it.
"""

import logging
import socket

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger("uvicorn.error")
BACKLOG = 2048  # uvicorn's default


class PortInUse(OSError):
    pass


def listen(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port`` sharing it (``SO_REUSEPORT``). They are
    made as TCP explicitly: a socket whose protocol number is 0 makes asyncio leave
    Nagle's algorithm on, and every request after the first on a connection waits ~40 ms
    for a delayed ACK (uvicorn issue #3149). PortInUse when anything else holds the port:
    a plain bind is tried first, since sockets that share a port would otherwise share it
    silently with a second aidhub started on it by mistake."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(exc.errno, exc.strerror) from exc
    made: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            made.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if count > 1:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            # listening from now on, so that the kernel shares connections out to every
            # socket at once: one whose worker is still starting queues them meanwhile
            sock.listen(BACKLOG)
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in made:
            sock.close()
        raise PortInUse(exc.errno, exc.strerror) from exc
    return made


class Workers(Multiprocess):
    """Uvicorn's supervisor (restarts a worker that dies or hangs, SIGHUP replaces them
    one by one), with worker ``i`` always on socket ``i``. The number of workers is the
    number of sockets: SIGTTIN and SIGTTOU are ignored."""

    def __init__(self, config: Config, sockets: list[socket.socket]):
        config.workers = len(sockets)
        super().__init__(config, sockets=[])
        self.slots = sockets

    def _start(self, slot: int) -> Process:
        process = Process(self.config, [self.slots[slot]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(slot) for slot in range(len(self.slots))]

    def keep_subprocess_alive(self) -> None:
        for slot, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung or dead
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # would fail the same way again
                log.error(f"Child process [{process.pid}] failed to start, stopping.")
                self.should_exit.set()
                return
            log.info(f"Child process [{process.pid}] died")
            self.processes[slot] = self._start(slot)

    def restart_all(self) -> None:
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(slot)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck,
                                        self.should_exit):
                new.kill()
                new.join()
                log.error(f"Child process [{new.pid}] was not ready in time; keeping "
                          f"[{old.pid}] and stopping the restart.")
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def handle_ttin(self) -> None:
        log.info("SIGTTIN ignored: the number of workers is set by --workers")

    def handle_ttou(self) -> None:
        log.info("SIGTTOU ignored: the number of workers is set by --workers")

"""`fuchi up`: the web server, the workers and the scheduler, kept running by one supervisor.

A process that dies is started again (after a pause that grows while it keeps dying), with a line
saying so, instead of taking the rest down; SIGINT or SIGTERM stops everything it started. This
is what `make run` uses; on servers, an init system or orchestrator plays this part.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("fuchi.supervisor")

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
# A process that ran this long before dying is restarted after the first pause again.
STEADY_AFTER = 60.0
STOP_GRACE = 15.0


@dataclass
class Program:
    name: str
    command: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    def __init__(self, programs: Sequence[Program]) -> None:
        self.programs = list(programs)
        self.stopping = threading.Event()

    def _start(self, program: Program) -> None:
        # A session of its own: Ctrl-C in the terminal reaches the supervisor, which stops each
        # program in turn, rather than every process at once.
        program.process = subprocess.Popen(program.command, start_new_session=True)
        program.started_at = time.monotonic()
        program.restart_at = None

    def _notice_deaths(self, now: float) -> None:
        for program in self.programs:
            if program.process is None or program.restart_at is not None:
                continue
            code = program.process.poll()
            if code is None:
                continue
            if now - program.started_at >= STEADY_AFTER:
                program.pause = FIRST_PAUSE
            log.warning("%s stopped (exit code %s); starting it again in %.0f s", program.name, code, program.pause)
            program.restart_at = now + program.pause
            program.pause = min(program.pause * 2, LONGEST_PAUSE)

    def _restart_due(self, now: float) -> None:
        for program in self.programs:
            if program.restart_at is not None and now >= program.restart_at:
                self._start(program)
                # Counted only once the new process is in place: a reader of `restarts` then sees it.
                program.restarts += 1
                log.warning("%s started again", program.name)

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def _stop_all(self) -> None:
        running = [p for p in self.programs if p.process is not None and p.process.poll() is None]
        for program in running:
            assert program.process is not None
            program.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for program in running:
            assert program.process is not None
            try:
                program.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s; killing it", program.name, STOP_GRACE)
                program.process.kill()
                program.process.wait()

    def run(self, ready: Callable[[], bool] = lambda: True, on_ready: Callable[[], None] = lambda: None) -> None:
        """Start every program and keep them running until `stop()` (or SIGINT/SIGTERM in the main thread)."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self.stop)
        for program in self.programs:
            self._start(program)
        announced = False
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                self._notice_deaths(now)
                self._restart_due(now)
                if not announced and ready():
                    on_ready()
                    announced = True
                self.stopping.wait(0.5)
        finally:
            self._stop_all()


def answers(url: str) -> Callable[[], bool]:
    """Whether `url` gives any HTTP answer (a 503 from /health is an answer: the server is up)."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    return check


def fuchi_programs(port: int, web_workers: int, mail_sink: bool = False) -> list[Program]:
    """What `make run` keeps running: web server, a worker for light jobs alone, a worker for both, scheduler;
    in demo mode (`mail_sink`) also the local SMTP sink that keeps the e-mail sent (operations/mail_sink.py)."""
    bin_dir = sys.executable.rsplit("/", 1)[0]
    fuchi = f"{bin_dir}/fuchi"
    sink = [Program("mail sink", [sys.executable, "-m", "operations.mail_sink"])] if mail_sink else []
    return [
        *sink,
        Program(
            "web",
            [
                f"{bin_dir}/uvicorn",
                "app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(web_workers),
                "--no-access-log",  # the app writes its own, without query strings
            ],
        ),
        Program("worker (light jobs)", [fuchi, "worker", "--queues", "light"]),
        Program("worker", [fuchi, "worker"]),
        Program("scheduler", [fuchi, "scheduler"]),
    ]

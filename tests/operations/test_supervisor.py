"""`fuchi up` (what `make run` runs) starts a dead process again instead of stopping everything."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from core.config import settings
from operations.supervisor import Program, Supervisor
from tests.core.resilience import FUCHI, children_of, free_port

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _wait(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.1)


def test_it_starts_a_killed_program_again_and_stops_all_on_request() -> None:
    programs = [Program("first", SLEEPER), Program("second", SLEEPER)]
    supervisor = Supervisor(programs)
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        _wait(lambda: all(p.process is not None for p in programs), 10, "both started")
        first, second = (p.process.pid for p in programs if p.process is not None)
        os.kill(first, signal.SIGKILL)
        _wait(lambda: programs[0].restarts == 1, 10, "the killed program to start again")
        assert programs[0].process is not None and programs[0].process.pid != first
        assert _alive(second), "the other program was disturbed"
    finally:
        supervisor.stop()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert all(p.process is not None and p.process.poll() is not None for p in programs)


@pytest.mark.usefixtures("personas")
def test_fuchi_up_restarts_a_killed_worker_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    # A file, not a pipe: a pipe nobody reads fills up and blocks every process that logs to it.
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen([FUCHI, "up", "--port", str(port)], env=os.environ.copy(), stdout=log, stderr=log)
    started: list[int] = []
    try:
        _wait(lambda: _answers(port), 60, "the web server")
        _wait(lambda: len(children_of(up.pid)) == 4, 30, "web, two workers and the scheduler")
        started = children_of(up.pid)
        worker = next(pid for pid in started if b"rq" in Path(f"/proc/{pid}/cmdline").read_bytes())
        os.kill(worker, signal.SIGKILL)
        _wait(lambda: worker not in children_of(up.pid) and len(children_of(up.pid)) == 4, 30, "a new worker")
        assert all(_alive(pid) for pid in started if pid != worker), "the rest was stopped with the worker"
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
        log.close()
    output = (tmp_path / "up.log").read_text()
    assert up.returncode == 0, output
    assert "is running at" in output and "starting it again" in output
    assert not any(_alive(pid) for pid in started)
    # Nothing outlives it either: not the killed worker's scheduler, which RQ forks and would orphan.
    assert not _processes_naming(settings.queue_name)


def _processes_naming(word: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if word.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
    return found


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False

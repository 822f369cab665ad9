"""What the resilience tests share: real `fuchi worker` processes, a Redis of their own, a large import."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio

from core.config import ROOT, settings
from enterprises.imports.tables import ImportBatch

FUCHI = str(Path(sys.executable).parent / "fuchi")


def start_worker(*options: str, redis_url: str | None = None) -> subprocess.Popen[bytes]:
    """`fuchi worker` as operators run it, on the tests' database and queues."""
    env = {**os.environ, "REDIS_URL": redis_url or settings.redis_url}
    log = open(os.environ.get("FUCHI_TEST_WORKER_LOG", os.devnull), "ab")  # noqa: SIM115  # the child keeps it
    return subprocess.Popen([FUCHI, "worker", *options], env=env, stdout=log, stderr=log)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    found = children_of(pid)
    return found + [grandchild for child in found for grandchild in descendants_of(child)]


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker and everything it started (its work horse, its scheduler), as an OOM kill would."""
    family = [process.pid, *descendants_of(process.pid)]
    for pid in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker as an operator would (SIGTERM), and leave nothing of it behind."""
    family = descendants_of(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_hard(process)
    for pid in family:  # a scheduler or work horse the worker could not take down with it
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


async def wait_until(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> float:
    """Poll `condition` until it holds; returns how long it took, fails after `seconds`."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds} s: {what}")
        await anyio.sleep(0.1)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A Redis daemon of the test's own (append-only, so it keeps its data across a stop and start)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fuchi-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts/redis"), "start", str(self.dir), str(self.port)], check=True, capture_output=True
        )

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts/redis"), "stop", str(self.dir)], check=False, capture_output=True)


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def enterprises_csv(rows: int) -> bytes:
    """A broker's list of `rows` distinct, valid enterprises in district A, as CSV."""
    lines = ["企业（个体户）名称,乡镇（街道）,负责人,手机"]
    lines += [f"开州测试{n:05d}号加工坊,汉丰街道,周{n:05d},138{n:08d}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def batch_state(batch_id: int) -> dict[str, Any]:
    row = (
        await ImportBatch.select(ImportBatch.state, ImportBatch.processed_rows)
        .where(ImportBatch.id == batch_id)
        .first()
    )
    assert row is not None
    return row

"""Timing: a small closed-loop HTTP load generator, and the statistics of rounds.

The load generator speaks just enough HTTP/1.1 (keep-alive, Content-Length or chunked bodies) to
drive uvicorn with little client overhead: on a 2-core machine the client shares the CPU with the
server, and a heavy client would flatten the difference between a bare route and a real page.
Each worker owns one connection and sends its next request as soon as the previous answer is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    body: bytes = b""  # sent with a Content-Length; give its Content-Type in `headers`

    def request(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: */*"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method != "GET":
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Sample:
    """One timed batch: `requests` requests (or SQL pages) in `seconds`, with each one's latency."""

    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[int] = field(default_factory=Counter)
    body_bytes: int = 0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 400)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 4),
            "throughput": round(self.throughput, 2),
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by linear interpolation (numpy's default), 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


class _Budget:
    """How many requests are left to send, or until when to keep sending (single-threaded: no lock)."""

    def __init__(self, requests: int | None, deadline: float | None) -> None:
        self.left = requests
        self.deadline = deadline

    def take(self) -> bool:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return False
        if self.left is not None:
            if self.left <= 0:
                return False
            self.left -= 1
        return True


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Status, body size and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length: int | None = None
    chunked = False
    keep_alive = True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value
        elif name == "connection":
            keep_alive = value != "close"
    if chunked:
        size_total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, if any
                    pass
                return status, size_total, keep_alive
            await reader.readexactly(size + 2)
            size_total += size
    if length is not None:
        await reader.readexactly(length)
        return status, length, keep_alive
    if status in (204, 304) or 100 <= status < 200:
        return status, 0, keep_alive
    return status, len(await reader.read()), False  # body runs to the end of the connection


async def _connect(target: Target) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(target.host, target.port, limit=1 << 20)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def http_batch(
    target: Target, concurrency: int, requests: int | None = None, seconds: float | None = None
) -> Sample:
    """Send `requests` requests (or as many as fit in `seconds`) from `concurrency` keep-alive connections."""
    request = target.request()
    connections = [await _connect(target) for _ in range(concurrency)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    received = 0
    started = time.perf_counter()
    budget = _Budget(requests, started + seconds if seconds is not None else None)

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        try:
            while budget.take():
                sent = time.perf_counter()
                writer.write(request)
                status, size, keep_alive = await _read_response(reader)
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[status] += 1
                received += size
                if not keep_alive:
                    await _close(writer)
                    reader, writer = await _connect(target)
        finally:
            await _close(writer)

    await asyncio.gather(*(worker(reader, writer) for reader, writer in connections))
    elapsed = time.perf_counter() - started
    return Sample(len(latencies), elapsed, latencies, statuses, received)


def timed_loop(run_once: Callable[[], object], requests: int | None = None, seconds: float | None = None) -> Sample:
    """Call `run_once` in a loop, sequentially, timing each call."""
    latencies: list[float] = []
    started = time.perf_counter()
    budget = _Budget(requests, started + seconds if seconds is not None else None)
    while budget.take():
        t = time.perf_counter()
        run_once()
        latencies.append((time.perf_counter() - t) * 1000)
    return Sample(len(latencies), time.perf_counter() - started, latencies, Counter({200: len(latencies)}))


async def timed_async_loop(
    run_once: Callable[[], Coroutine[Any, Any, object]],
    requests: int | None = None,
    seconds: float | None = None,
) -> Sample:
    latencies: list[float] = []
    started = time.perf_counter()
    budget = _Budget(requests, started + seconds if seconds is not None else None)
    while budget.take():
        t = time.perf_counter()
        await run_once()
        latencies.append((time.perf_counter() - t) * 1000)
    return Sample(len(latencies), time.perf_counter() - started, latencies, Counter({200: len(latencies)}))


def calibrate(rate: float, seconds: float, low: int, high: int) -> int:
    """How many requests make a batch of about `seconds` at `rate` per second, within [low, high]."""
    return max(low, min(high, round(rate * seconds)))

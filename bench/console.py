"""The per-database run's progress lines, printed as they come (the orchestrator's terminal shows them live)."""

from __future__ import annotations


def say(message: str = "") -> None:
    print(message, flush=True)

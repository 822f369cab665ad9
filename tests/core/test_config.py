"""Bad settings stop the process at once with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUCHI = str(Path(sys.executable).parent / "fuchi")


def run_fuchi(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "FUCHI_VAR_DIR": str(tmp_path), **env}
    return subprocess.run([FUCHI, "check"], env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("DATABASE_URL", "mysql://localhost/fuchi"),
        ("REDIS_URL", "http://localhost:6379"),
        ("SECRET_KEY", "short"),
        ("FUCHI_TIMEZONE", "Mars/Olympus"),
        ("FUCHI_LOCALE", "fr"),
        ("FUCHI_IMPORT_MAX_ROWS", "many"),
        ("FUCHI_HEAVY_JOBS_PER_USER", "0"),
        ("FUCHI_ARGON2_MEMORY_KIB", "64MiB"),
    ],
)
def test_it_names_the_bad_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = run_fuchi(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_it_names_database_url_when_the_database_is_unreachable(tmp_path: Path) -> None:
    result = run_fuchi(tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/fuchi")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_reaches_the_test_database(tmp_path: Path) -> None:
    result = run_fuchi(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.pure
def test_it_hashes_passwords_at_rfc_9106s_cost_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from core.config import load_settings

    for name in ("TIME_COST", "MEMORY_KIB", "PARALLELISM"):
        monkeypatch.delenv(f"FUCHI_ARGON2_{name}", raising=False)
    cost = load_settings().password_hashing
    default = PasswordHasher()  # argon2-cffi's default is RFC 9106's "low memory" profile
    assert (cost.time_cost, cost.memory_kib, cost.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert (cost.time_cost, cost.memory_kib) >= (2, 19 * 1024)  # OWASP's minimum

    monkeypatch.setenv("FUCHI_ARGON2_MEMORY_KIB", "19456")
    assert load_settings().password_hashing.memory_kib == 19456

"""The servers under test, each a uvicorn subprocess started the same way, and signing in to them."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from core.config import ROOT
from core.sessions import SESSION_COOKIE

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _uvicorn() -> list[str]:
    script = Path(sys.executable).parent / "uvicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "uvicorn"]


@dataclass
class Server:
    name: str
    app: str
    log_path: Path
    ready_path: str = "/"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            *_uvicorn(), self.app, "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", "1", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self._log = self.log_path.open("wb")
        # A session of its own: Ctrl-C reaches only us, and we stop the server ourselves.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT_SECONDS}s:\n{self.log_tail()}")
            # Wait for the server to die, for a tenth of a second; then ask it again.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def sign_in(base_url: str, username: str, password: str) -> str:
    """Sign in through the login form as a browser would; returns the session cookie's value."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as http:
        form = http.get("/login")
        match = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        if match is None:
            raise RuntimeError(f"no CSRF token on /login (HTTP {form.status_code})")
        answer = http.post(
            "/login",
            data={"_csrf_token": match.group(1), "username": username, "password": password, "next": "/"},
        )
        session = http.cookies.get(SESSION_COOKIE)
        if answer.status_code not in (302, 303) or not session:
            raise RuntimeError(f"sign-in as {username} failed: HTTP {answer.status_code}")
        return session


def api_token(base_url: str, username: str, password: str) -> str:
    answer = httpx.post(base_url + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=30)
    if answer.status_code != 201:
        raise RuntimeError(f"token for {username} refused: HTTP {answer.status_code} {answer.text[:200]}")
    token: str = answer.json()["access_token"]
    return token


def csrf_for(base_url: str, session: str, cookie_name: str, path: str = "/enterprises") -> tuple[str, str]:
    """The CSRF cookie and the form's `_csrf_token` that a signed-in browser would POST from `path`'s form."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as http:
        http.cookies.set(SESSION_COOKIE, session)
        form = http.get(path)
        match = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        cookie = http.cookies.get(cookie_name)
        if form.status_code != 200 or match is None or not cookie:
            raise RuntimeError(
                f"no CSRF token on {path} (HTTP {form.status_code}, cookie {cookie_name}: {bool(cookie)})"
            )
        return cookie, match.group(1)

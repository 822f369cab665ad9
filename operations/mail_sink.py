"""A local SMTP server for `make run` (demo mode): it keeps every mail it receives as an .eml file.

Nothing leaves the machine: the notification e-mail of the demo world lands in
`$FUCHI_VAR_DIR/mailbox/`, and administrators read it at /admin/mailbox.
Run as `python -m operations.mail_sink`; it listens on FUCHI_SMTP_HOST:FUCHI_SMTP_PORT.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from accounts.mail.mailbox import mailbox_dir
from core.config import settings

log = logging.getLogger("fuchi.mail_sink")


class KeepInFolder:
    """An aiosmtpd handler writing each received message to `folder` as `<time>-<random>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        content = envelope.original_content or b""
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(content)
        partial.rename(self.folder / name)  # whole or not at all for the page that lists them
        return "250 Message accepted for delivery"


def start_sink(host: str, port: int, folder: Path) -> Controller:
    """Start a sink in a thread of this process (tests use it too); stop it with `.stop()`."""
    controller = Controller(KeepInFolder(folder), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
    if not settings.demo:
        raise SystemExit("The mail sink runs only in demo mode (FUCHI_DEMO=1).")
    folder = mailbox_dir()
    controller = start_sink(settings.smtp.host, settings.smtp.port, folder)
    log.info("mail sink on %s:%s, keeping mail in %s", settings.smtp.host, settings.smtp.port, folder)
    stop = threading.Event()

    def finish(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()

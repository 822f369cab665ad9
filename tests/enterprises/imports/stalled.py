"""The real dry run as an `rq` job whose timeout counts from the check's start, not the job's.

RQ's timeout counts from the job's start, which takes in importing the app (over a second on a
loaded machine): a short timeout then fires before the check begins, a long one after it ends.
Re-armed here, RQ's own alarm goes off one second into the check, while the file is read.
"""

from __future__ import annotations

import signal

from enterprises.imports.jobs import check_import

JOB_TIMEOUT = 60  # seconds: room for importing the app, however loaded the machine
CHECK_TIMEOUT = 1  # seconds from the check's start: the test's file takes several to read


def check_import_timed_from_its_start(batch_id: int) -> None:
    """`check_import`, with RQ's timeout (a SIGALRM that raises `JobTimeoutException`) re-armed."""
    signal.alarm(CHECK_TIMEOUT)
    check_import(batch_id)

"""The table of long exports: one row per file asked for, built by a background job."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from enterprises.exports.rules import ExportFormat, ExportState


class ExportFile(Table, tablename="enterprises_export"):
    """An export of the enterprise list, too large to answer at once: its request, progress and file."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    requested_by = ForeignKey(references=User, null=False, index=True, help_text="the only one who may download it")
    district = Varchar(length=6, default="", help_text="the requester's district when he asked")
    filters = JSON(default={}, help_text="the list's filters; a phone fragment is dropped once the file is built")
    file_format = Varchar(length=4, choices=ExportFormat, default=ExportFormat.XLSX)
    locale = Varchar(length=10, default="", help_text="the language of the file's headers")
    state = Varchar(length=20, choices=ExportState, default=ExportState.REQUESTED)
    rows_total = Integer(default=0, help_text="enterprises matching when the build started")
    rows_written = Integer(default=0)
    file_name = Varchar(length=64, default="", help_text="random name of the file under var/exports; never shown")
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None, help_text="when the current build began")
    progressed_at = Timestamptz(
        null=True, default=None, help_text="the current build's last progress; a build long silent is taken again"
    )
    finished_at = Timestamptz(null=True, default=None)
    error = Text(default="", help_text="why the build failed, as a message id")

"""Tables of spreadsheet imports: the uploaded batch, and the dry run's verdict on each of its rows."""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from enterprises.imports.rules import ImportState
from enterprises.tables import Enterprise


class ImportBatch(Table, tablename="enterprises_import_batch"):
    """One uploaded spreadsheet: checked in a dry run, then applied when the user confirms."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    uploaded_by = ForeignKey(references=User, null=False, index=True)
    district = Varchar(length=6, default="", help_text="the uploader's district; rows must lie in it")
    filename = Varchar(length=200)
    content = Bytea(help_text="the file as uploaded, deleted once applied")
    state = Varchar(length=20, choices=ImportState, default=ImportState.UPLOADED)
    on_match = Varchar(length=10, default="skip", help_text="skip or update rows matching an enterprise")
    kind = Varchar(length=20, default="enterprises", index=True, help_text="what its rows are: enterprises, experts")
    total_rows = Integer(default=0)
    processed_rows = Integer(default=0)
    error = Text(default="", help_text="why the whole file was refused, if it was")
    summary = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class ImportRow(Table, tablename="enterprises_import_row"):
    """The dry run's verdict on one row of a batch."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    batch = ForeignKey(references=ImportBatch, null=False, index=True)
    row_number = Integer(help_text="as the spreadsheet numbers it, header = 1")
    outcome = Varchar(length=10, help_text="create, match or error")
    enterprise = ForeignKey(references=Enterprise, null=True, help_text="the match, or what was created")
    data = JSON(default={}, help_text="the cleaned row, personal data encrypted")
    errors = JSON(default={}, help_text="column -> message id")

"""What a note may be. Pure: no web, database or queue."""

from __future__ import annotations

from core.errors import Invalid
from core.text import normalise_lines

MAX_NOTE_CHARS = 4000
NOTE_REQUIRED = "Write the note first."
NOTE_TOO_LONG = "A note may be at most 4,000 characters long."


def clean_note(text: str, required: bool = True, field: str = "text") -> str:
    """The note as kept (invisible characters and stray spaces removed), or Invalid naming `field`."""
    note = normalise_lines(text or "")
    if required and not note:
        raise Invalid({field: NOTE_REQUIRED})
    if len(note) > MAX_NOTE_CHARS:
        raise Invalid({field: NOTE_TOO_LONG})
    return note

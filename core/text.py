"""Free text as people type it: full-width forms, invisible characters, stray whitespace. Pure."""

from __future__ import annotations

import unicodedata

# Zero-width characters survive NFKC and arrive with codes copied from web pages;
# invisible, they would make a correct code look malformed.
# NUL is dropped too: PostgreSQL refuses it in text.
_INVISIBLE = dict.fromkeys(map(ord, "\x00\u200b\u200c\u200d\u2060\ufeff"))

# Full-width letters, digits and the ideographic space become ASCII; Chinese punctuation such as
# （）and ，stays as written, because names must match the business licence character for character.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()} | {0x3000: 0x20}


def normalise_text(value: str) -> str:
    """Return free text with full-width letters and digits made ASCII, whitespace runs collapsed, ends stripped."""
    return " ".join(unicodedata.normalize("NFC", value).translate(_FULL_WIDTH).translate(_INVISIBLE).split())


def fold_width(value: str) -> str:
    """NFKC: every full-width form (digits, letters, －／（）) to ASCII, whitespace collapsed; for codes and numbers."""
    return " ".join(unicodedata.normalize("NFKC", value).translate(_INVISIBLE).split())


def normalise_lines(value: str) -> str:
    """Like `normalise_text`, but keeping the line breaks of a longer text."""
    lines = (normalise_text(line) for line in value.replace("\r\n", "\n").split("\n"))
    return "\n".join(lines).strip()


# The escape character of every LIKE pattern we build; `core.text_search` names it in the ESCAPE
# clause, which SQLite needs (it has no default) and PostgreSQL accepts.
LIKE_ESCAPE = "\\"


def like_literal(value: str) -> str:
    """`value` for a LIKE pattern, matching only itself: `%`, `_` and the escape character escaped."""
    return "".join(LIKE_ESCAPE + char if char in "%_\\" else char for char in value)


def contains_pattern(value: str) -> str:
    """A LIKE pattern matching text that contains `value` literally ("50%" finds "50%", not "500")."""
    return f"%{like_literal(value)}%"

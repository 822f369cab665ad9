"""Translation: English message ids, Chinese (zh_CN) by default, read from `locale/*/LC_MESSAGES/*.po`.

Catalogs are read from the .po files at start, so there is no compile step to forget.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from core.config import ROOT, SUPPORTED_LOCALES, settings

LOCALE_DIR = ROOT / "locale"
LOCALE_COOKIE = "fuchi_locale"


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for `locale`; English is the identity.

    Every `*.po` of the locale is read (messages.po, and one per feature where a feature keeps
    its own), so features can be translated side by side; a message id lives in one file only.
    """
    found: dict[str, str] = {}
    path: Path
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        found.update({str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy})
    return found


def gettext(locale: str, message: str, **params: object) -> str:
    """Translate `message` into `locale` and fill in its {named} parameters."""
    text = catalog(locale).get(message, message)
    return text.format(**params) if params else text


def choose_locale(cookie_value: str | None) -> str:
    """The user's chosen locale, else the configured default (Chinese).

    Accept-Language is deliberately not consulted: the bureau's pages are Chinese first,
    whatever the phone's system language.
    """
    if cookie_value in SUPPORTED_LOCALES:
        return cookie_value
    return settings.default_locale


def _moment(value: Any) -> datetime | None:
    """A stored time (a datetime, or its ISO text as kept in JSON snapshots) as an aware datetime.

    A naive one is UTC: that is how the database keeps every timestamp.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as the bureau reads it, in its time zone (Beijing time); text that is no time, as it is."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    return moment.astimezone(settings.display_timezone).strftime(fmt)


def local_date(value: Any) -> str:
    """The day a stored time falls on in the bureau's time zone: 22:38 UTC on 30 November is 1 December.

    A plain date is already a day in Chongqing and is shown as it is.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return local_time(value, "%Y-%m-%d")

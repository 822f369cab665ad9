"""How a case's timeline appears in templates: each event as a translated line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casework.timeline.lines import TOLD, describe, fold_notices, told_line
from core.i18n import gettext
from core.web import TemplateCallable, request_locale


@dataclass(frozen=True)
class ShownLine:
    text: str
    state: str  # the state the case moved to, translated; empty if it did not move
    group: str
    attachment: int | None
    told: str = ""  # who was notified of the event, translated; empty if no one (or not yet)


def _timeline(ctx: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> list[tuple[dict[str, Any], ShownLine]]:
    """The timeline's rows with their lines, notices folded into the events they tell of."""
    locale = request_locale(ctx["request"])

    def translate(message: str) -> str:
        return gettext(locale, message)

    shown = []
    for event in fold_notices(events):
        kind, data = event.get("kind", ""), event.get("data")
        line = describe(kind, event.get("from_state", ""), event.get("to_state", ""), data)
        told = told_line(event[TOLD]).render(translate) if TOLD in event else ""
        state = translate(line.state) if line.state else ""
        shown.append((event, ShownLine(line.render(translate), state, line.group, line.attachment, told)))
    return shown


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {"timeline": _timeline}

"""How a case's timeline appears in templates: each event as a translated line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casework.timeline.lines import describe
from core.i18n import gettext
from core.web import TemplateCallable, request_locale


@dataclass(frozen=True)
class ShownLine:
    text: str
    state: str  # the state the case moved to, translated; empty if it did not move
    group: str
    attachment: int | None


def _timeline_line(ctx: Mapping[str, Any], event: Mapping[str, Any]) -> ShownLine:
    locale = request_locale(ctx["request"])

    def translate(message: str) -> str:
        return gettext(locale, message)

    line = describe(event.get("kind", ""), event.get("from_state", ""), event.get("to_state", ""), event.get("data"))
    return ShownLine(line.render(translate), translate(line.state) if line.state else "", line.group, line.attachment)


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {"timeline_line": _timeline_line}

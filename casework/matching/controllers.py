"""Pages of matching: batch assignment of a district's triaged cases (`/cases/batch-assign`).

The case page's "suggested experts" section is part of the case page (`casework.reading.case_file`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from accounts.guards import current_user
from accounts.policy import Action, Role
from casework.matching.batch import BatchRefused, confirm_batch, review_batch
from core.api import MAX_INT4
from core.districts import DISTRICTS
from core.errors import Invalid
from core.web import page, request_locale

FORM_INVALID = "Please correct the marked fields."


def parse_lines(form: dict[str, str]) -> dict[int, tuple[int | None, int]]:
    """The review form's lines: case id -> (chosen expert or None for "leave unassigned", version shown)."""
    lines: dict[int, tuple[int | None, int]] = {}
    for key, value in form.items():
        if not key.startswith("version-"):
            continue
        case_text, version_text = key.removeprefix("version-"), value.strip()
        expert_text = form.get(f"expert-{case_text}", "").strip()
        numbers = (case_text, version_text, expert_text or "1")
        if not all(text.isdigit() and 0 < int(text) <= MAX_INT4 for text in numbers):
            raise Invalid({"lines": FORM_INVALID})
        lines[int(case_text)] = (int(expert_text) if expert_text else None, int(version_text))
    return lines


class BatchAssignController(Controller):
    include_in_schema = False  # pages, not API
    path = "/cases/batch-assign"

    @get("/", opt={"action": Action.MATCH_EXPERTS})
    async def review(self, request: Request[Any, Any, Any], district: FromQuery[str] = "") -> Template:
        actor = current_user(request).actor
        if actor.role is not Role.DISTRICT_OFFICER and not district:
            # The city reaches every district: it names the one whose backlog it assigns.
            return page(request, "casework/matching/batch_district.html", districts=DISTRICTS, errors={})
        review = await review_batch(actor, district, request_locale(request))
        return page(request, "casework/matching/batch_review.html", review=review, errors={})

    @post("/", opt={"action": Action.MATCH_EXPERTS})
    async def confirm(self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]) -> Template:
        actor, locale = current_user(request).actor, request_locale(request)
        district = data.get("district", "")
        try:
            lines = parse_lines(data)
            results = await confirm_batch(actor, district, lines, locale)
        except BatchRefused as refused:
            chosen = {case_id: expert for case_id, (expert, _version) in lines.items()}
            review = await review_batch(actor, district, locale, chosen=chosen, errors=refused.lines)
            return page(request, "casework/matching/batch_review.html", 400, review=review, errors=refused.errors)
        except Invalid as error:
            review = await review_batch(actor, district, locale)
            return page(request, "casework/matching/batch_review.html", 400, review=review, errors=error.errors)
        return page(request, "casework/matching/batch_result.html", results=results, district=district)

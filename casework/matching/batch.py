"""Batch assignment: a proposed expert for each triaged case of a district, reviewed, edited, confirmed.

`review_batch` asks `experts.batching.propose` for the district's backlog and explains each line;
nothing is written. `confirm_batch` checks the officer's edited lines with `check_proposal` on facts
read afresh (a conflict declared or a desk filled meanwhile refuses the whole batch, with the lines
to change), then performs ASSIGN case by case through `casework.moving.transition_case`, each at the
version shown at review: a case someone changed meanwhile is reported and the others still assigned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from accounts.policy import Action, Actor, Role, may
from casework.access_filter import case_filter
from casework.matching.explained import ExplainedMatch, category_label, explain
from casework.matching.facts import cases_facts, expert_facts, profiles_of
from casework.moving import Details, transition_case
from casework.states import CaseState, Transition
from casework.tables import Case
from core.config import bureau_today, settings
from core.districts import district_name, is_district
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.i18n import gettext
from experts.batching import LineError, check_proposal, propose
from experts.explaining import explain_line_error, explain_unassigned, render
from experts.matching import Ranking, rank

MAX_BACKLOG = 60  # cases in one proposal: a review page an officer can read through; the rest next time
CHOICES = 8  # experts offered in each line's select besides the proposed one
CHOOSE_DISTRICT = "Choose a district."
NOTHING_TO_ASSIGN = "Choose an expert for at least one case."
NOT_IN_BACKLOG = "This case is no longer waiting for assignment in the district."


@dataclass(frozen=True)
class Choice:
    expert_id: int
    label: str


@dataclass(frozen=True)
class ReviewLine:
    """One case of the backlog with its proposed expert (or why none) and the experts it may go to."""

    case_id: int
    version: int
    enterprise_name: str
    proposed: ExplainedMatch | None
    why_unassigned: str
    choices: tuple[Choice, ...]
    chosen: int | None  # the proposed expert, or the officer's choice when the page comes back
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchReview:
    district: str
    district_name: str
    lines: tuple[ReviewLine, ...]
    more: int  # triaged cases beyond MAX_BACKLOG, left for the next batch


@dataclass(frozen=True)
class LineResult:
    case_id: int
    expert_name: str
    offered: bool
    message: str  # why it failed, in the officer's language


def batch_district(actor: Actor, district: str) -> str:
    """The district whose backlog the actor batch-assigns: his own, or the one a city officer chose."""
    if not may(actor, Action.MATCH_EXPERTS):
        raise NotAllowed()
    if actor.role is Role.DISTRICT_OFFICER:
        return actor.district or ""
    if not is_district(district):
        raise Invalid({"district": CHOOSE_DISTRICT})
    return district


async def _backlog(actor: Actor, district: str) -> tuple[list[dict[str, object]], int]:
    """The district's triaged cases within the actor's reach, oldest first, and how many more wait."""
    reach = case_filter(actor)  # None: every case
    where = [Case.state == CaseState.TRIAGED, Case.district == district, *([reach] if reach is not None else [])]
    rows = await (
        Case.select(Case.id, Case.version, Case.enterprise.name.as_alias("enterprise_name"))
        .where(*where)
        .order_by(Case.created_at)
        .order_by(Case.id)
        .limit(MAX_BACKLOG + 1)
    )
    more = 0
    if len(rows) > MAX_BACKLOG:
        more = await Case.count().where(*where) - MAX_BACKLOG
        rows = rows[:MAX_BACKLOG]
    return rows, more


def _choice(match: ExplainedMatch, locale: str) -> Choice:
    score = gettext(locale, "score {score}", score=match.score)
    return Choice(match.expert_id, f"{match.name} · {score}")


async def review_batch(
    actor: Actor,
    district: str,
    locale: str | None = None,
    chosen: dict[int, int | None] | None = None,
    errors: dict[int, tuple[str, ...]] | None = None,
) -> BatchReview:
    """The proposal for the district's backlog, explained; `chosen`/`errors` bring back an edited one."""
    locale = locale or settings.default_locale
    district = batch_district(actor, district)
    rows, more = await _backlog(actor, district)
    facts = await cases_facts([int(str(row["id"])) for row in rows])
    experts = await expert_facts(district)
    today = bureau_today()
    proposal = propose([facts[int(str(row["id"]))] for row in rows], experts, today)
    proposed = {line.case_id: line for line in proposal.lines}
    rankings = {}
    for row in rows:
        case_id = int(str(row["id"]))
        line = proposed[case_id]
        matches = rank(facts[case_id], experts, today, limit=CHOICES).matches
        if line.match is not None and all(m.expert_id != line.expert_id for m in matches):
            matches = (line.match, *matches)
        rankings[case_id] = Ranking(matches=matches, excluded=())
    profiles = await profiles_of(m.expert_id for ranking in rankings.values() for m in ranking.matches)
    lines = []
    for row in rows:
        case_id = int(str(row["id"]))
        line = proposed[case_id]
        explained, _ = explain(rankings[case_id], profiles, locale)
        mine = next((m for m in explained if m.expert_id == line.expert_id), None)
        lines.append(
            ReviewLine(
                case_id=case_id,
                version=int(str(row["version"])),
                enterprise_name=str(row["enterprise_name"]),
                proposed=mine,
                why_unassigned=render([explain_unassigned(line.why)], _translator(locale))[0] if line.why else "",
                choices=tuple(_choice(m, locale) for m in explained),
                chosen=chosen.get(case_id, line.expert_id) if chosen is not None else line.expert_id,
                errors=(errors or {}).get(case_id, ()),
            )
        )
    return BatchReview(district, district_name(district, locale), tuple(lines), more)


def _translator(locale: str) -> Callable[[str], str]:
    return lambda message: gettext(locale, message)


def _line_message(error: LineError, locale: str) -> str:
    phrase = explain_line_error(
        error, district_label=lambda code: district_name(code, locale), category_label=category_label(locale)
    )
    return render([phrase], _translator(locale))[0]


class BatchRefused(Invalid):
    """The edited proposal breaks a rule: the messages per case, for the review page to show again."""

    def __init__(self, lines: dict[int, tuple[str, ...]]) -> None:
        super().__init__({f"case-{case_id}": " ".join(found) for case_id, found in lines.items()})
        self.lines = lines


async def confirm_batch(
    actor: Actor,
    district: str,
    choices: dict[int, tuple[int | None, int]],
    locale: str | None = None,
    today: date | None = None,
) -> list[LineResult]:
    """Assign the chosen expert of each line (case id -> (expert id or None, version shown)).

    `BatchRefused` if a line breaks a rule on today's facts (nothing assigned then); else one result
    per line with an expert, offered or why not.
    """
    locale = locale or settings.default_locale
    district = batch_district(actor, district)
    wanted = {case_id: expert for case_id, (expert, _version) in choices.items() if expert is not None}
    if not wanted:
        raise Invalid({"lines": NOTHING_TO_ASSIGN})
    rows, _more = await _backlog(actor, district)
    backlog = {int(str(row["id"])) for row in rows}
    # A case assigned, held or withdrawn since the review is reported, not a reason to refuse the rest.
    gone = [case_id for case_id in wanted if case_id not in backlog]
    wanted = {case_id: expert for case_id, expert in wanted.items() if case_id in backlog}
    facts = await cases_facts(sorted(wanted))
    experts = await expert_facts(district)
    problems = check_proposal(wanted, list(facts.values()), experts, today or bureau_today())
    if problems:
        raise BatchRefused(
            {case_id: tuple(_line_message(error, locale) for error in found) for case_id, found in problems.items()}
        )
    names = {expert.expert_id: expert.name for expert in experts}
    results = [LineResult(case_id, "", False, gettext(locale, NOT_IN_BACKLOG)) for case_id in gone]
    for case_id, expert_id in wanted.items():
        try:
            await transition_case(
                actor, case_id, Transition.ASSIGN, choices[case_id][1], details=Details(expert=expert_id)
            )
        except (Conflict, Invalid, NotAllowed, NotFound) as error:
            results.append(LineResult(case_id, names.get(expert_id, ""), False, _said(error, locale)))
        else:
            results.append(LineResult(case_id, names.get(expert_id, ""), True, ""))
    return results


def _said(error: Conflict | Invalid | NotAllowed | NotFound, locale: str) -> str:
    if isinstance(error, Invalid) and error.errors:
        return gettext(locale, "; ").join(gettext(locale, message) for message in error.errors.values())
    if isinstance(error, NotFound):
        return gettext(locale, NOT_IN_BACKLOG)
    return gettext(locale, error.message, **error.params)

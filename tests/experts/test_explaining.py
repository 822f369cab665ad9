"""A match's parts and an exclusion's reason in plain words: message ids with parameters, and in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from experts.batching import LineError, LineProblem, Unassigned
from experts.explaining import (
    MESSAGES,
    Phrase,
    explain_exclusion,
    explain_line_error,
    explain_match,
    explain_unassigned,
    render,
)
from experts.matching import CaseFacts, ExcludedExpert, Exclusion, ExpertFacts, Match, rank
from tests.test_translations import catalog, placeholders, untranslated

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 12, 2)
TONGNAN = "500152"
CATEGORIES = {"financing": "融资", "marketing": "市场营销"}
DISTRICTS = {TONGNAN: "潼南区"}

CASE = CaseFacts(case_id=1, categories=frozenset({"financing"}), industry="C", district=TONGNAN, enterprise=70)
EXPERT = ExpertFacts(
    expert_id=10,
    name="王芳",
    lead=frozenset({"financing"}),
    districts=frozenset({TONGNAN}),
    capacity=5,
    load=2,
    record={"financing": (7, 9)},
    accept_days=1.0,
)


def english(msgid: str) -> str:
    return msgid


def chinese(msgid: str) -> str:
    entry = catalog().get(msgid)
    assert entry is not None and entry.string, f"no Chinese for {msgid!r}"
    return str(entry.string)


def category(code: str) -> str:
    return code


def district(code: str) -> str:
    return {TONGNAN: "Tongnan"}.get(code, code)


def the_match(expert: ExpertFacts = EXPERT, case: CaseFacts = CASE) -> Match:
    [match] = rank(case, [expert], TODAY).matches
    return match


def words(match: Match, translate: Callable[[str], str] = english, zh: bool = False) -> list[str]:
    phrases = explain_match(
        match,
        category_label=CATEGORIES.__getitem__ if zh else category,
        district_label=DISTRICTS.__getitem__ if zh else district,
        industry_label=lambda code: {"C": "制造业"}[code] if zh else "Manufacturing",
    )
    return render(phrases, translate)


def test_it_explains_a_match_in_the_words_of_the_issue() -> None:
    assert words(the_match()) == [
        "specialty: financing, lead",
        "serves Tongnan",
        "2 of 5 cases",
        "resolved 7 of 9 financing cases",
        "accepts in 1 working day on average",
    ]


def test_it_explains_a_match_in_chinese() -> None:
    assert "；".join(words(the_match(), chinese, zh=True)) == (
        "专长：融资（主导）；服务潼南区；在办 2/5；融资类已解决 9 件中的 7 件；平均 1 个工作日接单"
    )


def test_it_gives_message_ids_with_parameters_and_labels_for_the_caller_to_translate() -> None:
    case = replace(CASE, categories=frozenset({"financing", "marketing"}))
    expert = replace(
        EXPERT,
        lead=frozenset({"marketing"}),
        supporting=frozenset({"financing"}),
        industries=frozenset({"C"}),
        districts=frozenset(),
        record={},
        accept_days=2.46,
    )

    phrases = explain_match(
        the_match(expert, case),
        category_label=str.upper,
        district_label=str.lower,
        industry_label=lambda code: f"section {code}",
    )

    assert phrases == (
        Phrase("specialty: {categories}, lead", {"categories": ("MARKETING",)}),
        Phrase("specialty: {categories}, supporting", {"categories": ("FINANCING",)}),
        Phrase("knows the trade: {industry}", {"industry": "section C"}),
        Phrase("serves the whole city"),
        Phrase("{load} of {capacity} cases", {"load": 2, "capacity": 5}),
        Phrase("no closed {categories} cases yet", {"categories": ("FINANCING", "MARKETING")}),
        Phrase("accepts in {days} working days on average", {"days": 2.5}),
    )
    assert render(phrases[5:6], english) == ["no closed FINANCING, MARKETING cases yet"]
    assert render(phrases[5:6], chinese) == ["尚无已结的FINANCING、MARKETING类案件"]


def test_it_says_when_a_specialty_or_a_speed_is_missing() -> None:
    # A need of the kind "other" asks for no specialty: the expert is ranked, and told he has none in it.
    expert = replace(EXPERT, lead=frozenset({"legal"}), accept_days=None)

    said = words(the_match(expert, replace(CASE, categories=frozenset({"other"}))))

    assert said[0] == "no specialty in the case's needs"
    assert said[-1] == "no offers answered yet"


@pytest.mark.parametrize(
    ("reason", "facts", "english_text", "chinese_text"),
    [
        (Exclusion.AWAY, {"until": date(2026, 12, 20)}, "excluded: away until 2026-12-20", "排除：外出至 2026-12-20"),
        (Exclusion.FULL, {"load": 5, "capacity": 5}, "excluded: full, 5 of 5 cases", "排除：已满，在办 5/5"),
        (
            Exclusion.OUT_OF_AREA,
            {"district": TONGNAN},
            "excluded: does not serve Tongnan",
            "排除：不服务潼南区",
        ),
        (Exclusion.UNAVAILABLE, {}, "excluded: not taking cases", "排除：暂不接单"),
        (
            Exclusion.PASSED_OVER,
            {},
            "excluded: already declined, let lapse or handed back this case",
            "排除：曾拒绝、超时未答或退回本案",
        ),
        (
            Exclusion.CONFLICT,
            {"with": "enterprise"},
            "excluded: conflict of interest with the enterprise",
            "排除：与该企业存在利益冲突",
        ),
        (
            Exclusion.CONFLICT,
            {"with": "founder"},
            "excluded: conflict of interest with a founder",
            "排除：与创办人存在利益冲突",
        ),
        (Exclusion.CONFLICT, {}, "excluded: declared conflict of interest", "排除：已申报利益冲突"),
    ],
)
def test_it_explains_an_exclusion(
    reason: Exclusion, facts: dict[str, object], english_text: str, chinese_text: str
) -> None:
    excluded = ExcludedExpert(10, "王芳", reason, facts)

    assert render([explain_exclusion(excluded, district_label=district)], english) == [english_text]
    assert render([explain_exclusion(excluded, district_label=DISTRICTS.__getitem__)], chinese) == [chinese_text]


def test_it_explains_every_exclusion_rank_gives() -> None:
    away = replace(EXPERT, away_until=date(2026, 12, 20))

    [excluded] = rank(CASE, [away], TODAY).excluded

    assert render([explain_exclusion(excluded, district_label=district)], english) == [
        "excluded: away until 2026-12-20"
    ]


def test_it_names_the_needs_an_excluded_expert_does_not_know() -> None:
    lawyer = replace(EXPERT, lead=frozenset({"legal"}))

    [excluded] = rank(CASE, [lawyer], TODAY).excluded

    assert excluded.reason is Exclusion.NO_SPECIALTY
    assert render([explain_exclusion(excluded, district_label=district, category_label=category)], english) == [
        "excluded: knows none of this case's needs (financing)"
    ]
    chinese_label = CATEGORIES.__getitem__
    assert render([explain_exclusion(excluded, district_label=district, category_label=chinese_label)], chinese) == [
        "排除：不熟悉本案需求（融资）"
    ]


def test_it_explains_a_proposal_line() -> None:
    over = LineError(LineProblem.OVER_CAPACITY, {"name": "王芳", "proposed": 3, "remaining": 1})
    excluded = LineError(LineProblem.EXCLUDED, excluded=ExcludedExpert(10, "王芳", Exclusion.UNAVAILABLE, {}))

    assert render([explain_line_error(over, district_label=district)], chinese) == [
        "王芳将分得其中 3 件，但只能再接 1 件。"
    ]
    assert render([explain_line_error(excluded, district_label=district)], english) == ["excluded: not taking cases"]
    assert render([explain_unassigned(Unassigned.TAKEN)], chinese) == ["可承接本案的专家在分配其他案件后已无余量。"]
    assert render([explain_unassigned(Unassigned.NO_MATCH)], english) == ["No expert may take this case."]


def test_every_message_id_has_its_chinese_with_the_same_placeholders() -> None:
    assert not untranslated(set(MESSAGES))
    for msgid in MESSAGES:
        assert placeholders(msgid) == placeholders(chinese(msgid)), msgid


def test_it_says_an_expert_accepts_the_same_day_rather_than_in_0_days() -> None:
    said = words(the_match(replace(EXPERT, accept_days=0.04)))

    assert said[-1] == "accepts on the day of the offer on average"
    assert words(the_match(replace(EXPERT, accept_days=0.0)), chinese, zh=True)[-1] == "平均当天接单"

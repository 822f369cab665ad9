"""The pure duplicate rules: how alike two names are, and why a record may be the one being typed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from enterprises.duplicates.matching import (
    SIMILAR_NAME_THRESHOLD,
    Candidate,
    Probe,
    Reason,
    distinctive_part,
    name_key,
    name_similarity,
    place_names,
    rank,
    town_key,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

KAIZHOU = "500154"
YONGCHUAN = "500118"
HANFENG = place_names(KAIZHOU, "汉丰街道")


def test_it_imports_no_framework() -> None:
    source = Path(__file__).resolve().parents[3] / "enterprises" / "duplicates" / "matching.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {m for m in modules if m.split(".")[0] in ("litestar", "piccolo", "rq", "redis", "jinja2")}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("开州区春华柑橘家庭农场", "春华柑橘"),
        ("重庆市开州区春华农业开发有限公司", "春华农业开发"),
        ("重庆开州汉丰街道春华柑橘", "春华柑橘"),
        ("汉丰春华柑橘专业合作社", "春华柑橘"),
        ("春华·柑橘（家庭农场）", "春华柑橘"),
        ("春华 柑橘 家庭农场", "春华柑橘"),
        ("ＡＢＣ五金店", "abc五金"),
        ("春华农业开发有限责任公司", "春华农业开发"),
        ("家庭农场", "家庭农场"),  # nothing distinctive left: the name is kept whole
        ("开州区", "开州区"),  # a name that is only a place name stays
    ],
)
def test_it_reduces_a_name_to_its_distinctive_part(name: str, expected: str) -> None:
    assert distinctive_part(name, HANFENG) == expected


def test_it_does_not_cut_a_one_character_district_short_name() -> None:
    # 忠县 is short for nothing: 忠诚五金 must keep its 忠.
    assert name_key("忠诚五金", place_names("500233", "忠州街道")) == "忠诚五金"


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        # the example: the same farm, named at more length
        ("开州区春华柑橘家庭农场", "春华柑橘种植家庭农场", True),
        # one character in four mistyped or a homophone
        ("春华柑橘家庭农场", "春花柑橘家庭农场", True),
        # a word added in the middle
        ("王家老屋农家乐", "王家农家乐", True),
        # same business, different legal-form words
        ("重庆市开州区春华农业开发有限公司", "春华农业开发有限责任公司", True),
        ("春华柑橘家庭农场", "春华柑橘专业合作社", True),
        # the accepted false alarm: one character in four differs (see SIMILAR_NAME_THRESHOLD)
        ("李记面馆", "张记面馆", True),
        # the example of two enterprises: half the distinctive part differs
        ("春华柑橘家庭农场", "秋实柑橘家庭农场", False),
        ("春华柑橘", "春华脐橙", False),
        ("鑫源建材店", "鑫源物流有限公司", False),
        # three characters with one differing fall below: too short to tell a typo from a neighbour
        ("春华园", "春花园", False),
        ("张三家庭农场", "李四家庭农场", False),
        ("", "春华柑橘", False),
    ],
)
def test_it_tells_similar_names_from_different_ones(a: str, b: str, similar: bool) -> None:
    score = name_similarity(a, b, HANFENG)

    assert (score >= SIMILAR_NAME_THRESHOLD) is similar, score
    assert name_similarity(b, a, HANFENG) == pytest.approx(score)


def test_it_scores_contained_names_high_and_equal_names_one() -> None:
    assert name_similarity("春华柑橘", "春华柑橘种植园", ()) >= 0.9
    assert name_similarity("开州区春华柑橘", "春华柑橘家庭农场", HANFENG) == 1.0


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("汉丰街道", "汉丰", True),
        ("汉丰 街道", "汉丰街道办事处", True),
        ("新乡镇", "新乡", True),  # 乡 is not cut when only one character would remain
        ("汉丰街道", "文峰街道", False),
    ],
)
def test_it_compares_towns_as_typed(a: str, b: str, same: bool) -> None:
    assert (town_key(a) == town_key(b)) is same


def farm(enterprise_id: int = 1, **overrides: str) -> Candidate:
    values = {
        "name": "开州区春华柑橘家庭农场",
        "district": KAIZHOU,
        "town": "汉丰街道",
        "credit_code": "",
        "founder_phone": "13983451234",
        "founder_id_digest": "digest-of-id",
    }
    return Candidate(enterprise_id=enterprise_id, **(values | overrides))


@pytest.mark.parametrize(
    ("probe", "reasons"),
    [
        (Probe(credit_code="92500234MA5YX2KQ3D"), []),
        (Probe(founder_phone="13983451234"), [Reason.SAME_FOUNDER_PHONE]),
        (Probe(founder_id_digest="digest-of-id"), [Reason.SAME_FOUNDER_ID]),
        (Probe(name="春华柑橘家庭农场", district=KAIZHOU, town="汉丰"), [Reason.SAME_NAME_SAME_TOWN]),
        (Probe(name="春华柑橘种植家庭农场", district=KAIZHOU, town="汉丰街道"), [Reason.SIMILAR_NAME_SAME_TOWN]),
        # the same name in another town, or another district's town of that name, is not a reason
        (Probe(name="春华柑橘家庭农场", district=KAIZHOU, town="文峰街道"), []),
        (Probe(name="春华柑橘家庭农场", district=YONGCHUAN, town="汉丰街道"), []),
        (Probe(name="春华柑橘家庭农场", district=KAIZHOU, town=""), []),
        (Probe(name="秋实柑橘家庭农场", district=KAIZHOU, town="汉丰街道"), []),
        (
            Probe(name="春华柑橘家庭农场", district=KAIZHOU, town="汉丰街道", founder_phone="13983451234"),
            [Reason.SAME_NAME_SAME_TOWN, Reason.SAME_FOUNDER_PHONE],
        ),
        # empty identifiers never match each other
        (Probe(founder_phone="", founder_id_digest="", credit_code=""), []),
    ],
)
def test_it_gives_the_reasons_a_record_may_be_the_one_typed(probe: Probe, reasons: list[Reason]) -> None:
    assert rank(probe, [farm()]) == ([(farm(), reasons)] if reasons else [])


def test_it_matches_the_same_credit_code_anywhere() -> None:
    code = "92500234MA5YX2KQ3D"
    elsewhere = farm(district=YONGCHUAN, town="胜利路街道", credit_code=code)

    assert rank(Probe(credit_code=code), [elsewhere]) == [(elsewhere, [Reason.SAME_CREDIT_CODE])]


def test_it_does_not_call_a_similar_name_with_another_credit_code_a_duplicate() -> None:
    neighbour = farm(name="春华柑橘种植家庭农场", credit_code="92500234MA5YX2KQ3D")
    probe = Probe(name="春华柑橘家庭农场", district=KAIZHOU, town="汉丰街道", credit_code="92500234MA5YX2KQ4E")
    identical = farm(name="春华柑橘家庭农场", credit_code="92500234MA5YX2KQ3D")

    assert rank(probe, [neighbour]) == []
    # the very same name still warns: one of the two codes is probably mistyped
    assert rank(probe, [identical]) == [(identical, [Reason.SAME_NAME_SAME_TOWN])]


def test_it_leaves_out_the_record_itself() -> None:
    assert rank(Probe(founder_phone="13983451234", enterprise_id=1), [farm(1), farm(2)]) == [
        (farm(2), [Reason.SAME_FOUNDER_PHONE])
    ]


def test_it_ranks_the_strongest_reason_first_then_most_reasons_then_oldest() -> None:
    code = "92500234MA5YX2KQ3D"
    by_phone = farm(1, name="另一家店", town="文峰街道")
    by_code = farm(2, name="另一家公司", town="文峰街道", founder_phone="", credit_code=code)
    by_name_and_phone = farm(3)
    by_name = farm(4, founder_phone="")
    similar = farm(5, name="春华柑橘种植家庭农场", founder_phone="")
    probe = Probe(
        name="春华柑橘家庭农场", district=KAIZHOU, town="汉丰街道", credit_code=code, founder_phone="13983451234"
    )

    ranked = rank(probe, [similar, by_name, by_phone, by_name_and_phone, by_code])

    assert [candidate.enterprise_id for candidate, _ in ranked] == [2, 3, 4, 1, 5]


def test_it_labels_every_reason_with_a_message_id() -> None:
    assert all(reason.label and reason.label[0].isupper() for reason in Reason)
    assert [reason.strength for reason in Reason] == sorted(reason.strength for reason in Reason)

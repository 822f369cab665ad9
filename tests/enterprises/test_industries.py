"""Industries as people write them: the GB/T 4754-2017 table, the resolver, and the three doors storing both codes."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from core.errors import Invalid
from core.i18n import gettext
from enterprises.classification import INDUSTRY_SECTIONS
from enterprises.imports.template import INDUSTRY_SHEET, template_workbook
from enterprises.imports.values import industry_letter
from enterprises.industries import READ_AS, UNKNOWN_INDUSTRY, How, resolve_industry
from enterprises.industry_table import DIVISIONS, SECTION_RANGES, SECTIONS, SHORT_FORMS, STANDARD_TERMS
from enterprises.intake import FieldWarning, clean_enterprise
from enterprises.tables import Enterprise
from tests.conftest import DISTRICT_A, Client, Personas
from tests.enterprises.test_three_doors import DOORS

TODAY = date(2026, 12, 2)
GOOD = {
    "name": "春华酒坊",
    "district": DISTRICT_A,
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "13800001111",
}
pure = pytest.mark.pure


# --- the table against the standard ---------------------------------------------------------------------------


@pure
def test_it_holds_the_standards_twenty_sections_and_ninety_seven_divisions() -> None:
    assert list(SECTIONS) == list(INDUSTRY_SECTIONS) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert list(DIVISIONS) == [f"{n:02d}" for n in range(1, 98)]
    assert list(SECTION_RANGES) == list(SECTIONS)


@pure
@pytest.mark.parametrize("code", list(DIVISIONS))
def test_it_puts_each_division_in_its_section(code: str) -> None:
    section, name = DIVISIONS[code]
    low, high = SECTION_RANGES[section]
    assert low <= int(code) <= high and name


@pure
@pytest.mark.parametrize("term", STANDARD_TERMS, ids=lambda t: t.word)
def test_it_keeps_groups_and_classes_under_the_division_their_code_starts_with(term: Any) -> None:
    assert len(term.code) in (3, 4) and term.code[:2] == term.division and DIVISIONS[term.division][0] == term.section


# --- reading -------------------------------------------------------------------------------------------------


@pure
@pytest.mark.parametrize("letter", list(SECTIONS))
def test_it_reads_every_section_by_letter_and_name(letter: str) -> None:
    for written in (letter, letter.lower(), chr(ord(letter) + 0xFEE0)):  # full-width Ａ too
        read = resolve_industry(written)
        assert read is not None and (read.section, read.how, read.warning) == (letter, How.LETTER, "")
    by_name = resolve_industry(SECTIONS[letter])
    assert by_name is not None and by_name.section == letter and by_name.how == How.EXACT and not by_name.warning


@pure
@pytest.mark.parametrize("code", list(DIVISIONS))
def test_it_reads_every_division_by_code_and_name(code: str) -> None:
    section, name = DIVISIONS[code]
    for written, how in ((code, How.DIVISION_CODE), (name, How.EXACT), (f"{section}{code}", How.LETTER)):
        read = resolve_industry(written)
        assert read is not None and (read.section, read.division, read.how) == (section, code, how), written
        assert read.name == name and not read.warning


@pure
@pytest.mark.parametrize("code", list(DIVISIONS))
def test_it_reads_a_division_name_written_loosely_without_a_warning(code: str) -> None:
    section, name = DIVISIONS[code]
    bare = name.removesuffix("业")
    loose = [" ".join(name), name.replace("、", "，")] + ([bare] if len(bare) >= 2 else [])  # 农 alone is too little
    for written in loose:
        read = resolve_industry(written)
        assert read is not None and (read.section, read.division) == (section, code), written
        assert read.how in (How.EXACT, How.NORMALISED) and not read.warning


@pure
@pytest.mark.parametrize(
    ("written", "section", "division", "how"),
    [
        # The examples: division names, group and class names, a section, a division taken for a section.
        ("酒、饮料和精制茶制造业", "C", "15", How.EXACT),
        ("纺织服装、服饰业", "C", "18", How.EXACT),
        ("住宿业", "H", "61", How.EXACT),
        ("零售业", "F", "52", How.EXACT),
        ("竹、藤、棕、草等制品制造", "C", "20", How.EXACT),
        ("柑橘类种植", "A", "01", How.EXACT),
        ("制造业", "C", "", How.EXACT),
        ("畜牧业", "A", "03", How.EXACT),
        ("房地产业", "K", "70", How.EXACT),  # a section with one division: the division
        # Normalised: full width, spaces, punctuation, 和, a trailing 业/制造/服务.
        ("酒、饮料和精制茶制造", "C", "15", How.NORMALISED),
        ("竹藤棕草等制品制造业", "C", "20", How.NORMALISED),
        ("批发零售业", "F", "", How.NORMALISED),
        ("农林牧渔业", "A", "", How.NORMALISED),
        ("住宿 餐饮", "H", "", How.NORMALISED),
        ("餐饮", "H", "62", How.NORMALISED),
        ("民宿", "H", "61", How.NORMALISED),  # 民宿服务, class 6130
        ("快递", "G", "60", How.NORMALISED),  # 快递服务, group 602
        ("建筑", "E", "", How.NORMALISED),
        ("C 13 农副食品加工业", "C", "13", How.LETTER),
        ("A 农、林、牧、渔业", "A", "", How.LETTER),
        ("１５", "C", "15", How.DIVISION_CODE),
        # Short forms: read with a warning.
        ("电商", "F", "52", How.SHORT_FORM),  # 5292 互联网零售
        ("电子商务", "F", "52", How.SHORT_FORM),
        ("农家乐", "H", "62", How.SHORT_FORM),  # mainly meals: 餐饮业
        ("养殖", "A", "", How.SHORT_FORM),  # livestock or fish: the section only
        ("种植", "A", "01", How.SHORT_FORM),
        ("物流", "G", "", How.SHORT_FORM),
        ("加工", "C", "", How.SHORT_FORM),
        ("家政", "O", "80", How.SHORT_FORM),
        ("交通运输业", "G", "", How.SHORT_FORM),
    ],
)
def test_it_reads_industries_as_ledgers_write_them(written: str, section: str, division: str, how: str) -> None:
    read = resolve_industry(written)

    assert read is not None and (read.section, read.division, read.how) == (section, division, how)
    assert bool(read.warning) == (how in (How.SHORT_FORM, How.FUZZY))


@pure
@pytest.mark.parametrize("term", SHORT_FORMS, ids=lambda t: t.word)
def test_it_reads_every_short_form_as_the_table_says(term: Any) -> None:
    read = resolve_industry(term.word)
    assert read is not None and (read.section, read.division) == (term.section, term.division)
    if read.how == How.SHORT_FORM:
        code = term.division or term.section
        assert read.warning == READ_AS and read.warning_params == {"given": term.word, "name": read.name, "code": code}


@pure
@pytest.mark.parametrize("term", STANDARD_TERMS, ids=lambda t: t.word)
def test_it_reads_every_group_and_class_kept_as_its_division_without_a_warning(term: Any) -> None:
    read = resolve_industry(term.word)
    assert read is not None and (read.section, read.division, read.how, read.warning) == (
        term.section,
        term.division,
        How.EXACT,
        "",
    )


@pure
@pytest.mark.parametrize(
    ("written", "division", "name"),
    [
        ("纺织服装业", "18", "纺织服装、服饰业"),  # ratio 83
        ("农副产品加工业", "13", "农副食品加工业"),  # ratio 86
        ("柑橘种植", "01", "农业"),  # 柑橘类种植 without 类
        ("酒饮料精致茶制造业", "15", "酒、饮料和精制茶制造业"),  # 精致 for 精制
    ],
)
def test_it_accepts_a_near_miss_with_a_warning_naming_what_it_read(written: str, division: str, name: str) -> None:
    read = resolve_industry(written)

    assert read is not None and (read.division, read.how, read.name) == (division, How.FUZZY, name)
    assert gettext("zh_CN", read.warning, **read.warning_params) == f"已将“{written}”识别为 {name}（{division}）"


@pure
@pytest.mark.parametrize(
    "written",
    [
        "测试",
        "abc",
        "123",
        "",
        "  ",
        "Z",
        "U",
        "98",
        "00",
        "12345",
        "服务",
        "其他",
        "!!",
        "信息",
        "ABC公司",
        "火星采矿",
    ],
)
def test_it_refuses_what_names_no_industry(written: str) -> None:
    assert resolve_industry(written) is None


@pure
@pytest.mark.parametrize(("written", "letter"), [("科学研究", "M"), ("农业", "A"), ("电商", "F"), ("c", "C")])
def test_it_gives_an_experts_trades_as_section_letters(written: str, letter: str) -> None:
    assert industry_letter(written) == letter


# --- the intake rules -------------------------------------------------------------------------------------------


@pure
def test_it_stores_the_section_and_division_and_warns_of_a_short_form() -> None:
    draft = clean_enterprise({**GOOD, "industry": "电商"}, None, TODAY)

    assert (draft.industry, draft.industry_division) == ("F", "52")
    assert draft.warnings == (FieldWarning("industry", READ_AS, {"given": "电商", "name": "零售业", "code": "52"}),)


@pure
def test_it_refuses_an_unknown_industry_and_says_where_the_list_is() -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({**GOOD, "industry": "测试"}, None, TODAY)

    assert caught.value.errors["industry"] == UNKNOWN_INDUSTRY
    assert "行业代码" in gettext("zh_CN", UNKNOWN_INDUSTRY)


@pure
def test_it_lists_sections_and_divisions_on_the_templates_reference_sheet() -> None:
    sheet = load_workbook(io.BytesIO(template_workbook()))[INDUSTRY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))

    assert [(row[0], row[2]) for row in rows if row[0] in SECTIONS and row[1] is None] == list(SECTIONS.items())
    assert {row[1]: row[2] for row in rows if row[0] is None and row[1]} == {c: n for c, (_, n) in DIVISIONS.items()}
    assert ("电商", "52 零售业", "常见简称") in rows


# --- the three doors --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_it_tells_an_api_client_what_an_industry_was_read_as(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    response = await client.http.post("/api/v1/enterprises", json={**GOOD, "industry": "电商"}, headers=token)
    assert response.status_code == 201, response.text
    assert [w["message_id"] for w in response.json()["warnings"] if w["field"] == "industry"] == [READ_AS]


@pytest.mark.anyio
@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize(("written", "stored"), [("酒、饮料和精制茶制造业", ("C", "15")), ("电商", ("F", "52"))])
async def test_it_stores_an_industry_name_alike_through_every_door(
    client: Client, personas: Personas, door: str, written: str, stored: tuple[str, str]
) -> None:
    await DOORS[door](client, {**GOOD, "industry": written})

    row = await Enterprise.select(Enterprise.industry, Enterprise.industry_division).first()
    assert row is not None and (row["industry"], row["industry_division"]) == stored


@pytest.mark.anyio
async def test_it_shows_section_and_division_on_the_page_and_in_the_api(client: Client, personas: Personas) -> None:
    await DOORS["form"](client, {**GOOD, "industry": "15"})
    row = await Enterprise.select(Enterprise.id).first()
    assert row is not None

    page = await client.http.get(f"/enterprises/{row['id']}")
    token = await client.api_token("alice")
    detail = (await client.http.get(f"/api/v1/enterprises/{row['id']}", headers=token)).json()

    assert "制造业" in page.text and "15 酒、饮料和精制茶制造业" in page.text
    assert (detail["industry"], detail["industry_division"]) == ("C", "15")
    assert (detail["industry_section_name"], detail["industry_division_name"]) == ("制造业", "酒、饮料和精制茶制造业")


@pytest.mark.anyio
async def test_it_keeps_the_division_when_other_fields_change(client: Client, personas: Personas) -> None:
    await DOORS["form"](client, {**GOOD, "industry": "15"})
    row = await Enterprise.select(Enterprise.id, Enterprise.version).first()
    assert row is not None
    token = await client.api_token("alice")

    changed = await client.http.patch(
        f"/api/v1/enterprises/{row['id']}",
        json={"changes": {"main_products": "白酒"}, "version": row["version"]},
        headers=token,
    )
    edit_form = await client.http.get(f"/enterprises/{row['id']}/edit")

    assert changed.status_code == 200, changed.text
    assert changed.json()["industry_division"] == "15"
    assert '<option value="15" selected>' in edit_form.text

"""Exports and the change history show labels (家庭农场, 开州区, 制造业, 正常经营), never internal codes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from core.i18n import LOCALE_COOKIE
from enterprises import exporting
from enterprises.history import value_label
from enterprises.identifiers import complete_resident_id
from tests.conftest import Client, Personas

pytestmark = pytest.mark.anyio

API = "/api/v1/enterprises"
ROW = {
    "id": 7,
    "name": "开州区春华柑橘家庭农场",
    "credit_code": "",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "industry": "C",
    "status": "operating",
    "founder_name": "周春华",
}
CODES = ("family_farm", "500154", "operating")


class Chinese:
    """A translator as the export service makes one, for the Chinese catalog (read straight from the .po)."""

    locale = "zh_CN"

    def __call__(self, message: str) -> str:
        return {"Family farm": "家庭农场", "Operating": "正常经营", "Enterprises": "企业", "Male": "男"}.get(
            message, message
        )


def _english(message: str) -> str:
    return message


@pytest.mark.pure
def test_it_writes_labels_not_codes_in_a_chinese_csv() -> None:
    text = exporting.to_csv([ROW], Chinese()).decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text)))[1]
    assert {"家庭农场", "开州区", "制造业", "正常经营"} <= set(cells)
    assert not set(CODES) & set(cells)
    assert "C" not in cells


@pytest.mark.pure
def test_it_writes_labels_not_codes_in_a_chinese_xlsx() -> None:
    sheet = load_workbook(io.BytesIO(exporting.to_xlsx([ROW], Chinese()))).worksheets[0]
    cells = [cell.value for cell in list(sheet.iter_rows())[1]]
    assert {"家庭农场", "开州区", "制造业", "正常经营"} <= set(cells)
    assert not set(CODES) & set(cells)


@pytest.mark.pure
def test_it_writes_english_labels_in_an_english_export() -> None:
    text = exporting.to_csv([ROW], _english).decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text)))[1]
    assert {"Family farm", "Kaizhou District", "Manufacturing", "Operating"} <= set(cells)


@pytest.mark.pure
def test_it_tells_the_locale_of_a_translator_without_one() -> None:
    assert exporting.export_locale(lambda message: {"Enterprises": "企业"}.get(message, message)) == "zh_CN"
    assert exporting.export_locale(_english) == "en"


@pytest.mark.pure
@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("legal_form", "family_farm", "家庭农场"),
        ("district", "500154", "开州区"),
        ("industry", "C", "制造业"),
        ("status", "operating", "正常经营"),
        ("founder_gender", "male", "男"),
        ("annual_revenue", "448000.00", "¥448,000.00"),
        ("legal_form", "something_older", "something_older"),  # a code no longer known, as it was
        ("town", "汉丰街道", "汉丰街道"),
        ("park", None, "—"),
        ("park", "", "—"),
        ("employees", 12, "12"),
    ],
)
def test_it_shows_a_history_value_in_words(field: str, value: Any, shown: str) -> None:
    assert value_label(field, value, Chinese(), "zh_CN") == shown


FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "company",
    "district": "500154",
    "town": "汉丰街道",
    "village": "东街社区",
    "industry": "A",
    "founder_name": "周春华",
    "founder_phone": "139-8345-1234",
    "founder_id_number": complete_resident_id("50015419850312123"),
    "employees": "12",
    "annual_revenue": "860000",
}


async def _registered_and_changed(client: Client) -> tuple[int, dict[str, str]]:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", FORM)
    assert response.status_code == 302, response.text
    enterprise_id = int(response.headers["location"].split("/")[2].split("?")[0])
    token = await client.api_token("alice")
    version = (await client.http.get(f"{API}/{enterprise_id}", headers=token)).json()["version"]
    changed = await client.http.patch(
        f"{API}/{enterprise_id}",
        json={
            "changes": {"legal_form": "family_farm", "industry": "C", "annual_revenue": "448000"},
            "version": version,
        },
        headers=token,
    )
    assert changed.status_code == 200, changed.text
    return enterprise_id, token


async def test_it_names_changed_fields_and_values_in_words_on_the_enterprise_page(
    client: Client, personas: Personas
) -> None:
    enterprise_id, _ = await _registered_and_changed(client)
    page = (await client.http.get(f"/enterprises/{enterprise_id}")).text
    history = page[page.index('<ol class="timeline">') :]
    assert "主体类型：" in history or "主体类型:" in history
    assert "公司 → 家庭农场" in history
    assert "农、林、牧、渔业 → 制造业" in history
    assert "¥860,000.00 → ¥448,000.00" in history
    for code in ("family_farm", "company", " C<", "legal_form"):
        assert code not in history


async def test_it_keeps_raw_values_in_the_api_history_and_adds_labels(client: Client, personas: Personas) -> None:
    enterprise_id, token = await _registered_and_changed(client)
    changes = (await client.http.get(f"{API}/{enterprise_id}/history", headers=token)).json()
    updated = next(change for change in changes if change["kind"] == "updated")
    assert updated["changes"]["legal_form"] == ["company", "family_farm"]
    assert updated["labels"]["legal_form"]["before"] == "公司"
    assert updated["labels"]["legal_form"]["after"] == "家庭农场"
    assert updated["labels"]["industry"]["before"] == "农、林、牧、渔业"
    assert updated["labels"]["industry"]["after"] == "制造业"
    assert updated["labels"]["legal_form"]["field"] == "主体类型"
    client.http.cookies.set(LOCALE_COOKIE, "en")  # what /lang/en sets; the API reads the same cookie
    english = (await client.http.get(f"{API}/{enterprise_id}/history", headers=token)).json()
    assert next(c for c in english if c["kind"] == "updated")["labels"]["legal_form"]["after"] == "Family farm"


async def test_it_exports_labels_from_the_list(client: Client, personas: Personas) -> None:
    await _registered_and_changed(client)
    response = await client.post_form("/enterprises/export", {"format": "csv"}, csrf_from="/enterprises")
    assert response.status_code == 200, response.text
    cells = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1]
    assert {"家庭农场", "开州区", "制造业"} <= set(cells)
    assert not {"family_farm", "500154", "C"} & set(cells)

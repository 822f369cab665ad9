"""A query parameter a page cannot use (page=abc): said in the user's language, the site's menu kept."""

from __future__ import annotations

import pytest

from core.i18n import LOCALE_COOKIE
from tests.conftest import Client, Personas

pytestmark = pytest.mark.anyio

BAD_PAGES = ["/cases/queue?page=x", "/experts?page=abc", "/admin/audit?page=1.5"]


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("path", BAD_PAGES)
async def test_it_explains_a_page_number_that_is_no_number_in_chinese(
    client: Client, personas: Personas, path: str
) -> None:
    await client.login("adam")
    response = await client.http.get(path)
    assert response.status_code == 400
    main = _main(response.text)
    assert "请求无效" in main
    assert "页码：请输入整数。" in main
    for english in ("Validation failed", "Expected", "`int`", "got `str`"):
        assert english not in response.text


async def test_it_explains_it_in_english_to_who_chose_english(client: Client, personas: Personas) -> None:
    await client.login("adam")
    await client.http.get("/lang/en")
    response = await client.http.get("/cases/queue?page=x")
    assert response.status_code == 400
    assert "Page number: Enter a whole number." in _main(response.text)


async def test_it_keeps_the_signed_in_users_menu_on_the_error_page(client: Client, personas: Personas) -> None:
    await client.login("carl")
    response = await client.http.get("/cases/queue?page=x")
    assert response.status_code == 400
    header = response.text[: response.text.index("<main")]
    assert 'href="/cases/queue"' in header and 'href="/enterprises"' in header
    assert "Carl" in header and 'action="/logout"' in header


async def test_it_keeps_the_menu_on_a_page_not_found_at_an_unknown_address(client: Client, personas: Personas) -> None:
    await client.login("carl")
    response = await client.http.get("/no/such/page?page=x")
    assert response.status_code == 404
    header = response.text[: response.text.index("<main")]
    assert 'href="/enterprises"' in header and "Carl" in header
    assert "您访问的内容不存在" in _main(response.text)


async def test_it_shows_no_menu_to_a_visitor_who_is_not_signed_in(client: Client, personas: Personas) -> None:
    response = await client.http.get("/no/such/page")
    assert response.status_code == 404
    assert 'href="/enterprises"' not in response.text


async def test_it_answers_the_api_with_a_problem_in_the_callers_language(client: Client, personas: Personas) -> None:
    token = await client.api_token("carl")
    response = await client.http.get("/api/v1/enterprises?page=abc", headers=token)
    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 400 and body["detail"] == "请求无效。"
    assert body["errors"] == {"page": "页码：请输入整数。"}
    below = await client.http.get("/api/v1/enterprises?per_page=-1", headers=token)
    assert below.status_code == 400
    assert "Expected" not in below.text and "请输入不小于" in below.json()["errors"]["per_page"]
    client.http.cookies.set(LOCALE_COOKIE, "en")  # what /lang/en sets; the API reads the same cookie
    english = await client.http.get("/api/v1/enterprises?page=abc", headers=token)
    assert english.json()["errors"] == {"page": "Page number: Enter a whole number."}

"""Attaching files to a case from its page and through the API: checked by content, kept privately, served safely."""

from __future__ import annotations

import stat
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from casework.attachments.controllers import MAX_REQUEST_BYTES
from casework.attachments.storage import attachment_dir, stored_path
from casework.tables import Attachment, CaseEvent
from core.config import ROOT, settings
from tests.casework.timeline.conftest import Filed, upload
from tests.casework.timeline.samples import EXE, HTML, JPEG, PDF, PNG

pytestmark = pytest.mark.anyio

LIMIT = settings.limits.attachment_max_bytes


def padded(content: bytes, size: int) -> bytes:
    """A file of exactly `size` bytes that starts as `content` does."""
    return content + b"\x00" * (size - len(content))


async def test_it_attaches_a_photo_from_the_case_page_and_keeps_it_privately(filed: Filed, sign_in: Callable) -> None:
    alice = await sign_in("alice")

    response = await upload(alice, filed.case_id, "冷库现场.png", PNG, "photo", "冷库地基已完工。", "image/png")

    assert response.status_code == 302, response.text
    assert response.headers["location"] == f"/cases/{filed.case_id}#attachments"
    row = await Attachment.select().where(Attachment.case == filed.case_id).first()
    assert row["content_type"] == "image/png" and row["size"] == len(PNG) and row["purpose"] == "photo"
    assert row["original_name"] == "冷库现场.png" and row["note"] == "冷库地基已完工。"
    assert row["stored_name"] != row["original_name"] and row["stored_name"].endswith(".png")
    path = stored_path(row["stored_name"])
    assert path.read_bytes() == PNG
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(attachment_dir().stat().st_mode) == 0o700
    assert not path.resolve().is_relative_to(ROOT / "static")  # nothing the web server serves by itself
    page = (await alice.http.get(f"/cases/{filed.case_id}")).text
    assert f'href="/cases/{filed.case_id}/attachments/{row["id"]}"' in page
    assert "上传了附件 冷库现场.png（现场或产品照片）" in page
    assert "冷库地基已完工。" in page


async def test_it_keeps_a_pdf_named_jpg_as_a_pdf_and_serves_it_as_one(filed: Filed, client: Any) -> None:
    alice = await client.api_token("alice")

    created = await client.http.post(
        f"/api/v1/cases/{filed.case_id}/attachments",
        files={"file": ("营业执照.jpg", PDF, "image/jpeg")},
        data={"purpose": "document", "note": "营业执照扫描件"},
        headers=alice,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["content_type"] == "application/pdf" and body["original_name"] == "营业执照.jpg"
    stored = await Attachment.select(Attachment.stored_name).where(Attachment.id == body["id"]).first()
    assert stored["stored_name"].endswith(".pdf")
    served = await client.http.get(body["url"], headers=alice)
    assert served.status_code == 200
    assert served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == (
        f"attachment; filename=\"attachment-{body['id']}.pdf\"; filename*=UTF-8''{quote('营业执照.pdf')}"
    )
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "private, no-store"


async def test_it_serves_an_image_inline_from_the_page_with_the_same_protections(
    filed: Filed, sign_in: Callable
) -> None:
    olga = await sign_in("olga")
    assert (await upload(olga, filed.case_id, "IMG_0042.JPG", JPEG, "photo")).status_code == 302
    attachment = await Attachment.select(Attachment.id).first()

    served = await olga.http.get(f"/cases/{filed.case_id}/attachments/{attachment['id']}")

    assert served.status_code == 200 and served.content == JPEG
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-disposition"].startswith('inline; filename="IMG_0042.jpg"')
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize(
    ("filename", "content"),
    [("setup.jpg", EXE), ("报告.png", HTML), ("photo.jpg", b"")],
    ids=["program-named-jpg", "web-page-named-png", "empty"],
)
async def test_it_refuses_a_file_lying_about_its_type_and_keeps_the_rest_of_the_form(
    filed: Filed, sign_in: Callable, filename: str, content: bytes
) -> None:
    alice = await sign_in("alice")
    events = await CaseEvent.count()
    files_on_disk = len(list(attachment_dir().iterdir()))

    response = await upload(alice, filed.case_id, filename, content, "photo", "走访时拍的照片", "image/jpeg")

    assert response.status_code == 400
    assert ("只能上传 JPEG 或 PNG 照片以及 PDF 文档。" if content else "文件是空的。") in response.text
    assert ">走访时拍的照片</textarea>" in response.text
    assert '<option value="photo" selected>' in response.text
    assert await Attachment.count() == 0 and await CaseEvent.count() == events
    assert len(list(attachment_dir().iterdir())) == files_on_disk


async def test_it_asks_for_a_file_when_none_was_chosen(filed: Filed, sign_in: Callable) -> None:
    alice = await sign_in("alice")

    response = await upload(alice, filed.case_id, None, b"", "document", "忘了选文件")

    assert response.status_code == 400
    assert "请选择要上传的文件。" in response.text
    assert ">忘了选文件</textarea>" in response.text


async def test_it_refuses_a_file_over_the_limit_with_the_limit_and_keeps_the_note(
    filed: Filed, sign_in: Callable
) -> None:
    alice = await sign_in("alice")

    response = await upload(alice, filed.case_id, "大照片.jpg", padded(JPEG, LIMIT + 1), "photo", "原图太大")

    assert response.status_code == 400
    assert "附件不能超过 10 MB。" in response.text
    assert ">原图太大</textarea>" in response.text
    assert await Attachment.count() == 0


async def test_it_accepts_a_file_of_exactly_the_limit(filed: Filed, client: Any) -> None:
    alice = await client.api_token("alice")

    created = await client.http.post(
        f"/api/v1/cases/{filed.case_id}/attachments",
        files={"file": ("scan.pdf", padded(PDF, LIMIT), "application/pdf")},
        headers=alice,
    )

    assert created.status_code == 201, created.text
    assert created.json()["size"] == LIMIT


async def test_it_answers_a_request_far_over_the_limit_with_413_and_the_same_message(
    filed: Filed, sign_in: Callable, client: Any
) -> None:
    huge = padded(JPEG, MAX_REQUEST_BYTES + 1)
    alice_page = await sign_in("alice")

    page = await upload(alice_page, filed.case_id, "huge.jpg", huge, "photo", "太大了")
    token = await client.api_token("alice")
    api = await client.http.post(
        f"/api/v1/cases/{filed.case_id}/attachments", files={"file": ("huge.jpg", huge, "image/jpeg")}, headers=token
    )

    assert page.status_code == 413
    assert "附件不能超过 10 MB。" in page.text and f'href="/cases/{filed.case_id}#attachments"' in page.text
    assert api.status_code == 413
    assert api.json()["detail"].startswith("附件不能超过 10 MB。")
    assert api.json()["errors"] == {"file": "文件过大。"}
    assert await Attachment.count() == 0


async def test_it_refuses_through_the_api_with_the_reason_in_chinese(filed: Filed, client: Any) -> None:
    alice = await client.api_token("alice")
    url = f"/api/v1/cases/{filed.case_id}/attachments"

    html = await client.http.post(url, files={"file": ("报告.png", HTML, "image/png")}, headers=alice)
    long_note = await client.http.post(
        url, files={"file": ("a.png", PNG, "image/png")}, data={"note": "字" * 4001}, headers=alice
    )

    assert html.status_code == 422 and html.json()["errors"] == {"file": "只能上传 JPEG 或 PNG 照片以及 PDF 文档。"}
    assert long_note.status_code == 422 and long_note.json()["errors"] == {"note": "备注最多 4000 字。"}
    assert await Attachment.count() == 0


async def test_it_lists_the_files_of_a_case_newest_first(filed: Filed, client: Any) -> None:
    alice = await client.api_token("alice")
    url = f"/api/v1/cases/{filed.case_id}/attachments"
    for name, content in (("first.png", PNG), ("second.pdf", PDF)):
        response = await client.http.post(
            url, files={"file": (name, content, "")}, data={"purpose": "document"}, headers=alice
        )
        assert response.status_code == 201, response.text

    listed = (await client.http.get(url, headers=alice)).json()

    assert [(a["original_name"], a["content_type"], a["uploaded_by_name"]) for a in listed] == [
        ("second.pdf", "application/pdf", "Alice"),
        ("first.png", "image/png", "Alice"),
    ]
    assert all(a["url"] == f"{url}/{a['id']}" for a in listed)


async def test_it_documents_the_files_notes_and_their_refusals_in_the_openapi_schema(client: Any) -> None:
    paths = (await client.http.get("/schema/openapi.json")).json()["paths"]

    served = paths["/api/v1/cases/{case_id}/attachments/{attachment_id}"]["get"]["responses"]["200"]["content"]
    upload_operation = paths["/api/v1/cases/{case_id}/attachments"]["post"]
    form = upload_operation["requestBody"]["content"]["multipart/form-data"]
    assert set(served) == {"image/jpeg", "image/png", "application/pdf"}
    assert all(body["schema"] == {"type": "string", "format": "binary"} for body in served.values())
    assert {"201", "404", "413", "422"} <= set(upload_operation["responses"])
    assert form["schema"]["$ref"].endswith("/AttachmentUpload")
    assert "get" in paths["/api/v1/cases/{case_id}/attachments"]
    assert "post" in paths["/api/v1/cases/{case_id}/notes"]

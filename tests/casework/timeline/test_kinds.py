"""A file is what its bytes say; it is handed back under a safe name; a note has a length."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from casework.attachments.delivery import download_name, file_headers
from casework.attachments.kinds import (
    CHOOSE_PURPOSE,
    EMPTY,
    TOO_LARGE,
    WRONG_TYPE,
    FileTooLarge,
    Purpose,
    megabytes,
    sniff,
    upload_purpose,
)
from casework.notes.rules import MAX_NOTE_CHARS, NOTE_REQUIRED, NOTE_TOO_LONG, clean_note
from core.errors import Invalid
from tests.casework.timeline.samples import EXE, GIF, HTML, JPEG, PDF, PNG, SVG, ZIP

pytestmark = pytest.mark.pure

LIMIT = 10 * 1024 * 1024


# The name never enters: only the content decides.
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (JPEG, ("image/jpeg", "jpg")),
        (PNG, ("image/png", "png")),
        (PDF, ("application/pdf", "pdf")),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ("application/pdf", "pdf")),
    ],
    ids=["jpeg", "png", "pdf", "pdf-1.7"],
)
def test_it_tells_a_kept_type_by_its_first_bytes(content: bytes, expected: tuple[str, str]) -> None:
    assert sniff(content, LIMIT) == expected


@pytest.mark.parametrize(
    "content",
    [EXE, HTML, SVG, GIF, ZIP, b"\xef\xbb\xbf%PDF-1.4", b" %PDF-1.4", b"\x89PNG\r\n", b"\xff\xd8", b"just text"],
    ids=["exe", "html", "svg", "gif", "zip-docx", "bom-pdf", "space-pdf", "truncated-png", "truncated-jpeg", "text"],
)
def test_it_refuses_every_other_content(content: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        sniff(content, LIMIT)

    assert refused.value.errors == {"file": WRONG_TYPE}


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(Invalid) as refused:
        sniff(b"", LIMIT)

    assert refused.value.errors == {"file": EMPTY}


def test_it_refuses_a_file_one_byte_over_the_limit_and_names_the_limit() -> None:
    assert sniff(PNG + b"\x00" * (100 - len(PNG)), 100) == ("image/png", "png")
    with pytest.raises(FileTooLarge) as refused:
        sniff(PNG + b"\x00" * (101 - len(PNG)), 100)

    assert refused.value.errors == {"file": TOO_LARGE}
    assert FileTooLarge(LIMIT).params == {"mb": "10"}


@pytest.mark.parametrize(("size", "shown"), [(10 * 1024 * 1024, "10"), (2_621_440, "2.5"), (1024 * 1024, "1")])
def test_it_shows_a_limit_in_megabytes(size: int, shown: str) -> None:
    assert megabytes(size) == shown


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("营业执照.jpg", "application/pdf", "营业执照.pdf"),  # a PDF named .jpg is saved as a PDF
        ("photo.JPG", "image/jpeg", "photo.jpg"),
        ("现场.照片.png", "image/png", "现场.照片.png"),
        ('a"b;c\r\nContent-Type: text/html.pdf', "application/pdf", "abcContent-Type text/html.pdf".replace("/", "")),
        ("../../etc/passwd", "application/pdf", "attachment-7.pdf"),
        ("", "image/png", "attachment-7.png"),
        ("...", "image/png", "attachment-7.png"),
        ("%2e%2e.pdf", "application/pdf", "2e2e.pdf"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 100 + ".pdf"),
    ],
)
def test_it_offers_a_safe_name_with_the_true_extension(original: str, content_type: str, expected: str) -> None:
    assert download_name(original, content_type, 7) == expected


def test_it_serves_a_pdf_as_a_download_and_an_image_inline_never_sniffed_nor_cached() -> None:
    pdf = file_headers("application/pdf", "扶持 申请.jpg", 3)
    png = file_headers("image/png", "site photo.png", 4)

    assert (
        pdf["Content-Disposition"]
        == "attachment; filename=\"attachment-3.pdf\"; filename*=UTF-8''%E6%89%B6%E6%8C%81%20%E7%94%B3%E8%AF%B7.pdf"
    )
    assert unquote(pdf["Content-Disposition"].split("''", 1)[1]) == "扶持 申请.pdf"
    assert png["Content-Disposition"] == "inline; filename=\"site photo.png\"; filename*=UTF-8''site%20photo.png"
    for headers in (pdf, png):
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "private, no-store"
        assert "sandbox" in headers["Content-Security-Policy"]


def test_it_keeps_header_syntax_out_of_the_disposition_whatever_the_name() -> None:
    disposition = file_headers("application/pdf", 'evil";\r\nSet-Cookie: x=1;.pdf', 9)["Content-Disposition"]

    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2 and disposition.count(";") == 2


@pytest.mark.parametrize(
    ("given", "expected"), [("", Purpose.DOCUMENT), ("document", Purpose.DOCUMENT), (" photo ", Purpose.PHOTO)]
)
def test_it_lets_users_choose_a_document_or_a_photo(given: str, expected: Purpose) -> None:
    assert upload_purpose(given) is expected


@pytest.mark.parametrize("given", ["signature", "evidence", "exe", "PHOTO"])
def test_it_keeps_the_purposes_features_set_from_users(given: str) -> None:
    with pytest.raises(Invalid) as refused:
        upload_purpose(given)

    assert refused.value.errors == {"purpose": CHOOSE_PURPOSE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  走访了企业，冷库已开工。 ", "走访了企业，冷库已开工。"),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("a\x00b\u200b", "ab"),
        ("字" * MAX_NOTE_CHARS, "字" * MAX_NOTE_CHARS),
    ],
)
def test_it_keeps_a_note_as_written_less_invisible_characters(text: str, expected: str) -> None:
    assert clean_note(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", NOTE_REQUIRED),
        (" \n\t\u3000", NOTE_REQUIRED),
        ("\u200b", NOTE_REQUIRED),
        ("字" * (MAX_NOTE_CHARS + 1), NOTE_TOO_LONG),
    ],
    ids=["empty", "blank", "invisible", "too-long"],
)
def test_it_refuses_an_empty_or_overlong_note(text: str, error: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_note(text)

    assert refused.value.errors == {"text": error}


def test_it_lets_a_file_go_without_a_note_but_not_with_an_overlong_one() -> None:
    assert clean_note("", required=False, field="note") == ""
    with pytest.raises(Invalid) as refused:
        clean_note("字" * (MAX_NOTE_CHARS + 1), required=False, field="note")

    assert refused.value.errors == {"note": NOTE_TOO_LONG}

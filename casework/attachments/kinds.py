"""What a file is, from its first bytes (its name and the browser's claimed type are not trusted), and what for.

Pure: no web, database or queue.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import Invalid

# Signatures of the only types a case accepts (a photo or scan, or a PDF document). A file is what
# its bytes say: a PDF named .jpg is a PDF; a program or a web page named .png is refused.
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
EXTENSIONS = {content_type: extension for _magic, content_type, extension in _MAGIC}

EMPTY = "The file is empty."
TOO_LARGE = "The file is too large."
WRONG_TYPE = "Only JPEG or PNG photos and PDF documents can be attached."
CHOOSE_FILE = "Choose a file to attach."


class Purpose(StrEnum):
    """What a file is kept for; users choose the first two, features set the others."""

    DOCUMENT = "document"
    PHOTO = "photo"
    EVIDENCE = "evidence"
    SIGNATURE = "signature"

    @property
    def label(self) -> str:
        return _PURPOSE_LABELS[self]


# Lower case: the label is read inside a timeline line ("Attached x.pdf (document or scan)").
_PURPOSE_LABELS = {
    Purpose.DOCUMENT: "document or scan",
    Purpose.PHOTO: "site or product photo",
    Purpose.EVIDENCE: "evidence of a measure",
    Purpose.SIGNATURE: "founder's signature",
}
UPLOAD_PURPOSES = (Purpose.DOCUMENT, Purpose.PHOTO)
CHOOSE_PURPOSE = "Choose what the file is."


class FileTooLarge(Invalid):
    """A file over the size limit; the message names the limit."""

    message = "Files of up to {mb} MB can be attached. Choose a smaller file or a photo of lower resolution."

    def __init__(self, max_bytes: int) -> None:
        super().__init__({"file": TOO_LARGE})
        self.params = {"mb": megabytes(max_bytes)}


def megabytes(size: int) -> str:
    """A size in MB as people read it: 10, 2.5."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def sniff(data: bytes, max_bytes: int) -> tuple[str, str]:
    """The content type and file extension of `data`, or Invalid saying why it is refused."""
    if not data:
        raise Invalid({"file": EMPTY})
    if len(data) > max_bytes:
        raise FileTooLarge(max_bytes)
    for magic, content_type, extension in _MAGIC:
        if data.startswith(magic):
            return content_type, extension
    raise Invalid({"file": WRONG_TYPE})


def upload_purpose(value: str) -> Purpose:
    """The purpose a user chose for a file (a document when he chose none), or Invalid."""
    value = (value or "").strip() or Purpose.DOCUMENT
    if value not in UPLOAD_PURPOSES:
        raise Invalid({"purpose": CHOOSE_PURPOSE})
    return Purpose(value)

"""What a file is, from its first bytes: the name and the browser's claimed type are not trusted.

Pure: no web, database or queue.
"""

from __future__ import annotations

from core.errors import Invalid

# Signatures of the only types a case accepts (a photo or scan, or a PDF document).
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def sniff(data: bytes, max_bytes: int) -> tuple[str, str]:
    """The content type and file extension of `data`, or Invalid saying why it is refused."""
    if not data:
        raise Invalid({"file": "The file is empty."})
    if len(data) > max_bytes:
        raise Invalid({"file": "The file is too large."})
    for magic, content_type, extension in _MAGIC:
        if data.startswith(magic):
            return content_type, extension
    raise Invalid({"file": "Only JPEG or PNG photos and PDF documents can be attached."})

"""How a kept file is handed back to a browser: the headers that make it safe to open.

Pure: no web, database or queue. The type comes from the row (checked from the content when it
was kept); the name offered for saving is the user's, cleaned, with the extension of the true type.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from casework.attachments.kinds import EXTENSIONS

# Characters no file system or header should get from a user's file name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]')
_PLAIN = re.compile(r"[A-Za-z0-9._ -]+")


def download_name(original_name: str, content_type: str, attachment_id: int) -> str:
    """The name to save the file under: the user's, without unsafe characters, ending in its real extension."""
    extension = EXTENSIONS.get(content_type, "bin")
    stem = original_name.rsplit(".", 1)[0] if "." in original_name else original_name
    stem = "".join(ch for ch in _UNSAFE.sub("", stem) if ch.isprintable()).strip(" .")[:100]
    return f"{stem or f'attachment-{attachment_id}'}.{extension}"


def file_headers(content_type: str, original_name: str, attachment_id: int) -> dict[str, str]:
    """Headers of a file response: how to open it, never sniff it, never keep it in a shared cache."""
    name = download_name(original_name, content_type, attachment_id)
    # Images open in the browser; a PDF is saved, so that no viewer runs its scripts in our origin.
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    plain = name if _PLAIN.fullmatch(name) else f"attachment-{attachment_id}.{EXTENSIONS.get(content_type, 'bin')}"
    return {
        "Content-Disposition": f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }

"""Pages of a case's files: attaching one from the case page, and opening one."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from casework.attachments.delivery import file_headers
from casework.attachments.files import AttachmentFile, add_attachment, attachment_file
from casework.attachments.kinds import FileTooLarge
from core.api import RowId
from core.config import settings
from core.errors import Invalid
from core.i18n import gettext
from core.web import is_api, page, request_locale

# Our limit refuses a file with a message and the rest of the form kept; a request up to this much
# larger still reaches it (multipart framing, the note). Only a far larger one meets the framework's
# limit, answered by `too_large` below with the same message.
REQUEST_MARGIN = 2 * 1024 * 1024
MAX_REQUEST_BYTES = settings.limits.attachment_max_bytes + REQUEST_MARGIN


async def read_upload(value: Any) -> tuple[str | None, bytes]:
    """The uploaded file's name and content; no name when no file came (the page and the API both upload this way)."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None, b""
    try:
        # At most one byte past the limit: enough to know the file is too large.
        return value.filename, await value.read(settings.limits.attachment_max_bytes + 1)
    finally:
        await value.close()  # a large upload was spooled to a temporary file: remove it now


def too_large(request: Request[Any, Any, Any], _error: RequestEntityTooLarge) -> Response[Any]:
    """The answer to a request over the framework's limit: our message (its note could not be read)."""
    error = FileTooLarge(settings.limits.attachment_max_bytes)
    locale = request_locale(request)
    message = gettext(locale, error.message, **error.params)
    if is_api(request):
        body = {"status_code": 413, "detail": message, "errors": {"file": gettext(locale, error.errors["file"])}}
        return Response(body, status_code=413, media_type=MediaType.JSON)
    return page(
        request, "casework/attachment_too_large.html", 413, message=message, case_id=request.path_params.get("case_id")
    )


def file_response(found: AttachmentFile) -> Response[bytes]:
    return Response(
        found.content,
        media_type=found.content_type,
        headers=file_headers(found.content_type, found.original_name, found.id),
    )


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


class AttachmentController(Controller):
    include_in_schema = False  # pages, not API
    path = "/cases/{case_id:int}/attachments"

    @post(
        "/",
        opt={"action": Action.WORK_ON_CASE},
        request_max_body_size=MAX_REQUEST_BYTES,
        exception_handlers={RequestEntityTooLarge: too_large},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        case_id: RowId,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        actor = current_user(request).actor
        filename, content = await read_upload(data.get("file"))
        purpose, note = _text(data, "purpose"), _text(data, "note")
        try:
            await add_attachment(actor, case_id, filename, content, purpose, note)
        except Invalid as error:
            # The case page again, the purpose and note kept as given and each mistake beside its field.
            file = await services.case_file(actor, case_id)
            return page(
                request,
                "casework/detail.html",
                400,
                **file,
                filed=False,
                errors={},
                attachment_errors=error.errors,
                attachment_message=error.message,
                attachment_params=error.params,
                attachment_values={"purpose": purpose, "note": note},
            )
        return Redirect(f"/cases/{case_id}#attachments")

    @get("/{attachment_id:int}", opt={"action": Action.VIEW_CASES})
    async def download(self, request: Request[Any, Any, Any], case_id: RowId, attachment_id: RowId) -> Response[bytes]:
        return file_response(await attachment_file(current_user(request).actor, case_id, attachment_id))

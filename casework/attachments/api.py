"""JSON API of a case's files (`/api/v1/cases/{case_id}/attachments`) and its schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import Body

from accounts.guards import current_user
from accounts.policy import Action
from casework.attachments.controllers import MAX_REQUEST_BYTES, file_response, read_upload, too_large
from casework.attachments.files import add_attachment, attachment_file, list_attachments
from casework.attachments.kinds import EXTENSIONS
from casework.attachments.service import case_attachment
from core.api import API_V1, BEARER, RowId, error_responses

ERRORS = error_responses(401, 403, 404, 422)


class UploadPurpose(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass
class AttachmentUpload:
    file: UploadFile
    purpose: UploadPurpose = UploadPurpose.DOCUMENT
    note: str = ""


@dataclass
class CaseAttachment:
    id: int
    original_name: str
    content_type: str
    size: int
    purpose: str
    note: str
    uploaded_by_name: str | None
    created_at: datetime
    url: str


@dataclass
class FileOperation(Operation):
    """The file's 200 is one of the types a case keeps, as binary; Litestar would document one media type."""

    def __post_init__(self) -> None:
        binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        if self.responses is not None:
            self.responses["200"] = OpenAPIResponse(
                description="The file, with the type found in its content when it was attached",
                content={content_type: OpenAPIMediaType(schema=binary) for content_type in EXTENSIONS},
            )


def _attachment(case_id: int, row: dict[str, Any]) -> CaseAttachment:
    return CaseAttachment(
        id=row["id"],
        original_name=row["original_name"],
        content_type=row["content_type"],
        size=row["size"],
        purpose=row["purpose"],
        note=row["note"],
        uploaded_by_name=row["uploaded_by_name"],
        created_at=row["created_at"],
        url=f"{API_V1}/cases/{case_id}/attachments/{row['id']}",
    )


class CaseAttachmentApi(Controller):
    path = f"{API_V1}/cases/{{case_id:int}}/attachments"
    tags = ["cases"]
    security = BEARER

    @get("/", opt={"action": Action.VIEW_CASES}, summary="The case's files, newest first", responses=ERRORS)
    async def list_attachments(self, request: Request[Any, Any, Any], case_id: RowId) -> list[CaseAttachment]:
        rows = await list_attachments(current_user(request).actor, case_id)
        return [_attachment(case_id, row) for row in rows]

    @post(
        "/",
        opt={"action": Action.WORK_ON_CASE},
        status_code=201,
        summary="Attach a file to the case (multipart): a JPEG or PNG photo or a PDF, told by its content",
        responses=error_responses(401, 403, 404, 413, 422),
        request_max_body_size=MAX_REQUEST_BYTES,
        exception_handlers={RequestEntityTooLarge: too_large},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        case_id: RowId,
        data: Annotated[AttachmentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> CaseAttachment:
        """The file's type is found from its content, not its name: a PDF named .jpg is kept as a PDF, anything
        other than JPEG, PNG or PDF is refused (422), as is a file over the size limit (422, or 413 for a
        request far larger). `purpose`: `document` or `photo`; `note`: up to 4,000 characters."""
        actor = current_user(request).actor
        filename, content = await read_upload(data.file)
        attachment_id = await add_attachment(actor, case_id, filename, content, data.purpose, data.note)
        row = await case_attachment(case_id, attachment_id)  # the case's reach was checked in adding
        assert row is not None  # just added
        return _attachment(case_id, row)

    @get(
        "/{attachment_id:int}",
        opt={"action": Action.VIEW_CASES},
        summary="One file of the case, as it was attached",
        responses=ERRORS,
        operation_class=FileOperation,
    )
    async def download(self, request: Request[Any, Any, Any], case_id: RowId, attachment_id: RowId) -> Response[bytes]:
        return file_response(await attachment_file(current_user(request).actor, case_id, attachment_id))

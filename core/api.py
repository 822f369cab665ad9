"""Shapes shared by the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any, Generic, TypeVar

from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter

from core.pagination import Page

T = TypeVar("T")

API_V1 = "/api/v1"
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]

# Ids and versions are 4-byte integers on PostgreSQL (`serial`, `integer`); a larger number in a
# request is refused with a 400 rather than crashing the database driver.
MAX_INT4 = 2**31 - 1
RowId = Annotated[int, PathParameter(ge=1, le=MAX_INT4)]


@dataclass
class Paginated(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


def paginated(page: Page[Any], items: list[T]) -> Paginated[T]:
    return Paginated(items=items, page=page.number, per_page=page.request.per_page, total=page.total)


@dataclass
class ErrorBody:
    status_code: int
    detail: str
    errors: dict[str, str] | None = None


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """The OpenAPI `responses` of a route's error statuses, each shaped as `ErrorBody` (see core.web)."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=HTTPStatus(code).phrase, generate_examples=False)
        for code in codes
    }

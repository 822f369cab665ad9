"""Shapes shared by the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.pagination import Page

T = TypeVar("T")

API_V1 = "/api/v1"
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


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

"""Pages of long lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from core.errors import NotFound

T = TypeVar("T")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# No list is this long; a page number past it would make an OFFSET the database cannot hold.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    max_per_page: int = MAX_PER_PAGE

    def __post_init__(self) -> None:
        if self.page > MAX_PAGE:
            raise NotFound()  # ?page=99999999999999999999: no such page (404), not a database error
        object.__setattr__(self, "page", max(1, self.page))
        object.__setattr__(self, "per_page", min(self.max_per_page, max(1, self.per_page)))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    request: PageRequest
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    @property
    def number(self) -> int:
        return self.request.page

    @property
    def has_previous(self) -> bool:
        return self.request.page > 1

    @property
    def has_next(self) -> bool:
        return self.request.page < self.pages

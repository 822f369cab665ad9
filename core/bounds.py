"""Integers from a request kept within what the database can hold: a 404 or 400, never a 500.

Ids are 4-byte integers on PostgreSQL (`serial`) and 8-byte on SQLite; a larger number handed to
the driver crashes it ("value out of int32 range", "Python int too large to convert to SQLite
INTEGER"). Three places stop it, each for every route at once:

- every `{name:int}` path parameter: Litestar's int parser is replaced by `path_int`, so
  `/enterprises/99999999999999999999` and `/api/v1/cases/-1` are "not found" before any handler
  runs (installed when this module is imported, which `app.py` does before building the app);
- page numbers: `core.pagination.PageRequest` refuses a page past `MAX_PAGE`;
- a last net, `EXCEPTION_HANDLERS`: a number out of the database's range that still reaches a
  driver (a query or body field without a bound) answers 400, not 500.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import DataError, NumericValueOutOfRangeError
from litestar import Request, Response
from litestar.routes import base as litestar_routes
from litestar.types import ExceptionHandlersMap

from core.errors import DomainError
from core.web import handle_domain_error, handle_unexpected

log = logging.getLogger(__name__)

# Ids and versions are PostgreSQL `integer`s: the largest id a path can name.
MAX_ID = 2**31 - 1
NOT_VALID = "The request is not valid."


def path_int(text: str) -> int:
    """An id in a path: a whole number from 0 to MAX_ID, else ValueError (Litestar answers 404)."""
    # int() alone would take "-1", " 1", "1_000" and a thousand digits (its own limit is 4,300).
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        raise ValueError(f"not an id: {text[:20]!r}")
    number = int(text)
    if number > MAX_ID:
        raise ValueError(f"id out of range: {text[:20]!r}")
    return number


def install_path_bounds() -> None:
    """Make every `{name:int}` path parameter of routes built from now on parse with `path_int`."""
    litestar_routes.parsers_map[int] = path_int


def _out_of_range(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    # asyncpg raises DataError for any argument it cannot encode (and PostgreSQL for any bad
    # data): only a number out of range is the caller's fault; anything else is ours, a 500.
    numeric = isinstance(error, NumericValueOutOfRangeError) or "value out of int" in str(error)
    if isinstance(error, DataError) and not numeric:
        return handle_unexpected(request, error)
    log.warning("A number out of the database's range on %s: %s", request.url.path, type(error).__name__)
    return handle_domain_error(request, DomainError(NOT_VALID))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    OverflowError: _out_of_range,  # SQLite: "Python int too large to convert to SQLite INTEGER"
    # asyncpg: "invalid input for query argument $1: … (value out of int32 range)";
    # PostgreSQL: "bigint out of range" (NumericValueOutOfRangeError, a DataError: a huge OFFSET).
    DataError: _out_of_range,
}

install_path_bounds()

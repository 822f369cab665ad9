"""Expert pool services."""

from __future__ import annotations

from typing import Any

from core.pagination import Page, PageRequest
from experts.tables import Expert


async def list_experts(request: PageRequest) -> Page[dict[str, Any]]:
    rows = await (
        Expert.select(
            Expert.id,
            Expert.name,
            Expert.organisation,
            Expert.title,
            Expert.specialties,
            Expert.districts,
            Expert.capacity,
            Expert.away_until,
        )
        .order_by(Expert.id)
        .output(load_json=True)
        .limit(request.per_page)
        .offset(request.offset)
    )
    return Page(items=rows, request=request, total=await Expert.count())

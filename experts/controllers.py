"""The expert pool's page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from accounts.policy import Action
from core.pagination import PageRequest
from core.web import page
from experts import services

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]


class ExpertController(Controller):
    path = "/experts"
    include_in_schema = False  # a page, not part of the API
    opt = {"action": Action.VIEW_EXPERTS}

    @get("/")
    async def list_experts(self, request: Request[Any, Any, Any], page_number: PageNumber = 1) -> Template:
        return page(request, "experts/list.html", page=await services.list_experts(PageRequest(page=page_number)))

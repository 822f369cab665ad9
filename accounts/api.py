"""JSON API of accounts: tokens and the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from accounts import services
from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, error_responses, paginated
from core.pagination import Page, PageRequest


@dataclass
class TokenRequest:
    username: str
    password: str


@dataclass
class Token:
    access_token: str
    token_type: str
    expires_at: datetime


@dataclass
class Notification:
    id: int
    kind: str
    subject: str
    body: str
    link: str  # the page the message is about, e.g. /cases/12 (its `{number}` in the subject)
    created_at: datetime
    read: bool


@dataclass
class MarkedRead:
    read: int  # how many messages were unread


class AuthApi(Controller):
    path = f"{API_V1}/auth"
    tags = ["auth"]

    @post(
        "/token",
        opt={"action": Action.PUBLIC},
        status_code=201,
        summary="Exchange a username and password for a bearer token",
        responses=error_responses(400, 422, 429),
    )
    async def token(self, data: JSONBody[TokenRequest]) -> Token:
        user = await services.authenticate(data.username, data.password)
        issued = await services.issue_token(user)
        return Token(access_token=issued.token, token_type="bearer", expires_at=issued.expires_at)


class NotificationApi(Controller):
    path = f"{API_V1}/notifications"
    tags = ["notifications"]
    opt = {"action": Action.SIGNED_IN}
    security = BEARER

    @get("/", summary="The signed-in user's inbox, newest first", responses=error_responses(401))
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[Notification]:
        paging = PageRequest(page=page_number, per_page=per_page)
        rows, total = await services.inbox(current_user(request), paging.page, paging.per_page)
        items = [
            Notification(
                id=r["id"],
                kind=r["kind"],
                subject=r["subject"],
                body=r["body"],
                link=r["link"],
                created_at=r["created_at"],
                read=r["read_at"] is not None,
            )
            for r in rows
        ]
        return paginated(Page(items=rows, request=paging, total=total), items)

    @post(
        "/read-all",
        status_code=200,
        summary="Mark every message of the signed-in user's inbox as read",
        responses=error_responses(401),
    )
    async def mark_all_read(self, request: Request[Any, Any, Any]) -> MarkedRead:
        return MarkedRead(read=await services.mark_all_read(current_user(request)))

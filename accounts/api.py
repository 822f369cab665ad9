"""JSON API of accounts: tokens and the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts import services, tokens
from accounts.guards import BEFORE_PASSWORD_CHANGE, current_user
from accounts.policy import Action
from accounts.tokens import DEFAULT_NAME, NAME_LENGTH
from core.api import API_V1, BEARER, Paginated, RowId, error_responses, paginated
from core.client import client_address
from core.pagination import Page, PageRequest

TokenName = Annotated[str, Meta(max_length=NAME_LENGTH), KwargDefinition(max_length=NAME_LENGTH)]


@dataclass
class TokenRequest:
    username: str
    password: str
    name: TokenName = DEFAULT_NAME  # what the token is for, e.g. the script that uses it; shown when listing


@dataclass
class Token:
    access_token: str
    token_type: str
    expires_at: datetime
    id: int = 0
    name: str = DEFAULT_NAME


@dataclass
class TokenInfo:
    """A token of the signed-in user, without its secret (which is shown once, when issued)."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool  # the token this request came with


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
    async def token(self, request: Request[Any, Any, Any], data: JSONBody[TokenRequest]) -> Token:
        source = client_address(request.scope)
        user = await services.authenticate(data.username, data.password, source)
        issued = await tokens.issue_token(user, data.name)
        return Token(
            access_token=issued.token,
            token_type="bearer",
            expires_at=issued.expires_at,
            id=issued.id,
            name=issued.name,
        )

    @get(
        "/tokens",
        opt={"action": Action.MANAGE_OWN_TOKENS},
        security=BEARER,
        summary="The signed-in user's live API tokens, newest first",
        responses=error_responses(400, 401, 403),
    )
    async def list_tokens(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[TokenInfo]:
        user = current_user(request)
        paging = PageRequest(page=page_number, per_page=per_page)
        rows, total = await tokens.list_tokens(user.id, paging.page, paging.per_page)
        items = [
            TokenInfo(
                id=r["id"],
                name=r["name"],
                created_at=r["created_at"],
                expires_at=r["expires_at"],
                last_used_at=r["last_used_at"],
                current=r["id"] == user.token_id,
            )
            for r in rows
        ]
        return paginated(Page(items=rows, request=paging, total=total), items)

    @delete(
        "/tokens/{token_id:int}",
        opt={"action": Action.MANAGE_OWN_TOKENS},
        security=BEARER,
        summary="Revoke one of the signed-in user's tokens",
        responses=error_responses(400, 401, 403, 404),
    )
    async def revoke_token(self, request: Request[Any, Any, Any], token_id: RowId) -> None:
        await tokens.revoke_own_token(current_user(request), token_id, client_address(request.scope))

    @post(
        "/logout",
        opt={"action": Action.SIGNED_IN, BEFORE_PASSWORD_CHANGE: True},
        security=BEARER,
        status_code=204,
        summary="Sign out: revoke the token this request came with",
        responses=error_responses(401),
    )
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        await tokens.revoke_token_used(current_user(request), client_address(request.scope))


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

"""JSON API of the enterprise registry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, KwargDefinition, QueryParameter
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_428_PRECONDITION_REQUIRED
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, MAX_INT4, ErrorBody, Paginated, RowId, error_responses, paginated
from core.errors import Invalid
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import request_locale
from enterprises import services
from enterprises.history import value_label
from enterprises.industry_table import division_name, section_name
from enterprises.listing import EnterpriseFilter, list_enterprises
from enterprises.presentation import field_label


@dataclass
class EnterpriseCreate:
    name: str
    district: str
    town: str
    founder_name: str
    founder_phone: str
    legal_form: str = "individual_business"
    credit_code: str = ""
    credit_code_note: str = ""
    village: str = ""
    park: str = ""
    industry: str = ""
    main_products: str = ""
    founded_on: str = ""
    employees: str = ""
    migrant_employees: str = ""
    annual_revenue: str = ""
    stage: str = "survival"
    status: str = "operating"
    founder_gender: str = ""
    founder_birth_year: str = ""
    founder_id_number: str = ""
    founder_worked_before: str = ""
    founder_return_year: str = ""
    confirm_not_duplicate: bool = False
    # The registration form's tick: a pilot credit code was checked against the licence (else it is flagged).
    credit_code_confirmed: bool = False


@dataclass
class ChangeLabel:
    """A changed field in the caller's language: its name and both values as people read them."""

    field: str
    before: str
    after: str


@dataclass
class Change:
    """`changes` keeps the stored values (codes: family_farm, 500154); `labels` says them in words."""

    kind: str
    changes: dict[str, Any]
    actor_name: str | None
    created_at: datetime
    labels: dict[str, ChangeLabel] = field(default_factory=dict)


Version = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]


@dataclass
class EnterpriseUpdate:
    """Fields to change; omitted fields keep their value (an omitted phone or ID number keeps the one on record).

    `version` is the version the caller read (or send it as `If-Match: "<version>"`): a change made
    from an older version is refused with 409, never applied over changes the caller has not seen.
    """

    changes: dict[str, str] = field(default_factory=dict)
    version: Version | None = None


@dataclass
class StaleEdit:
    """A change refused because the enterprise changed since the version the caller named."""

    status_code: int
    detail: str
    current_version: int
    changed_meanwhile: list[Change]


@dataclass
class Enterprise:
    id: int
    name: str
    legal_form: str
    district: str
    town: str
    village: str
    park: str
    industry: str
    status: str
    stage: str
    credit_code: str
    founder_name: str
    founder_phone: str
    founder_id_number: str
    created_at: datetime
    # A pilot credit code (only its check character fails) nobody has checked against the licence yet.
    licence_check: bool


@dataclass
class EnterpriseDetail(Enterprise):
    main_products: str
    founded_on: date | None
    employees: int | None
    migrant_employees: int | None
    annual_revenue: str | None
    version: int
    # GB/T 4754-2017: the division's code ("" when only the section is known) and both names, in Chinese.
    industry_division: str = ""
    industry_section_name: str = ""
    industry_division_name: str = ""


@dataclass
class FieldWarningOut:
    """A value accepted with an assumption: which field, the message id, and the message in the caller's language."""

    field: str
    message_id: str
    message: str


@dataclass
class EnterpriseRegistered(EnterpriseDetail):
    """The enterprise just registered, with what was assumed in reading it (a pilot credit code …)."""

    warnings: list[FieldWarningOut] = field(default_factory=list)


@dataclass(frozen=True)
class SearchRequest(EnterpriseFilter):
    """A search that may include a phone number: sent in the body so that it stays out of URLs and logs."""

    page: Annotated[int, Meta(ge=1, le=100000), KwargDefinition(ge=1, le=100000)] = 1
    per_page: Annotated[int, Meta(ge=1, le=100), KwargDefinition(ge=1, le=100)] = 20


@dataclass
class RevealRequest:
    reason: str


@dataclass
class RevealedFounder:
    founder_name: str
    phone: str
    id_number: str


def _flag(row: dict[str, Any]) -> dict[str, bool]:
    """The licence-check flag as a JSON boolean (SQLite hands it back as 0 or 1)."""
    return {"licence_check": bool(row.get("licence_check"))}


def enterprise_out(row: dict[str, Any]) -> Enterprise:
    return Enterprise(**{name: row[name] for name in Enterprise.__dataclass_fields__} | _flag(row))


def _industry_names(row: dict[str, Any]) -> dict[str, str]:
    division = str(row.get("industry_division") or "")
    return {
        "industry_division": division,
        "industry_section_name": section_name(row["industry"]) if row["industry"] else "",
        "industry_division_name": division_name(division) if division else "",
    }


def detail_out(row: dict[str, Any]) -> EnterpriseDetail:
    named = _industry_names(row)
    values = {name: row[name] for name in EnterpriseDetail.__dataclass_fields__ if name not in named} | _flag(row)
    values |= named
    values["annual_revenue"] = None if row["annual_revenue"] is None else str(row["annual_revenue"])
    return EnterpriseDetail(**values)


ERRORS = error_responses(401, 403, 404, 422)
UPDATE_ERRORS = {
    **error_responses(401, 403, 404, 422, 428),
    HTTP_409_CONFLICT: ResponseSpec(
        data_container=StaleEdit, description="Changed since the version named", generate_examples=False
    ),
}
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')
BAD_IF_MATCH = 'Send If-Match as the ETag you read, e.g. "3".'
VERSIONS_DISAGREE = "The version in the body and the one in If-Match differ."


def _expected_version(in_body: int | None, if_match: str) -> int | None:
    """The version the caller read, from the body or `If-Match`; None when he named none."""
    from_header: int | None = None
    if if_match.strip():
        found = _ETAG.match(if_match)
        if found is None or not 1 <= int(found[1]) <= MAX_INT4:
            raise Invalid({"If-Match": BAD_IF_MATCH})
        from_header = int(found[1])
    if in_body is not None and from_header is not None and in_body != from_header:
        raise Invalid({"version": VERSIONS_DISAGREE})
    return in_body if in_body is not None else from_header


def _with_etag(detail: EnterpriseDetail) -> Response[EnterpriseDetail]:
    return Response(detail, headers={"ETag": f'"{detail.version}"'})


def _change(row: Mapping[str, Any], locale: str) -> Change:
    def translate(message: str) -> str:
        return gettext(locale, message)

    labels = {
        name: ChangeLabel(
            field=translate(field_label(name)),
            before=value_label(name, pair[0], translate, locale),
            after=value_label(name, pair[1], translate, locale),
        )
        for name, pair in (row["changes"] or {}).items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    }
    return Change(
        kind=row["kind"],
        changes=row["changes"],
        actor_name=row["actor_name"],
        created_at=row["created_at"],
        labels=labels,
    )


def _stale(request: Request[Any, Any, Any], stale: services.StaleEnterprise) -> Response[Any]:
    """409 naming the current version (also as the ETag) and what changed since the caller's."""
    body = StaleEdit(
        status_code=HTTP_409_CONFLICT,
        detail=gettext(request_locale(request), stale.message, **stale.params),
        current_version=stale.current_version,
        changed_meanwhile=[_change(row, request_locale(request)) for row in stale.changed_meanwhile],
    )
    return Response(body, status_code=HTTP_409_CONFLICT, headers={"ETag": f'"{stale.current_version}"'})


def _problem(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    body = ErrorBody(status_code=status, detail=gettext(request_locale(request), message))
    return Response(body, status_code=status)


Text = Annotated[str, QueryParameter(max_length=100)]


class EnterpriseApi(Controller):
    path = f"{API_V1}/enterprises"
    tags = ["enterprises"]
    security = BEARER
    opt = {"action": Action.VIEW_ENTERPRISES}

    @get("/", summary="Enterprises within the caller's reach, newest first", responses=ERRORS)
    async def list_enterprises(
        self,
        request: Request[Any, Any, Any],
        q: Annotated[str, QueryParameter(max_length=100, description="name, credit code or founder name")] = "",
        district: Annotated[str, QueryParameter(max_length=6)] = "",
        town: Text = "",
        industry: Annotated[str, QueryParameter(max_length=1)] = "",
        status: Annotated[str, QueryParameter(max_length=20)] = "",
        park: Text = "",
        licence_check: Annotated[
            str, QueryParameter(max_length=1, description="1: only records to check against the business licence")
        ] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[Enterprise]:
        filters = EnterpriseFilter(
            q=q, district=district, town=town, industry=industry, status=status, park=park, licence_check=licence_check
        )
        found = await list_enterprises(
            current_user(request).actor, filters, PageRequest(page=page_number, per_page=per_page)
        )
        return paginated(found, [enterprise_out(row) for row in found.items])

    @post(
        "/search",
        status_code=200,
        summary="Search, founder's phone included, with the filters in the body",
        responses=ERRORS,
    )
    async def search(self, request: Request[Any, Any, Any], data: JSONBody[SearchRequest]) -> Paginated[Enterprise]:
        paging = PageRequest(page=data.page, per_page=data.per_page)
        found = await list_enterprises(current_user(request).actor, EnterpriseFilter.from_values(asdict(data)), paging)
        return paginated(found, [enterprise_out(row) for row in found.items])

    @post(
        "/",
        opt={"action": Action.REGISTER_ENTERPRISE},
        summary="Register an enterprise and its founder",
        responses=ERRORS | error_responses(409, 429),
    )
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[EnterpriseCreate]) -> EnterpriseRegistered:
        actor = current_user(request).actor
        form = {k: str(v) for k, v in asdict(data).items()}
        enterprise_id, warnings = await services.register_enterprise_warned(actor, form)
        locale = request_locale(request)
        return EnterpriseRegistered(
            **asdict(detail_out(await services.get_enterprise(actor, enterprise_id))),
            warnings=[FieldWarningOut(w.field, w.message, gettext(locale, w.message, **w.params)) for w in warnings],
        )

    @get(
        "/{enterprise_id:int}",
        summary="One enterprise; its `ETag` is the version to send back with a change",
        responses=ERRORS,
        response_headers=[ResponseHeader(name="ETag", description='"<version>"', documentation_only=True)],
    )
    async def show(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> Response[EnterpriseDetail]:
        return _with_etag(detail_out(await services.get_enterprise(current_user(request).actor, enterprise_id)))

    @patch(
        "/{enterprise_id:int}",
        opt={"action": Action.UPDATE_ENTERPRISE},
        summary="Change an enterprise from the version read (body `version` or `If-Match`); 409 if it changed since",
        responses=UPDATE_ERRORS,
        response_headers=[ResponseHeader(name="ETag", description='"<version>"', documentation_only=True)],
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        enterprise_id: RowId,
        data: JSONBody[EnterpriseUpdate],
        if_match: Annotated[
            str,
            HeaderParameter(name="If-Match", max_length=40, description='the version read, as its ETag: "<version>"'),
        ] = "",
    ) -> Response[EnterpriseDetail]:
        actor = current_user(request).actor
        version = _expected_version(data.version, if_match)
        try:
            await services.change_enterprise(
                actor, enterprise_id, {k: str(v) for k, v in data.changes.items()}, version
            )
        except services.VersionRequired as missing:
            return _problem(request, HTTP_428_PRECONDITION_REQUIRED, missing.message)
        except services.StaleEnterprise as stale:
            return _stale(request, stale)
        return _with_etag(detail_out(await services.get_enterprise(actor, enterprise_id)))

    @get("/{enterprise_id:int}/history", summary="Every change to the enterprise", responses=ERRORS)
    async def history(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> list[Change]:
        rows = await services.history(current_user(request).actor, enterprise_id)
        return [_change(row, request_locale(request)) for row in rows]

    @post(
        "/{enterprise_id:int}/founder/reveal",
        opt={"action": Action.REVEAL_PERSONAL_DATA},
        status_code=200,
        summary="The founder's full phone and ID number; the access is logged with the reason first",
        responses=ERRORS,
    )
    async def reveal(
        self, request: Request[Any, Any, Any], enterprise_id: RowId, data: JSONBody[RevealRequest]
    ) -> RevealedFounder:
        revealed = await services.reveal_personal_data(current_user(request).actor, enterprise_id, data.reason)
        return RevealedFounder(founder_name=revealed.founder_name, phone=revealed.phone, id_number=revealed.id_number)

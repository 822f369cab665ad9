"""Pages of notification e-mail: one's own address and choice; failed mails and the demo mailbox for admins."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.mail import mailbox, service
from accounts.mail.rules import MailStatus
from accounts.policy import Action
from core.config import settings
from core.errors import Invalid, NotFound
from core.pagination import Page, PageRequest
from core.web import page, request_locale


class EmailPreferenceController(Controller):
    include_in_schema = False  # pages, not API
    path = "/account/email"
    opt = {"action": Action.SIGNED_IN}

    @get("/")
    async def show(self, request: Request[Any, Any, Any], saved: Annotated[str, QueryParameter()] = "") -> Template:
        preference = await service.email_preference(current_user(request))
        values = {"email": preference["email"], "email_on": "1" if preference["email_on"] else ""}
        return page(request, "accounts/email.html", values=values, errors={}, saved=saved == "1")

    @post("/")
    async def save(self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]) -> Template | Redirect:
        address, email_on = data.get("email", ""), data.get("email_on", "") == "1"
        try:
            await service.set_email_preference(current_user(request), address, email_on, request_locale(request))
        except Invalid as error:
            values = {"email": address, "email_on": "1" if email_on else ""}
            return page(
                request, "accounts/email.html", status_code=400, values=values, errors=error.errors, saved=False
            )
        return Redirect("/account/email?saved=1")


class MailAdminController(Controller):
    include_in_schema = False  # pages, not API
    path = "/admin/email"
    opt = {"action": Action.MANAGE_USERS}

    @get("/")
    async def mails(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
        show: Annotated[str, QueryParameter()] = "failed",
        sent_again: Annotated[str, QueryParameter()] = "",
    ) -> Template:
        paging = PageRequest(page=page_number)
        status = MailStatus.FAILED if show != "all" else None
        rows, total = await service.list_mails(status, paging.page, paging.per_page)
        return page(
            request,
            "accounts/mail_admin.html",
            page=Page(items=rows, request=paging, total=total),
            show="all" if status is None else "failed",
            failed=await service.count_failed(),
            sent_again=sent_again == "1",
            statuses=MailStatus,
            demo=settings.demo,
        )

    @post("/{mail_id:int}/send-again")
    async def send_again(self, mail_id: FromPath[int]) -> Redirect:
        await service.send_again(mail_id)
        return Redirect("/admin/email?sent_again=1")


class MailboxController(Controller):
    include_in_schema = False  # pages, not API
    path = "/admin/mailbox"
    opt = {"action": Action.MANAGE_USERS}

    @get("/")
    async def mailbox(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        if not settings.demo:  # the sink runs in demo mode only; real mail is the SMTP server's
            raise NotFound()
        paging = PageRequest(page=page_number, per_page=10)
        mails, total = mailbox.received(paging.page, paging.per_page)
        return page(request, "accounts/mailbox.html", page=Page(items=mails, request=paging, total=total))


PAGES = [EmailPreferenceController, MailAdminController, MailboxController]

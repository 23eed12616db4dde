"""The development mail viewer: outgoing mail as the recipient would read it, for administrators."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.accounts import service as accounts_service
from web.deps import MaybeUser
from web.pages.shell import render

router = APIRouter(prefix="/dev/mail", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def mail_list(request: Request, user: MaybeUser) -> Response:
    mails = await accounts_service.recent_mail(actor=user)
    return await render(request, "dev_mail.html", {"mails": mails, "mail": None}, actor=user)


@router.get("/{mail_id}", response_class=HTMLResponse)
async def mail_detail(mail_id: int, request: Request, user: MaybeUser) -> Response:
    mail = await accounts_service.get_mail(actor=user, mail_id=mail_id)
    return await render(request, "dev_mail.html", {"mails": [], "mail": mail}, actor=user)

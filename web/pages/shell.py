"""What every portal page shares: the signed-in user in the header, role-aware navigation, notices, rendering."""

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.core.errors import DomainError
from services.enquiries import service as enquiry_service
from services.notifications import service as notifications_service
from web.pages import csrf
from web.sessions import actor_from_session, is_secure_request
from web.templating import templates

ROLE_LABELS = {
    "enterprise": "企业用户",
    "provider": "成果/仪器提供方",
    "expert": "专家",
    "broker": "技术经纪人",
    "admin": "管理员",
}
# Messages shown once after a redirect; the query string carries only the code, never the text.
NOTICES = {
    "signed_in": "登录成功，欢迎回来。",
    "signed_out": "您已安全退出。",
    "password_reset": "密码已重置，请用新密码登录。",
    "booked": "预约已提交，请等待仪器管理方审批。",
    "enquiry_sent": "咨询已发送，专家所在机构回复后您会在平台收到答复。",
    "booking_approved": "已批准该预约。",
    "booking_rejected": "已拒绝该预约。",
    "booking_cancelled": "预约已取消，该时段已释放。",
    "enquiry_replied": "回复已发送，提问方会收到通知。",
    "listing_saved": "已保存为草稿，可继续完善后提交审核。",
    "listing_submitted": "已提交审核，平台审核通过后公开发布。",
    "listing_archived": "已下架，该资源不再对外展示。",
    "booking_cancelled_fee": "预约已取消。因临近开始时间取消，按仪器收费规则产生违约费，见下表。",
    "demand_submitted": "需求已提交审核，发布后系统将自动为您匹配资源。",
    "match_moved": "匹配进展已更新。",
    "note_added": "备注已记录。",
    "favorite_saved": "已收藏，可在“我的收藏”中查看。",
    "favorite_removed": "已取消收藏。",
    "favorite_note_saved": "收藏备注已保存。",
    "broker_assigned": "已指定负责的技术经纪人，其未结匹配已一并转交。",
    "interest_sent": "已表达合作意向，负责该需求的技术经纪人会与您联系。",
    "reason_required": "流失或排除匹配时请选择原因。",
    "match_won": "恭喜成交！请登记技术合同并提交认定登记。",
    "contract_submitted": "技术合同已创建并提交认定登记。",
    "contract_recorded": "技术合同已创建，待买卖双方确认后由卖方提交认定登记。",
    "published": "已审核通过并发布。",
    "rejected": "已驳回，并将理由告知提交方。",
    "registered": "合同已完成认定登记，已计入技术合同成交额。",
    "registration_rejected": "已驳回该合同的登记申请。",
    "signed_up": "注册成功，欢迎加入！您的机构正在等待平台核验。",
    "password_changed": "密码已修改，所有设备均已退出，请用新密码登录。",
    "org_verified": "已核验该机构。",
    "notification_read": "已标为已读。",
    "contract_confirmed": "已确认合同。双方都确认后，卖方即可提交认定登记。",
    "registration_submitted": "已提交认定登记，等待登记机构审核。",
    "payment_started": "付款已发起，支付机构确认到账后该笔款项显示为“已支付”。",
    "booking_started": "已记录开始使用。",
    "booking_finished": "已记录结束使用与有效机时，计入开放共享统计。",
    "booking_no_show": "已标记为未到场。",
    "person_linked": "已关联专家本人账号，此后个人同意由专家本人管理。",
    "person_unlinked": "已解除关联。",
    "consent_saved": "您的选择已记录（含时间与同意书版本）。",
    "contact_saved": "联系方式已更新，仅平台与您所在机构可见。",
    "broker_filed": "备案资料已提交，平台审核通过后您的账号即可使用经纪人工作台。",
    "broker_approved": "已批准，该账号现已获得经纪人权限。",
    "broker_rejected": "已驳回，并将理由告知申请人。",
    "closure_added": "已添加停用时段，预约日历中该时段不再可选。",
    "closure_removed": "已删除停用时段，该时段恢复可预约。",
    "training_granted": "已登记培训，受训人在有效期内可预约自主上机。",
    "training_revoked": "已撤销培训记录。",
    "test_requested": "检测委托已提交，检测机构报价后您会收到通知。",
    "test_quoted": "报价已发送，等待委托方确认。",
    "test_quote_accepted": "已接受报价，请按约定寄送样品。",
    "test_quote_declined": "已谢绝该报价。",
    "test_samples_received": "已确认收到样品，检测开始。",
    "test_reported": "检测报告已上传，等待委托方验收。",
    "test_queried": "疑问已发送给检测机构。",
    "test_completed": "已验收检测结果，委托完成。",
    "test_method_added": "已添加检测项目，委托方在委托送样检测时即可选择。",
    "test_method_withdrawn": "已停用该检测项目；已提交的委托仍按原条件执行。",
    "order_requested": "服务需求已提交，服务方报价后您会收到通知。",
    "order_quoted": "报价已发送，等待委托方确认。",
    "order_accepted": "已接受报价，订单成立，价格已锁定。",
    "order_declined": "已谢绝该报价。",
    "order_withdrawn": "已撤回该服务需求。",
    "order_delivered": "已提交交付成果，等待委托方验收。",
    "order_completed": "已验收，订单完成。",
    "order_disputed": "异议已提交，平台将居中裁决。",
    "order_resolved": "已裁决，并通知双方。",
    "order_contract": "已按订单生成技术服务合同，双方确认后即可提交认定登记。",
    "voucher_applied": "已提交创新券申请，平台审核通过后即可使用。",
    "programme_created": "已发布创新券项目。",
    "voucher_approved": "已批准该创新券申请，券面额度已可使用。",
    "voucher_rejected": "已驳回该创新券申请。",
    "voucher_used": "已使用创新券，相应金额由创新券支付，其余部分照常付款。",
    "voucher_redeemed": "已核销创新券，创新券支付部分计入结算。",
    "voucher_released": "已退回创新券，抵扣金额已回到本机构的创新券余额。",
    "contract_cancelled": "合同已撤销，不再登记。",
    "contract_terminated": "已登记注销，该合同不再计入技术合同成交额。",
    "royalty_filed": "本期销售额已申报，应付提成已列入付款节点。",
    "demand_saved": "需求已保存。已发布需求的文字修改经平台审核后生效，审核期间仍显示原内容。",
    "demand_archived": "需求已撤回，不再公开，也不再匹配。",
}


@dataclass(frozen=True, slots=True)
class NavLink:
    label: str
    href: str
    badge: int = 0


@dataclass(frozen=True, slots=True)
class PageUser:
    name: str
    role: str
    role_label: str
    org_name: str | None
    org_verified: bool = True
    unread: int = 0


def navigation(actor: Actor | None) -> list[NavLink]:
    """The header links this caller may use."""
    links = [NavLink("首页", "/"), NavLink("找资源", "/search"), NavLink("需求大厅", "/hall")]
    if actor is None:
        return links
    if actor.role in ("enterprise", "provider"):
        links.append(NavLink("我的需求", "/me/demands"))
    if actor.org_id is not None:
        links.append(NavLink("我的预约", "/me/bookings"))
    if actor.role == "expert":
        links.append(NavLink("我的专家资料", "/me/expert-profile"))
    if actor.role == "provider":
        links.append(NavLink("我的资源", "/me/listings"))
        links.append(NavLink("预约审批", "/me/booking-approvals"))
    if actor.org_id is not None and actor.role in ("enterprise", "provider"):
        links.append(NavLink("送样检测", "/me/test-requests"))
        links.append(NavLink("服务订单", "/me/service-orders"))
        links.append(NavLink("创新券", "/me/vouchers"))
    if actor.org_id is not None and actor.role in ("enterprise", "provider", "broker"):
        links.append(NavLink("我的合同", "/me/contracts"))
    if actor.role == "broker":
        links.append(NavLink("经纪人工作台", "/broker"))
    if actor.org_id is not None:
        links.append(NavLink("咨询", "/me/enquiries"))
    links.append(NavLink("我的账户", "/account"))
    if actor.is_admin:
        links.extend(
            [
                NavLink("审核队列", "/admin/review"),
                NavLink("机构核验", "/admin/orgs"),
                NavLink("经纪人审核", "/admin/brokers"),
                NavLink("需求分配", "/admin/demands"),
                NavLink("创新券管理", "/admin/vouchers"),
                NavLink("合同登记", "/admin/contracts"),
                NavLink("成交额看板", "/admin/dashboard"),
                NavLink("开放共享", "/admin/open-sharing"),
            ]
        )
    return links


async def _page_user(actor: Actor | None) -> PageUser | None:
    if actor is None:
        return None
    try:
        me = await accounts_service.get_me(actor=actor)
    except DomainError:
        return None
    return PageUser(
        name=me.name,
        role=me.role.value,
        role_label=ROLE_LABELS.get(me.role.value, me.role.value),
        org_name=me.org.name if me.org else None,
        org_verified=me.org.verified if me.org else True,
        unread=await notifications_service.unread_count(actor=actor),
    )


async def _navigation(actor: Actor | None) -> list[NavLink]:
    """The header links, 咨询 with what waits there (unanswered questions, unseen answers)."""
    links = navigation(actor)
    if actor is None or actor.org_id is None:
        return links
    waiting = sum((await enquiry_service.unread_counts(actor=actor)).values())
    return [replace(link, badge=waiting) if link.href == "/me/enquiries" else link for link in links]


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Actor | None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page with the shared header context (user, navigation, CSRF token, one-off notice)."""
    token, new_nonce = await csrf.issue_token(request)
    values: dict[str, Any] = {
        "user": await _page_user(actor),
        "nav": await _navigation(actor),
        "csrf_token": token,
        "path": request.url.path,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    if new_nonce:
        response.set_cookie(
            csrf.ANONYMOUS_COOKIE,
            new_nonce,
            max_age=csrf.ANONYMOUS_TTL,
            httponly=True,
            samesite="lax",
            secure=is_secure_request(request),
        )
    return response


def page_numbers(page: int, last: int) -> list[int | None]:
    """Page numbers to offer: the first, the last and two either side of the current one; None marks a gap."""
    wanted = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def pager(path: str, page: int, total: int, size: int, query: str = "") -> dict[str, Any]:
    """Links of a numbered list: previous/next, the first and last page, a window around the current one, and
    a 跳转 box; `query` is kept on every link and in the box (`&demand_id=3`)."""
    last = max(1, -(-total // size))

    def href(number: int) -> str:
        return f"{path}?page={number}{query}"

    return {
        "page": page,
        "last": last,
        "path": path,
        "prev": href(page - 1) if page > 1 else None,
        "next": href(page + 1) if page < last else None,
        "numbers": [(number, href(number) if number else "") for number in page_numbers(page, last)],
        # The jump box is a GET form: the list's other parameters ride along as hidden fields.
        "hidden": [(key, value) for key, value in parse_qsl(query.lstrip("&")) if key != "page"],
    }


def redirect(url: str, *, notice: str | None = None) -> RedirectResponse:
    """303 See Other after a successful form, optionally with a notice code for the next page."""
    if notice:
        parts = urlsplit(url)
        query = f"{parts.query}&" if parts.query else ""
        url = urlunsplit(parts._replace(query=query + urlencode({"notice": notice})))
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-site path to return to; anything else (other hosts, scheme-relative URLs) falls back."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    # Browsers drop tabs and newlines and read a backslash as a slash: "/\t/evil.example" is off-site.
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return default
    return value


def is_page_request(request: Request) -> bool:
    """Whether errors on this path are shown as portal pages (everything but the API and probes)."""
    return not request.url.path.startswith(("/api/", "/healthz", "/readyz", "/static/", "/openapi", "/docs"))


async def error_page(request: Request, status_code: int, message: str) -> Response:
    """The portal's error page; an anonymous visitor who must sign in is sent to the login page instead."""
    try:
        actor = await actor_from_session(request)
    except Exception:
        actor = None
    if status_code == 401 and request.method == "GET":
        return RedirectResponse(
            f"/login?{urlencode({'next': request.url.path + ('?' + request.url.query if request.url.query else '')})}",
            status_code=303,
        )
    titles = {
        401: "请先登录",
        403: "没有权限",
        404: "页面不存在",
        409: "操作冲突",
        422: "提交的内容有误",
        429: "操作过于频繁",
        503: "服务暂不可用",
    }
    return await render(
        request,
        "error.html",
        {"title": titles.get(status_code, "出错了"), "message": message, "status_code": status_code},
        actor=actor,
        status_code=status_code,
    )

"""Who may call which write endpoint: every POST/PATCH/DELETE under /api/v1 × every role × own/other organisation.

The expected outcome of each cell is written down below as data (from the shared API contract and docs/domain.md, not read off the
code). "own" callers belong to the organisation the target belongs to (the seller for a sale, the buyer for a
purchase, the expert's organisation for an enquiry); "other" callers belong to a second organisation — the
counter-party where the target has one. Admins are admin-role users who are members of the own or other
organisation. An object the caller may not even see answers 404, one they may see but not change 403.

A refused call must change nothing: no row anywhere, no outbox row, the target row byte for byte the same.
A write endpoint added to the app without a row here fails test_every_write_endpoint_is_in_the_matrix.
"""

import asyncio
import itertools
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import listing_body, unique, valid_uscc
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import assert_problem, nothing_saved, stripe_signature
from web.app import create_app

pytestmark = pytest.mark.integration

ROLES = ("enterprise", "provider", "expert", "broker", "admin")
COLUMNS = ("anonymous", *(f"{role}/{side}" for role in ROLES for side in ("own", "other")))
RESOURCES = ("achievements", "instruments", "experts", "agencies")
TYPE_OF = {
    "achievements": "achievement",
    "instruments": "instrument",
    "experts": "expert",
    "agencies": "agency",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD = "Matrix-Pass-2026!"

# Write endpoints outside the matrix, each with the reason and where it is tested instead.
EXEMPT = {
    ("POST", "/api/v1/auth/register"): "no caller yet: it creates one (test_bad_input covers its refusals)",
    ("POST", "/api/v1/auth/token"): "no caller yet: it signs one in",
    (
        "POST",
        "/api/v1/auth/password-reset",
    ): "no caller: anyone may ask; no enumeration (test_password_reset)",
    ("POST", "/api/v1/auth/password-reset/confirm"): "the reset token is the credential; used, expired and "
    "forged tokens are refused in test_password_reset",
    ("POST", "/api/v1/payments/stripe/webhook"): "Stripe is the caller, proven by signature (test_bad_input)",
    ("POST", "/api/v1/test-requests"): "verified organisations; refusals in test_test_requests",
    (
        "PUT",
        "/api/v1/experts/{listing_id}/person",
    ): "the organisation's clerks link a profile to an expert account "
    "of their own; experts, other organisations and wrong accounts are refused in test_expert_self_service",
    (
        "PATCH",
        "/api/v1/me/expert-profile",
    ): "the caller's own linked profile only (no target to choose); other "
    "experts and the clerk's consent changes are refused in test_expert_self_service",
    **{
        ("POST", f"/api/v1/test-requests/{{request_id}}/{step}"): "one party's step; the other party and "
        "strangers are refused in test_test_requests"
        for step in ("quote", "accept", "decline", "samples-received", "report", "accept-result", "query")
    },
    ("POST", "/api/v1/test-methods"): "the listing's organisation; others refused in test_test_requests",
    ("DELETE", "/api/v1/test-methods/{method_id}"): "the listing's organisation; others refused in "
    "test_test_requests",
    ("POST", "/api/v1/test-requests/{request_id}/voucher"): "the requester with its own voucher; the lab and "
    "other organisations are refused in test_vouchers",
    ("POST", "/api/v1/test-requests/{request_id}/voucher/redeem"): "the lab after acceptance; the requester "
    "and other organisations are refused in test_vouchers",
    ("POST", "/api/v1/service-orders/{order_id}/voucher"): "the buyer with its own voucher; the provider "
    "and other organisations are refused in test_vouchers",
    ("POST", "/api/v1/service-orders/{order_id}/voucher/redeem"): "the provider once completed; the buyer "
    "and other organisations are refused in test_vouchers",
    ("POST", "/api/v1/service-orders"): "verified organisations; refusals in test_service_orders",
    **{
        ("POST", f"/api/v1/service-orders/{{order_id}}/{step}"): "one side's step; the other side and "
        "other organisations are refused in test_service_orders"
        for step in (
            "quote",
            "accept",
            "decline",
            "withdraw",
            "deliver",
            "accept-delivery",
            "dispute",
            "resolve",
            "contract",
        )
    },
    ("POST", "/api/v1/service-orders/{order_id}/milestones/{seq}/pay"): "the buyer only; the provider and "
    "other organisations are refused in test_service_orders",
    ("POST", "/api/v1/contracts/{contract_id}/royalty-statements"): "the licensee only; the licensor, an "
    "admin and other organisations are refused in test_royalties",
    ("POST", "/api/v1/contracts/{contract_id}/royalty-statements/{statement_id}/pay"): "the milestone "
    "payment (contracts.pay row) behind a statement; another organisation is refused in test_royalties",
    ("POST", "/api/v1/notifications/read-all"): "touches only the caller's own rows (test_workbench)",
    ("PUT", "/api/v1/favorites/{listing_id}"): "the caller's own favourite only; an unpublished listing and "
    "another organisation's match card are refused in test_favorites",
    ("DELETE", "/api/v1/favorites/{listing_id}"): "the caller's own favourite only; another user's stays "
    "(test_favorites)",
    ("POST", "/api/v1/voucher-programmes"): "admin only; refusals in test_vouchers",
    ("POST", "/api/v1/voucher-programmes/{programme_id}/applications"): "one per organisation; refusals "
    "(unverified, ineligible kind) in test_vouchers",
    ("POST", "/api/v1/vouchers/{voucher_id}/approve"): "admin only; refusals in test_vouchers",
    ("POST", "/api/v1/vouchers/{voucher_id}/reject"): "admin only; refusals in test_vouchers",
    (
        "POST",
        "/api/v1/bookings/{booking_id}/voucher",
    ): "the booker with its own voucher; refusals in test_vouchers",
    ("POST", "/api/v1/bookings/{booking_id}/voucher/redeem"): "the provider; refusals in test_vouchers",
    ("POST", "/api/v1/bookings/{booking_id}/voucher/release"): "either party of a dead booking; refusals in "
    "test_vouchers",
    ("POST", "/api/v1/bookings/{booking_id}/no-show"): "needs a slot that has begun; another organisation's "
    "owner is refused in test_bookings.test_no_shows_suspend_self_booking",
    (
        "POST",
        "/api/v1/me/password",
    ): "acts on the caller only, proven by the current password (test_hardening)",
    (
        "POST",
        "/api/v1/admin/users/{user_id}/deactivate",
    ): "admin only; a member's attempt is refused (test_hardening)",
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    route: str  # the path template exactly as the app declares it
    target: str  # what the call acts on: "none" or a kind the world can build (see World.build)
    expect: str  # one status per column of COLUMNS
    resource: str = ""
    body: Callable[["World"], Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    upload: bool = False
    fresh_token: bool = False

    @property
    def outcomes(self) -> dict[str, int]:
        codes = [int(code) for code in self.expect.replace("|", " ").split()]
        assert len(codes) == len(COLUMNS), f"{self.name}: {len(codes)} outcomes for {len(COLUMNS)} columns"
        return dict(zip(COLUMNS, codes, strict=True))


# Column groups:            anon | enterprise | provider  |  expert   |  broker   |   admin
#                                  own other    own other   own other   own other   own other
MEMBERS_ONLY_HIDDEN = "      401 | 200 404    | 200 404   | 200 404   | 200 404   | 200 200"
MEMBERS_ONLY_VISIBLE = "     401 | 200 403    | 200 403   | 200 403   | 200 403   | 200 200"
ADMINS_ONLY = "              401 | 403 403    | 403 403   | 403 403   | 403 403   | 200 200"
ADMINS_ONLY_CREATED = "      401 | 403 403    | 403 403   | 403 403   | 403 403   | 201 201"
ANY_SIGNED_IN_CREATED = "    401 | 201 201    | 201 201   | 201 201   | 201 201   | 201 201"


def _patch(world: "World") -> dict[str, Any]:
    return {"summary": "矩阵测试修改的摘要"}


def _reason(world: "World") -> dict[str, Any]:
    return {"reason": "矩阵测试：资料不全"}


def _listing_cases(resource: str) -> list[Case]:
    kind = TYPE_OF[resource]
    return [
        Case(
            f"{resource}.create",
            "POST",
            "/api/v1/{resource}",
            "none",
            ANY_SIGNED_IN_CREATED,
            resource,
            body=lambda w, k=kind: listing_body(k),
        ),
        Case(
            f"{resource}.patch-draft",
            "PATCH",
            "/api/v1/{resource}/{listing_id}",
            f"listing:{kind}:draft",
            MEMBERS_ONLY_HIDDEN,
            resource,
            body=_patch,
        ),
        Case(
            f"{resource}.patch-published",
            "PATCH",
            "/api/v1/{resource}/{listing_id}",
            f"listing:{kind}:published",
            MEMBERS_ONLY_VISIBLE,
            resource,
            body=_patch,
        ),
        Case(
            f"{resource}.archive-published",
            "DELETE",
            "/api/v1/{resource}/{listing_id}",
            f"listing:{kind}:published",
            MEMBERS_ONLY_VISIBLE,
            resource,
        ),
        Case(
            f"{resource}.submit-draft",
            "POST",
            "/api/v1/{resource}/{listing_id}/submit",
            f"listing:{kind}:draft",
            MEMBERS_ONLY_HIDDEN,
            resource,
        ),
        Case(
            f"{resource}.publish-pending",
            "POST",
            "/api/v1/{resource}/{listing_id}/publish",
            f"listing:{kind}:pending",
            ADMINS_ONLY,
            resource,
        ),
        Case(
            f"{resource}.reject-pending",
            "POST",
            "/api/v1/{resource}/{listing_id}/reject",
            f"listing:{kind}:pending",
            ADMINS_ONLY,
            resource,
            body=_reason,
        ),
        Case(
            f"{resource}.approve-held-edit",
            "POST",
            "/api/v1/{resource}/{listing_id}/edit/approve",
            f"listing:{kind}:edited",
            ADMINS_ONLY,
            resource,
        ),
        Case(
            f"{resource}.reject-held-edit",
            "POST",
            "/api/v1/{resource}/{listing_id}/edit/reject",
            f"listing:{kind}:edited",
            ADMINS_ONLY,
            resource,
            body=_reason,
        ),
        # Importing into an organisation is a member's act; publishing on import is an admin's.
        Case(
            f"{resource}.import-into-own-org",
            "POST",
            "/api/v1/{resource}/import",
            "org:home",
            "401 | 202 403 | 202 403 | 202 403 | 202 403 | 202 202",
            resource,
            params={"org_id": "{org_id}"},
            upload=True,
        ),
        Case(
            f"{resource}.import-and-publish",
            "POST",
            "/api/v1/{resource}/import",
            "none",
            "401 | 403 403 | 403 403 | 403 403 | 403 403 | 202 202",
            resource,
            params={"publish": "true"},
            upload=True,
        ),
    ]


def _demand_body(world: "World") -> dict[str, Any]:
    return {
        "title": unique("寻找石墨烯导热膜制备技术"),
        "description": "用于手机散热的石墨烯导热膜中试",
        "fields": ["materials"],
        "keywords": ["石墨烯", "测试"],
        "kind": "tech_problem",
        "budget": {"min_fen": 10_000_000, "max_fen": 200_000_000},
        "region": "500106",
    }


def _contract_body(world: "World", *, seller: int, buyer: int) -> dict[str, Any]:
    return {
        "contract_type": "license",
        "title": unique("导热膜技术许可合同"),
        "buyer_org_id": buyer,
        "seller_org_id": seller,
        "field": "materials",
        "total_fen": 80_000_000,
        "tech_fen": 72_000_000,
        "signed_at": "2026-11-20",
        "milestones": [
            {"name": "首付款", "due": "2026-12-01", "amount_fen": 30_000_000},
            {"name": "验收款", "due": "2027-03-01", "amount_fen": 50_000_000},
        ],
    }


_registration_numbers = itertools.count(int(time.time()) % 10**8)


CASES: list[Case] = [
    *(case for resource in RESOURCES for case in _listing_cases(resource)),
    Case(
        "experts.erase-published",
        "DELETE",
        "/api/v1/{resource}/{listing_id}",
        "listing:expert:published",
        MEMBERS_ONLY_VISIBLE,
        "experts",
        params={"erase": "true"},
    ),
    Case(
        "experts.enquire",
        "POST",
        "/api/v1/experts/{expert_id}/enquiries",
        "listing:expert:published",
        ANY_SIGNED_IN_CREATED,
        body=lambda w: {"subject": "合作咨询", "message": "想了解中试合作方式", "contact_back": "站内回复"},
    ),
    # Achievements and agencies take enquiries too: any signed-in member asks about a published one.
    *(
        Case(
            f"{resource}.enquire",
            "POST",
            f"/api/v1/{resource}/{{listing_id}}/enquiries",
            f"listing:{TYPE_OF[resource]}:published",
            ANY_SIGNED_IN_CREATED,
            body=lambda w: {
                "subject": "合作咨询",
                "message": "想了解转让或服务的方式",
                "contact_back": "站内回复",
            },
        )
        for resource in ("achievements", "agencies")
    ),
    # The enquiry was sent by the other organisation's enterprise user: the sender may not answer it (403),
    # the sender's colleagues do not see it at all (404).
    Case(
        "enquiries.reply",
        "POST",
        "/api/v1/enquiries/{enquiry_id}/reply",
        "enquiry",
        "401 | 200 403 | 200 404 | 200 404 | 200 404 | 200 200",
        body=lambda w: {"message": "欢迎进一步沟通"},
    ),
    # Experts offer supply; posting a demand is for enterprises, providers and brokers (and admins).
    Case(
        "demands.create",
        "POST",
        "/api/v1/demands",
        "none",
        "401 | 201 201 | 201 201 | 403 403 | 201 201 | 201 201",
        body=_demand_body,
    ),
    Case(
        "demands.patch-draft",
        "PATCH",
        "/api/v1/demands/{demand_id}",
        "demand:draft",
        MEMBERS_ONLY_HIDDEN,
        body=lambda w: {"description": "矩阵测试修改"},
    ),
    Case(
        "demands.archive-published",
        "DELETE",
        "/api/v1/demands/{demand_id}",
        "demand:published",
        MEMBERS_ONLY_VISIBLE,
    ),
    Case(
        "demands.submit-draft",
        "POST",
        "/api/v1/demands/{demand_id}/submit",
        "demand:draft",
        MEMBERS_ONLY_HIDDEN,
    ),
    Case(
        "demands.publish-pending",
        "POST",
        "/api/v1/demands/{demand_id}/publish",
        "demand:pending",
        ADMINS_ONLY,
    ),
    Case(
        "demands.reject-pending",
        "POST",
        "/api/v1/demands/{demand_id}/reject",
        "demand:pending",
        ADMINS_ONLY,
        body=_reason,
    ),
    Case(
        "demands.approve-held-edit",
        "POST",
        "/api/v1/demands/{demand_id}/edit/approve",
        "demand:edited",
        ADMINS_ONLY,
    ),
    Case(
        "demands.reject-held-edit",
        "POST",
        "/api/v1/demands/{demand_id}/edit/reject",
        "demand:edited",
        ADMINS_ONLY,
        body=_reason,
    ),
    # A match is moved only by its broker (the demand is assigned to the own broker) or an admin.
    Case(
        "matches.status",
        "POST",
        "/api/v1/matches/{match_id}/status",
        "match",
        "401 | 403 403 | 403 403 | 403 403 | 200 403 | 200 200",
        body=lambda w: {"status": "shortlisted", "note": "矩阵测试"},
    ),
    Case(
        "matches.notes",
        "POST",
        "/api/v1/matches/{match_id}/notes",
        "match",
        "401 | 403 403 | 403 403 | 403 403 | 201 403 | 201 201",
        body=lambda w: {"body": "矩阵备注"},
    ),
    # Only the listing's own organisation puts it forward for a demand it was matched to.
    Case(
        "listings.interest",
        "POST",
        "/api/v1/listings/{listing_id}/matches/{match_id}/interest",
        "match",
        MEMBERS_ONLY_VISIBLE,
    ),
    Case(
        "demands.assign-broker",
        "POST",
        "/api/v1/demands/{demand_id}/broker",
        "demand:published",
        ADMINS_ONLY,
        body=lambda w: {"broker_id": w.broker_id},
    ),
    # A notification is its recipient's alone (the own broker's here); to anyone else it does not exist.
    Case(
        "notifications.read",
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        "notification",
        "401 | 404 404 | 404 404 | 404 404 | 200 404 | 404 404",
    ),
    # Anyone in an organisation may book a published instrument, their own included.
    Case(
        "bookings.create",
        "POST",
        "/api/v1/bookings",
        "listing:instrument:published",
        ANY_SIGNED_IN_CREATED,
        body=lambda w: w.booking_body(),
    ),
    # The booking was made by the other organisation: the booker may not approve their own request.
    Case(
        "bookings.approve", "POST", "/api/v1/bookings/{booking_id}/approve", "booking", MEMBERS_ONLY_VISIBLE
    ),
    Case(
        "bookings.reject",
        "POST",
        "/api/v1/bookings/{booking_id}/reject",
        "booking",
        MEMBERS_ONLY_VISIBLE,
        body=_reason,
    ),
    # The booking organisation cancels; the instrument's owner cannot cancel for it.
    Case(
        "bookings.cancel",
        "POST",
        "/api/v1/bookings/{booking_id}/cancel",
        "booking",
        "401 | 403 200 | 403 200 | 403 200 | 403 200 | 200 200",
    ),
    # Only the instrument's owner records use.
    Case(
        "bookings.start",
        "POST",
        "/api/v1/bookings/{booking_id}/start",
        "booking:approved",
        MEMBERS_ONLY_VISIBLE,
    ),
    Case(
        "bookings.finish",
        "POST",
        "/api/v1/bookings/{booking_id}/finish",
        "booking:in_progress",
        MEMBERS_ONLY_VISIBLE,
        body=lambda w: {"effective_hours": 0.5},
    ),
    # The owner keeps the instrument's calendar and training records.
    Case(
        "instruments.closures.add",
        "POST",
        "/api/v1/instruments/{instrument_id}/closures",
        "listing:instrument:published",
        "401 | 201 403 | 201 403 | 201 403 | 201 403 | 201 201",
        body=lambda w: w.closure_body(),
    ),
    Case(
        "instruments.closures.remove",
        "DELETE",
        "/api/v1/instruments/{instrument_id}/closures/{closure_id}",
        "closure",
        "401 | 204 403 | 204 403 | 204 403 | 204 403 | 204 204",
    ),
    Case(
        "instruments.trainings.grant",
        "POST",
        "/api/v1/instruments/{instrument_id}/trainings",
        "listing:instrument:published",
        "401 | 201 403 | 201 403 | 201 403 | 201 403 | 201 201",
        body=lambda w: {
            "user_id": w.trainee,
            "expires_at": (datetime.now(UTC) + timedelta(days=90)).isoformat(),
        },
    ),
    Case(
        "instruments.trainings.revoke",
        "POST",
        "/api/v1/instruments/{instrument_id}/trainings/{training_id}/revoke",
        "training",
        MEMBERS_ONLY_VISIBLE,
    ),
    # A contract between the own organisation (seller) and a third one, recorded directly (no match): the
    # other organisation is no party, and a broker records only a deal from a match they worked.
    Case(
        "contracts.create",
        "POST",
        "/api/v1/contracts",
        "none",
        "401 | 201 403 | 201 403 | 201 403 | 201 403 | 201 201",
        body=lambda w: _contract_body(w, seller=w.home, buyer=w.third),
    ),
    # Refunds: a received payment of the own organisation's sale; the buyer (other) may see it but not refund.
    Case(
        "payments.refund",
        "POST",
        "/api/v1/payments/{payment_id}/refund",
        "payment:received",
        "401 | 200 403 | 200 403 | 200 403 | 200 403 | 200 200",
        body=lambda w: {"amount_fen": 100},
    ),
    # The own organisation sells to a third one: its members (an admin of it too) confirm for the seller;
    # the other organisation does not see it, and an admin of another organisation confirms for nobody.
    Case(
        "contracts.confirm",
        "POST",
        "/api/v1/contracts/{contract_id}/confirm",
        "contract:third",
        "401 | 200 404 | 200 404 | 200 404 | 200 404 | 200 403",
    ),
    Case(
        "contracts.cancel",
        "POST",
        "/api/v1/contracts/{contract_id}/cancel",
        "contract:third",
        "401 | 200 404 | 200 404 | 200 404 | 200 404 | 200 200",
    ),
    Case(
        "contracts.terminate",
        "POST",
        "/api/v1/contracts/{contract_id}/terminate",
        "contract:registered",
        ADMINS_ONLY,
        body=_reason,
    ),
    # The own organisation buys from the other: only the buyer pays.
    Case(
        "contracts.pay",
        "POST",
        "/api/v1/contracts/{contract_id}/milestones/{milestone_id}/pay",
        "contract:purchase",
        MEMBERS_ONLY_VISIBLE,
        body=lambda w: {"methods": ["card"]},
    ),
    # The own organisation sells to the other: only the seller registers.
    Case(
        "contracts.registration",
        "POST",
        "/api/v1/contracts/{contract_id}/registration",
        "contract:sale",
        MEMBERS_ONLY_VISIBLE,
    ),
    Case(
        "contracts.registration-approve",
        "POST",
        "/api/v1/contracts/{contract_id}/registration/approve",
        "contract:registration-pending",
        ADMINS_ONLY,
        body=lambda w: {"registration_no": f"202650010{next(_registration_numbers) % 10**5:05d}"},
    ),
    Case(
        "contracts.registration-reject",
        "POST",
        "/api/v1/contracts/{contract_id}/registration/reject",
        "contract:registration-pending",
        ADMINS_ONLY,
        body=_reason,
    ),
    Case(
        "orgs.create",
        "POST",
        "/api/v1/orgs",
        "none",
        ADMINS_ONLY_CREATED,
        body=lambda w: {
            "name": unique("矩阵测试机构"),
            "uscc": valid_uscc(),
            "kind": "enterprise",
            "region": "500107",
        },
    ),
    Case("orgs.verify", "POST", "/api/v1/orgs/{org_id}/verify", "org:home", ADMINS_ONLY),
    Case(
        "orgs.payout-account",
        "POST",
        "/api/v1/orgs/{org_id}/payout-account",
        "org:home",
        ADMINS_ONLY,
        body=lambda w: {"account_ref": "acct_1Matrix00001"},
    ),
    # Anyone in an organisation files a broker profile for themselves; only an admin decides it.
    Case(
        "brokers.apply",
        "POST",
        "/api/v1/brokers/profile",
        "none",
        "401 | 201 201 | 201 201 | 201 201 | 201 201 | 403 403",
        body=lambda w: {"certificate_no": "JJR-2026-0001", "title": "技术经纪人", "fields": ["materials"]},
    ),
    Case(
        "brokers.approve", "POST", "/api/v1/admin/brokers/{profile_id}/approve", "broker-profile", ADMINS_ONLY
    ),
    Case(
        "brokers.reject",
        "POST",
        "/api/v1/admin/brokers/{profile_id}/reject",
        "broker-profile",
        ADMINS_ONLY,
        body=_reason,
    ),
    Case(
        "orgs.invite",
        "POST",
        "/api/v1/orgs/{org_id}/invites",
        "org:home",
        "401 | 201 403 | 201 403 | 201 403 | 201 403 | 201 201",
        body=lambda w: {"role": "provider"},
    ),
    Case(
        "admin.create-user",
        "POST",
        "/api/v1/admin/users",
        "none",
        ADMINS_ONLY_CREATED,
        body=lambda w: {
            "email": f"{unique('m')}@matrix.example.cn",
            "password": PASSWORD,
            "name": "矩阵用户",
            "role": "provider",
            "org_id": w.home,
        },
    ),
    Case(
        "auth.logout",
        "POST",
        "/api/v1/auth/logout",
        "none",
        "401 | 204 204 | 204 204 | 204 204 | 204 204 | 204 204",
        fresh_token=True,
    ),
]


# --- the world: two organisations with a user of every role, and one object of each kind per state ------

FINGERPRINTS = {
    "listing": "SELECT l::text FROM catalog_listing l WHERE id = $1",
    "demand": "SELECT (status, version, title, description, reject_reason, updated_at)::text "
    "FROM demand_demand WHERE id = $1",
    "match": "SELECT (m.status, m.note, m.broker_id, m.status_changed_at, m.interest_at, m.close_reason, "
    "(SELECT count(*) FROM demand_match_note n WHERE n.match_id = m.id))::text FROM demand_match m WHERE id = $1",
    "notification": "SELECT n::text FROM notifications_notification n WHERE id = $1",
    "booking": "SELECT b::text FROM deals_booking b WHERE id = $1",
    "contract": "SELECT c::text || coalesce((SELECT string_agg(m::text, ';' ORDER BY m.id) FROM deals_milestone m "
    "WHERE m.contract_id = c.id), '') FROM deals_contract c WHERE id = $1",
    "enquiry": "SELECT e::text FROM catalog_enquiry e WHERE id = $1",
    "closure": "SELECT c::text FROM bookings_closure c WHERE id = $1",
    "training": "SELECT t::text FROM bookings_training t WHERE id = $1",
    "org": "SELECT o::text FROM accounts_organisation o WHERE id = $1",
    "broker-profile": "SELECT p::text FROM brokers_profile p WHERE id = $1",
    "payment": "SELECT p::text FROM deals_payment p WHERE id = $1",
}


@dataclass
class Target:
    kind: str
    row_id: int | None
    path: dict[str, Any]


@dataclass
class World:
    api: Api
    db_url: str
    admin: str
    home: int
    away: int
    third: int
    users: dict[str, dict[str, str]]  # "own"/"other" -> role -> e-mail
    tokens: dict[str, dict[str, str]]  # "own"/"other" -> role -> token
    instrument: int = 0
    expert: int = 0
    broker_id: int = 0
    trainee: int = 0
    shared: dict[str, Target] = field(default_factory=dict)
    slots: itertools.count = field(default_factory=lambda: itertools.count(1))

    def token(self, column: str) -> str | None:
        if column == "anonymous":
            return None
        role, side = column.split("/")
        return self.tokens[side][role]

    def booking_body(self) -> dict[str, Any]:
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        start = base + timedelta(hours=2 * next(self.slots))
        return {
            "instrument_id": self.instrument,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "mode": "commissioned",
        }

    def closure_body(self) -> dict[str, Any]:
        # Far beyond the matrix's booking slots, so a closure never blocks them.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=300 + next(self.slots))
        return {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=4)).isoformat(),
            "kind": "maintenance",
        }

    async def _listing(self, kind: str, state: str) -> int:
        owner, resource = self.tokens["own"]["provider"], f"{kind}s" if kind != "agency" else "agencies"
        made = await self.api.json(
            "POST", f"/api/v1/{resource}", token=owner, json=listing_body(kind), expect=201
        )
        if state in ("pending", "published", "edited"):
            await self.api.json("POST", f"/api/v1/{resource}/{made['id']}/submit", token=owner)
        if state in ("published", "edited"):
            await self.api.json("POST", f"/api/v1/{resource}/{made['id']}/publish", token=self.admin)
        if state == "edited":
            # A material edit of a published listing is held for review.
            path = f"/api/v1/{resource}/{made['id']}"
            await self.api.json("PATCH", path, token=owner, json={"summary": "矩阵修改后的摘要"})
        return int(made["id"])

    async def _demand(self, state: str) -> int:
        owner = self.tokens["own"]["enterprise"]
        made = await self.api.json(
            "POST", "/api/v1/demands", token=owner, json=_demand_body(self), expect=201
        )
        if state in ("pending", "published", "edited"):
            await self.api.json("POST", f"/api/v1/demands/{made['id']}/submit", token=owner)
        if state in ("published", "edited"):
            await self.api.json("POST", f"/api/v1/demands/{made['id']}/publish", token=self.admin)
        if state == "edited":
            # A material edit of a published demand is held for review.
            path = f"/api/v1/demands/{made['id']}"
            await self.api.json("PATCH", path, token=owner, json={"description": "矩阵修改后的描述"})
        return int(made["id"])

    async def _match(self) -> int:
        demand_id = await self._demand("published")
        conn = await asyncpg.connect(self.db_url)
        try:
            # Let the worker finish its own refresh first, so it cannot withdraw the suggestion we pick.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if await conn.fetchval("SELECT matched_at FROM demand_demand WHERE id = $1", demand_id):
                    break
                await asyncio.sleep(0.05)
        finally:
            await conn.close()
        broker = await self.api.json("GET", "/api/v1/me", token=self.tokens["own"]["broker"])
        self.broker_id = int(broker["id"])
        await self.api.json(
            "POST",
            f"/api/v1/demands/{demand_id}/broker",
            token=self.admin,
            json={"broker_id": self.broker_id},
        )
        matches = await self.api.json(
            "GET",
            f"/api/v1/demands/{demand_id}/matches",
            token=self.tokens["own"]["enterprise"],
            params={"limit": 100},
        )
        # The match of one of the own organisation's listings, so that "own" also means the lister.
        own = {int(t.row_id or 0) for kind, t in self.shared.items() if kind.startswith("listing:")}
        mine = [m for m in matches["items"] if m["id"] in own]
        assert mine, "the matcher found none of the own listings for the matrix demand"
        return int(mine[0]["match_id"]), int(mine[0]["id"])

    async def _notification(self) -> int:
        await self._match()
        conn = await asyncpg.connect(self.db_url)
        try:
            found = await conn.fetchval(
                "SELECT max(id) FROM notifications_notification WHERE user_id = $1", self.broker_id
            )
        finally:
            await conn.close()
        assert found, "assigning the matrix demand notified nobody"
        return int(found)

    async def _booking(self) -> int:
        made = await self.api.json(
            "POST",
            "/api/v1/bookings",
            token=self.tokens["other"]["enterprise"],
            json=self.booking_body(),
            expect=201,
        )
        return int(made["id"])

    async def _booking_in(self, state: str) -> int:
        booking_id = await self._booking()
        owner = self.tokens["own"]["provider"]
        await self.api.json("POST", f"/api/v1/bookings/{booking_id}/approve", token=owner)
        # Use is recorded from an hour before the slot: the slot is moved to one already begun (a past slot of
        # its own, so no two of the matrix's bookings overlap).
        conn = await asyncpg.connect(self.db_url)
        try:
            await conn.execute(
                "UPDATE deals_booking SET starts_at = now() - make_interval(hours => $2), "
                "ends_at = now() - make_interval(hours => $2) + (ends_at - starts_at) WHERE id = $1",
                booking_id,
                2 * next(self.slots),
            )
        finally:
            await conn.close()
        if state == "in_progress":
            await self.api.json("POST", f"/api/v1/bookings/{booking_id}/start", token=owner)
        return booking_id

    async def _closure(self) -> int:
        made = await self.api.json(
            "POST",
            f"/api/v1/instruments/{self.instrument}/closures",
            token=self.tokens["own"]["provider"],
            json=self.closure_body(),
            expect=201,
        )
        return int(made["id"])

    async def _training(self) -> int:
        made = await self.api.json(
            "POST",
            f"/api/v1/instruments/{self.instrument}/trainings",
            token=self.tokens["own"]["provider"],
            json={
                "user_id": self.trainee,
                "expires_at": (datetime.now(UTC) + timedelta(days=90)).isoformat(),
            },
            expect=201,
        )
        return int(made["id"])

    async def _contract(self, kind: str) -> tuple[int, int]:
        if kind == "purchase":
            body, token = (
                _contract_body(self, seller=self.away, buyer=self.home),
                self.tokens["own"]["enterprise"],
            )
        elif kind == "third":
            body, token = _contract_body(self, seller=self.home, buyer=self.third), self.admin
        else:
            body, token = (
                _contract_body(self, seller=self.home, buyer=self.away),
                self.tokens["own"]["provider"],
            )
        made = await self.api.json("POST", "/api/v1/contracts", token=token, json=body, expect=201)
        if kind in ("sale", "registration-pending", "registered"):
            buyer = self.tokens["other"]["enterprise"]
            await self.api.json("POST", f"/api/v1/contracts/{made['id']}/confirm", token=buyer)
        if kind in ("registration-pending", "registered"):
            await self.api.json("POST", f"/api/v1/contracts/{made['id']}/registration", token=token)
        if kind == "registered":
            number = f"202650011{next(_registration_numbers) % 10**5:05d}"
            await self.api.json(
                "POST",
                f"/api/v1/contracts/{made['id']}/registration/approve",
                token=self.admin,
                json={"registration_no": number},
            )
        return int(made["id"]), int(made["milestones"][0]["id"])

    async def _received_payment(self) -> int:
        """A paid first milestone of a sale to the other organisation, confirmed by a signed webhook."""
        contract_id, milestone_id = await self._contract("sale")
        paid = await self.api.json(
            "POST",
            f"/api/v1/contracts/{contract_id}/milestones/{milestone_id}/pay",
            token=self.tokens["other"]["enterprise"],
            json={"methods": ["card"]},
        )
        raw = json.dumps(
            {
                "id": f"evt_matrix_{paid['payment_id']}",
                "type": "payment_intent.succeeded",
                "data": {
                    "object": {
                        "id": paid["provider_ref"],
                        "object": "payment_intent",
                        "amount": paid["amount_fen"],
                        "currency": paid["currency"],
                    }
                },
            }
        ).encode()
        await self.api.json(
            "POST",
            "/api/v1/payments/stripe/webhook",
            content=raw,
            headers={"Stripe-Signature": stripe_signature(raw), "Content-Type": "application/json"},
        )
        return int(paid["payment_id"])

    async def _broker_profile(self) -> int:
        _, applicant = await _make_user(self.api, self.admin, self.away, "provider")
        body = {"certificate_no": "JJR-2026-0002", "title": "技术经纪人", "fields": ["ai"]}
        made = await self.api.json("POST", "/api/v1/brokers/profile", token=applicant, json=body, expect=201)
        return int(made["id"])

    async def _enquiry(self) -> int:
        made = await self.api.json(
            "POST",
            f"/api/v1/experts/{self.expert}/enquiries",
            token=self.tokens["other"]["enterprise"],
            json={"subject": "矩阵咨询", "message": "请问是否可以合作？"},
            expect=201,
        )
        return int(made["id"])

    async def build(self, kind: str) -> Target:
        """A new object of a kind, owned (or bought, sold, received) by the own organisation."""
        match kind.split(":"):
            case ["listing", listing_type, state]:
                listing_id = await self._listing(listing_type, state)
                return Target(
                    "listing",
                    listing_id,
                    {"listing_id": listing_id, "expert_id": listing_id, "instrument_id": listing_id},
                )
            case ["demand", state]:
                demand_id = await self._demand(state)
                return Target("demand", demand_id, {"demand_id": demand_id})
            case ["match"]:
                match_id, listing_id = await self._match()
                return Target("match", match_id, {"match_id": match_id, "listing_id": listing_id})
            case ["notification"]:
                notification_id = await self._notification()
                return Target("notification", notification_id, {"notification_id": notification_id})
            case ["booking"]:
                booking_id = await self._booking()
                return Target("booking", booking_id, {"booking_id": booking_id})
            case ["booking", state]:
                booking_id = await self._booking_in(state)
                return Target("booking", booking_id, {"booking_id": booking_id})
            case ["closure"]:
                closure_id = await self._closure()
                return Target(
                    "closure", closure_id, {"instrument_id": self.instrument, "closure_id": closure_id}
                )
            case ["training"]:
                training_id = await self._training()
                return Target(
                    "training", training_id, {"instrument_id": self.instrument, "training_id": training_id}
                )
            case ["contract", contract_kind]:
                contract_id, milestone_id = await self._contract(contract_kind)
                return Target(
                    "contract", contract_id, {"contract_id": contract_id, "milestone_id": milestone_id}
                )
            case ["enquiry"]:
                enquiry_id = await self._enquiry()
                return Target("enquiry", enquiry_id, {"enquiry_id": enquiry_id})
            case ["org", "home"]:
                return Target("org", self.home, {"org_id": self.home})
            case ["payment", "received"]:
                payment_id = await self._received_payment()
                return Target("payment", payment_id, {"payment_id": payment_id})
            case ["broker-profile"]:
                profile_id = await self._broker_profile()
                return Target("broker-profile", profile_id, {"profile_id": profile_id})
            case ["none"]:
                return Target("none", None, {})
        raise AssertionError(f"unknown target kind {kind}")

    async def target(self, case: Case, expected: int) -> Target:
        """The shared object for a refusal (it must stay untouched); a fresh one for a call that succeeds."""
        # Calls that only add rows next to their target (an enquiry, a booking, an invitation) may share it.
        adds_only = case.name in (
            "experts.enquire",
            "bookings.create",
            "orgs.invite",
            "orgs.verify",
            "instruments.closures.add",
            "instruments.trainings.grant",
        )
        if expected >= 400 or adds_only:
            if case.target not in self.shared:
                self.shared[case.target] = await self.build(case.target)
            return self.shared[case.target]
        return await self.build(case.target)


async def _make_user(api: Api, admin: str, org_id: int, role: str) -> tuple[str, str]:
    email = f"{unique(role)}@matrix.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin,
        expect=201,
        json={"email": email, "password": PASSWORD, "name": f"矩阵{role}", "role": role, "org_id": org_id},
    )
    return email, await api.token(email, PASSWORD)


@pytest.fixture(scope="session")
async def world(stack: Processes) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        orgs = []
        for kind, region in (("university", "500106"), ("enterprise", "500107"), ("enterprise", "510100")):
            body = {"name": unique("矩阵机构"), "uscc": valid_uscc(), "kind": kind, "region": region}
            org = await api.json("POST", "/api/v1/orgs", token=admin, json=body, expect=201)
            # Only verified organisations may book instruments.
            await api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=admin)
            orgs.append(org)
        home, away, third = (org["id"] for org in orgs)
        users: dict[str, dict[str, str]] = {"own": {}, "other": {}}
        tokens: dict[str, dict[str, str]] = {"own": {}, "other": {}}
        for side, org_id in (("own", home), ("other", away)):
            for role in ROLES:
                users[side][role], tokens[side][role] = await _make_user(api, admin, org_id, role)
        db_url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://")
        world = World(api, db_url, admin, home, away, third, users, tokens)
        # The objects every refusal is tried on, built once, in every state a case needs.
        for resource in RESOURCES:
            for state in ("draft", "pending", "published"):
                kind = f"listing:{TYPE_OF[resource]}:{state}"
                world.shared[kind] = await world.build(kind)
        world.instrument = int(world.shared["listing:instrument:published"].row_id or 0)
        world.expert = int(world.shared["listing:expert:published"].row_id or 0)
        me = await api.json("GET", "/api/v1/me", token=tokens["other"]["enterprise"])
        world.trainee = int(me["id"])
        await api.wait_indexed(admin)
        for kind in (
            "demand:draft",
            "demand:pending",
            "demand:published",
            "match",
            "booking",
            "booking:approved",
            "booking:in_progress",
            "closure",
            "training",
            "contract:purchase",
            "contract:sale",
            "contract:registration-pending",
            "contract:third",
            "contract:registered",
            "broker-profile",
            "payment:received",
            "enquiry",
            "org:home",
        ):
            world.shared[kind] = await world.build(kind)
        yield world


# --- the tests -----------------------------------------------------------------------------------------------


def _walk(routes: Any) -> Any:
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI ≥ 0.16x)
            yield from _walk(route.effective_route_contexts())
        elif hasattr(route, "routes") and not hasattr(route, "methods"):
            yield from _walk(route.routes)
        elif getattr(route, "methods", None):
            yield route


def _write_endpoints() -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in _walk(create_app().routes)
        if route.path.startswith("/api/v1/")
        for method in route.methods
        if method in WRITE_METHODS
    }


def test_every_write_endpoint_is_in_the_matrix():
    # given every write endpoint the application serves
    endpoints = _write_endpoints()
    covered = {(case.method, case.route) for case in CASES}

    # then each has matrix rows (or a stated exemption), for every listing resource, and no row is stale
    missing = sorted(endpoints - covered - EXEMPT.keys())
    assert not missing, f"write endpoints without an authorisation matrix entry: {missing}"
    assert not sorted(covered - endpoints), "matrix rows for endpoints the app no longer has"
    for method, route in endpoints:
        if "{resource}" in route:
            resources = {case.resource for case in CASES if (case.method, case.route) == (method, route)}
            assert resources == set(RESOURCES), (
                f"{method} {route} lacks rows for {set(RESOURCES) - resources}"
            )
    assert len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        assert case.outcomes  # each row has exactly one outcome per column


def _format(value: Any, path: dict[str, Any]) -> Any:
    return value.format(**path) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("case", "column"),
    [(case, column) for case in CASES for column in COLUMNS],
    ids=[f"{case.name}|{column}" for case in CASES for column in COLUMNS],
)
async def test_authorisation(world, db, case, column):
    # given the caller of this column and the object the row acts on
    expected = case.outcomes[column]
    target = await world.target(case, expected)
    path = {"resource": case.resource, **target.path}
    url = case.route.format(**path)
    token = world.token(column)
    if case.fresh_token and token is not None:
        role, side = column.split("/")
        token = await world.api.token(world.users[side][role], PASSWORD)
    request: dict[str, Any] = {"params": {key: _format(value, path) for key, value in case.params.items()}}
    if case.body is not None:
        request["json"] = case.body(world)
    if case.upload:
        # A file that fails validation as a whole: the job runs but can never add listings behind our back.
        request["files"] = {"file": ("matrix.csv", "summary\n矩阵导入\n".encode(), "text/csv")}
    fingerprint = FINGERPRINTS.get(target.kind)
    before = await db.fetchval(fingerprint, target.row_id) if fingerprint else None

    # when the caller makes the call
    if expected < 400:
        response = await world.api.call(case.method, url, token=token, **request)
        assert response.status_code == expected, f"{column} {case.method} {url}: {response.text[:400]}"
        return
    async with nothing_saved(db):
        response = await world.api.call(case.method, url, token=token, **request)
        # then it is refused as the matrix says, with a problem document
        assert_problem(response, expected)

    # and the object is exactly as it was
    if fingerprint:
        assert await db.fetchval(fingerprint, target.row_id) == before, (
            f"{target.kind} {target.row_id} changed"
        )

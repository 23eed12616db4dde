"""Plain async factories with keyword overrides; every one goes through the public API."""

import itertools
import random
import uuid
from typing import Any

from services.reference.identifiers import uscc_check_character

_counter = itertools.count(1)
RESOURCES = {
    "achievement": "achievements",
    "instrument": "instruments",
    "expert": "experts",
    "agency": "agencies",
}


def valid_uscc(rng: random.Random | None = None, prefix: str = "91", region: str = "500107") -> str:
    """A fresh 统一社会信用代码 with a correct check character."""
    rng = rng or random.Random()
    body = prefix + region + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(9))
    return body + uscc_check_character(body)


def unique(label: str) -> str:
    return f"{label}{next(_counter)}{uuid.uuid4().hex[:6]}"


async def create_org(api: Any, admin: str, *, verified: bool = True, **overrides: Any) -> dict[str, Any]:
    """An organisation created by an admin, verified by them unless asked otherwise (bookings need it)."""
    body = {"name": unique("测试机构"), "uscc": valid_uscc(), "kind": "university", "region": "500106"}
    body.update(overrides)
    org = dict(await api.json("POST", "/api/v1/orgs", token=admin, json=body, expect=201))
    if verified:
        org = dict(await api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=admin))
    return org


async def create_account(
    api: Any, admin: str, *, org_id: int | None, role: str = "provider"
) -> tuple[int, str, str]:
    """A user made by the admin: its id, email and a token."""
    email = f"{unique('u')}@suite.example.cn"
    password = "Suite-Pass-2026!"
    user = await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin,
        expect=201,
        json={"email": email, "password": password, "name": "测试用户", "role": role, "org_id": org_id},
    )
    return int(user["id"]), email, await api.token(email, password)


async def create_user(api: Any, admin: str, *, org_id: int | None, role: str = "provider") -> tuple[int, str]:
    user_id, _, token = await create_account(api, admin, org_id=org_id, role=role)
    return user_id, token


async def self_register(api: Any, password: str, *, name: str = "自注册用户") -> str:
    """An enterprise account registered by anyone through the public form: its e-mail (attacker-side tests)."""
    email = f"{unique('reg')}@suite.example.cn"
    await api.json(
        "POST",
        "/api/v1/auth/register",
        expect=201,
        json={
            "email": email,
            "password": password,
            "name": name,
            "role": "enterprise",
            "org": {
                "name": unique("自注册科技有限公司"),
                "uscc": valid_uscc(prefix="91"),
                "kind": "enterprise",
                "region": "500107",
            },
        },
    )
    return email


def listing_body(listing_type: str, **overrides: Any) -> dict[str, Any]:
    common = {
        "summary": "测试摘要",
        "description": "测试描述",
        "fields": ["materials"],
        "keywords": ["测试"],
        "region": "500106",
    }
    bodies: dict[str, dict[str, Any]] = {
        "achievement": {
            **common,
            "title": unique("石墨烯导热膜制备技术"),
            "maturity": "pilot",
            "trl": 6,
            "ip": [{"kind": "invention", "number": "202110123456.7"}],
            "transfer_modes": ["license"],
            "price": {"mode": "range", "min_fen": 50_000_000, "max_fen": 120_000_000},
            "inventors": ["张三"],
        },
        "instrument": {
            **common,
            "name": unique("扫描电子显微镜"),
            "model": "Sigma 300",
            "manufacturer": "ZEISS",
            "category": "0101",
            "original_value_fen": 350_000_000,
            "location": {"campus": "虎溪校区", "building": "材料楼", "room": "101"},
            "service_modes": ["self", "commissioned"],
            "fees": [{"unit": "hour", "price_fen": 40_000}, {"unit": "sample", "price_fen": 20_000}],
            "booking": {"min_notice_hours": 1, "max_hours": 8, "needs_training": False},
            "availability": "available",
        },
        "expert": {
            **common,
            "name": unique("王专家"),
            "title": "教授",
            "institution": "测试大学",
            "bio": "长期从事石墨烯热管理材料研究。",
            "services": ["consulting"],
            "rate_fen_per_hour": 100_000,
            "consent": {"publish": True, "contact": False},
            "contact": {"phone": "13800000000", "email": "expert@contact.example.cn"},
        },
        "agency": {
            **common,
            "name": unique("材料检测中心"),
            "agency_types": ["testing"],
            "qualifications": ["CMA"],
            "offerings": [
                {
                    "name": "导热系数测试",
                    "description": "激光闪射法",
                    "price": {"mode": "fixed", "min_fen": 80_000, "max_fen": 80_000},
                }
            ],
        },
    }
    body = bodies[listing_type]
    body.update(overrides)
    return body


async def create_listing(api: Any, token: str, listing_type: str, **overrides: Any) -> dict[str, Any]:
    return dict(
        await api.json(
            "POST",
            f"/api/v1/{RESOURCES[listing_type]}",
            token=token,
            json=listing_body(listing_type, **overrides),
            expect=201,
        )
    )


async def publish_listing(
    api: Any, owner: str, admin: str, listing_type: str, listing_id: int
) -> dict[str, Any]:
    resource = RESOURCES[listing_type]
    await api.json("POST", f"/api/v1/{resource}/{listing_id}/submit", token=owner)
    return dict(await api.json("POST", f"/api/v1/{resource}/{listing_id}/publish", token=admin))


async def publish_demand(api: Any, token: str, admin: str, body: dict[str, Any]) -> dict[str, Any]:
    """A demand posted by the member whose token is given, submitted and published by the admin."""
    demand = dict(await api.json("POST", "/api/v1/demands", token=token, expect=201, json=body))
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=token)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin)
    return demand


def thermal_film_demand(word: str) -> dict[str, Any]:
    """A demand for a film's roll-to-roll preparation and its thermal-conductivity testing."""
    return {
        "title": f"寻找{word}制备技术与导热系数测试",
        "description": f"需要{word}卷对卷制备技术，并需要导热系数测试服务。",
        "kind": "tech_problem",
        "fields": ["materials"],
        "keywords": [word, "导热系数测试"],
        "region": "500107",
    }


def contract_body(*, buyer_org_id: int, seller_org_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid two-milestone licence contract (80万元, 72万元 technical)."""
    body: dict[str, Any] = {
        "contract_type": "license",
        "title": unique("导热膜技术许可合同"),
        "buyer_org_id": buyer_org_id,
        "seller_org_id": seller_org_id,
        "field": "materials",
        "total_fen": 80_000_000,
        "tech_fen": 72_000_000,
        "signed_at": "2026-11-20",
        "milestones": [
            {"name": "首付款", "due": "2026-12-01", "amount_fen": 30_000_000},
            {"name": "验收款", "due": "2027-03-01", "amount_fen": 50_000_000},
        ],
    }
    body.update(overrides)
    return body


async def create_contract(api: Any, token: str, **fields: Any) -> dict[str, Any]:
    return dict(
        await api.json("POST", "/api/v1/contracts", token=token, json=contract_body(**fields), expect=201)
    )


def registration_number() -> str:
    """A fresh 14-digit registry number (opaque text to the system)."""
    return "2026" + str(random.randrange(10**9, 10**10))


async def register_contract(
    api: Any, seller: str, admin: str, contract_id: int, *, buyer: str, **approve: Any
) -> dict[str, Any]:
    """The buyer confirms, the seller submits and an admin approves with a fresh registry number."""
    await api.json("POST", f"/api/v1/contracts/{contract_id}/confirm", token=buyer)
    await api.json("POST", f"/api/v1/contracts/{contract_id}/registration", token=seller)
    body = {"registration_no": registration_number(), **approve}
    return dict(
        await api.json(
            "POST", f"/api/v1/contracts/{contract_id}/registration/approve", token=admin, json=body
        )
    )


async def start_booking(api: Any, db: Any, owner: str, booking_id: int) -> dict[str, Any]:
    """The owner records the start of a booking booked days ahead: its slot is moved to begin now (the start is
    accepted from one hour before the slot), the start recorded, and the slot put back where it was."""
    row = await db.fetchrow("SELECT starts_at, ends_at FROM deals_booking WHERE id = $1", booking_id)
    await db.execute(
        "UPDATE deals_booking SET starts_at = now(), ends_at = now() + ($2::timestamptz - $3::timestamptz) "
        "WHERE id = $1",
        booking_id,
        row["ends_at"],
        row["starts_at"],
    )
    try:
        started: dict[str, Any] = await api.json("POST", f"/api/v1/bookings/{booking_id}/start", token=owner)
    finally:
        await db.execute(
            "UPDATE deals_booking SET starts_at = $2, ends_at = $3 WHERE id = $1",
            booking_id,
            row["starts_at"],
            row["ends_at"],
        )
    return started

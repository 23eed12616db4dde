"""Demo and benchmark data: realistic organisations, users, listings, demands and registered contracts."""

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from devdata import histories
from devdata.generator import generate_demands, generate_listings, generate_orgs
from matching import service as matching_service
from services.accounts import service as accounts_service
from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.catalog.schemas import PersonLink
from services.core.errors import Conflict
from services.core.logging import get_logger
from services.deals import registration
from services.demand import service as demand_service
from services.imports.bulk import save_rows, validate_rows
from services.reference.fields import TECH_FIELD_CODES
from services.reference.vocabulary import ListingStatus, ListingType, Role

log = get_logger("seed")
DEMO_PASSWORD = "TechMarket-2026"
# How each contract type reads in a contract's title (技术开发合同, 技术转让合同 …).
TYPE_TITLES = {
    "development": "技术开发",
    "transfer": "技术转让",
    "license": "技术许可",
    "consulting": "技术咨询",
    "service": "技术服务",
}
# The README's story needs the demo provider's own instrument whatever the scale: the enterprise books it and
# the provider approves it. Added beside the generated listings (the generator's sequence and keys are untouched).
STORY_INSTRUMENT: dict[str, Any] = {
    "external_ref": "demo-story:ins:cqu-sem",
    "name": "场发射扫描电子显微镜",
    "title": "场发射扫描电子显微镜（ZEISS Sigma 300）",
    "summary": "重庆大学分析测试中心｜金属断口、粉体与薄膜形貌、微区成分分析｜500元/小时",
    "description": (
        "场发射扫描电子显微镜（蔡司(ZEISS) Sigma 300）于2019年购置，安置于重庆大学A区分析测试中心"
        "二楼203室，配牛津能谱仪。主要技术指标：二次电子分辨率1.2 nm@15 kV，加速电压0.02–30 kV。"
        "可开展金属断口、粉体与薄膜形貌观察及微区成分分析。服务方式：自主上机、送样检测；收费500元/小时起。"
    ),
    "fields": ["materials"],
    "keywords": ["SEM", "扫描电镜", "场发射扫描电镜", "ZEISS", "Sigma 300", "能谱"],
    "region": "500106",
    "model": "Sigma 300",
    "manufacturer": "蔡司(ZEISS)",
    "category": "0101",
    "original_value_fen": 420_000_000,
    "location": {"campus": "重庆大学A区", "building": "分析测试中心", "room": "203"},
    "service_modes": ["self", "commissioned"],
    "fees": [{"unit": "hour", "price_fen": 50_000}, {"unit": "sample", "price_fen": 60_000}],
    "booking": {"min_notice_hours": 24, "max_hours": 4, "needs_training": False},
    "availability": "available",
}
# About a year of registrations at roughly the zone's scale (a few 亿元), so the dashboard has history.
SEED_CONTRACTS = 160
FLUSH_AT = 10_000


async def _flush(
    buffers: dict[tuple[int, ListingType], list[tuple[int, dict[str, Any]]]],
    actor_id: int | None,
    counts: dict[str, int],
) -> None:
    for (org_id, listing_type), rows in buffers.items():
        if not rows:
            continue
        valid, errors = validate_rows(listing_type, rows)
        for error in errors[:3]:
            log.warning(
                "seed.invalid_row", type=listing_type.value, row=error.row, column=error.column, msg=error.msg
            )
        counts["invalid"] += len({e.row for e in errors})
        result = await save_rows(
            org_id=org_id, actor_id=actor_id, listing_type=listing_type, rows=valid, publish=True
        )
        counts["created"] += result.created
        counts["updated"] += result.updated
    buffers.clear()


async def load_demo(*, scale: int, demands: int, rng: random.Random, index: bool) -> dict[str, int]:
    """Load everything; safe to run again (updates by external reference, skips what exists)."""
    orgs = generate_orgs(rng, extra_enterprises=max(0, scale // 200))
    org_ids = {
        org.key: await accounts_service.ensure_org(
            name=org.name, uscc=org.uscc, kind=org.kind, region=org.region
        )
        for org in orgs
    }
    by_kind: dict[str, list[str]] = defaultdict(list)
    for org in orgs:
        by_kind[org.kind].append(org.key)
    demo_users = {
        "admin": ("admin@demo.techmarket.cn", "平台管理员", None),
        "provider": ("provider@demo.techmarket.cn", "重大成果转化办", by_kind["university"][0]),
        "enterprise": ("enterprise@demo.techmarket.cn", "科学城企业用户", by_kind["enterprise"][0]),
        "broker": (
            "broker@demo.techmarket.cn",
            "技术经纪人李明",
            (by_kind["agency"] or by_kind["enterprise"])[0],
        ),
        "expert": ("expert@demo.techmarket.cn", "专家用户", by_kind["university"][0]),
    }
    user_ids = {}
    for role, (email, name, org_key) in demo_users.items():
        user_ids[role] = await accounts_service.ensure_user(
            email=email,
            password=DEMO_PASSWORD,
            name=name,
            role=Role(role),
            org_id=org_ids[org_key] if org_key else None,
        )
    # The demo broker holds an approved profile over every field: published demands are assigned to them.
    await histories.approved_broker_profile(
        user_id=user_ids["broker"],
        org_id=org_ids[demo_users["broker"][2] or ""],
        fields=sorted(TECH_FIELD_CODES),
        certificate_no="JJR-500107-2026-001",
    )
    counts: dict[str, int] = defaultdict(int)
    buffers: dict[tuple[int, ListingType], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    pending = 0
    for number, item in enumerate(generate_listings(rng, scale=scale, orgs=orgs), start=1):
        body = dict(item.payload)
        body["external_ref"] = item.external_ref
        buffers[(org_ids[item.org_key], ListingType(item.type))].append((number, body))
        pending += 1
        if pending >= FLUSH_AT:
            await _flush(buffers, user_ids["admin"], counts)
            pending = 0
    buffers[(org_ids[by_kind["university"][0]], ListingType.INSTRUMENT)].append((0, dict(STORY_INSTRUMENT)))
    await _flush(buffers, user_ids["admin"], counts)
    counts["expert_linked"] = await _link_demo_expert(
        org_id=org_ids[by_kind["university"][0]],
        provider_id=user_ids["provider"],
        email=demo_users["expert"][0],
    )
    for demand in generate_demands(rng, count=demands, orgs=orgs):
        made = await demand_service.seed_demand(
            org_id=org_ids[demand.org_key],
            actor_id=user_ids["enterprise"],
            body=dict(demand.payload),
            publish=True,
        )
        counts["demands"] += 1 if made else 0
    counts["contracts"] = await _seed_contracts(
        rng, orgs=list(orgs), org_ids=org_ids, admin_id=user_ids["admin"]
    )
    if index:
        from entry.worker import drain

        counts["indexed_events"] = await drain()
        # Matches exist once the demands were matched against the index: give the broker a history.
        counts["worked_matches"] = await histories.worked_match_histories(broker_id=user_ids["broker"])
        # The broker's day starts with reminders of matches left idle past the SLA, and a ranking model
        # learned from that history (adopted only if it beats the hand-set weights on the held-out outcomes).
        counts["reminders"] = await demand_service.remind_overdue()
        try:
            trained = await matching_service.train_matcher()
        except ValueError as exc:  # a tiny demo (a handful of demands) has too little history to hold out
            log.warning("seed.train_matcher_skipped", reason=str(exc))
        else:
            counts["ranking_model_adopted"] = int(bool(trained["adopted"]))
    return dict(counts)


async def _link_demo_expert(*, org_id: int, provider_id: int, email: str) -> int:
    """The demo expert account is the person of one of its university's expert profiles (they then manage their
    own consent on 我的专家资料). Already linked: nothing to do."""
    provider = Actor(user_id=provider_id, role="provider", org_id=org_id)
    found = await catalog_service.list_listings(
        actor=provider,
        listing_type=ListingType.EXPERT,
        status=ListingStatus.PUBLISHED,
        mine=True,
        page=1,
        size=20,
    )
    if not found.items or any(item.get("person_linked") for item in found.items):
        return 0
    try:
        await catalog_service.link_person(
            actor=provider, listing_id=int(found.items[0]["id"]), link=PersonLink(email=email)
        )
    except Conflict:  # linked to a profile beyond the first page on an earlier run
        return 0
    return 1


async def _seed_contracts(
    rng: random.Random, *, orgs: list[Any], org_ids: dict[str, int], admin_id: int
) -> int:
    """A year of registered technology contracts so the turnover dashboard has history."""
    admin = Actor(user_id=admin_id, role="admin", org_id=None)
    sellers = [o for o in orgs if o.kind in ("university", "institute", "hospital")]
    buyers = [o for o in orgs if o.kind == "enterprise"]
    if not sellers or not buyers:
        return 0
    made = 0
    today = datetime.now(UTC)
    types = ["development", "transfer", "license", "consulting", "service"]
    subjects = [
        "高镍正极材料制备技术",
        "工业视觉缺陷检测系统",
        "碳化硅功率模块封装工艺",
        "化学发光体外诊断试剂",
        "智能网联汽车测试场景库",
        "石墨烯导热膜量产工艺",
        "手术机器人运动控制算法",
        "锂电池热失控预警",
    ]
    fields = ["materials", "ai", "ic", "medtech", "nev", "materials", "manufacturing", "nev"]
    for i in range(SEED_CONTRACTS):
        signed = (today - timedelta(days=(SEED_CONTRACTS - i) * 365 // SEED_CONTRACTS + 12)).date()
        registered_at = datetime.combine(
            signed + timedelta(days=rng.randrange(5, 20)), datetime.min.time(), UTC
        )
        seller, buyer = rng.choice(sellers), rng.choice(buyers)
        # Contract values are heavy-tailed: many 几十万 consultancy deals, a few 千万级 transfers.
        yuan = min(max(rng.lognormvariate(math.log(3_000_000), 1.1), 50_000), 150_000_000)
        total = int(yuan // 1_000) * 1_000 * 100
        tech = total - rng.randrange(0, 20) * total // 100
        first = total * 3 // 10
        subject = i % len(subjects)
        contract_type = types[i % len(types)]
        body = {
            "contract_type": contract_type,
            "title": f"{subjects[subject].removesuffix('技术')}{TYPE_TITLES[contract_type]}合同",
            "buyer_org_id": org_ids[buyer.key],
            "seller_org_id": org_ids[seller.key],
            "field": fields[subject],
            "total_fen": total,
            "tech_fen": tech,
            "signed_at": signed.isoformat(),
            "milestones": [
                {"name": "合同签订首付款", "due": signed.isoformat(), "amount_fen": first},
                {
                    "name": "技术交付验收款",
                    "due": (signed + timedelta(days=90)).isoformat(),
                    "amount_fen": total - first,
                },
            ],
        }
        number = f"{signed.year}5001{i + 1:06d}"
        if await registration.record_registered_contract(
            actor=admin, body=body, registration_no=number, registered_at=registered_at
        ):
            made += 1
    return made

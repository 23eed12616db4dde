"""How useful a listing is to an enterprise, and what it still lacks (pure)."""

import re
from typing import Any

# Industry passes over listings that are vague, too early or unclear about their benefit.
_QUANTIFIED = re.compile(
    r"\d+(\.\d+)?\s*(%|％|倍|元|万|亿|小时|天|年|次|nm|μm|um|mm|℃|°C|W|kW|MPa|GPa|ppm|ppb)"
)

CHECKS: dict[str, dict[str, tuple[str, int]]] = {
    "achievement": {
        "ip": ("知识产权状态（专利号或技术秘密）", 20),
        "benefit": ("量化的效益或性能指标（相对现有方案）", 25),
        "stage": ("成熟度证据（TRL 与小试/中试说明）", 20),
        "price": ("价格或价格区间", 15),
        "contact": ("联系途径（转化方式）", 10),
        "description": ("足够的技术描述（≥80 字）", 10),
    },
    "instrument": {
        "fees": ("收费标准", 30),
        "model": ("型号与厂商", 20),
        "location": ("放置地点", 15),
        "booking": ("预约规则", 15),
        "description": ("功能与技术指标描述（≥40 字）", 20),
    },
    "expert": {
        "consent": ("公开信息的个人同意", 30),
        "bio": ("研究方向简介（≥40 字）", 30),
        "services": ("可提供的服务", 20),
        "rate": ("收费标准", 20),
    },
    "agency": {
        "offerings": ("服务项目", 35),
        "price": ("服务价格", 25),
        "qualifications": ("资质（CMA、CNAS 等）", 20),
        "description": ("机构介绍（≥40 字）", 20),
    },
}


def _passes(listing_type: str, check: str, data: dict[str, Any]) -> bool:
    text = f"{data.get('summary', '')}{data.get('description', '')}"
    price = data.get("price") or {}
    match listing_type, check:
        case "achievement", "ip":
            return bool(data.get("ip"))
        case "achievement", "benefit":
            return bool(_QUANTIFIED.search(text))
        case "achievement", "stage":
            return bool(data.get("trl")) and bool(data.get("maturity")) and len(text) >= 40
        case "achievement", "price":
            return price.get("mode") in ("fixed", "range")
        case "achievement", "contact":
            return bool(data.get("transfer_modes"))
        case "achievement", "description":
            return len(data.get("description", "")) >= 80
        case "instrument", "fees":
            return bool(data.get("fees"))
        case "instrument", "model":
            return bool(data.get("model")) and bool(data.get("manufacturer"))
        case "instrument", "location":
            return bool((data.get("location") or {}).get("building"))
        case "instrument", "booking":
            return bool(data.get("booking"))
        case (("instrument" | "agency"), "description"):
            return len(data.get("description", "")) >= 40
        case "expert", "consent":
            return bool((data.get("consent") or {}).get("publish"))
        case "expert", "bio":
            return len(data.get("bio", "")) >= 40
        case "expert", "services":
            return bool(data.get("services"))
        case "expert", "rate":
            return data.get("rate_fen_per_hour") is not None
        case "agency", "offerings":
            return bool(data.get("offerings"))
        case "agency", "price":
            return any(
                (o.get("price") or {}).get("mode") in ("fixed", "range") for o in data.get("offerings", [])
            )
        case "agency", "qualifications":
            return bool(data.get("qualifications"))
    return False


def assess_quality(listing_type: str, data: dict[str, Any]) -> tuple[int, list[str]]:
    """Score 0–100 and the Chinese labels of what is missing."""
    score = 0
    missing: list[str] = []
    for check, (label, weight) in CHECKS.get(listing_type, {}).items():
        if _passes(listing_type, check, data):
            score += weight
        else:
            missing.append(label)
    return score, missing

"""Technology contracts: the 技术合同认定登记 rule sets that register our types by signing date (docs/domain.md §1)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from services.reference.vocabulary import ContractType, ListingType

# --- Technology contracts --------------------------------------------------------------------------------

# The contract a deal over each kind of supply usually becomes: an achievement is licensed, an expert
# consults, an instrument or an agency serves (docs/domain.md §1). The broker may still pick another type.
CONTRACT_TYPE_FOR_LISTING: Final[Mapping[str, ContractType]] = {
    ListingType.ACHIEVEMENT: ContractType.LICENSE,
    ListingType.INSTRUMENT: ContractType.SERVICE,
    ListingType.EXPERT: ContractType.CONSULTING,
    ListingType.AGENCY: ContractType.SERVICE,
}


def usual_contract_type(listing_type: str) -> ContractType:
    """The contract type a deal over this kind of listing starts from (a service for anything unknown)."""
    return CONTRACT_TYPE_FOR_LISTING.get(listing_type, ContractType.SERVICE)


NON_TECHNICAL_COST_CATEGORIES: Final[Mapping[str, str]] = {
    "equipment": "设备",
    "instrument": "仪器",
    "parts": "零部件",
    "raw_material": "原材料",
    "other": "其他",
}


@dataclass(frozen=True, slots=True)
class ContractTypeRule:
    """How one of our contract types is registered under one rule set."""

    code: str
    label: str
    registered_as: str
    subtypes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ContractRuleSet:
    """One generation of the 技术合同认定登记 rules, applied by the contract's signing date."""

    code: str
    title: str
    effective_from: date | None
    types: Mapping[str, ContractTypeRule]
    non_technical_cost_categories: Mapping[str, str]
    review_days: int
    review_days_are_working_days: bool
    large_contract_review_days: int | None
    large_contract_threshold_fen: int | None


_DEVELOPMENT_SUBTYPES: Final[Mapping[str, str]] = {"commissioned": "委托开发", "cooperative": "合作开发"}
_SERVICE_SUBTYPES: Final[Mapping[str, str]] = {
    "general": "技术服务",
    "training": "技术培训",
    "intermediary": "技术中介",
}

# The 2000 办法 / 2001 规则 knew four types; a licence was a sub-type of 转让, so our `license` records
# signed before 2026-03-01 are registered (and counted) as 技术转让.
_RULE_SET_2000: Final[ContractRuleSet] = ContractRuleSet(
    code="2000",
    title="技术合同认定登记管理办法（2000）及技术合同认定规则（2001）",
    effective_from=None,
    types={
        "development": ContractTypeRule("development", "技术开发", "development", _DEVELOPMENT_SUBTYPES),
        "transfer": ContractTypeRule(
            "transfer",
            "技术转让",
            "transfer",
            {
                "patent": "专利权转让",
                "patent_application": "专利申请权转让",
                "tech_secret": "技术秘密转让",
            },
        ),
        "license": ContractTypeRule(
            "license",
            "技术转让（专利实施许可）",
            "transfer",
            {
                "patent_license": "专利实施许可",
            },
        ),
        "consulting": ContractTypeRule("consulting", "技术咨询", "consulting", {}),
        "service": ContractTypeRule("service", "技术服务", "service", _SERVICE_SUBTYPES),
    },
    non_technical_cost_categories=NON_TECHNICAL_COST_CATEGORIES,
    review_days=30,
    review_days_are_working_days=False,
    large_contract_review_days=None,
    large_contract_threshold_fen=None,
)

# Deadlines and the 500万元 large-contract threshold come from the 2024 consultation draft; the final 2026
# text was not available, so check them before relying on them.
_RULE_SET_2026: Final[ContractRuleSet] = ContractRuleSet(
    code="2026",
    title="技术合同认定登记管理办法（2026）",
    effective_from=date(2026, 3, 1),
    types={
        "development": ContractTypeRule("development", "技术开发", "development", _DEVELOPMENT_SUBTYPES),
        "transfer": ContractTypeRule(
            "transfer",
            "技术转让",
            "transfer",
            {
                "patent": "专利权转让",
                "patent_application": "专利申请权转让",
                "tech_secret": "技术秘密转让",
                "other_ip": "其他知识产权转让",
                "equity": "技术入股",
            },
        ),
        "license": ContractTypeRule(
            "license",
            "技术许可",
            "license",
            {
                "patent_exclusive": "专利独占实施许可",
                "patent_sole": "专利排他实施许可",
                "patent_ordinary": "专利普通实施许可",
                "tech_secret": "技术秘密使用许可",
                "other_ip": "其他知识产权许可",
            },
        ),
        "consulting": ContractTypeRule("consulting", "技术咨询", "consulting", {}),
        "service": ContractTypeRule("service", "技术服务", "service", _SERVICE_SUBTYPES),
    },
    non_technical_cost_categories=NON_TECHNICAL_COST_CATEGORIES,
    review_days=15,
    review_days_are_working_days=True,
    large_contract_review_days=30,
    large_contract_threshold_fen=500_000_000,
)

CONTRACT_RULE_SETS: Final[tuple[ContractRuleSet, ...]] = (_RULE_SET_2000, _RULE_SET_2026)


def contract_rule_set(signed_on: date) -> ContractRuleSet:
    """The rule set that governs a contract signed on this date."""
    governing = CONTRACT_RULE_SETS[0]
    for rule_set in CONTRACT_RULE_SETS:
        if rule_set.effective_from is None or rule_set.effective_from <= signed_on:
            governing = rule_set
    return governing


def registered_contract_type(contract_type: str, signed_on: date) -> str | None:
    """The type a contract is registered under by its rule set (the `legacy_type`), or None if unknown."""
    rule = contract_rule_set(signed_on).types.get(contract_type)
    return None if rule is None else rule.registered_as

"""Technology contracts with milestones, payments, the ledger and Stripe events."""

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from services.core.models import TimestampMixin
from services.deals.schemas import MilestoneStatus, PaymentStatus, RefundStatus
from services.reference.vocabulary import ContractStatus, ContractType, sql_in

if TYPE_CHECKING:
    from services.accounts.models import Organisation


class Contract(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    contract_type = fields.CharField(max_length=16)
    # Sub-type of the governing rule set (独占/排他/普通 licences …), see services/reference/contracts.py.
    subtype = fields.CharField(max_length=32, null=True)
    legacy_type = fields.CharField(max_length=32, null=True)
    rule_set = fields.CharField(max_length=16)
    title = fields.CharField(max_length=200)
    buyer_org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="contracts_bought", on_delete=fields.RESTRICT
    )
    buyer_org_id: int
    seller_org: fields.ForeignKeyRelation["Organisation"] = fields.ForeignKeyField(
        "models.Organisation", related_name="contracts_sold", on_delete=fields.RESTRICT
    )
    seller_org_id: int
    broker_id = fields.BigIntField(null=True)
    match_id = fields.BigIntField(null=True)
    created_by_id = fields.BigIntField(null=True)
    field = fields.CharField(max_length=32)
    total_fen = fields.BigIntField()
    tech_fen = fields.BigIntField()
    certified_tech_fen = fields.BigIntField(null=True)
    currency = fields.CharField(max_length=3, default="cny")
    signed_at = fields.DateField()
    status = fields.CharField(max_length=24, default="signed")
    # The registry's number: opaque text, never parsed (docs/domain.md §1.2).
    registration_no = fields.CharField(max_length=32, null=True, unique=True)
    registration_submitted_at = fields.DatetimeField(null=True)
    registered_at = fields.DatetimeField(null=True)
    registration_reject_reason: str | None = fields.TextField(null=True)
    seller_region = fields.CharField(max_length=6)
    buyer_region = fields.CharField(max_length=6)
    buyer_confirmed_at = fields.DatetimeField(null=True)
    seller_confirmed_at = fields.DatetimeField(null=True)
    # Amounts in CNY fen at the exchange rate recorded at registration (equal to the amounts for CNY).
    total_cny_fen = fields.BigIntField(null=True)
    tech_cny_fen = fields.BigIntField(null=True)
    fx_rate = fields.DecimalField(max_digits=20, decimal_places=10, null=True)
    fx_rate_date = fields.DateField(null=True)
    fx_source = fields.CharField(max_length=100, null=True)
    platform_fee_bp = fields.IntField(default=0)
    broker_commission_fen = fields.BigIntField(default=0)
    # Royalty term (提成) of a licence or transfer: basis points of the licensee's sales per period.
    royalty_bp = fields.IntField(null=True)
    royalty_period = fields.CharField(max_length=8, null=True)
    royalty_minimum_fen = fields.BigIntField(null=True)

    milestones: fields.ReverseRelation["Milestone"]
    non_technical_items: fields.ReverseRelation["NonTechnicalItem"]

    class Meta:
        table = "deals_contract"
        indexes = (("status", "registered_at"),)
        constraints = (
            CheckConstraint(check="total_fen > 0", name="deals_contract_total_positive"),
            CheckConstraint(
                check="tech_fen >= 0 AND tech_fen <= total_fen", name="deals_contract_tech_le_total"
            ),
            CheckConstraint(
                check="certified_tech_fen IS NULL OR (certified_tech_fen >= 0 AND certified_tech_fen <= total_fen)",
                name="deals_contract_certified_le_total",
            ),
            CheckConstraint(
                check=f"contract_type IN {sql_in(ContractType)}",
                name="deals_contract_type_valid",
            ),
            CheckConstraint(
                check=f"status IN {sql_in(ContractStatus)}",
                name="deals_contract_status_valid",
            ),
            CheckConstraint(
                check="status <> 'registered' OR (registration_no IS NOT NULL AND registered_at IS NOT NULL)",
                name="deals_contract_registered_has_number",
            ),
            CheckConstraint(
                check="(royalty_bp IS NULL AND royalty_period IS NULL AND royalty_minimum_fen IS NULL) OR "
                "(royalty_bp BETWEEN 1 AND 10000 AND royalty_period IN ('quarter','year') "
                "AND (royalty_minimum_fen IS NULL OR royalty_minimum_fen >= 0))",
                name="deals_contract_royalty_valid",
            ),
        )


class NonTechnicalItem(Model):
    """Equipment, parts and materials deducted from turnover to give 技术交易额."""

    id = fields.BigIntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="non_technical_items", on_delete=fields.CASCADE
    )
    contract_id: int
    name = fields.CharField(max_length=200)
    amount_fen = fields.BigIntField()

    class Meta:
        table = "deals_non_technical_item"
        constraints = (CheckConstraint(check="amount_fen >= 0", name="deals_nti_amount_nonneg"),)


class Milestone(Model):
    id = fields.BigIntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="milestones", on_delete=fields.CASCADE
    )
    contract_id: int
    seq = fields.SmallIntField()
    name = fields.CharField(max_length=200)
    due = fields.DateField(null=True)
    amount_fen = fields.BigIntField()
    # The part a 创新券 pays (set from the service order the contract came from): never charged to the buyer.
    voucher_fen = fields.BigIntField(default=0)
    status = fields.CharField(max_length=16, default="unpaid")
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deals_milestone"
        unique_together = (("contract_id", "seq"),)
        constraints = (
            CheckConstraint(check="amount_fen > 0", name="deals_milestone_amount_positive"),
            CheckConstraint(
                check="voucher_fen >= 0 AND voucher_fen <= amount_fen", name="deals_milestone_voucher_within"
            ),
            CheckConstraint(
                check=f"status IN {sql_in(MilestoneStatus)}",
                name="deals_milestone_status_valid",
            ),
        )


class RoyaltyStatement(Model):
    """The licensee's reported sales for one period, and the royalty due as a payable milestone."""

    id = fields.BigIntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="royalty_statements", on_delete=fields.RESTRICT
    )
    contract_id: int
    period_start = fields.DateField()
    period_end = fields.DateField()
    sales_fen = fields.BigIntField()
    due_fen = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    # The milestone the royalty is paid through (none when nothing is due).
    milestone_id = fields.BigIntField(null=True, unique=True)
    filed_by_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deals_royalty_statement"
        unique_together = (("contract_id", "period_start"),)
        constraints = (
            CheckConstraint(
                check="sales_fen >= 0 AND due_fen >= 0 AND period_end >= period_start",
                name="deals_royalty_amounts_valid",
            ),
        )


class Payment(TimestampMixin, Model):
    id = fields.BigIntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="payments", on_delete=fields.RESTRICT
    )
    contract_id: int
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "models.Milestone", related_name="payments", on_delete=fields.RESTRICT
    )
    milestone_id: int
    provider = fields.CharField(max_length=16, default="stripe")
    provider_ref = fields.CharField(max_length=255, null=True, unique=True)
    idempotency_key = fields.CharField(max_length=100, unique=True)
    amount_fen = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    status = fields.CharField(max_length=24, default="created")
    client_secret = fields.CharField(max_length=255, null=True)
    payer_id = fields.BigIntField(null=True)
    failure_reason: str | None = fields.TextField(null=True)
    succeeded_at = fields.DatetimeField(null=True)
    refunded_fen = fields.BigIntField(default=0)
    # Connect destination charge: the seller's account, and what the platform keeps (fee + commission).
    payout_destination = fields.CharField(max_length=255, null=True)
    application_fee_fen = fields.BigIntField(null=True)

    class Meta:
        table = "deals_payment"
        constraints = (
            CheckConstraint(check="amount_fen > 0", name="deals_payment_amount_positive"),
            CheckConstraint(
                check="refunded_fen >= 0 AND refunded_fen <= amount_fen", name="deals_payment_refund_bounded"
            ),
            CheckConstraint(
                check=f"status IN {sql_in(PaymentStatus)}",
                name="deals_payment_status_valid",
            ),
        )


class Refund(Model):
    """A refund this system asked the provider for; its id lets reconcile read it back."""

    id = fields.BigIntField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="refunds", on_delete=fields.RESTRICT
    )
    payment_id: int
    provider_ref = fields.CharField(max_length=255, null=True, unique=True)
    amount_fen = fields.BigIntField()
    # A destination charge's refund also reverses the seller's transfer and the application fee, pro rata.
    reverse_payout = fields.BooleanField(default=False)
    status = fields.CharField(max_length=16, default=RefundStatus.REQUESTED.value)
    failure_reason: str | None = fields.TextField(null=True)
    requested_by_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deals_refund"
        constraints = (
            CheckConstraint(check="amount_fen > 0", name="deals_refund_amount_positive"),
            CheckConstraint(check=f"status IN {sql_in(RefundStatus)}", name="deals_refund_status_valid"),
        )


class LedgerEntry(Model):
    """Double-entry: every money event writes rows whose amounts sum to zero per entry_group."""

    id = fields.BigIntField(primary_key=True)
    entry_group = fields.CharField(max_length=64)
    account = fields.CharField(max_length=64)
    amount_fen = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    contract_id = fields.BigIntField(null=True)
    payment_id = fields.BigIntField(null=True)
    memo = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deals_ledger_entry"
        indexes = (("entry_group",), ("contract_id",))


class StripeEvent(Model):
    """Webhook events stored under Stripe's unique id: a retried delivery is recognised and ignored."""

    id = fields.CharField(max_length=255, primary_key=True)
    type = fields.CharField(max_length=100)
    payload: dict[str, Any] = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    # A signed event we could not use (malformed, unknown PaymentIntent, wrong amount) is kept as evidence.
    outcome = fields.CharField(max_length=64, null=True)
    rejected_reason: str | None = fields.TextField(null=True)

    class Meta:
        table = "deals_stripe_event"


class PayoutAccount(Model):
    """An organisation's account at the payment provider that receives its sales (a Stripe connected account)."""

    org_id = fields.BigIntField(primary_key=True, generated=False)
    provider = fields.CharField(max_length=16, default="stripe")
    account_ref = fields.CharField(max_length=255)
    set_by_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deals_payout_account"

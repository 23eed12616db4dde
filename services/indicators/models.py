"""The turnover roll-up: one row per day × type × field × seller region × buyer region × origin × basis."""

from tortoise import fields
from tortoise.models import Model


class TurnoverDaily(Model):
    """Registered contracts summed per Beijing registration day and grouping keys, in CNY fen."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    contract_type = fields.CharField(max_length=16)
    field = fields.CharField(max_length=32)
    seller_region = fields.CharField(max_length=6)
    buyer_region = fields.CharField(max_length=6)
    # marketplace (from a match) or direct; cny, or converted from another currency at registration.
    origin = fields.CharField(max_length=12)
    basis = fields.CharField(max_length=12)
    total_fen = fields.BigIntField(default=0)
    tech_fen = fields.BigIntField(default=0)
    count = fields.IntField(default=0)

    class Meta:
        table = "indicators_turnover_daily"
        unique_together = (
            ("day", "contract_type", "field", "seller_region", "buyer_region", "origin", "basis"),
        )


class ContractContribution(Model):
    """What the roll-up currently holds for one contract, so a change replaces it instead of adding twice."""

    contract_id = fields.BigIntField(primary_key=True, generated=False)
    day = fields.DateField()
    contract_type = fields.CharField(max_length=16)
    field = fields.CharField(max_length=32)
    seller_region = fields.CharField(max_length=6)
    buyer_region = fields.CharField(max_length=6)
    origin = fields.CharField(max_length=12)
    basis = fields.CharField(max_length=12)
    total_fen = fields.BigIntField()
    tech_fen = fields.BigIntField()

    class Meta:
        table = "indicators_contract_state"

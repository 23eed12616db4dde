from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from services.core.migrations._shapes import add_checks, add_fields, create_model, moment

class Migration(migrations.Migration):
    # Deals you can trust (issue 8): broker profiles an admin approves; contract sub-types, confirmations,
    # CNY amounts at a recorded exchange rate, fee and commission terms; refunds; rejected webhook events
    # kept as evidence; and one live contract per match enforced by the database, not by code.
    dependencies = [('models', '0005_booking_rules')]

    initial = False

    operations = [
        create_model(
            'BrokerProfile', 'brokers_profile',
            [
                ('user_id', fields.BigIntField(unique=True)),
                ('org_id', fields.BigIntField()),
                ('certificate_no', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=100)),
                ('tech_fields', fields.JSONField(source_field='fields', default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('decided_by_id', fields.BigIntField(null=True)),
                moment('decided_at', null=True),
                ('reject_reason', fields.TextField(null=True, unique=False)),
            ],
            stamped=True,
            constraints=[CheckConstraint(check="status IN ('pending','approved','rejected','revoked')", name='brokers_profile_status_valid')],
        ),
        ops.RemoveConstraint(
            model_name='Contract',
            name='deals_contract_status_valid',
            fields=None,
        ),
        *add_fields(
            'Contract',
            ('broker_commission_fen', fields.BigIntField(default=0)),
            moment('buyer_confirmed_at', null=True),
            ('fx_rate', fields.DecimalField(null=True, max_digits=20, decimal_places=10)),
            ('fx_rate_date', fields.DateField(null=True)),
            ('fx_source', fields.CharField(null=True, max_length=100)),
            ('platform_fee_bp', fields.IntField(default=0)),
            moment('seller_confirmed_at', null=True),
            ('subtype', fields.CharField(null=True, max_length=32)),
            ('tech_cny_fen', fields.BigIntField(null=True)),
            ('total_cny_fen', fields.BigIntField(null=True)),
        ),
        *add_checks(
            'Contract',
            ("status IN ('signed','registration_pending','registered','registration_rejected','cancelled','terminated')", 'deals_contract_status_valid'),
        ),
        ops.RemoveConstraint(
            model_name='Milestone',
            name='deals_milestone_status_valid',
            fields=None,
        ),
        *add_checks(
            'Milestone',
            ("status IN ('unpaid','processing','paid','refunded')", 'deals_milestone_status_valid'),
        ),
        *add_fields(
            'Payment',
            ('refunded_fen', fields.BigIntField(default=0)),
        ),
        *add_checks(
            'Payment',
            ('refunded_fen >= 0 AND refunded_fen <= amount_fen', 'deals_payment_refund_bounded'),
        ),
        *add_fields(
            'StripeEvent',
            ('outcome', fields.CharField(null=True, max_length=64)),
            ('rejected_reason', fields.TextField(null=True, unique=False)),
        ),
        ops.RunSQL(
            [
                "CREATE UNIQUE INDEX deals_contract_one_live_per_match ON deals_contract (match_id) "
                "WHERE match_id IS NOT NULL AND status NOT IN ('cancelled', 'terminated')",
                "UPDATE deals_contract SET total_cny_fen = total_fen, tech_cny_fen = COALESCE(certified_tech_fen, tech_fen) "
                "WHERE status = 'registered' AND currency = 'cny'",
            ],
            reverse_sql=["DROP INDEX IF EXISTS deals_contract_one_live_per_match"],
        ),
    ]

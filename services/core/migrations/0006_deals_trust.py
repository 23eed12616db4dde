from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    # Deals you can trust (issue 8): broker profiles an admin approves; contract sub-types, confirmations,
    # CNY amounts at a recorded exchange rate, fee and commission terms; refunds; rejected webhook events
    # kept as evidence; and one live contract per match enforced by the database, not by code.
    dependencies = [('models', '0005_booking_rules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BrokerProfile',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(unique=True)),
                ('org_id', fields.BigIntField()),
                ('certificate_no', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=100)),
                ('tech_fields', fields.JSONField(source_field='fields', default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('decided_by_id', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reject_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'brokers_profile', 'app': 'models', 'constraints': [CheckConstraint(check="status IN ('pending','approved','rejected','revoked')", name='brokers_profile_status_valid')], 'pk_attr': 'id'},
            bases=['TimestampMixin', 'Model'],
        ),
        ops.RemoveConstraint(
            model_name='Contract',
            name='deals_contract_status_valid',
            fields=None,
        ),
        ops.AddField(
            model_name='Contract',
            name='broker_commission_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='Contract',
            name='buyer_confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Contract',
            name='fx_rate',
            field=fields.DecimalField(null=True, max_digits=20, decimal_places=10),
        ),
        ops.AddField(
            model_name='Contract',
            name='fx_rate_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Contract',
            name='fx_source',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='Contract',
            name='platform_fee_bp',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Contract',
            name='seller_confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Contract',
            name='subtype',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Contract',
            name='tech_cny_fen',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Contract',
            name='total_cny_fen',
            field=fields.BigIntField(null=True),
        ),
        ops.AddConstraint(
            model_name='Contract',
            constraint=CheckConstraint(check="status IN ('signed','registration_pending','registered','registration_rejected','cancelled','terminated')", name='deals_contract_status_valid'),
        ),
        ops.RemoveConstraint(
            model_name='Milestone',
            name='deals_milestone_status_valid',
            fields=None,
        ),
        ops.AddConstraint(
            model_name='Milestone',
            constraint=CheckConstraint(check="status IN ('unpaid','processing','paid','refunded')", name='deals_milestone_status_valid'),
        ),
        ops.AddField(
            model_name='Payment',
            name='refunded_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddConstraint(
            model_name='Payment',
            constraint=CheckConstraint(check='refunded_fen >= 0 AND refunded_fen <= amount_fen', name='deals_payment_refund_bounded'),
        ),
        ops.AddField(
            model_name='StripeEvent',
            name='outcome',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='StripeEvent',
            name='rejected_reason',
            field=fields.TextField(null=True, unique=False),
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

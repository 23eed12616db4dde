from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from services.core.migrations._shapes import create_model, moment

class Migration(migrations.Migration):
    # Service orders for agencies and experts (issue 11): request → quote → order → delivery → acceptance.
    dependencies = [('models', '0014_listing_pending_edit')]

    initial = False

    operations = [
        create_model(
            'ServiceOrder', 'orders_service_order',
            [
                ('listing_id', fields.BigIntField()),
                ('listing_type', fields.CharField(max_length=16)),
                ('provider_org_id', fields.BigIntField()),
                ('buyer_org_id', fields.BigIntField()),
                ('requester_id', fields.BigIntField()),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('field', fields.CharField(max_length=32)),
                ('status', fields.CharField(default='requested', max_length=16)),
                ('quote_lines', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('quote_milestones', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('quote_total_fen', fields.BigIntField(null=True)),
                ('quote_version', fields.IntField(default=0)),
                ('quote_note', fields.TextField(default='', unique=False)),
                ('quoted_by_id', fields.BigIntField(null=True)),
                moment('quoted_at', null=True),
                ('price_fen', fields.BigIntField(null=True)),
                moment('ordered_at', null=True),
                ('delivery_note', fields.TextField(default='', unique=False)),
                ('deliverable_key', fields.CharField(null=True, max_length=200)),
                ('deliverable_name', fields.CharField(null=True, max_length=200)),
                ('deliverable_sha256', fields.CharField(null=True, max_length=64)),
                moment('delivered_at', null=True),
                ('dispute_reason', fields.TextField(null=True, unique=False)),
                moment('disputed_at', null=True),
                ('resolution', fields.CharField(null=True, max_length=16)),
                ('resolution_note', fields.TextField(null=True, unique=False)),
                moment('closed_at', null=True),
                ('contract_id', fields.BigIntField(null=True, unique=True)),
            ],
            stamped=True,
            indexes=[Index(fields=['provider_org_id', 'status']), Index(fields=['buyer_org_id', 'status'])],
        ),
        ops.RunSQL(
            [
                "ALTER TABLE orders_service_order ADD CONSTRAINT orders_service_order_status_valid CHECK (status IN "
                "('requested','quoted','declined','withdrawn','ordered','delivered','disputed','completed','cancelled'))",
                "ALTER TABLE orders_service_order ADD CONSTRAINT orders_service_order_amounts_positive "
                "CHECK ((quote_total_fen IS NULL OR quote_total_fen > 0) AND (price_fen IS NULL OR price_fen > 0))",
                # An order past the quote always carries its frozen price.
                "ALTER TABLE orders_service_order ADD CONSTRAINT orders_service_order_price_frozen "
                "CHECK (status IN ('requested','quoted','declined','withdrawn') OR price_fen IS NOT NULL)",
                "ALTER TABLE orders_service_order ADD CONSTRAINT orders_service_order_resolution_valid "
                "CHECK (resolution IS NULL OR resolution IN ('complete','redeliver','cancel'))",
            ],
            reverse_sql=[
                "ALTER TABLE orders_service_order DROP CONSTRAINT IF EXISTS orders_service_order_status_valid",
                "ALTER TABLE orders_service_order DROP CONSTRAINT IF EXISTS orders_service_order_amounts_positive",
                "ALTER TABLE orders_service_order DROP CONSTRAINT IF EXISTS orders_service_order_price_frozen",
                "ALTER TABLE orders_service_order DROP CONSTRAINT IF EXISTS orders_service_order_resolution_valid",
            ],
        ),
    ]

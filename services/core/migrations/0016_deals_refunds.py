from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # Refunds this system asks the provider for, kept by id so that reconcile can read each one back.
    dependencies = [("models", "0015_instr_service_orders")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Refund",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "payment",
                    fields.ForeignKeyField(
                        "models.Payment",
                        source_field="payment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refunds",
                        on_delete=fields.RESTRICT,
                    ),
                ),
                ("provider_ref", fields.CharField(null=True, unique=True, max_length=255)),
                ("amount_fen", fields.BigIntField()),
                ("reverse_payout", fields.BooleanField(default=False)),
                ("status", fields.CharField(default="requested", max_length=16)),
                ("failure_reason", fields.TextField(null=True, unique=False)),
                ("requested_by_id", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "deals_refund",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A refund this system asked the provider for; its id lets reconcile read it back.",
            },
            bases=["Model"],
        ),
        # CreateModel does not create CHECK constraints: they are added here explicitly.
        ops.RunSQL(
            [
                "ALTER TABLE deals_refund ADD CONSTRAINT deals_refund_amount_positive CHECK (amount_fen > 0)",
                "ALTER TABLE deals_refund ADD CONSTRAINT deals_refund_status_valid "
                "CHECK (status IN ('requested','submitted','failed'))",
            ],
            reverse_sql=[
                "ALTER TABLE deals_refund DROP CONSTRAINT IF EXISTS deals_refund_status_valid",
                "ALTER TABLE deals_refund DROP CONSTRAINT IF EXISTS deals_refund_amount_positive",
            ],
        ),
    ]

from tortoise import migrations
from tortoise import fields
from tortoise.fields.base import OnDelete
from services.core.migrations._shapes import add_checks, big_id, create_model, created_at, foreign_key


class Migration(migrations.Migration):
    # Refunds this system asks the provider for, kept by id so that reconcile can read each one back.
    dependencies = [("models", "0019_instr_voucher_test_requests")]

    initial = False

    operations = [
        create_model(
            "Refund", "deals_refund",
            [
                big_id(),
                foreign_key("payment", "Payment", "refunds", OnDelete.RESTRICT),
                ("provider_ref", fields.CharField(null=True, unique=True, max_length=255)),
                ("amount_fen", fields.BigIntField()),
                ("reverse_payout", fields.BooleanField(default=False)),
                ("status", fields.CharField(default="requested", max_length=16)),
                ("failure_reason", fields.TextField(null=True, unique=False)),
                ("requested_by_id", fields.BigIntField()),
                created_at(),
            ],
            description="A refund this system asked the provider for; its id lets reconcile read it back.",
        ),
        *add_checks(
            "Refund",
            ("amount_fen > 0", "deals_refund_amount_positive"),
            ("status IN ('requested','submitted','failed')", "deals_refund_status_valid"),
        ),
    ]

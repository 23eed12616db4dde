from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # 创新券 on service orders (issue 11): a redemption pays part of a booking, a test request or a service
    # order, exactly one; the order keeps which milestones the voucher covers.
    dependencies = [('models', '0020_deals_refunds')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Redemption',
            name='service_order_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunSQL(
            "ALTER TABLE vouchers_redemption DROP CONSTRAINT IF EXISTS vouchers_redemption_one_target; "
            "ALTER TABLE vouchers_redemption ADD CONSTRAINT vouchers_redemption_one_target "
            "CHECK (num_nonnulls(booking_id, test_request_id, service_order_id) = 1)",
            reverse_sql="ALTER TABLE vouchers_redemption DROP CONSTRAINT IF EXISTS vouchers_redemption_one_target",
        ),
        ops.AddField(
            model_name='ServiceOrder',
            name='voucher_cover',
            field=fields.JSONField(null=True),
        ),
    ]

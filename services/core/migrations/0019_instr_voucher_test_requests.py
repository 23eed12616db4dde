from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # 创新券 on 送样检测 (issue 11): a redemption belongs to a booking or to a test request, never both.
    dependencies = [('models', '0018_portal_mail_delivery')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Redemption',
            name='booking_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.AddField(
            model_name='Redemption',
            name='test_request_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunSQL(
            "ALTER TABLE vouchers_redemption ADD CONSTRAINT vouchers_redemption_one_target "
            "CHECK (num_nonnulls(booking_id, test_request_id) = 1)",
            reverse_sql="ALTER TABLE vouchers_redemption DROP CONSTRAINT IF EXISTS vouchers_redemption_one_target",
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from services.core.migrations._shapes import add_checks


class Migration(migrations.Migration):
    # A contract made from a service order knows the part of each milestone a 创新券 pays, so paying through the
    # contract's own endpoint charges no more than paying through the order (it charged the whole milestone).
    dependencies = [('models', '0022_expert_person')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Milestone',
            name='voucher_fen',
            field=fields.BigIntField(default=0),
        ),
        *add_checks('Milestone', ('voucher_fen >= 0 AND voucher_fen <= amount_fen', 'deals_milestone_voucher_within')),
    ]

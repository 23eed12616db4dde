from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from services.core.migrations._shapes import add_fields


class Migration(migrations.Migration):
    # Moderation: a material edit to a published demand is kept aside until an admin approves it.
    dependencies = [('models', '0015_instr_service_orders')]

    initial = False

    operations = [
        *add_fields(
            'Demand',
            ('pending_edit', fields.JSONField(null=True)),
        ),
        ops.RunSQL(
            "CREATE INDEX demand_demand_pending_edit_idx ON demand_demand (id) WHERE pending_edit IS NOT NULL",
            reverse_sql="DROP INDEX IF EXISTS demand_demand_pending_edit_idx",
        ),
    ]

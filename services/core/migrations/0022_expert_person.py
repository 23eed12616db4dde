from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # Expert self-service (issue 13): an expert profile links to its person's account, who alone then gives or
    # withdraws consent. A deleted account unlinks the profile; the consent history stays.
    dependencies = [('models', '0021_instr_vouchers_on_orders')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Listing',
            name='person_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunSQL(
            "ALTER TABLE catalog_listing ADD CONSTRAINT catalog_listing_person_fk "
            "FOREIGN KEY (person_id) REFERENCES accounts_user (id) ON DELETE SET NULL",
            reverse_sql="ALTER TABLE catalog_listing DROP CONSTRAINT IF EXISTS catalog_listing_person_fk",
        ),
    ]

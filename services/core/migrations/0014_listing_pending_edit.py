from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    # Moderation: a material edit to a published listing is kept aside until an admin approves it.
    dependencies = [('models', '0013_royalties')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Listing',
            name='pending_edit',
            field=fields.JSONField(null=True),
        ),
        ops.RunSQL(
            "CREATE INDEX catalog_listing_pending_edit_idx ON catalog_listing (id) WHERE pending_edit IS NOT NULL",
            reverse_sql="DROP INDEX IF EXISTS catalog_listing_pending_edit_idx",
        ),
    ]

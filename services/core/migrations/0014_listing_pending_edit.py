from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from services.core.migrations._shapes import add_fields


class Migration(migrations.Migration):
    # Moderation: a material edit to a published listing is kept aside until an admin approves it.
    dependencies = [('models', '0013_royalties')]

    initial = False

    operations = [
        *add_fields(
            'Listing',
            ('pending_edit', fields.JSONField(null=True)),
        ),
        ops.RunSQL(
            "CREATE INDEX catalog_listing_pending_edit_idx ON catalog_listing (id) WHERE pending_edit IS NOT NULL",
            reverse_sql="DROP INDEX IF EXISTS catalog_listing_pending_edit_idx",
        ),
    ]

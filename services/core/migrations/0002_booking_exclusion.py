from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    # Two live bookings of one instrument may never overlap: the database refuses it even if two
    # requests race past the service's own check.
    operations = [
        ops.RunSQL(
            [
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                "ALTER TABLE deals_booking ADD CONSTRAINT deals_booking_no_overlap EXCLUDE USING gist "
                "(instrument_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status IN ('pending', 'approved'))",
                "CREATE INDEX IF NOT EXISTS core_outbox_pending_idx ON core_outbox (id) WHERE processed_at IS NULL",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS core_outbox_pending_idx",
                "ALTER TABLE deals_booking DROP CONSTRAINT IF EXISTS deals_booking_no_overlap",
            ],
        ),
    ]

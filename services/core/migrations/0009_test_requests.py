from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from services.core.migrations._shapes import create_model, moment

class Migration(migrations.Migration):
    dependencies = [('models', '0008_matching_workbench')]

    initial = False

    operations = [
        create_model(
            'TestRequest', 'testing_request',
            [
                ('listing_id', fields.BigIntField()),
                ('provider_org_id', fields.BigIntField()),
                ('requester_org_id', fields.BigIntField()),
                ('requester_id', fields.BigIntField()),
                ('samples', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('items', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('accreditation', fields.CharField(default='none', max_length=16)),
                ('turnaround_days', fields.IntField()),
                ('note', fields.TextField(default='', unique=False)),
                ('status', fields.CharField(default='requested', max_length=20)),
                ('quote_lines', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('quote_total_fen', fields.BigIntField(null=True)),
                moment('quoted_at', null=True),
                moment('accepted_at', null=True),
                moment('samples_received_at', null=True),
                ('report_key', fields.CharField(null=True, max_length=200)),
                ('report_sha256', fields.CharField(null=True, max_length=64)),
                moment('report_uploaded_at', null=True),
                ('query_note', fields.TextField(null=True, unique=False)),
                moment('closed_at', null=True),
            ],
            stamped=True,
            indexes=[Index(fields=['provider_org_id', 'status']), Index(fields=['requester_org_id', 'status'])],
        ),
        ops.RunSQL(
            [
                "ALTER TABLE testing_request ADD CONSTRAINT testing_request_status_valid CHECK (status IN "
                "('requested','quoted','accepted','declined','samples_received','reported','queried','completed'))",
                "ALTER TABLE testing_request ADD CONSTRAINT testing_request_quote_nonneg "
                "CHECK (quote_total_fen IS NULL OR quote_total_fen >= 0)",
                "ALTER TABLE testing_request ADD CONSTRAINT testing_request_accreditation_valid "
                "CHECK (accreditation IN ('none','cma','cnas','cma_cnas'))",
                # 0008's match-note check had the same gap (guarded: a no-op once it exists).
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
                "'demand_match_note_visibility_valid') THEN ALTER TABLE demand_match_note ADD CONSTRAINT "
                "demand_match_note_visibility_valid CHECK (visibility IN ('internal','shared')); END IF; END $$",
            ],
            reverse_sql=[
                "ALTER TABLE testing_request DROP CONSTRAINT IF EXISTS testing_request_status_valid",
                "ALTER TABLE testing_request DROP CONSTRAINT IF EXISTS testing_request_quote_nonneg",
                "ALTER TABLE testing_request DROP CONSTRAINT IF EXISTS testing_request_accreditation_valid",
            ],
        ),
    ]

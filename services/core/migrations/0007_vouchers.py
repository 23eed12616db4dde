from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint
from services.core.migrations._shapes import create_model, foreign_key, moment

class Migration(migrations.Migration):
    dependencies = [('models', '0006_deals_trust')]

    initial = False

    operations = [
        create_model(
            'VoucherProgramme', 'vouchers_programme',
            [
                ('name', fields.CharField(max_length=200)),
                ('budget_fen', fields.BigIntField()),
                ('committed_fen', fields.BigIntField(default=0)),
                ('redeemed_fen', fields.BigIntField(default=0)),
                ('face_value_fen', fields.BigIntField()),
                ('eligible_org_kinds', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('service_categories', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('instrument_categories', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('valid_from', fields.DateField()),
                ('valid_to', fields.DateField()),
                ('created_by_id', fields.BigIntField(null=True)),
            ],
            stamped=True,
            constraints=[CheckConstraint(check='budget_fen > 0', name='vouchers_programme_budget_positive'), CheckConstraint(check='face_value_fen > 0', name='vouchers_programme_face_positive'), CheckConstraint(check='committed_fen >= 0 AND committed_fen <= budget_fen', name='vouchers_programme_within_budget'), CheckConstraint(check='redeemed_fen >= 0 AND redeemed_fen <= committed_fen', name='vouchers_programme_redeemed_le'), CheckConstraint(check='valid_to >= valid_from', name='vouchers_programme_validity_order')],
        ),
        create_model(
            'Voucher', 'vouchers_voucher',
            [
                foreign_key('programme', 'VoucherProgramme', 'vouchers', OnDelete.RESTRICT),
                foreign_key('org', 'Organisation', 'vouchers', OnDelete.RESTRICT),
                ('applicant_id', fields.BigIntField()),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('face_value_fen', fields.BigIntField()),
                ('balance_fen', fields.BigIntField(default=0)),
                ('decided_by_id', fields.BigIntField(null=True)),
                moment('decided_at', null=True),
            ],
            stamped=True,
            constraints=[CheckConstraint(check="status IN ('pending','active','rejected')", name='vouchers_voucher_status_valid'), CheckConstraint(check='balance_fen >= 0 AND balance_fen <= face_value_fen', name='vouchers_voucher_balance_range'), UniqueConstraint(fields=('programme_id', 'org_id'), name='vouchers_voucher_one_per_org')],
        ),
        create_model(
            'Redemption', 'vouchers_redemption',
            [
                foreign_key('voucher', 'Voucher', 'redemptions', OnDelete.RESTRICT),
                ('booking_id', fields.BigIntField(unique=True)),
                ('provider_org_id', fields.BigIntField()),
                ('amount_fen', fields.BigIntField()),
                ('status', fields.CharField(default='reserved', max_length=16)),
                moment('redeemed_at', null=True),
            ],
            stamped=True,
            constraints=[CheckConstraint(check='amount_fen > 0', name='vouchers_redemption_amount_positive'), CheckConstraint(check="status IN ('reserved','redeemed','released')", name='vouchers_redemption_status_valid')],
            description="The voucher part of one booking's bill (the rest is paid by the booker).",
        ),
        ops.RunSQL(
            [
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_programme_budget_positive') THEN ALTER TABLE vouchers_programme ADD CONSTRAINT vouchers_programme_budget_positive CHECK (budget_fen > 0); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_programme_face_positive') THEN ALTER TABLE vouchers_programme ADD CONSTRAINT vouchers_programme_face_positive CHECK (face_value_fen > 0); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_programme_within_budget') THEN ALTER TABLE vouchers_programme ADD CONSTRAINT vouchers_programme_within_budget CHECK (committed_fen >= 0 AND committed_fen <= budget_fen); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_programme_redeemed_le') THEN ALTER TABLE vouchers_programme ADD CONSTRAINT vouchers_programme_redeemed_le CHECK (redeemed_fen >= 0 AND redeemed_fen <= committed_fen); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_programme_validity_order') THEN ALTER TABLE vouchers_programme ADD CONSTRAINT vouchers_programme_validity_order CHECK (valid_to >= valid_from); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_voucher_status_valid') THEN ALTER TABLE vouchers_voucher ADD CONSTRAINT vouchers_voucher_status_valid CHECK (status IN ('pending','active','rejected')); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_voucher_balance_range') THEN ALTER TABLE vouchers_voucher ADD CONSTRAINT vouchers_voucher_balance_range CHECK (balance_fen >= 0 AND balance_fen <= face_value_fen); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_voucher_one_per_org') THEN ALTER TABLE vouchers_voucher ADD CONSTRAINT vouchers_voucher_one_per_org UNIQUE (programme_id, org_id); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_redemption_amount_positive') THEN ALTER TABLE vouchers_redemption ADD CONSTRAINT vouchers_redemption_amount_positive CHECK (amount_fen > 0); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vouchers_redemption_status_valid') THEN ALTER TABLE vouchers_redemption ADD CONSTRAINT vouchers_redemption_status_valid CHECK (status IN ('reserved','redeemed','released')); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bookings_closure_time_order') THEN ALTER TABLE bookings_closure ADD CONSTRAINT bookings_closure_time_order CHECK (ends_at > starts_at); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bookings_closure_kind_valid') THEN ALTER TABLE bookings_closure ADD CONSTRAINT bookings_closure_kind_valid CHECK (kind IN ('holiday','maintenance','closed')); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'deals_booking_effective_nonneg') THEN ALTER TABLE deals_booking ADD CONSTRAINT deals_booking_effective_nonneg CHECK (effective_hours IS NULL OR effective_hours >= 0); END IF; END $$",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'deals_booking_fee_le_price') THEN ALTER TABLE deals_booking ADD CONSTRAINT deals_booking_fee_le_price CHECK (cancel_fee_fen >= 0 AND cancel_fee_fen <= price_fen); END IF; END $$",
                # 0006's brokers_profile status check had the same gap (guarded: a no-op once it exists).
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'brokers_profile_status_valid') THEN ALTER TABLE brokers_profile ADD CONSTRAINT brokers_profile_status_valid CHECK (status IN ('pending','approved','rejected','revoked')); END IF; END $$",
            ],
            reverse_sql=[
                'ALTER TABLE vouchers_programme DROP CONSTRAINT IF EXISTS vouchers_programme_budget_positive',
                'ALTER TABLE vouchers_programme DROP CONSTRAINT IF EXISTS vouchers_programme_face_positive',
                'ALTER TABLE vouchers_programme DROP CONSTRAINT IF EXISTS vouchers_programme_within_budget',
                'ALTER TABLE vouchers_programme DROP CONSTRAINT IF EXISTS vouchers_programme_redeemed_le',
                'ALTER TABLE vouchers_programme DROP CONSTRAINT IF EXISTS vouchers_programme_validity_order',
                'ALTER TABLE vouchers_voucher DROP CONSTRAINT IF EXISTS vouchers_voucher_status_valid',
                'ALTER TABLE vouchers_voucher DROP CONSTRAINT IF EXISTS vouchers_voucher_balance_range',
                'ALTER TABLE vouchers_voucher DROP CONSTRAINT IF EXISTS vouchers_voucher_one_per_org',
                'ALTER TABLE vouchers_redemption DROP CONSTRAINT IF EXISTS vouchers_redemption_amount_positive',
                'ALTER TABLE vouchers_redemption DROP CONSTRAINT IF EXISTS vouchers_redemption_status_valid',
            ],
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint
from services.core.migrations._shapes import add_checks, add_fields, create_model, foreign_key, moment

class Migration(migrations.Migration):
    # Booking rules: closures, training records and the full life-cycle; a running booking holds its slot too.
    dependencies = [('models', '0004_enquiries')]

    initial = False

    operations = [
        create_model(
            'Closure', 'bookings_closure',
            [
                foreign_key('instrument', 'Listing', 'closures', OnDelete.CASCADE),
                moment('starts_at'),
                moment('ends_at'),
                ('kind', fields.CharField(max_length=16)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_by_id', fields.BigIntField(null=True)),
            ],
            stamped=True,
            constraints=[CheckConstraint(check='ends_at > starts_at', name='bookings_closure_time_order'), CheckConstraint(check="kind IN ('holiday','maintenance','closed')", name='bookings_closure_kind_valid')],
            indexes=[Index(fields=['instrument_id', 'starts_at'])],
            description='A dated interval when an instrument cannot be booked: a holiday, maintenance, a calibration.',
        ),
        create_model(
            'Training', 'bookings_training',
            [
                foreign_key('instrument', 'Listing', 'trainings', OnDelete.CASCADE),
                foreign_key('user', 'User', 'trainings', OnDelete.CASCADE),
                ('granted_by_id', fields.BigIntField()),
                moment('expires_at'),
                moment('revoked_at', null=True),
            ],
            stamped=True,
            indexes=[Index(fields=['instrument_id', 'user_id'])],
            description="The owner's record that a user was trained on an instrument and may operate it until it expires.",
        ),
        ops.RemoveConstraint(
            model_name='Booking',
            name='deals_booking_status_valid',
            fields=None,
        ),
        *add_fields(
            'Booking',
            ('cancel_fee_fen', fields.BigIntField(default=0)),
            moment('cancelled_at', null=True),
            moment('expires_at', null=True),
            moment('finished_at', null=True),
            ('price_group', fields.CharField(null=True, max_length=16)),
            moment('started_at', null=True),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['user_id', 'status', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['status', 'expires_at']),
        ),
        *add_checks(
            'Booking',
            ("status IN ('pending','approved','rejected','cancelled','completed','expired','in_progress','no_show')", 'deals_booking_status_valid'),
            ('cancel_fee_fen >= 0 AND cancel_fee_fen <= price_fen', 'deals_booking_fee_le_price'),
            ('effective_hours IS NULL OR effective_hours >= 0', 'deals_booking_effective_nonneg'),
        ),
        ops.RunSQL(
            [
                "ALTER TABLE deals_booking DROP CONSTRAINT IF EXISTS deals_booking_no_overlap",
                "ALTER TABLE deals_booking ADD CONSTRAINT deals_booking_no_overlap EXCLUDE USING gist "
                "(instrument_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status IN ('pending', 'approved', 'in_progress'))",
            ],
            reverse_sql=[
                "ALTER TABLE deals_booking DROP CONSTRAINT IF EXISTS deals_booking_no_overlap",
                "ALTER TABLE deals_booking ADD CONSTRAINT deals_booking_no_overlap EXCLUDE USING gist "
                "(instrument_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status IN ('pending', 'approved'))",
            ],
        ),
    ]

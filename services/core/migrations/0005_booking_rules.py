from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    # Booking rules: closures, training records and the full life-cycle; a running booking holds its slot too.
    dependencies = [('models', '0004_enquiries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Closure',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instrument', fields.ForeignKeyField('models.Listing', source_field='instrument_id', db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(max_length=16)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_by_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'bookings_closure', 'app': 'models', 'constraints': [CheckConstraint(check='ends_at > starts_at', name='bookings_closure_time_order'), CheckConstraint(check="kind IN ('holiday','maintenance','closed')", name='bookings_closure_kind_valid')], 'indexes': [Index(fields=['instrument_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'A dated interval when an instrument cannot be booked: a holiday, maintenance, a calibration.'},
            bases=['TimestampMixin', 'Model'],
        ),
        ops.CreateModel(
            name='Training',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instrument', fields.ForeignKeyField('models.Listing', source_field='instrument_id', db_constraint=True, to_field='id', related_name='trainings', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='trainings', on_delete=OnDelete.CASCADE)),
                ('granted_by_id', fields.BigIntField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bookings_training', 'app': 'models', 'indexes': [Index(fields=['instrument_id', 'user_id'])], 'pk_attr': 'id', 'table_description': "The owner's record that a user was trained on an instrument and may operate it until it expires."},
            bases=['TimestampMixin', 'Model'],
        ),
        ops.RemoveConstraint(
            model_name='Booking',
            name='deals_booking_status_valid',
            fields=None,
        ),
        ops.AddField(
            model_name='Booking',
            name='cancel_fee_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='Booking',
            name='cancelled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Booking',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Booking',
            name='finished_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Booking',
            name='price_group',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Booking',
            name='started_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['user_id', 'status', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['status', 'expires_at']),
        ),
        ops.AddConstraint(
            model_name='Booking',
            constraint=CheckConstraint(check="status IN ('pending','approved','rejected','cancelled','completed','expired','in_progress','no_show')", name='deals_booking_status_valid'),
        ),
        ops.AddConstraint(
            model_name='Booking',
            constraint=CheckConstraint(check='cancel_fee_fen >= 0 AND cancel_fee_fen <= price_fen', name='deals_booking_fee_le_price'),
        ),
        ops.AddConstraint(
            model_name='Booking',
            constraint=CheckConstraint(check='effective_hours IS NULL OR effective_hours >= 0', name='deals_booking_effective_nonneg'),
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

"""The scheduling issue: overbooking allowance, cancellation category and late mark,
manager overrides, recurring series, appointment history, provider blocks, the
on-call rota and the waitlist."""
from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Patient(Model):
        class Meta:
            database = db
            table_name = 'patient'

    class Provider(Model):
        class Meta:
            database = db
            table_name = 'provider'

    class AppointmentType(Model):
        class Meta:
            database = db
            table_name = 'appointment_type'

    class Appointment(Model):
        class Meta:
            database = db
            table_name = 'appointment'

    migrator.migrate(
        migrator.add_column('provider', 'max_at_once', SmallIntegerField(default=1)),
        migrator.add_column('appointment', 'cancel_category', CharField(max_length=20, default='')),
        migrator.add_column('appointment', 'late_cancel', BooleanField(default=False)),
        migrator.add_column('appointment', 'override_reason',
                            CharField(max_length=200, default='')),
        migrator.add_column('appointment', 'series', IntegerField(null=True)),
        migrator.add_index('appointment', ('series',), False),
    )

    class AppointmentChange(Model):
        appointment = ForeignKeyField(Appointment, on_delete='RESTRICT')
        at = DateTimeField()
        by = ForeignKeyField(Staff, on_delete='RESTRICT')
        action = CharField(max_length=20)
        from_provider = ForeignKeyField(Provider, null=True, on_delete='RESTRICT')
        from_start = DateTimeField(null=True)
        to_provider = ForeignKeyField(Provider, null=True, on_delete='RESTRICT')
        to_start = DateTimeField(null=True)
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'appointment_change'

    class Block(Model):
        provider = ForeignKeyField(Provider, on_delete='RESTRICT')
        kind = CharField(max_length=20)
        title = CharField(max_length=80, default='')
        starts_on = DateField()
        start_time = TimeField()
        end_time = TimeField()
        rule = CharField(max_length=300, default='')
        ends_on = DateField(null=True)
        active = BooleanField(default=True)
        created_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'block'
            indexes = ((('provider', 'starts_on'), False),)

    class OnCall(Model):
        provider = ForeignKeyField(Provider, on_delete='RESTRICT')
        starts_on = DateField()
        ends_on = DateField()
        note = CharField(max_length=120, default='')
        created_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'on_call'
            indexes = ((('starts_on', 'ends_on'), False),)

    class WaitlistEntry(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        provider = ForeignKeyField(Provider, null=True, on_delete='RESTRICT')
        type = ForeignKeyField(AppointmentType, null=True, on_delete='RESTRICT')
        earliest = DateField()
        latest = DateField()
        weekdays = CharField(max_length=7, default='')
        part_of_day = CharField(max_length=10, default='any')
        note = CharField(max_length=200, default='')
        state = CharField(max_length=10, default='waiting')
        created_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'waitlist_entry'
            indexes = ((('state', 'earliest'), False),)

    db.create_tables([AppointmentChange, Block, OnCall, WaitlistEntry])


def down(migrator, db):
    for table in ('waitlist_entry', 'on_call', 'block', 'appointment_change'):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(
        migrator.drop_index('appointment', 'appointment_series'),
        migrator.drop_column('appointment', 'series'),
        migrator.drop_column('appointment', 'override_reason'),
        migrator.drop_column('appointment', 'late_cancel'),
        migrator.drop_column('appointment', 'cancel_category'),
        migrator.drop_column('provider', 'max_at_once'),
    )

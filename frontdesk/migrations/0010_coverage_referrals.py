"""The insurance issue, coverage side: who the subscriber is, whether the plan wants
referrals, the specialist copay on the card; payers that can be edited; the fee
schedule that gives an estimate its allowed amounts; referrals and prior
authorisations, and the visits that used them.

Coverages already on file keep their meaning: the subscriber is the patient
(they were entered that way), and HMO and POS plans require referrals, as a new
coverage of those plan types does by default.
"""
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

    class Coverage(Model):
        plan_type = CharField(max_length=20)
        referrals_required = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'coverage'

    migrator.migrate(
        migrator.add_column('payer', 'plan_types', CharField(max_length=80, default='')),
        migrator.add_column('payer', 'version', IntegerField(default=1)),
        migrator.add_column('coverage', 'subscriber_relationship',
                            CharField(max_length=10, default='self')),
        migrator.add_column('coverage', 'subscriber_first_name',
                            CharField(max_length=50, default='')),
        migrator.add_column('coverage', 'subscriber_last_name',
                            CharField(max_length=50, default='')),
        migrator.add_column('coverage', 'subscriber_dob', DateField(null=True)),
        migrator.add_column('coverage', 'referrals_required', BooleanField(default=False)),
        migrator.add_column('coverage', 'specialist_copay_cents', IntegerField(null=True)),
    )
    Coverage.update(referrals_required=True).where(
        Coverage.plan_type.in_(['HMO', 'POS'])).execute()

    class Fee(Model):
        code = CharField(max_length=5, unique=True)
        description = CharField(max_length=120)
        allowed_cents = IntegerField()
        active = BooleanField(default=True)
        updated_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'fee'

    class VisitCodes(Model):
        type = ForeignKeyField(AppointmentType, unique=True, on_delete='RESTRICT')
        codes = CharField(max_length=60)
        updated_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'visit_codes'

    class Referral(Model):
        kind = CharField(max_length=15)
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        coverage = ForeignKeyField(Coverage, null=True, on_delete='RESTRICT')
        number = CharField(max_length=30, default='')
        from_name = CharField(max_length=80, default='')
        to_provider = ForeignKeyField(Provider, null=True, on_delete='RESTRICT')
        to_specialty = CharField(max_length=60, default='')
        service = CharField(max_length=120, default='')
        visit_type = ForeignKeyField(AppointmentType, null=True, on_delete='RESTRICT')
        units_authorised = IntegerField(null=True)
        units_used = IntegerField(default=0)
        starts_on = DateField(null=True)
        ends_on = DateField(null=True)
        status = CharField(max_length=12)
        follow_up_on = DateField(null=True)
        notes = CharField(max_length=500, default='')
        created_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'referral'
            indexes = ((('patient', 'status'), False), (('status', 'ends_on'), False))

    class ReferralUse(Model):
        referral = ForeignKeyField(Referral, on_delete='RESTRICT')
        appointment = ForeignKeyField(Appointment, unique=True, on_delete='RESTRICT')
        used_at = DateTimeField()
        used_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'referral_use'

    db.create_tables([Fee, VisitCodes, Referral, ReferralUse])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('referral_use'))
    migrator.migrate(migrator.drop_table('referral'))
    migrator.migrate(migrator.drop_table('visit_codes'))
    migrator.migrate(migrator.drop_table('fee'))
    migrator.migrate(
        migrator.drop_column('coverage', 'specialist_copay_cents'),
        migrator.drop_column('coverage', 'referrals_required'),
        migrator.drop_column('coverage', 'subscriber_dob'),
        migrator.drop_column('coverage', 'subscriber_last_name'),
        migrator.drop_column('coverage', 'subscriber_first_name'),
        migrator.drop_column('coverage', 'subscriber_relationship'),
        migrator.drop_column('payer', 'version'),
        migrator.drop_column('payer', 'plan_types'),
    )

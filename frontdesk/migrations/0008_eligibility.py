"""The insurance issue, eligibility: verifications by hand or from a payer's 271, the 270
requests sent (their control and trace numbers), and the 271 files imported, kept whole.

Verifications are never changed or removed: a new check is a new row, so what the desk
was told, when and by whom, stays on record.
"""
from peewee import *


_SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS verification_no_delete BEFORE DELETE ON verification
       BEGIN SELECT RAISE(ABORT, 'verifications cannot be removed'); END""",
    """CREATE TRIGGER IF NOT EXISTS verification_no_update BEFORE UPDATE ON verification
       BEGIN SELECT RAISE(ABORT, 'a verification cannot be changed; record a new one'); END""",
]

_POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION verification_guard() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'a verification cannot be changed or removed'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER verification_guard BEFORE UPDATE OR DELETE ON verification
       FOR EACH ROW EXECUTE FUNCTION verification_guard()""",
]


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Coverage(Model):
        class Meta:
            database = db
            table_name = 'coverage'

    class Appointment(Model):
        class Meta:
            database = db
            table_name = 'appointment'

    class EligibilityRequest(Model):
        trace = CharField(max_length=30, unique=True)
        coverage = ForeignKeyField(Coverage, on_delete='RESTRICT')
        appointment = ForeignKeyField(Appointment, null=True, on_delete='RESTRICT')
        service_date = DateField()
        member_id = CharField(max_length=30)
        interchange_control = IntegerField(index=True)
        group_control = IntegerField()
        transaction_control = IntegerField()
        made_at = DateTimeField()
        made_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        file_path = CharField(max_length=500)
        class Meta:
            database = db
            table_name = 'eligibility_request'

    class Eligibility271File(Model):
        name = CharField(max_length=255)
        sha256 = CharField(max_length=64, unique=True)
        raw = TextField()
        size = IntegerField()
        imported_at = DateTimeField()
        imported_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        answers = IntegerField()
        matched = IntegerField()
        unmatched = TextField(default='[]')
        warnings = TextField(default='[]')
        class Meta:
            database = db
            table_name = 'eligibility_271_file'

    class Verification(Model):
        coverage = ForeignKeyField(Coverage, on_delete='RESTRICT')
        verified_at = DateTimeField()
        verified_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        source = CharField(max_length=8)
        status = CharField(max_length=8)
        office_copay_cents = IntegerField(null=True)
        specialist_copay_cents = IntegerField(null=True)
        deductible_total_cents = IntegerField(null=True)
        deductible_remaining_cents = IntegerField(null=True)
        coinsurance_percent = DecimalField(max_digits=5, decimal_places=2, null=True)
        oop_max_cents = IntegerField(null=True)
        oop_remaining_cents = IntegerField(null=True)
        plan_name = CharField(max_length=80, default='')
        plan_begin = DateField(null=True)
        plan_end = DateField(null=True)
        reference = CharField(max_length=50, default='')
        representative = CharField(max_length=80, default='')
        rejection_code = CharField(max_length=3, default='')
        rejection_reason = CharField(max_length=200, default='')
        rejection_follow_up = CharField(max_length=200, default='')
        raw_file = ForeignKeyField(Eligibility271File, null=True, on_delete='RESTRICT')
        request = ForeignKeyField(EligibilityRequest, null=True, on_delete='RESTRICT')
        details = TextField(default='{}')
        class Meta:
            database = db
            table_name = 'verification'
            indexes = ((('coverage', 'verified_at'), False),)

    db.create_tables([EligibilityRequest, Eligibility271File, Verification])
    guards = _SQLITE_GUARDS if isinstance(db, SqliteDatabase) else _POSTGRES_GUARDS
    for statement in guards:
        db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ('verification_no_delete', 'verification_no_update'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS {name}')
    migrator.migrate(migrator.drop_table('verification'))
    migrator.migrate(migrator.drop_table('eligibility_271_file'))
    migrator.migrate(migrator.drop_table('eligibility_request'))

"""The patients issue: finding by any word and by sound, alerts, deceased, balance,
verified demographics, contacts, intake forms, and the waiting room's rooms.

The name keys of patients already on file are filled in here, with the same
functions registration uses (frontdesk.names), so an upgraded clinic finds its
old patients the way it finds new ones.
"""
from peewee import *

from frontdesk.names import later_words, sound


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Patient(Model):
        class Meta:
            database = db
            table_name = 'patient'

    migrator.migrate(
        migrator.add_column('patient', 'first_sound', CharField(max_length=8, default='')),
        migrator.add_column('patient', 'last_sound', CharField(max_length=8, default='')),
        migrator.add_column('patient', 'deceased', BooleanField(default=False)),
        migrator.add_column('patient', 'alerts', CharField(max_length=200, default='')),
        migrator.add_column('patient', 'balance_cents', IntegerField(default=0)),
        migrator.add_column('patient', 'verified_at', DateTimeField(null=True)),
        migrator.add_column('patient', 'verified_by_id', ForeignKeyField(
            Staff, field=Staff.id, null=True, on_delete='RESTRICT')),
        migrator.add_column('patient_phone', 'last4', CharField(max_length=4, default='')),
        migrator.add_column('appointment', 'roomed_at', DateTimeField(null=True)),
        migrator.add_column('appointment', 'room', CharField(max_length=20, default='')),
        migrator.add_column('appointment', 'seen_at', DateTimeField(null=True)),
    )

    class PatientNamePart(Model):
        patient = ForeignKeyField(Patient, on_delete='CASCADE')
        key = CharField(max_length=50, index=True)
        last = BooleanField()
        class Meta:
            database = db
            table_name = 'patient_name_part'

    class PatientContact(Model):
        patient = ForeignKeyField(Patient, on_delete='CASCADE')
        name = CharField(max_length=100)
        relationship = CharField(max_length=40)
        phone = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'patient_contact'

    class IntakeForm(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        kind = CharField(max_length=20)
        signed_on = DateField()
        recorded_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        recorded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'intake_form'
            indexes = ((('patient', 'kind', 'signed_on'), False),)

    db.create_tables([PatientNamePart, PatientContact, IntakeForm])

    db.execute_sql("UPDATE patient_phone SET last4 = substr(number, length(number) - 3)")
    _key_names(db)
    migrator.migrate(
        migrator.add_index('patient', ('first_key', 'last_key'), False),
        migrator.add_index('patient', ('last_sound', 'first_sound'), False),
        migrator.add_index('patient_phone', ('last4',), False),
    )


def _key_names(db):
    cursor = db.execute_sql("SELECT id, first_name, last_name, first_key, last_key FROM patient")
    while rows := cursor.fetchmany(5000):
        db.cursor().executemany(
            "UPDATE patient SET first_sound = ?, last_sound = ? WHERE id = ?",
            [(sound(first_key), sound(last_key), id_) for id_, _, _, first_key, last_key in rows])
        parts = [(id_, key, is_last) for id_, first, last, _, _ in rows
                 for is_last, name in ((False, first), (True, last))
                 for key in later_words(name)]
        if parts:
            db.cursor().executemany(
                "INSERT INTO patient_name_part (patient_id, key, last) VALUES (?, ?, ?)", parts)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('patient', 'patient_first_key_last_key'),
        migrator.drop_index('patient', 'patient_last_sound_first_sound'),
        migrator.drop_index('patient_phone', 'patient_phone_last4'),
        migrator.drop_table('intake_form'),
        migrator.drop_table('patient_contact'),
        migrator.drop_table('patient_name_part'),
    )
    for table, columns in (('patient', ('first_sound', 'last_sound', 'deceased', 'alerts',
                                        'balance_cents', 'verified_at', 'verified_by_id')),
                           ('patient_phone', ('last4',)),
                           ('appointment', ('roomed_at', 'room', 'seen_at'))):
        migrator.migrate(*(migrator.drop_column(table, column) for column in columns))

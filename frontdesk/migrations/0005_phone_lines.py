"""The phones issue, first part: the desk's lines as every terminal sees them, and the
call log."""
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

    class Call(Model):
        line = SmallIntegerField()
        caller = CharField(max_length=16, default='')
        patient = ForeignKeyField(Patient, null=True, on_delete='RESTRICT')
        rang_at = DateTimeField(index=True)
        answered_at = DateTimeField(null=True)
        answered_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        ended_at = DateTimeField(null=True)
        disposition = CharField(max_length=20, default='')
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'call'

    class PhoneLine(Model):
        number = SmallIntegerField(unique=True)
        state = CharField(max_length=10, default='idle')
        call = ForeignKeyField(Call, null=True, on_delete='RESTRICT')
        staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        since = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'phone_line'

    db.create_tables([Call, PhoneLine])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('phone_line'))
    migrator.migrate(migrator.drop_table('call'))

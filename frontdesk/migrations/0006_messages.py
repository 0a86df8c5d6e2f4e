"""The phones issue, second part: phone messages and their history."""
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
        class Meta:
            database = db
            table_name = 'call'

    class Message(Model):
        taken_at = DateTimeField(index=True)
        taken_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        call = ForeignKeyField(Call, null=True, on_delete='RESTRICT')
        caller_name = CharField(max_length=100)
        relationship = CharField(max_length=40, default='self')
        patient = ForeignKeyField(Patient, null=True, on_delete='RESTRICT')
        callback = CharField(max_length=16, default='')
        best_time = CharField(max_length=60, default='')
        reason = CharField(max_length=20)
        text = TextField()
        urgent = BooleanField(default=False)
        red_flags = CharField(max_length=200, default='')
        to_staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        to_department = CharField(max_length=20, default='')
        state = CharField(max_length=12, default='new')
        due_at = DateTimeField(null=True)
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'message'
            indexes = ((('to_staff', 'state'), False), (('to_department', 'state'), False))

    class MessageEvent(Model):
        message = ForeignKeyField(Message, on_delete='RESTRICT')
        at = DateTimeField()
        by = ForeignKeyField(Staff, on_delete='RESTRICT')
        action = CharField(max_length=20)
        note = TextField(default='')
        to_staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        to_department = CharField(max_length=20, default='')
        class Meta:
            database = db
            table_name = 'message_event'

    db.create_tables([Message, MessageEvent])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('message_event'))
    migrator.migrate(migrator.drop_table('message'))

"""The phones issue, third part: the departments each person works in, so the inbox shows
"messages to me and to my departments"."""
from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class StaffDepartment(Model):
        staff = ForeignKeyField(Staff, on_delete='RESTRICT')
        department = CharField(max_length=20)
        class Meta:
            database = db
            table_name = 'staff_department'
            indexes = ((('staff', 'department'), True), (('department',), False))

    db.create_tables([StaffDepartment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('staff_department'))

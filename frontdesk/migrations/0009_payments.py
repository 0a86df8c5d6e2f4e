"""The collections issue: cash drawers, their sessions, and payments.

Nothing about money is removed or rewritten: triggers refuse deleting a payment or a
drawer session, changing a closed session, changing a payment whose session is closed,
and ever changing what a payment was (amount, method, patient, session, receipt).
"""
from peewee import *



_SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS payment_no_delete BEFORE DELETE ON payment
       BEGIN SELECT RAISE(ABORT, 'payments cannot be removed; void or refund them'); END""",
    """CREATE TRIGGER IF NOT EXISTS payment_fixed BEFORE UPDATE
       OF patient_id, session_id, amount_cents, purpose, method, tendered_cents, change_cents,
          receipt_number, taken_at, taken_by_id, refund_of_id ON payment
       BEGIN SELECT RAISE(ABORT, 'what a payment was cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS payment_of_closed_session BEFORE UPDATE ON payment
       WHEN (SELECT state FROM drawer_session WHERE id = OLD.session_id) = 'closed'
       BEGIN SELECT RAISE(ABORT, 'the drawer session of this payment is closed'); END""",
    """CREATE TRIGGER IF NOT EXISTS drawer_session_no_delete BEFORE DELETE ON drawer_session
       BEGIN SELECT RAISE(ABORT, 'drawer sessions cannot be removed'); END""",
    """CREATE TRIGGER IF NOT EXISTS drawer_session_closed BEFORE UPDATE ON drawer_session
       WHEN OLD.state = 'closed'
       BEGIN SELECT RAISE(ABORT, 'a closed drawer session cannot be changed'); END""",
]

_POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION payment_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'payments cannot be removed; void or refund them';
         END IF;
         IF (NEW.patient_id, NEW.session_id, NEW.amount_cents, NEW.purpose, NEW.method,
             NEW.tendered_cents, NEW.change_cents, NEW.receipt_number, NEW.taken_at,
             NEW.taken_by_id, NEW.refund_of_id) IS DISTINCT FROM
            (OLD.patient_id, OLD.session_id, OLD.amount_cents, OLD.purpose, OLD.method,
             OLD.tendered_cents, OLD.change_cents, OLD.receipt_number, OLD.taken_at,
             OLD.taken_by_id, OLD.refund_of_id) THEN
           RAISE EXCEPTION 'what a payment was cannot be changed';
         END IF;
         IF (SELECT state FROM drawer_session WHERE id = OLD.session_id) = 'closed' THEN
           RAISE EXCEPTION 'the drawer session of this payment is closed';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER payment_guard BEFORE UPDATE OR DELETE ON payment
       FOR EACH ROW EXECUTE FUNCTION payment_guard()""",
    """CREATE OR REPLACE FUNCTION drawer_session_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'drawer sessions cannot be removed'; END IF;
         IF OLD.state = 'closed' THEN
           RAISE EXCEPTION 'a closed drawer session cannot be changed';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER drawer_session_guard BEFORE UPDATE OR DELETE ON drawer_session
       FOR EACH ROW EXECUTE FUNCTION drawer_session_guard()""",
]


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Patient(Model):
        class Meta:
            database = db
            table_name = 'patient'

    class Appointment(Model):
        class Meta:
            database = db
            table_name = 'appointment'

    class Drawer(Model):
        name = CharField(max_length=40, unique=True)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'drawer'

    class DrawerSession(Model):
        drawer = ForeignKeyField(Drawer, on_delete='RESTRICT')
        opened_at = DateTimeField(index=True)
        opened_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        float_counts = TextField(default='{}')
        float_cents = IntegerField(default=0)
        state = CharField(max_length=8, default='open')
        open_key = IntegerField(null=True, unique=True)
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        cash_counts = TextField(default='{}')
        cash_counted_cents = IntegerField(null=True)
        checks_ticked = TextField(default='[]')
        checks_counted_cents = IntegerField(null=True)
        card_batch_cents = IntegerField(null=True)
        expected_cash_cents = IntegerField(null=True)
        expected_checks_cents = IntegerField(null=True)
        expected_card_cents = IntegerField(null=True)
        over_short_cash_cents = IntegerField(null=True)
        over_short_checks_cents = IntegerField(null=True)
        over_short_card_cents = IntegerField(null=True)
        float_kept_cents = IntegerField(null=True)
        reason = CharField(max_length=500, default='')
        approved_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'drawer_session'

    class Payment(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        appointment = ForeignKeyField(Appointment, null=True, on_delete='RESTRICT')
        session = ForeignKeyField(DrawerSession, on_delete='RESTRICT')
        amount_cents = IntegerField()
        purpose = CharField(max_length=20)
        method = CharField(max_length=8)
        tendered_cents = IntegerField(null=True)
        change_cents = IntegerField(default=0)
        check_number = CharField(max_length=20, default='')
        card_brand = CharField(max_length=20, default='')
        card_last4 = CharField(max_length=4, default='')
        auth_code = CharField(max_length=12, default='')
        taken_at = DateTimeField(index=True)
        taken_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        receipt_number = IntegerField(unique=True)
        balance_after_cents = IntegerField()
        voided_at = DateTimeField(null=True)
        voided_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        void_reason = CharField(max_length=200, default='')
        refund_of = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        refund_reason = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'payment'
            indexes = ((('session', 'method'), False), (('patient', 'taken_at'), False))

    db.create_tables([Drawer, DrawerSession, Payment])
    guards = _SQLITE_GUARDS if isinstance(db, SqliteDatabase) else _POSTGRES_GUARDS
    for statement in guards:
        db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ('payment_no_delete', 'payment_fixed', 'payment_of_closed_session',
                     'drawer_session_no_delete', 'drawer_session_closed'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS {name}')
    migrator.migrate(migrator.drop_table('payment'))
    migrator.migrate(migrator.drop_table('drawer_session'))
    migrator.migrate(migrator.drop_table('drawer'))

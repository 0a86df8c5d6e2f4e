"""The `frontdesk` command: the TUI by default, and subcommands for scripts.

Only the TUI imports Textual (lazily, through `screens`), so every subcommand
starts fast and runs without a terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from frontdesk import clock, config, db, paths
from frontdesk.errors import ConfigError, FrontdeskError

__all__ = ["main"]

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_REFUSED) -> int:
    print(f"frontdesk: {message}", file=sys.stderr)
    return code


def _open(target: str | None) -> str:
    """Open and migrate the clinic database named by --db, FRONTDESK_DB or the default."""
    chosen = target or paths.default_database()
    if not target and "://" not in chosen:
        Path(chosen).parent.mkdir(parents=True, exist_ok=True)
    db.open_database(chosen)
    db.migrate()
    return chosen


# -- subcommands --------------------------------------------------------------------


def _progress_printer():
    """A rich progress bar on a terminal; nothing when output goes to a file."""
    if not sys.stderr.isatty():
        return None, lambda phase, done, total: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True))
    tasks: dict[str, int] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase.capitalize(), total=total)
        bar.update(tasks[phase], completed=done)

    return bar, update


def _build_demo(path: Path, *, patients_count: int, providers_count: int, seed: int) -> object:
    from frontdesk import demo

    bar, update = _progress_printer()
    if bar:
        with bar:
            return demo.build(path, patients_count=patients_count,
                              providers_count=providers_count, seed=seed, progress=update)
    return demo.build(path, patients_count=patients_count, providers_count=providers_count,
                      seed=seed, progress=update)


def _print_accounts(summary) -> None:
    print(f"Demo clinic built in {summary.path}:")
    print(f"  {summary.providers} providers, {summary.patients:,} patients, "
          f"{summary.appointments:,} appointments from {summary.first_day} to {summary.last_day}.")
    print("Sign in with any of these accounts:")
    for username, name, role, password in summary.staff:
        print(f"  {username:<10} {password:<20} {name} ({role})")


def cmd_demo(args: argparse.Namespace) -> int:
    summary = _build_demo(Path(args.db), patients_count=args.patients,
                          providers_count=args.providers, seed=args.seed)
    _print_accounts(summary)
    return EXIT_OK


def _ask_password() -> str:
    first = getpass.getpass("Password (12 characters or more): ")
    if first != getpass.getpass("Same password again: "):
        raise FrontdeskError("The two passwords differ; nothing was created.")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    from frontdesk import staff

    target = args.db or paths.default_database()
    if "://" not in target and Path(target).exists() and Path(target).stat().st_size > 0:
        _open(target)
        if staff.Staff.select().exists():
            return _fail(f"{target} already has staff; sign in as an administrator instead.")
    else:
        _open(target)
    username = args.username or input("Administrator's username: ")
    name = args.name or input("Administrator's full name: ")
    if args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").rstrip("\n")
    elif args.password_env:
        password = os.environ.get(args.password_env, "")
    else:
        password = _ask_password()
    person = staff.add_staff(username, name, staff.Role.ADMIN, password, by=None)
    from frontdesk import estimate, insurance

    payers = insurance.load_payers(by=person)
    codes, _ = estimate.load_fee_schedule(by=person)
    print(f"Created {target} with administrator {person.username} ({person.name}), "
          f"{len(payers)} payers and {codes} procedure codes from data/.")
    return EXIT_OK


def _day_json(day) -> list[dict[str, object]]:
    names = {p.id: p.display_name for p in day.providers}
    return [
        {
            "id": a.id, "start": a.start.isoformat(), "end": a.end.isoformat(),
            "provider": names.get(a.provider_id, str(a.provider_id)),
            "provider_id": a.provider_id, "patient": a.patient, "mrn": a.mrn,
            "type": a.type_name, "status": a.status.value,
        }
        for a in day.appointments
    ]


def cmd_schedule(args: argparse.Namespace) -> int:
    from frontdesk import schedule
    from frontdesk.dates import parse_date

    if args.action:
        return {"book": cmd_schedule_book, "free": cmd_schedule_free}[args.action](args)
    _open(args.db)
    on = parse_date(args.date, today=clock.today()) if args.date else clock.today()
    day = schedule.day(on)
    if args.json:
        json.dump(_day_json(day), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    names = {p.id: p.short_name for p in day.providers}
    print(f"{on:%A %B} {on.day}, {on.year}: {len(day.appointments)} appointments")
    for a in day.appointments:
        print(f"{clock.wall(a.start):>5}-{clock.wall(a.end):<5}  "
              f"{names.get(a.provider_id, ''):<16} {a.patient:<28} {a.type_code:<5} "
              f"{a.status.label}")
    return EXIT_OK


# -- booking from scripts -----------------------------------------------------------

_BOOK_NEEDS = (("mrn", "--mrn"), ("provider", "--provider"), ("kind", "--type"),
               ("at", "--at"), ("username", "--as"))
_FREE_NEEDS = (("provider", "--provider"), ("kind", "--type"), ("start", "--from"))


def _missing(args: argparse.Namespace, needs: tuple[tuple[str, str], ...]) -> str:
    absent = [option for name, option in needs if getattr(args, name) is None]
    return f"schedule {args.action} needs {', '.join(absent)}." if absent else ""


def _provider_named(text: str):
    """A provider by id, or by the name `frontdesk schedule --json` prints."""
    from frontdesk.errors import NotFound
    from frontdesk.providers import Provider

    wanted = text.strip()
    if wanted.isdigit():
        found = Provider.get_or_none(Provider.id == int(wanted))
        if found is not None:
            return found
    named = [p for p in Provider.select() if p.display_name == wanted]
    if len(named) != 1:
        raise NotFound(f"There is no provider {wanted!r}; give the id or the name as "
                       "`frontdesk schedule --json` prints it (\"Anita Patel, MD\").")
    return named[0]


def _type_named(text: str):
    from frontdesk.errors import NotFound
    from frontdesk.schedule import AppointmentType

    found = AppointmentType.get_or_none(AppointmentType.name == text.strip())
    if found is None:
        names = ", ".join(t.name for t in AppointmentType.select().where(AppointmentType.active)
                          .order_by(AppointmentType.name))
        raise NotFound(f"There is no visit type {text!r}; the types are: {names}.")
    return found


def _patient_numbered(mrn: str):
    from frontdesk.errors import NotFound
    from frontdesk.patients import Patient

    found = Patient.get_or_none(Patient.mrn == mrn.strip())
    if found is None:
        raise NotFound(f"There is no patient with MRN {mrn.strip()}.")
    return found


def _wall_clock(text: str):
    """`YYYY-MM-DD HH:MM` on the clinic's wall clock, as a day and a time."""
    from datetime import datetime

    from frontdesk.errors import InvalidInput

    try:
        moment = datetime.strptime(" ".join(text.replace("T", " ").split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"--at {text!r}: give the clinic's wall-clock time as "
                           "\"YYYY-MM-DD HH:MM\".") from None
    return moment.date(), moment.time()


def _booking_json(appointment, patient, provider, kind) -> dict[str, object]:
    return {"id": appointment.id, "start": clock.local(appointment.start).isoformat(),
            "end": clock.local(appointment.end).isoformat(), "provider": provider.display_name,
            "provider_id": provider.id, "patient": patient.filed_name, "mrn": patient.mrn,
            "type": kind.name, "status": appointment.status}


def cmd_schedule_book(args: argparse.Namespace) -> int:
    from frontdesk import schedule
    from frontdesk.dates import describe
    from frontdesk.text import one_line

    if missing := _missing(args, _BOOK_NEEDS):
        return _fail(missing, EXIT_USAGE)
    _open(args.db)
    try:
        on, at = _wall_clock(args.at)
        person = _staff_member(args.username)
        patient, provider = _patient_numbered(args.mrn), _provider_named(args.provider)
        kind = _type_named(args.kind)
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE)
    try:
        booked = schedule.book(patient, provider, kind, on, at, by=person, reason=args.reason,
                               overbook=args.overbook, override_reason=args.override or "")
    except schedule.OverbookPossible as error:
        return _fail(f"{error} Add --overbook to book it anyway.")
    except schedule.OutsideHours as error:
        return _fail(f"{error} A manager may book it anyway with --override REASON.")
    if args.json:
        json.dump(_booking_json(booked, patient, provider, kind), sys.stdout,
                  ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    print(f"Booked {one_line(patient.full_name)} (MRN {patient.mrn}) with "
          f"{one_line(provider.short_name)}, {describe(on)} {clock.wall(booked.start)}-"
          f"{clock.wall(booked.end)} (appointment {booked.id}).")
    return EXIT_OK


def cmd_schedule_free(args: argparse.Namespace) -> int:
    from frontdesk import slots
    from frontdesk.dates import describe

    if missing := _missing(args, _FREE_NEEDS):
        return _fail(missing, EXIT_USAGE)
    _open(args.db)
    try:
        first = _typed_day(args.start, "--from")
        provider, kind = _provider_named(args.provider), _type_named(args.kind)
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE)
    days = args.days or FREE_DAYS
    every = days * 24 * 60 // config.current().slot_minutes + 1
    found = slots.free_slots(provider, kind, start=first, days=days, count=every)
    spans = [(clock.at_local(on, at), clock.at_local(on, at) + timedelta(minutes=kind.minutes))
             for on, at in found]
    if args.json:
        json.dump([{"start": clock.local(start).isoformat(), "end": clock.local(end).isoformat(),
                    "provider": provider.display_name, "provider_id": provider.id,
                    "type": kind.name} for start, end in spans],
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    last = first + timedelta(days=days - 1)
    print(f"{len(spans)} free times for {kind.name} with {provider.short_name}, "
          f"{describe(first)}{' to ' + describe(last) if days > 1 else ''}:")
    for start, end in spans:
        print(f"  {describe(clock.local(start).date())}  {clock.wall(start)}-{clock.wall(end)}")
    return EXIT_OK


FREE_DAYS = 7
"""Days `schedule free` looks through when --days is not given: a week."""


def _add_booking_options(day: argparse.ArgumentParser) -> None:
    """`schedule book` and `schedule free` share the `schedule` parser, so the plain
    `schedule --date ...` that scripts already call keeps working as it was."""
    day.add_argument("action", nargs="?", choices=("book", "free"), metavar="book|free",
                     help="book a visit, or list free times (leave out: print the day)")
    day.add_argument("--mrn", help="book: the patient's medical record number")
    day.add_argument("--provider", help="book, free: the provider's id or name as "
                                        "`schedule --json` prints it")
    day.add_argument("--type", dest="kind", metavar="NAME", help="book, free: the visit type")
    day.add_argument("--at", metavar='"YYYY-MM-DD HH:MM"',
                     help="book: when, on the clinic's wall clock")
    day.add_argument("--as", dest="username", metavar="USERNAME",
                     help="book: the staff member booking (audited as them)")
    day.add_argument("--reason", default="", help="book: the reason for the visit")
    day.add_argument("--overbook", action="store_true",
                     help="book: over another visit, within the provider's allowance")
    day.add_argument("--override", metavar="REASON",
                     help="book: outside the provider's hours or in a block (managers)")
    day.add_argument("--from", dest="start", metavar="DATE", help="free: the first day")
    day.add_argument("--days", type=_positive, metavar="N",
                     help=f"free: how many days to look through (default {FREE_DAYS})")


# -- the audit trail ----------------------------------------------------------------


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from frontdesk import audit

    _open(args.db)
    result = audit.verify()
    if not result.whole:
        return _fail(str(result))
    print(result)
    return EXIT_OK


def _typed_day(text: str | None, option: str):
    from frontdesk.dates import parse_date
    from frontdesk.errors import InvalidInput

    if text is None:
        return None
    try:
        return parse_date(text, today=clock.today())
    except InvalidInput as error:
        raise InvalidInput(f"{option}: {error}") from None


def _report_json(rows) -> list[dict[str, object]]:
    return [
        {"id": r.id, "at": r.at.isoformat(), "staff": r.staff, "username": r.username or None,
         "action": r.action, "code": r.code, "mrn": r.mrn or None, "patient": r.patient or None,
         "subject": r.subject, "detail": r.detail}
        for r in rows
    ]


def _print_columns(rows: list[list[str]]) -> None:
    """Rows of cells, each column as wide as its widest cell (the last one left ragged)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]])
              .rstrip())


def cmd_audit_report(args: argparse.Namespace) -> int:
    from frontdesk import audit
    from frontdesk.dates import short
    from frontdesk.text import one_line

    _open(args.db)
    start, end = _typed_day(args.start, "--from"), _typed_day(args.end, "--to")
    # No one is signed in on the command line: report() records the OS user instead.
    rows = audit.report(by=audit.COMMAND_LINE, patient_mrn=args.mrn, staff_username=args.staff,
                        start=start, end=end, limit=args.limit)
    if args.json:
        json.dump(_report_json(rows), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    who = f"MRN {args.mrn}" if args.mrn else f"staff member {args.staff}"
    span = (f"from {short(start) if start else 'the first event'} "
            f"to {short(end) if end else 'now'}")
    print(f"{len(rows)} events for {who}, {span}, newest first.")
    if rows:
        # Text from the database is untrusted on a terminal: cleaned before printing.
        _print_columns([["When", "Who", "What", "Patient", "Subject", "Detail"]] + [
            [f"{short(r.at.date())} {r.at:%H:%M:%S}", one_line(r.staff), r.action,
             one_line(f"{r.patient} ({r.mrn})" if r.mrn else ""), one_line(r.subject),
             one_line(r.detail)]
            for r in rows])
    return EXIT_OK


def _add_audit_commands(sub) -> None:
    audit = sub.add_parser("audit", help="check the audit trail, or print an access report")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND",
                                     required=True)
    verify = audit_sub.add_parser("verify", help="check that no audit event was changed or "
                                                 "removed (exit 1 if one was)")
    verify.add_argument("--db")
    verify.set_defaults(func=cmd_audit_verify)

    report = audit_sub.add_parser("report", help="who looked at a patient, or what a staff "
                                                 "member looked at or did")
    report.add_argument("--db")
    whose = report.add_mutually_exclusive_group(required=True)
    whose.add_argument("--mrn", help="the patient's medical record number")
    whose.add_argument("--staff", metavar="USERNAME", help="the staff member's username")
    report.add_argument("--from", dest="start", metavar="DATE",
                        help="first clinic day (3/4, 2026-11-01, yesterday...); default: the start")
    report.add_argument("--to", dest="end", metavar="DATE",
                        help="last clinic day, included; default: now")
    report.add_argument("--limit", type=_positive, help="only the newest N events")
    report.add_argument("--json", action="store_true", help="print JSON for scripts")
    report.set_defaults(func=cmd_audit_report)


# -- backups ------------------------------------------------------------------------

KEEP = 14
"""Backups `backup --rotate` keeps when --keep is not given: two weeks of nightly ones."""


def cmd_backup(args: argparse.Namespace) -> int:
    from frontdesk import backup

    if (args.dest is None) == (args.rotate is None):
        return _fail("give the backup file to write, or --rotate FOLDER (one of them).",
                     EXIT_USAGE)
    if args.keep is not None and args.rotate is None:
        return _fail("--keep goes with --rotate FOLDER.", EXIT_USAGE)
    source = args.db or paths.default_database()
    if args.rotate:
        print(backup.rotate(source, args.rotate, keep=args.keep or KEEP))
    else:
        print(backup.backup(source, args.dest))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from frontdesk import backup

    target = args.db or paths.default_database()
    if not args.db and "://" not in target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)  # a new server's first start
    print(backup.restore(target, args.source))
    return EXIT_OK


def _add_backup_commands(sub) -> None:
    save = sub.add_parser("backup", help="copy the clinic database while staff keep "
                                         "working, and check the copy")
    save.add_argument("--db")
    save.add_argument("dest", nargs="?", metavar="DEST",
                      help="the backup file to write (replaced only by a checked copy)")
    save.add_argument("--rotate", metavar="DIR", help="write DIR/clinic-YYYY-MM-DD-HHMM.db "
                      "(UTC) and remove the oldest beyond --keep")
    save.add_argument("--keep", type=_positive, metavar="N",
                      help=f"how many backups --rotate keeps (default {KEEP})")
    save.set_defaults(func=cmd_backup)

    back = sub.add_parser("restore", help="replace the clinic database with a backup "
                                          "(the current one is kept beside it)")
    back.add_argument("--db")
    back.add_argument("source", metavar="SOURCE", help="the backup file")
    back.set_defaults(func=cmd_restore)


# -- importing ----------------------------------------------------------------------


def _staff_member(username: str):
    from frontdesk import staff
    from frontdesk.errors import NotFound

    person = staff.Staff.get_or_none(staff.Staff.username == username.strip().lower())
    if person is None:
        raise NotFound(f"There is no staff member with the username {username}.")
    return person


@contextlib.contextmanager
def _ctrl_c_stops_between_batches():
    """The first Ctrl-C asks the import to stop after the batch it is in, so what is
    committed is whole batches; a second one stops at once."""
    asked = threading.Event()

    def ask(signum, frame) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        print("frontdesk: stopping after this batch (Ctrl-C again to stop at once)...",
              file=sys.stderr)

    previous = signal.signal(signal.SIGINT, ask)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_import(outcome, name: str, report: str | None) -> None:
    from frontdesk.importing import SHOWN
    from frontdesk.text import one_line

    for warning in outcome.warnings:
        print(f"frontdesk: {warning}", file=sys.stderr)
    print(f"{one_line(name)}: {outcome.imported:,} imported, {outcome.already:,} already "
          f"there, {outcome.refused:,} refused.")
    if outcome.refused:
        print("Refused rows (numbered as a spreadsheet shows them; the header is row 1):")
        for refusal in outcome.refusals.shown:  # the file's text is untrusted on a terminal
            print(f"  {one_line(str(refusal))}")
        more = outcome.refused - len(outcome.refusals.shown)
        if more and not report:
            print(f"  ...and {more:,} more: add --report FILE.csv to write them all to a file.")
        elif more:
            print(f"  ...and {more:,} more.")
    if report:
        print(f"Every refused row is in {report}.")
    if outcome.stopped:
        print(f"{outcome.stopped} Run the same import again to go on: rows already there "
              "are skipped.")


def cmd_import_patients(args: argparse.Namespace) -> int:
    from frontdesk import importing
    from frontdesk.roles import Permission, require

    _open(args.db)
    bar, update = _progress_printer()
    try:
        # Who imports is a staff member, audited as such: registering needs a person who
        # may register patients, which the bare command line is not.
        person = _staff_member(args.username)
        require(person, Permission.REGISTER_PATIENTS)
        report = open(args.report, "w", encoding="utf-8", newline="") if args.report else None
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE)
    except OSError as error:
        return _fail(f"{args.report} cannot be written: {error.strerror or error}.", EXIT_USAGE)
    try:
        with contextlib.ExitStack() as stack:
            if report:
                stack.enter_context(report)
            if bar:
                stack.enter_context(bar)
            cancelled = stack.enter_context(_ctrl_c_stops_between_batches())
            outcome = importing.import_patients(args.file, by=person, report=report,
                                                progress=update, cancelled=cancelled)
    except importing.UnreadableFile as error:
        return _fail(str(error), EXIT_USAGE)
    _print_import(outcome, Path(args.file).name, args.report)
    if outcome.stopped.startswith("Stopped at your request"):
        return 130
    return EXIT_REFUSED if outcome.refused or outcome.stopped else EXIT_OK


def _add_import_commands(sub) -> None:
    bring = sub.add_parser("import", help="bring records over from the system the clinic "
                                          "leaves")
    bring_sub = bring.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    people = bring_sub.add_parser(
        "patients", help="register the patients of a CSV file (exit 1 if rows were refused, "
                         "2 if the file cannot be read)")
    people.add_argument("file", metavar="FILE.csv", help="UTF-8 CSV, header in row 1 "
                        "(see README: Importing patients)")
    people.add_argument("--db")
    people.add_argument("--as", dest="username", metavar="USERNAME", required=True,
                        help="the staff member importing (audited as them)")
    people.add_argument("--report", metavar="FILE.csv",
                        help="write every refused row, with its column and reason, to this file")
    people.set_defaults(func=cmd_import_patients)
    owed = bring_sub.add_parser(
        "balances", help="set patients' balances from the billing system's CSV (mrn, balance "
                         "in dollars, as_of optional; exit 1 if rows were refused)")
    owed.add_argument("file", metavar="FILE.csv")
    owed.add_argument("--db")
    owed.add_argument("--as", dest="username", metavar="USERNAME", required=True,
                      help="the staff member importing (audited as them)")
    owed.set_defaults(func=cmd_import_balances)


# -- finding patients ---------------------------------------------------------------


def cmd_patients_search(args: argparse.Namespace) -> int:
    from frontdesk import audit, patients, telephone
    from frontdesk.dates import short

    _open(args.db)
    hits = patients.search(args.query, args.limit, by=audit.COMMAND_LINE)
    if args.json:
        print(json.dumps([
            {"mrn": h.mrn, "first": h.first_name, "middle": h.middle_name, "last": h.last_name,
             "dob": h.dob.isoformat(), "phones": [number for _, number in h.phones],
             "score": h.score, "matched": h.matched, "flags": list(h.flags),
             "next_visit": h.next_visit.isoformat() if h.next_visit else None}
            for h in hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not hits:
        print(f"Nobody fits \"{args.query}\".", file=sys.stderr)
        return EXIT_OK
    from frontdesk.text import one_line

    _print_columns([["MRN", "PATIENT", "BORN", "PHONE", "SCORE"]] + [
        [h.mrn, one_line(h.filed_name), short(h.dob),
         telephone.display(h.phones[0][1]) if h.phones else "", f"{h.score:g}"]
        for h in hits])
    return EXIT_OK


def _add_patient_commands(sub) -> None:
    people = sub.add_parser("patients", help="find patients")
    people_sub = people.add_subparsers(dest="patients_command", metavar="WHAT", required=True)
    search = people_sub.add_parser(
        "search", help="patients fitting a name, birth date, phone, last four or MRN, "
                       "best first (audited)")
    search.add_argument("query", metavar="QUERY", help='for example "smith, john" or 3/4/1980')
    search.add_argument("--db")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.add_argument("--limit", type=_positive, default=20, metavar="N",
                        help="at most N patients (default 20)")
    search.set_defaults(func=cmd_patients_search)


# -- the phone lines (a PBX dialplan or a script calls these) ------------------------


def cmd_phone_ring(args: argparse.Namespace) -> int:
    from frontdesk import phones

    _open(args.db)
    rung = phones.ring(args.line, args.caller)
    print(f"line {rung.number} ringing from {rung.caller or 'an unknown number'}")
    return EXIT_OK


def cmd_phone_hangup(args: argparse.Namespace) -> int:
    from frontdesk import phones

    _open(args.db)
    phones.hang_up(args.line)
    print(f"line {args.line} free")
    return EXIT_OK


def _add_phone_commands(sub) -> None:
    phone = sub.add_parser("phone", help="tell the desk a line rings or the caller hung up")
    phone_sub = phone.add_subparsers(dest="phone_command", metavar="WHAT", required=True)
    ring = phone_sub.add_parser("ring", help="mark a line ringing (the caller's number as it "
                                             "arrived; matched to patients on screen)")
    ring.add_argument("--db")
    ring.add_argument("--line", type=_positive, required=True, metavar="N")
    ring.add_argument("--from", dest="caller", default="", metavar="NUMBER",
                      help="the calling number; leave out when it was withheld")
    ring.set_defaults(func=cmd_phone_ring)
    hangup = phone_sub.add_parser("hangup", help="the caller hung up: free the line")
    hangup.add_argument("--db")
    hangup.add_argument("--line", type=_positive, required=True, metavar="N")
    hangup.set_defaults(func=cmd_phone_hangup)


# -- the TUI ------------------------------------------------------------------------


def _demo_is_current() -> bool:
    """A demo is reused while its book still reaches a week past today."""
    from frontdesk import schedule

    last = schedule.Appointment.select(schedule.Appointment.start).order_by(
        schedule.Appointment.start.desc()).scalar()
    return last is not None and clock.local(last).date() >= clock.today() + timedelta(days=7)


def _open_demo() -> str:
    """The demo clinic in the user data directory: built once, rebuilt when it runs out."""
    path = paths.demo_database()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _open(str(path))
        if _demo_is_current():
            return str(path)
        db.close_database()
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
    print("Building the demo clinic (once)...", file=sys.stderr)
    _build_demo(path, patients_count=2000, providers_count=6, seed=1)
    return str(path)


def cmd_app(args: argparse.Namespace) -> int:
    from frontdesk import staff

    signed_in = first_day = seen_changes = None
    if args.demo:
        target = _open_demo()
        from frontdesk import changes, schedule
        from frontdesk.demo import FRONT_DESK_USER

        signed_in = staff.Staff.get(staff.Staff.username == FRONT_DESK_USER)
        # Read before the screen starts, so its first frame shows the day, not "loading";
        # the change feed's position first, so nothing written meanwhile is missed.
        seen_changes = changes.latest()
        first_day = schedule.day(clock.today())
    else:
        target = _open(args.db)
        if not staff.Staff.select().exists():
            return _fail(f"{target} has no staff yet. Create the first administrator with:\n"
                         f"  frontdesk init --db {target}", EXIT_USAGE)
    from screens.app import run  # Textual is imported here and nowhere in frontdesk/

    return run(signed_in=signed_in, first_day=first_day, seen_changes=seen_changes)


# -- balances and the cash drawer -----------------------------------------------------


def cmd_import_balances(args: argparse.Namespace) -> int:
    from frontdesk import importing, payments
    from frontdesk.text import one_line

    _open(args.db)
    try:
        outcome = payments.import_balances(args.file, by=_staff_member(args.username))
    except importing.UnreadableFile as error:
        return _fail(str(error), EXIT_USAGE)
    for warning in outcome.warnings:
        print(f"frontdesk: {warning}", file=sys.stderr)
    print(f"{one_line(Path(args.file).name)}: {outcome.updated:,} balances set, "
          f"{outcome.unchanged:,} unchanged, {outcome.refused:,} refused.")
    for refusal in outcome.refusals.shown:
        print(f"  {one_line(str(refusal))}")
    return EXIT_REFUSED if outcome.refused else EXIT_OK


def cmd_drawer_report(args: argparse.Namespace) -> int:
    from frontdesk import audit, clock, drawer
    from frontdesk.dates import parse_date

    _open(args.db)
    on = parse_date(args.date, today=clock.today()) if args.date else clock.today()
    report = drawer.day_report(on, by=audit.COMMAND_LINE)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(drawer.day_report_text(report), end="")
    return EXIT_OK


def _add_drawer_commands(sub) -> None:
    cash = sub.add_parser("drawer", help="the cash drawers: the end-of-day report")
    cash_sub = cash.add_subparsers(dest="drawer_command", metavar="WHAT", required=True)
    report = cash_sub.add_parser("report", help="totals by method, purpose, provider and "
                                                "staff; voids, refunds, over/short")
    report.add_argument("--db")
    report.add_argument("--date", help="YYYY-MM-DD (or yesterday, 3/4); default today")
    report.add_argument("--json", action="store_true",
                        help="JSON with expected, counted and over_short per method, in cents")
    report.set_defaults(func=cmd_drawer_report)


# -- insurance eligibility: 270 out, 271 in ------------------------------------------


def _person_or_command_line(username: str | None):
    from frontdesk import audit

    return _staff_member(username) if username else audit.COMMAND_LINE


def cmd_eligibility_request(args: argparse.Namespace) -> int:
    from frontdesk import clearinghouse
    from frontdesk.dates import describe

    if args.mrn and args.days:
        return _fail("--days goes with --date; --mrn asks about the patient's next visit.",
                     EXIT_USAGE)
    _open(args.db)
    try:
        by = _person_or_command_line(args.username)
        if args.mrn:
            targets = clearinghouse.targets_for_patient(args.mrn)
            what = f"MRN {args.mrn.strip()}"
        else:
            first = _typed_day(args.date, "--date")
            last = first + timedelta(days=(args.days or 1) - 1)
            targets = clearinghouse.targets_for_days(first, last)
            what = describe(first) + (f" to {describe(last)}" if last != first else "")
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE)
    written = clearinghouse.write_270(targets, args.out, by=by)
    payers = ", ".join(written.payers)
    print(f"Wrote {written.path}: {written.inquiries} coverage"
          f"{'s' if written.inquiries != 1 else ''} for {what}, asking {payers} "
          f"(interchange {written.interchange_control:09d}).")
    return EXIT_OK


def _print_import_outcome(outcome) -> None:
    from frontdesk.text import one_line

    for found in outcome.files:
        name = one_line(found.name)
        if found.state == "refused":
            print(f"{name}: refused. {one_line(found.message)}")
            continue
        if found.state == "already":
            print(f"{name}: {one_line(found.message)}.")
            continue
        print(f"{name}: {found.answers} answer{'s' if found.answers != 1 else ''}, "
              f"{len(found.stored)} recorded, {len(found.unmatched)} not matched.")
        for stored in found.stored:
            line = (f"  {one_line(stored.patient)} (MRN {stored.mrn}), {one_line(stored.payer)}: "
                    f"{stored.status}")
            if stored.rejection:
                line += f": {one_line(stored.rejection)}"
            print(line + f" [by {stored.matched_by}]")
        for unmatched in found.unmatched:
            print(f"  NOT MATCHED to a patient: {one_line(unmatched)}")
        for warning in found.warnings:
            print(f"  warning: {one_line(warning)}")
    print(outcome.summary())


def cmd_eligibility_import(args: argparse.Namespace) -> int:
    from frontdesk import clearinghouse

    _open(args.db)
    try:
        by = _person_or_command_line(args.username)
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE)
    files = clearinghouse.files_in(args.files)
    if not files:
        return _fail("no 271 files there (a folder is read for "
                     + ", ".join(clearinghouse.IMPORTABLE) + " files).")
    outcome = clearinghouse.import_271(files, by=by)
    _print_import_outcome(outcome)
    return EXIT_REFUSED if outcome.refused else EXIT_OK


def _money_text(cents: int | None) -> str:
    return "unknown" if cents is None else f"${cents // 100:,}.{cents % 100:02d}"


def _print_answer(answer) -> None:
    from frontdesk.text import one_line

    data = answer.to_json()
    patient, plan = data["patient"], data["plan"]
    print(f"{one_line(patient['last'])}, {one_line(patient['first'])}"
          f"  born {patient['dob'] or 'not given'}  member ID {one_line(patient['member_id'])}"
          f"  ({patient['relationship']})")
    print(f"  {data['status'].upper()} with {one_line(data['payer']['name'])}"
          f" ({one_line(data['payer']['id'])})"
          + (f", plan {one_line(plan['name'])}" if plan["name"] else ""))
    for rejection in data["rejections"]:
        print(f"  rejected at {rejection['loop']}: {rejection['reason']}; "
              f"{rejection['follow_up']}")
    for copay in answer.office_visit_copays():
        print(f"  office copay {_money_text(copay.amount_cents)}"
              + (f" ({one_line(copay.note)})" if copay.note else ""))
    for label, accumulator in (("deductible", answer.deductible),
                               ("out-of-pocket", answer.out_of_pocket)):
        amounts = accumulator.individual["in"]
        if amounts.total_cents is None and amounts.remaining_cents is None:
            amounts = accumulator.individual["unspecified"]
        if amounts.total_cents is not None or amounts.remaining_cents is not None:
            print(f"  {label} {_money_text(amounts.total_cents)}, remaining "
                  f"{_money_text(amounts.remaining_cents)}")
    for warning in data["warnings"]:
        print(f"  warning: {one_line(warning)}")


def cmd_eligibility_parse(args: argparse.Namespace) -> int:
    from frontdesk.x12 import parse_271

    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        return _fail(f"{args.file} cannot be read: {error.strerror or error}.", EXIT_USAGE)
    answers = parse_271(data)
    if args.json:
        json.dump([answer.to_json() for answer in answers], sys.stdout, ensure_ascii=False,
                  indent=2)
        print()
        return EXIT_OK
    for answer in answers:
        _print_answer(answer)
    return EXIT_OK


def _add_eligibility_commands(sub) -> None:
    check = sub.add_parser("eligibility", help="insurance eligibility: write 270 requests, "
                                               "import and read 271 answers")
    check_sub = check.add_subparsers(dest="eligibility_command", metavar="WHAT", required=True)
    ask = check_sub.add_parser(
        "request", help="write a 270 asking the payers about the coverages of a day's "
                        "appointments, or of one patient (IDs from config.toml)")
    ask.add_argument("--db")
    whom = ask.add_mutually_exclusive_group(required=True)
    whom.add_argument("--date", help="the appointments of this day (YYYY-MM-DD, 3/4, tomorrow)")
    whom.add_argument("--mrn", help="one patient's coverages, for their next visit")
    ask.add_argument("--days", type=_positive, metavar="N",
                     help="with --date: N days from that day (default 1)")
    ask.add_argument("--out", required=True, metavar="FILE", help="the 270 file to write")
    ask.add_argument("--as", dest="username", metavar="USERNAME",
                     help="the staff member asking (audited as them; default the OS user)")
    ask.set_defaults(func=cmd_eligibility_request)
    answers = check_sub.add_parser(
        "import", help="record the answers of 271 files (a folder: every "
                       ".x12/.271/.txt/.edi file in it); exit 1 if a file was refused")
    answers.add_argument("files", nargs="+", metavar="FILE")
    answers.add_argument("--db")
    answers.add_argument("--as", dest="username", metavar="USERNAME",
                         help="the staff member importing (audited as them)")
    answers.set_defaults(func=cmd_eligibility_import)
    read = check_sub.add_parser("parse", help="read a 271 file and print what it says "
                                              "(nothing is stored)")
    read.add_argument("file", metavar="FILE")
    read.add_argument("--json", action="store_true",
                      help="one JSON object per patient answer, in a list")
    read.set_defaults(func=cmd_eligibility_parse)


# -- the fee schedule behind estimates -------------------------------------------------


def cmd_fees_list(args: argparse.Namespace) -> int:
    from frontdesk import estimate
    from frontdesk.schedule import AppointmentType
    from frontdesk.text import one_line

    _open(args.db)
    fees = estimate.fee_schedule()
    mapped = estimate.visit_codes()
    kinds = list(AppointmentType.select().order_by(AppointmentType.id))
    if args.json:
        json.dump({"fees": [{"code": f.code, "description": f.description,
                             "allowed_cents": f.allowed_cents, "active": f.active} for f in fees],
                   "visit_types": {k.name: mapped[k.id].code_list if k.id in mapped else []
                                   for k in kinds}}, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    _print_columns([["Code", "Allowed", "Description"]] + [
        [f.code, estimate.money(f.allowed_cents), one_line(f.description)] for f in fees])
    print()
    _print_columns([["Visit type", "Codes"]] + [
        [one_line(k.name), mapped[k.id].codes if k.id in mapped else "(none: no estimate)"]
        for k in kinds])
    return EXIT_OK


def cmd_fees_set(args: argparse.Namespace) -> int:
    from frontdesk import estimate

    _open(args.db)
    person = _staff_member(args.username)
    current = estimate.Fee.get_or_none(estimate.Fee.code == args.code.strip().upper())
    fee = estimate.set_fee(args.code, description=args.description or (
        current.description if current else ""), allowed=args.allowed,
        version=current.version if current else None, by=person)
    print(f"{fee.code} {fee.description}: allowed {estimate.money(fee.allowed_cents)}.")
    return EXIT_OK


def cmd_fees_map(args: argparse.Namespace) -> int:
    from frontdesk import estimate

    _open(args.db)
    mapping = estimate.set_visit_codes(args.visit_type, args.codes, by=_staff_member(args.username))
    print(f"{args.visit_type}: {mapping.codes}.")
    return EXIT_OK


def cmd_fees_load(args: argparse.Namespace) -> int:
    from frontdesk import estimate

    _open(args.db)
    added, mapped = estimate.load_fee_schedule(by=_staff_member(args.username))
    print(f"{added} procedure codes added and {mapped} visit types given codes from data/; "
          "what was already set is unchanged.")
    return EXIT_OK


def _add_fee_commands(sub) -> None:
    fees = sub.add_parser("fees", help="the fee schedule behind cost estimates: procedure "
                                       "codes, allowed amounts, the codes of each visit type")
    fees_sub = fees.add_subparsers(dest="fees_command", metavar="WHAT", required=True)
    show = fees_sub.add_parser("list", help="print the fee schedule and each visit type's codes")
    show.add_argument("--db")
    show.add_argument("--json", action="store_true", help="JSON, amounts in cents")
    show.set_defaults(func=cmd_fees_list)
    put = fees_sub.add_parser("set", help="add a procedure code or change its allowed amount")
    put.add_argument("code", help="CPT or HCPCS code: 99213, G0439")
    put.add_argument("allowed", help="the allowed amount in dollars: 150.00")
    put.add_argument("--description", help="what the code is (required for a new code)")
    put.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                     help="a manager's or administrator's username (audited as them)")
    put.add_argument("--db")
    put.set_defaults(func=cmd_fees_set)
    link = fees_sub.add_parser("map", help="the procedure codes a visit type is expected to bill")
    link.add_argument("visit_type", help="the visit type's name: \"Follow-up\"")
    link.add_argument("codes", nargs="+", help="one or more codes already in the schedule")
    link.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                      help="a manager's or administrator's username (audited as them)")
    link.add_argument("--db")
    link.set_defaults(func=cmd_fees_map)
    load = fees_sub.add_parser("load", help="add what data/fees.csv and data/visit_codes.csv "
                                            "have that the clinic has not set yet")
    load.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                      help="a manager's or administrator's username (audited as them)")
    load.add_argument("--db")
    load.set_defaults(func=cmd_fees_load)


# -- wiring -------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdesk", description="The front desk of a small medical practice.")
    parser.add_argument("--db", help="database file or URL (else FRONTDESK_DB, else the "
                                     "user data directory)")
    parser.add_argument("--demo", action="store_true",
                        help="open a demo clinic (built once), signed in as front desk")
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="build a synthetic demo clinic in a new database")
    demo.add_argument("--db", required=True, help="path of the new database file")
    demo.add_argument("--patients", type=_positive, default=2000)
    demo.add_argument("--providers", type=_positive, default=6)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=cmd_demo)

    init = sub.add_parser("init", help="create an empty database and its first administrator")
    init.add_argument("--db")
    init.add_argument("--username")
    init.add_argument("--name")
    secret = init.add_mutually_exclusive_group()
    secret.add_argument("--password-file", help="read the password from this file")
    secret.add_argument("--password-env", metavar="VAR",
                        help="read the password from this environment variable")
    init.set_defaults(func=cmd_init)

    day = sub.add_parser("schedule", help="print a day's appointments; book a visit (book) "
                                          "or list free times (free)")
    day.add_argument("--db")
    day.add_argument("--date", help="YYYY-MM-DD (or 3/4, tomorrow, next tue); default today")
    day.add_argument("--json", action="store_true", help="print JSON for scripts")
    _add_booking_options(day)
    day.set_defaults(func=cmd_schedule)
    _add_audit_commands(sub)
    _add_backup_commands(sub)
    _add_import_commands(sub)
    _add_patient_commands(sub)
    _add_phone_commands(sub)
    _add_drawer_commands(sub)
    _add_fee_commands(sub)
    _add_eligibility_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config.use(config.load())
        return args.func(args)
    except FrontdeskError as error:
        return _fail(str(error), EXIT_USAGE if isinstance(error, ConfigError) else
                     EXIT_REFUSED)
    except KeyboardInterrupt:
        return _fail("stopped.", 130)
    except BrokenPipeError:
        # The reader (head, a pager) left early; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    finally:
        db.close_database()


if __name__ == "__main__":
    sys.exit(main())

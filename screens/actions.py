"""The one registry of what staff can do by key.

Screens build their BINDINGS from here, the command palette lists the same
entries, and F1 help reads the bindings the screen has in force, so a key and its
palette entry cannot drift apart. Every entry has a stable dotted id: staff remap
keys in config.toml under [keys] ("schedule.next_day" = "n"), applied with
`App.set_keymap`.

Keys must arrive over SSH from PuTTY, xterm and the Linux console: F-keys,
plain letters, alt+letter. Never alt+digit, ctrl+h/i/j/m or ctrl+[ (see
DESIGN.md); tests/test_keys.py feeds each binding's raw bytes through
Textual's parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

__all__ = ["Action", "GLOBAL", "TAKE_MESSAGE", "INBOX", "MESSAGE_NOTE", "CALL_LOG", "SCHEDULE", "STAFF",
           "STAFF_DEPARTMENTS", "PATIENT_PICKER", "PATIENTS", "FORM", "DETAIL", "AUDIT", "bindings", "ALL",
           "by_id", "wire_problem", "CHART_PREP", "SIGN_FORMS", "PATIENT", "REGISTER",
           "DUPLICATES", "CHECK_IN", "CHECK_OUT", "WAITING", "ROOM",
           "CALENDAR", "CALENDAR_FORM", "CALENDAR_CONFIRM",
           "CALL", "END_CALL", "FIND_CALLER", "RING_BY_HAND", "LINE_PICKER",
           "NEXT_AVAILABLE", "WAITLIST", "WAITLIST_FORM", "WAITLIST_OFFERS", "SERIES",
           "BOOK_FORM", "BOOKING_CONFIRM", "OVERRIDE_FORM", "MOVE_TIME", "CANCEL_FORM",
           "CHOICE", "PAYMENT_PURPOSE", "PAYMENT_METHOD", "REFUND_METHOD", "CARD_BRAND",
           "PAYMENT_FORM", "PRINTOUT", "DRAWER", "OPEN_DRAWER", "COUNT_GRID", "VOID_FORM",
           "REFUND_FORM", "PAYMENT_HISTORY", "DRAWER_CLOSE", "DAY_REPORT", "DRAWER_ACTIONS",
           "INSURANCE", "VERIFY_FORM", "IMPORT_ANSWERS", "VERIFICATION", "INSURANCE_DAYS",
           "ELIGIBILITY_ACTIONS", "COVERAGE", "COVERAGE_FORM", "END_COVERAGE", "PAYERS",
           "PAYER_FORM", "AUTHORIZATIONS", "REFERRALS", "REFERRAL_FORM",
           "INSURANCE_AUTHORIZATIONS", "COVERAGE_ACTIONS"]


@dataclass(frozen=True)
class Action:
    id: str
    """Stable dotted id: what config.toml's [keys] table names."""
    keys: str
    """Default keys, comma-separated, in Textual's key names."""
    action: str
    """The action method run, without its `action_` prefix."""
    description: str
    """Short label for the footer."""
    help: str
    """One line for F1 help, the palette and the footer's tooltip."""
    show: bool = True
    """Shown in the footer (F1 help lists every action either way)."""
    palette: bool = True
    """Offered in the command palette."""
    key_display: str | None = None

    priority: bool = False
    """Taken before the focused widget's own binding for the same key."""

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show,
                       key_display=self.key_display, priority=self.priority, tooltip=self.help,
                       id=self.id)


GLOBAL = (
    Action("app.help", "f1", "help", "Help", "Show every key of this screen"),
    Action("app.schedule", "f2", "go('schedule')", "Schedule", "Go to the day's schedule"),
    Action("app.patients", "f3", "go('patients')", "Patients",
           "Find a patient by name, birth date, phone or MRN, or register one"),
    Action("app.waiting", "f4", "go('waiting')", "Waiting",
           "The waiting room: today's arrived patients, how long each has waited"),
    Action("app.staff", "f10", "go('staff')", "Staff",
           "Staff accounts: add, deactivate, reset passwords, change roles"),
    Action("app.inbox", "alt+i", "go('inbox')", "Inbox",
           "Phone messages to you and your departments: read, reply, forward, done"),
    Action("app.drawer", "alt+d", "go('drawer')", "Drawer",
           "The cash drawer: today's payments, take one, void, refund, open, close, report"),
    Action("app.insurance", "alt+v", "go('insurance')", "Insurance",
           "Insurance verification: the coming days' visits, whose coverage needs a check"),
    # The phone lines. Priority: a ringing line must be answerable from inside any field
    # or dialog, and the dialog then waits on that line's own screens.
    *(Action(f"phone.line{n}", f"f{n + 4}", f"line({n})", f"Line {n}",
             f"Answer line {n}, pick it up from hold, or go back to it", show=False,
             priority=True) for n in range(1, 5)),
    # shift+F5-F8 would be lines 5-8, but PuTTY and the Linux console send them as
    # ESC[28~ (F15) and so on, which Textual 8.2.8 reads as control characters.
    Action("phone.line", "alt+l", "pick_line", "Line…",
           "Choose a line by its number (lines 5 and up have no key of their own)",
           show=False, priority=True),
    Action("phone.hold", "f9", "hold", "Hold",
           "Put the line in hand on hold and go back to where you were", priority=True),
    Action("phone.message", "alt+m", "take_message", "Message",
           "Take a message, filled in from the line in hand", priority=True),
    Action("phone.end", "alt+e", "end_call", "End call",
           "End the call in hand, saying how it ended", priority=True),
    Action("phone.ring_by_hand", "alt+r", "ring_by_hand", "Ringing",
           "Mark a line ringing by hand (a line without caller ID)", show=False,
           priority=True),
    # Priority: it must work over any dialog and inside any field.
    Action("app.lock", "ctrl+l", "lock", "Lock", "Lock the screen now, when stepping away",
           key_display="^l", priority=True),
    Action("app.palette", "ctrl+p", "command_palette", "Commands",
           "Search commands and actions", show=False, palette=False, key_display="^p"),
    Action("app.sign_out", "f12", "sign_out", "Sign out",
           "Sign out and leave the terminal at the sign-in screen", show=False),
    Action("app.quit", "ctrl+q", "quit", "Quit", "Close frontdesk", show=False,
           key_display="^q"),
)

SCHEDULE = (
    # Priority: the grid's own enter would otherwise hide "Open" from the footer.
    Action("schedule.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("schedule.book", "n", "book", "Book",
           "Book the free time under the cursor: find the patient as you type, the visit type"),
    Action("schedule.reschedule", "r", "reschedule", "Move",
           "Pick up the appointment under the cursor to move it with the arrows, [ and ]"),
    Action("schedule.cancel", "x", "cancel", "Cancel",
           "Cancel the appointment under the cursor, saying who or what cancelled"),
    Action("schedule.no_show", "m", "no_show", "No-show",
           "The patient under the cursor did not come (once the grace period is over)"),
    # While an appointment is picked up: shown instead of the keys above. Priority: the
    # grid's own enter would otherwise hide "Drop" from the key bar.
    Action("schedule.drop", "enter", "drop", "Drop",
           "Put the appointment being moved at the cursor", priority=True, palette=False),
    Action("schedule.type_time", "t", "type_time", "Type a time",
           "Type the day and time to move the appointment to", palette=False),
    Action("schedule.put_back", "escape", "put_back", "Put back",
           "Stop moving: the appointment stays where it was", palette=False),
    Action("schedule.previous_day", "left_square_bracket", "previous_day", "Prev day",
           "Go to the previous day", key_display="["),
    Action("schedule.next_day", "right_square_bracket", "next_day", "Next day",
           "Go to the next day", key_display="]"),
    Action("schedule.today", "t", "today", "Today", "Go to today"),
    Action("schedule.go_to", "g", "go_to", "Go to", "Go to a date typed as 3/4, 12/1/2026, "
           "tomorrow or next tue"),
    Action("schedule.list", "l", "toggle_list", "List",
           "Switch between the provider grid and a list of the whole day"),
    Action("schedule.left", "h", "cursor('left')", "Left", "Move to the provider on the left",
           show=False, palette=False),
    Action("schedule.down", "j", "cursor('down')", "Down", "Move down one slot",
           show=False, palette=False),
    Action("schedule.up", "k", "cursor('up')", "Up", "Move up one slot",
           show=False, palette=False),
    Action("schedule.previous_providers", "less_than_sign", "page_providers(-1)", "Prev providers",
           "Show the previous page of providers", show=False, key_display="<"),
    Action("schedule.next_providers", "greater_than_sign", "page_providers(1)", "More providers",
           "Show the next page of providers", show=False, key_display=">"),
    Action("schedule.chart_prep", "c", "chart_prep", "Chart prep",
           "Chart prep for the day shown: forms due, demographics, insurance"),
    Action("schedule.check_in", "a", "check_in", "Check in",
           "Check in the patient of the appointment under the cursor"),
    Action("schedule.check_out", "o", "check_out", "Check out",
           "Check out the patient under the cursor and offer the next visit"),
    Action("schedule.provider_calendar", "p", "provider_calendar", "Calendar",
           "The calendar of the provider under the cursor: hours, blocks, on call"),
    Action("schedule.next_available", "f", "next_available", "Next free",
           "The first free times for a provider or any of a specialty, a visit type, "
           "days of the week and time of day"),
    Action("schedule.waitlist", "w", "waitlist", "Waitlist",
           "Patients waiting for an earlier time: add them, take them off"),
)

STAFF = (
    Action("staff.add", "a", "add", "Add", "Add a staff member with a temporary password"),
    Action("staff.reset", "p", "reset_password", "Password",
           "Give the person under the cursor a temporary password"),
    Action("staff.role", "r", "change_role", "Role", "Change the person's role"),
    Action("staff.deactivate", "d", "deactivate", "Deactivate",
           "Stop this account signing in (it is kept, never deleted)"),
    Action("staff.reactivate", "v", "reactivate", "Reactivate", "Let this account sign in again"),
    Action("staff.audit", "u", "audit", "Audit",
           "The audit report: who looked at a patient, or what someone looked at"),
    Action("staff.departments", "t", "departments", "Depts",
           "Choose the departments the person reads messages for (nursing, billing…)"),
)

STAFF_DEPARTMENTS = (
    # Priority: the checkboxes take enter for themselves (space ticks them).
    Action("staff_departments.save", "enter,ctrl+s", "save", "Save",
           "Save the departments ticked", priority=True, key_display="⏎"),
    Action("staff_departments.close", "escape", "close", "Close", "Close without saving",
           palette=False),
    Action("staff_departments.next", "down", "app.focus_next", "Next", "The next department",
           show=False, palette=False),
    Action("staff_departments.previous", "up", "app.focus_previous", "Previous",
           "The department above", show=False, palette=False),
)

PATIENT_PICKER = (
    # Not priority: a list that has the focus (F3) moves its own cursor.
    Action("patient_picker.next", "down", "hit(1)", "Next patient",
           "In the patient box: the next patient found (on F3, into the list)",
           show=False, palette=False),
    Action("patient_picker.previous", "up", "hit(-1)", "Previous patient",
           "In the patient box: the previous patient found", show=False, palette=False),
)

PATIENTS = (
    # Priority: the box and the list would otherwise take enter for themselves.
    Action("patients.open", "enter", "open", "Open", "Open the patient under the cursor",
           priority=True),
    Action("patients.register", "ctrl+n", "register", "New patient",
           "Register a new patient, starting from what was typed", key_display="^n"),
    Action("patients.clear", "escape", "clear", "Clear", "Clear the search box"),
)

FORM = (
    # Priority, and moving focus at once: a fast typist's next characters must land
    # in the next field, never after a password in the username box.
    Action("form.next", "enter", "next_field", "Next",
           "Go to the next field; on the last one, send the form", show=False,
           palette=False, priority=True),
)

DETAIL = (
    Action("detail.close", "escape", "close", "Close", "Close the appointment"),
)

AUDIT = (
    # Priority: each field's own enter would otherwise hide "Run" from the key bar.
    Action("audit.run", "enter", "run", "Run",
           "Run the report for the MRN or username and the days typed", priority=True),
    Action("audit.close", "escape", "close", "Close", "Close the audit report"),
)

CHART_PREP = (
    # Priority: the table's own enter would otherwise hide "Open" from the key bar.
    Action("chart_prep.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("chart_prep.sign", "s", "sign", "Forms signed",
           "Record intake forms the patient has signed"),
    Action("chart_prep.verify", "v", "verify", "Verified",
           "The patient has confirmed their demographics"),
    Action("chart_prep.next", "n,j", "next_gap", "Next",
           "Go to the next appointment that still needs something", key_display="n"),
    Action("chart_prep.close", "escape", "close", "Close", "Close chart prep"),
)

SIGN_FORMS = (
    # One key per form, its first letter; shown beside each form in the dialog.
    Action("sign_forms.registration", "r", "sign('registration')", "Registration",
           "Record the registration form as signed", show=False, palette=False),
    Action("sign_forms.privacy", "p", "sign('privacy')", "Privacy",
           "Record the notice of privacy practices as signed", show=False, palette=False),
    Action("sign_forms.history", "h", "sign('history')", "History",
           "Record the medical history as signed", show=False, palette=False),
    Action("sign_forms.consent", "c", "sign('consent')", "Consent",
           "Record the consent to treat as signed", show=False, palette=False),
    Action("sign_forms.financial", "f", "sign('financial')", "Financial",
           "Record the financial policy as signed", show=False, palette=False),
    Action("sign_forms.close", "escape", "close", "Close",
           "Close; the forms recorded stay recorded", palette=False),
)

PATIENT = (
    Action("patient.edit", "e", "edit", "Edit",
           "Edit the demographics: names, birth date, phones, email, address, alerts"),
    Action("patient.verify", "v", "verify", "Verified",
           "The patient has just confirmed their demographics"),
    # Plain digits, named on the section tabs themselves: one key to any section.
    Action("patient.details", "1", "section('details')", "Details",
           "Show the patient's details and contacts", show=False),
    Action("patient.insurance", "2", "section('insurance')", "Insurance",
           "Show the patient's insurance", show=False),
    Action("patient.visits", "3", "section('visits')", "Visits",
           "Show the patient's upcoming and past appointments", show=False),
    Action("patient.forms", "4", "section('forms')", "Forms",
           "Show the patient's intake forms", show=False),
    Action("patient.book", "b", "book", "Book",
           "Book an appointment for this patient: the provider, day and time typed"),
    Action("patient.pay", "p", "pay", "Payment",
           "Take a payment from this patient: what to collect today is filled in"),
    # Off the key bar, which has no room left for it (F1 and the palette list it).
    Action("patient.payments", "h", "payments", "Payments",
           "The patient's payments: receipts, reprints, voids and refunds", show=False),
    Action("patient.coverage", "i", "coverage", "Coverage",
           "The patient's insurance coverages: add, edit, end, make primary"),
    Action("patient.referrals", "r", "referrals", "Referrals",
           "The patient's referrals and prior authorizations: add, edit, visits left"),
    Action("patient.close", "escape", "close", "Back", "Close the patient's record"),
)

REGISTER = (
    # Priority: it must save from inside any field, whatever the field does with keys.
    Action("register.save", "ctrl+s", "save", "Save",
           "Save the form from any field", key_display="^s", priority=True),
    Action("register.close", "escape", "close", "Close", "Close without saving"),
)

DUPLICATES = (
    # Priority: the list's own enter would otherwise hide "Open" from the key bar.
    Action("duplicates.open", "enter", "open", "Open this one",
           "Open the patient under the cursor instead of registering", priority=True),
    Action("duplicates.register", "r", "register_anyway", "Register anyway",
           "None of these is the patient: register a new one"),
    Action("duplicates.back", "escape", "back", "Back", "Back to the form, to change it"),
)

CHECK_IN = (
    # Priority: enter means "Arrived" wherever the focus is in the panel.
    Action("check_in.arrive", "enter", "arrive", "Arrived", "Mark the patient arrived now",
           priority=True),
    Action("check_in.confirm", "v", "confirm", "Confirmed",
           "The patient confirmed the demographics (press again to take it back)"),
    Action("check_in.edit", "e", "edit", "Edit",
           "Edit the demographics with what the patient says"),
    Action("check_in.pay", "p", "pay", "Payment",
           "Take a payment: the copay still due (or the balance) is filled in"),
    Action("check_in.coverage", "i", "coverage", "Coverage",
           "The patient's coverages, to add or correct one from the card"),
    # The panel names it on the collect-today line; the key bar has no room.
    Action("check_in.working", "w", "working", "Working",
           "Show or hide how the estimate was worked out", show=False),
    Action("check_in.cancel", "escape", "cancel", "Cancel", "Close without checking in"),
)

CHECK_OUT = (
    # Priority: the offer list's own enter would otherwise hide "Book" from the key bar.
    Action("check_out.book", "enter", "book", "Book",
           "Book the highlighted time for the next visit", priority=True),
    # The intervals are listed in the panel itself; the key bar has no room for seven.
    Action("check_out.next_day", "n", "interval('next')", "Next day",
           "Offer times from the next working day", show=False),
    Action("check_out.one_week", "w", "interval('1w')", "1 week",
           "Offer times from a week today", show=False),
    Action("check_out.two_weeks", "2", "interval('2w')", "2 weeks",
           "Offer times from two weeks today", show=False),
    Action("check_out.one_month", "m", "interval('1m')", "1 month",
           "Offer times from a month today", show=False),
    Action("check_out.three_months", "3", "interval('3m')", "3 months",
           "Offer times from three months today", show=False),
    Action("check_out.six_months", "6", "interval('6m')", "6 months",
           "Offer times from six months today", show=False),
    Action("check_out.one_year", "y", "interval('1y')", "1 year",
           "Offer times from a year today", show=False),
    Action("check_out.pay", "p", "pay", "Payment",
           "Take a payment: the copay still due (or the balance) is filled in"),
    Action("check_out.done", "escape", "done", "Done",
           "Close without booking; the visit stays checked out"),
)

WAITING = (
    # Priority: the table's own enter would otherwise hide "Open" from the key bar.
    Action("waiting.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("waiting.room", "r", "room", "Room",
           "Take the patient under the cursor to a room, or move them to another"),
    Action("waiting.seen", "s", "seen", "Seen",
           "The provider is with the patient under the cursor"),
    Action("waiting.check_out", "o", "check_out", "Check out",
           "Check out the patient under the cursor: the visit is done"),
)

ROOM = (
    Action("room.cancel", "escape", "cancel", "Cancel", "Close without rooming the patient",
           palette=False),
)

CALL = (
    # Plain digits: the matched patients are numbered on the screen, one key each.
    *(Action(f"call.pick{n}", str(n), f"pick({n})", f"Patient {n}",
             f"The caller is (or calls about) patient {n} of the list: open their record",
             show=False, palette=False) for n in range(1, 10)),
    # Priority: the list's own enter would otherwise hide "Open" from the key bar.
    Action("call.open", "enter", "open", "Open",
           "The caller is the patient under the cursor: open their record", priority=True),
    Action("call.search", "slash", "search", "Find", "Find the patient the call is about",
           key_display="/"),
    Action("call.register", "ctrl+n", "register", "New patient",
           "Register the caller as a new patient, with the calling number", key_display="^n"),
)

END_CALL = (
    # One key per way a call ends, shown beside each in the dialog.
    Action("end_call.resolved", "r", "end('resolved')", "Resolved",
           "The caller's question was answered", show=False, palette=False),
    Action("end_call.message", "m", "end('message')", "Message taken",
           "A message was taken for someone", show=False, palette=False),
    Action("end_call.booked", "b", "end('booked')", "Booked",
           "An appointment was booked", show=False, palette=False),
    Action("end_call.transferred", "t", "end('transferred')", "Transferred",
           "The call was passed to someone else", show=False, palette=False),
    Action("end_call.urgent", "u", "end('urgent')", "Urgent",
           "The call was triaged as urgent", show=False, palette=False),
    Action("end_call.cancel", "escape", "cancel", "Keep the call",
           "Close; the call goes on", palette=False),
)

FIND_CALLER = (
    # Priority: enter picks from inside the search box.
    Action("find_caller.pick", "enter", "pick", "This one",
           "The caller is the patient under the cursor", priority=True),
    Action("find_caller.down", "down", "move(1)", "Down", "Next patient found",
           show=False, palette=False, priority=True),
    Action("find_caller.up", "up", "move(-1)", "Up", "Previous patient found",
           show=False, palette=False, priority=True),
    Action("find_caller.close", "escape", "close", "Close", "Close without choosing",
           palette=False),
)

RING_BY_HAND = (
    Action("ring_by_hand.close", "escape", "close", "Close", "Close; no line is marked",
           palette=False),
)

LINE_PICKER = (
    *(Action(f"line_picker.line{n}", str(n), f"choose({n})", f"Line {n}", f"Line {n}",
             show=False, palette=False) for n in range(1, 10)),
    Action("line_picker.choose", "enter", "choose_highlighted", "Go",
           "The line under the cursor", priority=True, palette=False),
    Action("line_picker.close", "escape", "close", "Close", "Close", palette=False),
)

CALENDAR = (
    # Plain digits, named on the section tabs themselves: one key to any section.
    Action("calendar.hours", "1", "section('hours')", "Hours",
           "Show the provider's weekly hours", show=False),
    Action("calendar.blocks", "2", "section('blocks')", "Blocks",
           "Show the provider's blocks: lunch, meetings, vacation, rounds", show=False),
    Action("calendar.on_call", "3", "section('rota')", "On call",
           "Show the on-call rota", show=False),
    Action("calendar.edit_hours", "e", "edit_hours", "Edit hours",
           "Change the hours of the day under the cursor"),
    Action("calendar.add", "a", "add", "Add",
           "Add a block (on Blocks) or a run of on-call days (on On call)"),
    Action("calendar.remove", "d", "remove", "Remove",
           "Remove the block or the on-call days under the cursor"),
    Action("calendar.previous_provider", "left_square_bracket", "provider(-1)", "Prev",
           "The previous provider's calendar", key_display="["),
    Action("calendar.next_provider", "right_square_bracket", "provider(1)", "Next",
           "The next provider's calendar", key_display="]"),
    Action("calendar.close", "escape", "close", "Close", "Back to the schedule"),
)

CALENDAR_FORM = (
    Action("calendar_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

CALENDAR_CONFIRM = (
    Action("calendar_confirm.yes", "y", "answer(True)", "Yes, remove", "Remove it",
           palette=False),
    Action("calendar_confirm.no", "n,escape", "answer(False)", "No, keep it",
           "Keep it; nothing is changed", palette=False, key_display="n"),
)

NEXT_AVAILABLE = (
    # Priority: enter picks from inside the date boxes and the list alike.
    Action("next_available.pick", "enter", "pick", "Pick",
           "Go to the highlighted free time on the schedule", priority=True),
    Action("next_available.close", "escape", "close", "Close", "Close without picking",
           palette=False),
)

WAITLIST = (
    Action("waitlist.add", "a", "add", "Add", "Put a patient on the waitlist"),
    Action("waitlist.remove", "d", "remove", "Remove",
           "Take the patient under the cursor off the waitlist"),
    Action("waitlist.close", "escape", "close", "Close", "Back to the schedule"),
)

WAITLIST_FORM = (
    # Priority: it must save from inside any field, whatever the field does with keys.
    Action("waitlist_form.save", "ctrl+s", "save", "Save", "Save the entry from any field",
           key_display="^s", priority=True),
    Action("waitlist_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

WAITLIST_OFFERS = (
    # Priority: the list's own enter would otherwise hide "Book" from the key bar.
    Action("waitlist_offers.book", "enter", "book", "Book",
           "Book the highlighted waiting patient into the time just freed", priority=True),
    Action("waitlist_offers.skip", "escape", "skip", "Skip", "Leave the time free",
           palette=False),
)

SERIES = (
    Action("series.close", "escape", "close", "Close",
           "Close; whatever was booked stays booked", palette=False),
)

BOOK_FORM = (
    # Priority: they must work from inside any field.
    Action("book_form.register", "ctrl+n", "register", "New patient",
           "Register the patient first, starting from what was typed", key_display="^n",
           priority=True),
    Action("book_form.series", "ctrl+r", "series", "Series",
           "Book the same visit repeating: weekly for 8 weeks, say", key_display="^r",
           priority=True),
    Action("book_form.close", "escape", "close", "Close", "Close without booking",
           palette=False),
)

BOOKING_CONFIRM = (
    Action("booking_confirm.yes", "y", "answer(True)", "Yes", "Yes, go ahead", palette=False),
    Action("booking_confirm.no", "n,escape", "answer(False)", "No",
           "No; nothing is changed", palette=False, key_display="n"),
)

OVERRIDE_FORM = (
    Action("override_form.close", "escape", "close", "Close",
           "Close; nothing is booked or moved", palette=False),
)

MOVE_TIME = (
    Action("move_time.close", "escape", "close", "Close",
           "Close; the appointment stays picked up", palette=False),
)

CANCEL_FORM = (
    # Plain digits, shown beside each cause in the dialog: one key each.
    *(Action(f"cancel_form.{category}", str(n), f"category('{category}')", words,
             f"Cancelled by: {words.lower()}", show=False, palette=False)
      for n, (category, words) in enumerate((("patient", "Patient"), ("provider", "Provider"),
                                             ("weather", "Weather"), ("other", "Other")), 1)),
    Action("cancel_form.close", "escape", "close", "Keep it",
           "Close; the appointment is not cancelled", palette=False),
)

TAKE_MESSAGE = (
    # Priority: it must save from inside any field, the message box included (where
    # enter is a new line).
    Action("take_message.save", "ctrl+s", "save", "Save",
           "Save the message and send it, from any field", key_display="^s", priority=True),
    Action("take_message.close", "escape", "close", "Close",
           "Close without saving (twice when something is typed)", palette=False),
)

INBOX = (
    # Priority: the list's own enter would otherwise hide "Open" from the key bar.
    Action("inbox.open", "enter", "open", "Open",
           "Open the message under the cursor (marks it read)", priority=True),
    Action("inbox.in_progress", "p", "mark('in_progress')", "In progress",
           "Mark the message under the cursor in progress"),
    Action("inbox.done", "d", "mark('done')", "Done", "Mark the message under the cursor done"),
    Action("inbox.reply", "r", "note('reply')", "Reply",
           "Answer the message: what was done or said back"),
    Action("inbox.forward", "f", "note('forward')", "Forward",
           "Pass the message to someone else, with a note"),
    Action("inbox.reassign", "a", "note('reassign')", "Reassign",
           "Send the message to whom it should have gone"),
    Action("inbox.new", "n", "new_message", "New", "Take a new message (no call needed)"),
    Action("inbox.show_done", "h", "toggle_done", "Done ones",
           "Show or hide the messages already done"),
    Action("inbox.call_log", "l", "call_log", "Call log",
           "The day's calls, and calls per hour for staffing"),
)

MESSAGE_NOTE = (
    Action("message_note.close", "escape", "close", "Close", "Close without sending",
           palette=False),
)

CALL_LOG = (
    Action("call_log.previous_day", "left_square_bracket", "day(-1)", "Prev day",
           "The calls of the day before", key_display="["),
    Action("call_log.next_day", "right_square_bracket", "day(1)", "Next day",
           "The calls of the day after", key_display="]"),
    Action("call_log.today", "t", "today", "Today", "Today's calls"),
    Action("call_log.close", "escape", "close", "Close", "Back to the inbox"),
)

# -- collections and the cash drawer --------------------------------------------------

# Priority, on a line of choices (what a payment is for, how it is paid) with the focus:
# the key is taken when it arrives, so the keys typed after it reach the next field.
CHOICE = (
    Action("choice.previous", "left", "step(-1)", "Previous", "The choice on the left",
           show=False, palette=False, priority=True),
    Action("choice.next", "right", "step(1)", "Next", "The choice on the right",
           show=False, palette=False, priority=True),
)

# One letter each, shown beside each choice on its line; the form then moves on.
PAYMENT_PURPOSE = tuple(
    Action(f"payment_purpose.{value}", key, f"choose('{value}')", words,
           f"The payment is for the {words}", show=False, palette=False, priority=True)
    for value, key, words in (("copay", "c", "copay"), ("deductible", "d", "deductible"),
                              ("coinsurance", "i", "coinsurance"),
                              ("prior_balance", "b", "prior balance"),
                              ("prepayment", "p", "prepay")))

PAYMENT_METHOD = tuple(
    Action(f"payment_method.{value}", key, f"choose('{value}')", value,
           f"The patient pays by {value}", show=False, palette=False, priority=True)
    for value, key in (("cash", "c"), ("check", "k"), ("card", "d")))

REFUND_METHOD = tuple(
    Action(f"refund_method.{value}", key, f"choose('{value}')", words,
           f"The money goes back {words}", show=False, palette=False, priority=True)
    for value, key, words in (("cash", "c", "in cash"), ("card", "d", "to the card")))

CARD_BRAND = tuple(
    Action(f"card_brand.{key_word}", key, f"choose('{brand}')", words, f"The card is {brand}",
           show=False, palette=False, priority=True)
    for key_word, key, brand, words in (
        ("visa", "v", "Visa", "Visa"), ("mastercard", "m", "Mastercard", "Mastercard"),
        ("amex", "a", "American Express", "Amex"), ("discover", "d", "Discover", "Discover"),
        ("other", "o", "Other", "Other")))

PAYMENT_FORM = (
    # Priority: it must take the payment from inside any field.
    Action("payment_form.take", "ctrl+s", "save", "Take it",
           "Take the payment, from any field", key_display="^s", priority=True),
    Action("payment_form.close", "escape", "close", "Close", "Close; nothing is taken",
           palette=False),
)

PRINTOUT = (
    Action("printout.print", "p", "print", "Print",
           "Print it on the receipt printer (receipt_printer in the configuration)"),
    Action("printout.pdf", "s", "save_pdf", "Save PDF", "Save it as a PDF file, and say where"),
    Action("printout.close", "escape", "close", "Close", "Close"),
)

DRAWER = (
    Action("drawer.pay", "p", "pay", "Payment",
           "Take a payment: find the patient, then the amount and how they pay"),
    Action("drawer.reprint", "r", "reprint", "Reprint",
           "The receipt of the payment under the cursor again, marked REPRINT"),
    Action("drawer.void", "v", "void", "Void",
           "Void the payment under the cursor, saying why (today, drawer still open)"),
    Action("drawer.refund", "f", "refund", "Refund",
           "Give money back on a receipt whose drawer is closed"),
    Action("drawer.open", "o", "open_drawer", "Open",
           "Open the drawer with its starting float, counted by bill and coin"),
    Action("drawer.close", "c", "close_drawer", "Close",
           "Close the drawer: visits settled, cash counted, checks ticked, card batch"),
    Action("drawer.report", "d", "day_report", "Day report",
           "The day's report: by method, purpose, provider and staff; voids and refunds"),
)

OPEN_DRAWER = (
    # Priority: it must open the drawer from inside any row of the count.
    Action("open_drawer.open", "ctrl+s", "save", "Open",
           "Open the drawer with the float counted, from any row", key_display="^s",
           priority=True),
    Action("open_drawer.close", "escape", "close", "Close", "Close; the drawer stays shut",
           palette=False),
)

COUNT_GRID = (
    # Priority: the row changes when the arrow arrives, so digits typed after it go there.
    Action("count_grid.up", "up", "move(-1)", "Up", "The bill or coin above", show=False,
           palette=False, priority=True),
    Action("count_grid.down", "down", "move(1)", "Down", "The bill or coin below",
           show=False, palette=False, priority=True),
)

VOID_FORM = (
    Action("void_form.close", "escape", "close", "Keep it", "Close; the payment is not voided",
           palette=False),
)

REFUND_FORM = (
    # Priority: it must refund from inside any field.
    Action("refund_form.refund", "ctrl+s", "save", "Refund",
           "Give the money back, from any field", key_display="^s", priority=True),
    Action("refund_form.close", "escape", "close", "Close", "Close; nothing is refunded",
           palette=False),
)

PAYMENT_HISTORY = (
    Action("payment_history.pay", "p", "pay", "Payment", "Take a payment from this patient"),
    Action("payment_history.reprint", "r", "reprint", "Reprint",
           "The receipt of the payment under the cursor again, marked REPRINT"),
    Action("payment_history.void", "v", "void", "Void",
           "Void the payment under the cursor, saying why (today, drawer still open)"),
    Action("payment_history.refund", "f", "refund", "Refund",
           "Give money back on the payment under the cursor (its drawer closed)"),
    Action("payment_history.close", "escape", "close", "Back", "Back to the patient"),
)

DRAWER_CLOSE = (
    # Priority: the lists take page up and down for themselves.
    Action("drawer_close.next", "pagedown", "step(1)", "Next step",
           "Go on to the next step of the close", key_display="PgDn", priority=True),
    Action("drawer_close.back", "pageup", "step(-1)", "Back",
           "Back to the step before", key_display="PgUp", priority=True),
    Action("drawer_close.check_out", "o", "check_out", "Check out",
           "Check out the patient under the cursor (and offer the next visit)"),
    Action("drawer_close.no_show", "m", "no_show", "No-show",
           "The patient under the cursor did not come"),
    Action("drawer_close.cancel", "x", "cancel", "Cancel visit",
           "Cancel the appointment under the cursor, saying who or what cancelled"),
    # Priority (they are off outside the checks step): taken when they arrive, before a
    # PgDn typed right after moves on.
    Action("drawer_close.tick", "space", "tick", "Tick",
           "The check under the cursor is in the drawer (again: it is not)", priority=True),
    Action("drawer_close.tick_all", "a", "tick_all", "Tick all",
           "Every check listed is in the drawer", priority=True),
    # Priority: it must close from inside any field of the summary.
    Action("drawer_close.close", "ctrl+s", "close_drawer", "Close drawer",
           "Close the drawer with what was counted (from the summary)", key_display="^s",
           priority=True),
    Action("drawer_close.leave", "escape", "leave", "Leave",
           "Leave without closing (twice when something is counted)"),
)

DAY_REPORT = (
    Action("day_report.previous_day", "left_square_bracket", "day(-1)", "Prev day",
           "The report of the day before", key_display="["),
    Action("day_report.next_day", "right_square_bracket", "day(1)", "Next day",
           "The report of the day after", key_display="]"),
    Action("day_report.today", "t", "today", "Today", "Today's report"),
    Action("day_report.go_to", "g", "go_to", "Go to",
           "The report of a date typed as 3/4, 12/1/2026 or yesterday"),
    Action("day_report.pdf", "s", "save_pdf", "Save PDF",
           "Save the report as a PDF file, and say where"),
    Action("day_report.close", "escape", "close", "Close", "Back to the drawer"),
)

DRAWER_ACTIONS = (CHOICE + PAYMENT_PURPOSE + PAYMENT_METHOD + REFUND_METHOD + CARD_BRAND
                  + PAYMENT_FORM + PRINTOUT + DRAWER + OPEN_DRAWER + COUNT_GRID + VOID_FORM
                  + REFUND_FORM + PAYMENT_HISTORY + DRAWER_CLOSE + DAY_REPORT)


# -- insurance eligibility -------------------------------------------------------------

INSURANCE = (
    # Priority: the table's own enter would otherwise hide "Open" from the key bar.
    Action("insurance.open", "enter", "open", "Open",
           "Open the newest verification under the cursor: benefits, rejection, what to do",
           priority=True),
    Action("insurance.verify", "v", "verify", "Verify",
           "Verify the coverage under the cursor by hand: what the portal or the payer said"),
    Action("insurance.request", "x", "request", "Write 270",
           "Write a 270 asking the payers about every coverage listed, for the clearinghouse"),
    Action("insurance.import", "i", "import_answers", "Import 271",
           "Import the payers' 271 answers: a file, or a folder of them"),
    Action("insurance.patient", "p", "patient", "Patient",
           "Open the record of the patient under the cursor"),
    Action("insurance.earlier", "left_square_bracket", "shift(-1)", "Earlier",
           "Show the days one day earlier", key_display="["),
    Action("insurance.later", "right_square_bracket", "shift(1)", "Later",
           "Show the days one day later", key_display="]"),
    Action("insurance.today", "t", "today", "Today", "Back to today and the days ahead",
           show=False),
    Action("insurance.days", "g", "days", "Days",
           "Show the days typed: 12/3, or 12/3 to 12/8", show=False),
)

VERIFY_FORM = (
    # Priority: it must save from inside any field, whatever the field does with keys.
    Action("verify_form.save", "ctrl+s", "save", "Save",
           "Save what the payer said, from any field", key_display="^s", priority=True),
    Action("verify_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

IMPORT_ANSWERS = (
    Action("import_answers.close", "escape", "close", "Close",
           "Close; what was imported stays imported", palette=False),
)

VERIFICATION = (
    Action("verification.raw", "r", "toggle_raw", "Raw lines",
           "Show or hide the payer's benefit lines as they came in the 271"),
    Action("verification.close", "escape", "close", "Close", "Back to the worklist"),
)

INSURANCE_DAYS = (
    Action("insurance_days.close", "escape", "close", "Close", "Close; the days stay as they were",
           palette=False),
)

ELIGIBILITY_ACTIONS = INSURANCE + VERIFY_FORM + IMPORT_ANSWERS + VERIFICATION + INSURANCE_DAYS


# -- coverages, payers, referrals and prior authorizations ----------------------------

COVERAGE = (
    # Priority: the table's own enter would otherwise hide "Edit" from the key bar.
    Action("coverage.edit", "enter,e", "edit", "Edit", "Edit the coverage under the cursor",
           priority=True, key_display="⏎"),
    Action("coverage.add", "a", "add", "Add", "Add a coverage from the patient's card"),
    Action("coverage.end", "x", "end", "End",
           "End the coverage under the cursor: the last day it covers (it is kept)"),
    # Plain digits, named in the line under the list: one key per rank.
    Action("coverage.primary", "1", "rank(1)", "Primary",
           "Make the coverage under the cursor primary (the primary moves down)"),
    Action("coverage.secondary", "2", "rank(2)", "Secondary",
           "Make the coverage under the cursor secondary", show=False),
    Action("coverage.tertiary", "3", "rank(3)", "Tertiary",
           "Make the coverage under the cursor tertiary", show=False),
    Action("coverage.payers", "p", "payers", "Payers",
           "The payer list: add, rename, payer IDs, deactivate"),
    Action("coverage.referrals", "r", "referrals", "Referrals",
           "The patient's referrals and prior authorizations"),
    Action("coverage.close", "escape", "close", "Back", "Back to where you were"),
)

COVERAGE_FORM = (
    # Priority: it must save from inside any field, whatever the field does with keys.
    Action("coverage_form.save", "ctrl+s", "save", "Save", "Save the coverage from any field",
           key_display="^s", priority=True),
    Action("coverage_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

END_COVERAGE = (
    Action("end_coverage.close", "escape", "close", "Keep it",
           "Close; the coverage is not ended", palette=False),
)

PAYERS = (
    # Priority: the table's own enter would otherwise hide "Edit" from the key bar.
    Action("payers.edit", "enter,e", "edit", "Edit",
           "Rename the payer under the cursor or change its payer ID", priority=True,
           key_display="⏎"),
    Action("payers.add", "a", "add", "Add", "Add a payer"),
    Action("payers.active", "d", "toggle_active", "Deactivate",
           "Deactivate the payer under the cursor (no new coverages), or bring it back"),
    Action("payers.load", "l", "load", "Load list",
           "Add the payers shipped with frontdesk (data/payers.csv) that are not listed"),
    Action("payers.close", "escape", "close", "Back", "Back to the coverages"),
)

PAYER_FORM = (
    Action("payer_form.save", "ctrl+s", "save", "Save", "Save the payer from any field",
           key_display="^s", priority=True),
    Action("payer_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

AUTHORIZATIONS = (
    # Priority: the table's own enter would otherwise hide "Edit" from the key bar.
    Action("authorizations.edit", "enter,e", "edit", "Edit",
           "Open the referral or authorization under the cursor to record the answer",
           priority=True, key_display="⏎"),
    Action("authorizations.referrals", "r", "referrals", "This patient's",
           "All the referrals and authorizations of the patient under the cursor"),
    Action("authorizations.patient", "o", "patient", "Patient",
           "Open the record of the patient under the cursor"),
    Action("authorizations.close", "escape", "close", "Back", "Back to where you were"),
)

REFERRALS = (
    # Priority: the table's own enter would otherwise hide "Edit" from the key bar.
    Action("referrals.edit", "enter,e", "edit", "Edit",
           "Edit the referral or authorization under the cursor", priority=True,
           key_display="⏎"),
    Action("referrals.add", "a", "add", "Add", "Add a referral or a prior authorization"),
    Action("referrals.worklist", "w", "worklist", "Worklist",
           "Every patient's referrals and authorizations that need a call: expiring, "
           "pending past follow-up, used up"),
    Action("referrals.close", "escape", "close", "Back", "Back to where you were"),
)

REFERRAL_FORM = (
    Action("referral_form.save", "ctrl+s", "save", "Save", "Save it from any field",
           key_display="^s", priority=True),
    Action("referral_form.close", "escape", "close", "Close", "Close without saving",
           palette=False),
)

INSURANCE_AUTHORIZATIONS = (
    Action("insurance.authorizations", "a", "authorizations", "Auths",
           "Referrals and prior authorizations to act on: expiring within 14 days, pending "
           "past follow-up, used up"),
)
"""For the Insurance area's screen: the referral worklist is one key from it."""

COVERAGE_ACTIONS = (COVERAGE + COVERAGE_FORM + END_COVERAGE + PAYERS + PAYER_FORM
                    + AUTHORIZATIONS + REFERRALS + REFERRAL_FORM + INSURANCE_AUTHORIZATIONS)


ALL = (GLOBAL + TAKE_MESSAGE + INBOX + MESSAGE_NOTE + CALL_LOG + SCHEDULE + STAFF
       + STAFF_DEPARTMENTS + PATIENT_PICKER + PATIENTS + FORM + DETAIL + AUDIT + CHART_PREP + SIGN_FORMS
       + PATIENT + REGISTER + DUPLICATES + CHECK_IN + CHECK_OUT + WAITING + ROOM
       + CALL + END_CALL + FIND_CALLER + RING_BY_HAND + LINE_PICKER
       + CALENDAR + CALENDAR_FORM + CALENDAR_CONFIRM
       + NEXT_AVAILABLE + WAITLIST + WAITLIST_FORM + WAITLIST_OFFERS + SERIES
       + BOOK_FORM + BOOKING_CONFIRM + OVERRIDE_FORM + MOVE_TIME + CANCEL_FORM
       + DRAWER_ACTIONS + ELIGIBILITY_ACTIONS + COVERAGE_ACTIONS)


_COLLIDING = {"ctrl+h": "backspace", "ctrl+i": "tab", "ctrl+m": "enter", "ctrl+j": "newline",
              "ctrl+left_square_bracket": "escape"}


def wire_problem(key: str) -> str | None:
    """Why a key cannot be relied on over SSH, or None when it can."""
    key = key.strip()
    if key in _COLLIDING:
        return f"{key} arrives as {_COLLIDING[key]}"
    if key.startswith("alt+") and key[4:].isdigit():
        return f"{key} arrives as a symbol, not a key"
    if key.startswith("super+") or (key.startswith("ctrl+") and key[5:].isdigit()):
        return f"{key} is never sent by a terminal"
    return None


def by_id(action_id: str) -> Action:
    return next(a for a in ALL if a.id == action_id)


def bindings(actions: tuple[Action, ...]) -> list[Binding]:
    return [action.binding() for action in actions]

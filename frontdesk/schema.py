"""Every table of the program, in one list: what migrations must build."""

from __future__ import annotations

from frontdesk.audit import AuditEvent, AuditHead
from frontdesk.changes import ChangeFeedRow
from frontdesk.counters import Counter
from frontdesk.drawer import Drawer, DrawerSession
from frontdesk.eligibility import Eligibility271File, EligibilityRequest, Verification
from frontdesk.forms import IntakeForm
from frontdesk.estimate import Fee, VisitCodes
from frontdesk.insurance import Coverage, Payer
from frontdesk.messages import Message, MessageEvent, StaffDepartment
from frontdesk.phones import Call, PhoneLine
from frontdesk.patients import Patient, PatientContact, PatientNamePart, PatientPhone
from frontdesk.payments import Payment
from frontdesk.providers import Provider, ProviderHours
from frontdesk.referrals import Referral, ReferralUse
from frontdesk.calendar import Block, OnCall
from frontdesk.schedule import Appointment, AppointmentChange, AppointmentType
from frontdesk.waitlist import WaitlistEntry
from frontdesk.staff import Staff

__all__ = ["MODELS"]

MODELS = [
    Staff,
    AuditEvent,
    AuditHead,
    ChangeFeedRow,
    Counter,
    Patient,
    PatientPhone,
    PatientNamePart,
    PatientContact,
    IntakeForm,
    Payer,
    Coverage,
    Provider,
    ProviderHours,
    AppointmentType,
    Appointment,
    AppointmentChange,
    Block,
    OnCall,
    WaitlistEntry,
    Call,
    PhoneLine,
    Message,
    MessageEvent,
    StaffDepartment,
    Drawer,
    DrawerSession,
    Payment,
    Fee,
    VisitCodes,
    Referral,
    ReferralUse,
    EligibilityRequest,
    Eligibility271File,
    Verification,
]

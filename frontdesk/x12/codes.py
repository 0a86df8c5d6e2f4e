"""X12 270/271 code tables as plain data, worded for the front desk.

The wording is ours: short phrases a clerk can read aloud or act on, not the
standard's formal descriptions.  A code missing from a table is never
dropped or guessed at; ``describe`` shows it raw as "code Q9 (unknown)".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "BENEFIT_INFO",
    "COVERAGE_LEVELS",
    "FOLLOW_UP_ACTIONS",
    "INSURANCE_TYPES",
    "QUANTITY_QUALIFIERS",
    "REJECT_REASONS",
    "SERVICE_TYPES",
    "TIME_PERIODS",
    "benefit_info",
    "coverage_level",
    "describe",
    "follow_up_action",
    "insurance_type",
    "quantity_qualifier",
    "reject_reason",
    "service_type",
    "time_period",
]


def _table(entries: dict[str, str]) -> Mapping[str, str]:
    # Read-only, so no caller can "fix" a code for everyone at run time.
    return MappingProxyType(entries)


# AAA03: why the payer could not answer.
REJECT_REASONS = _table(
    {
        "04": "authorized quantity exceeded",
        "15": "required information is missing from the request",
        "33": "the request has input errors",
        "35": "provider is out of network",
        "41": "access to this information is restricted",
        "42": "the payer cannot answer right now",
        "43": "provider ID (NPI) missing or not valid",
        "44": "provider name missing or not valid",
        "45": "provider specialty missing or not valid",
        "46": "provider phone number missing or not valid",
        "47": "provider state missing or not valid",
        "48": "referring provider ID missing or not valid",
        "49": "provider is not the patient's primary care physician",
        "50": "provider is not allowed to make eligibility inquiries",
        "51": "provider is not on file with the payer",
        "52": "date of service is outside the provider's enrollment with the plan",
        "53": "the benefit asked about does not fit the provider type",
        "54": "wrong kind of service or procedure code",
        "55": "service or procedure code not valid",
        "56": "a date in the request is not valid",
        "57": "date of service missing or not valid",
        "58": "date of birth missing or not valid",
        "60": "date of birth is after the date of service",
        "61": "date of death is before the date of service",
        "62": "date of service is outside the period the payer can answer for",
        "63": "date of service is in the future",
        "64": "patient ID missing or not valid",
        "65": "patient name missing or not valid",
        "66": "patient sex missing or not valid",
        "67": "patient not found",
        "68": "patient ID matches more than one person",
        "69": "does not fit the patient's age",
        "70": "does not fit the patient's sex",
        "71": "date of birth does not match the payer's records",
        "72": "member ID missing or not valid",
        "73": "subscriber name missing or not valid",
        "74": "subscriber sex missing or not valid",
        "75": "subscriber not found",
        "76": "member ID matches more than one subscriber",
        "77": "subscriber found, but this patient is not on the policy",
        "78": "subscriber is not in the group or plan named",
        "79": "the clearinghouse or submitter ID is not valid",
        "80": "no answer received from the payer; the request timed out",
        "97": "provider address missing or not valid",
        "98": "experimental service or procedure",
        "AA": "authorization number not found",
        "AE": "needs the primary care physician's authorization",
        "AF": "diagnosis code missing or not valid",
        "AG": "procedure code missing or not valid",
        "AO": "more information about the patient's condition is required",
        "CI": "certification information does not match the patient",
        "E8": "needs medical review",
        "IA": "authorization number format not valid",
        "MA": "authorization number missing",
        "T4": "payer name or payer ID missing",
    }
)

# AAA04: what the front desk should do next.
FOLLOW_UP_ACTIONS = _table(
    {
        "C": "correct and resubmit",
        "N": "do not resubmit; call the payer",
        "P": "resubmit the original request unchanged",
        "R": "retry later; resubmitting is allowed",
        "S": "do not resubmit; the payer is asking a third party",
        "W": "wait 30 days, then resubmit",
        "X": "wait 10 days, then resubmit",
        "Y": "do not resubmit; the payer will answer again shortly",
    }
)

# EB03 / EQ01 service types.
SERVICE_TYPES = _table(
    {
        "1": "medical care",
        "2": "surgical",
        "3": "consultation",
        "4": "diagnostic X-ray",
        "5": "diagnostic lab",
        "6": "radiation therapy",
        "7": "anesthesia",
        "8": "surgical assistance",
        "9": "other medical",
        "10": "blood charges",
        "11": "used durable medical equipment",
        "12": "durable medical equipment purchase",
        "13": "ambulatory surgical center facility",
        "14": "renal supplies in the home",
        "15": "alternate method dialysis",
        "16": "chronic renal disease equipment",
        "17": "pre-admission testing",
        "18": "durable medical equipment rental",
        "19": "pneumonia vaccine",
        "20": "second surgical opinion",
        "21": "third surgical opinion",
        "22": "social work",
        "23": "diagnostic dental",
        "24": "periodontics",
        "25": "restorative dental",
        "26": "endodontics",
        "27": "maxillofacial prosthetics",
        "28": "adjunctive dental services",
        "30": "health plan coverage (all services)",
        "32": "plan waiting period",
        "33": "chiropractic",
        "34": "chiropractic office visits",
        "35": "dental care",
        "36": "dental crowns",
        "37": "dental accident",
        "38": "orthodontics",
        "39": "prosthodontics",
        "40": "oral surgery",
        "41": "routine (preventive) dental",
        "42": "home health care",
        "43": "home health prescriptions",
        "44": "home health visits",
        "45": "hospice",
        "46": "respite care",
        "47": "hospital",
        "48": "hospital inpatient",
        "49": "hospital room and board",
        "50": "hospital outpatient",
        "51": "hospital emergency (accident)",
        "52": "hospital emergency (medical)",
        "53": "hospital ambulatory surgery",
        "54": "long-term care",
        "55": "major medical",
        "56": "medically related transportation",
        "57": "air transportation",
        "58": "cabulance",
        "59": "licensed ambulance",
        "60": "general benefits",
        "61": "in-vitro fertilization",
        "62": "MRI/CAT scan",
        "63": "donor procedures",
        "64": "acupuncture",
        "65": "newborn care",
        "66": "pathology",
        "67": "smoking cessation",
        "68": "well baby care",
        "69": "maternity",
        "70": "transplants",
        "71": "audiology exam",
        "72": "inhalation therapy",
        "73": "diagnostic medical",
        "74": "private duty nursing",
        "75": "prosthetic device",
        "76": "dialysis",
        "77": "otological exam",
        "78": "chemotherapy",
        "79": "allergy testing",
        "80": "immunizations",
        "81": "routine physical",
        "82": "family planning",
        "83": "infertility",
        "84": "abortion",
        "85": "AIDS",
        "86": "emergency services",
        "87": "cancer",
        "88": "pharmacy",
        "89": "free-standing prescription drug",
        "90": "mail order prescription drug",
        "91": "brand name prescription drug",
        "92": "generic prescription drug",
        "93": "podiatry",
        "94": "podiatry office visits",
        "95": "podiatry nursing home visits",
        "96": "professional (physician) services",
        "97": "anesthesiologist",
        "98": "physician office visit",
        "99": "physician visit, inpatient",
        "A0": "physician visit, outpatient",
        "A1": "physician visit, nursing home",
        "A2": "physician visit, skilled nursing facility",
        "A3": "physician visit, home",
        "A4": "psychiatric",
        "A5": "psychiatric room and board",
        "A6": "psychotherapy",
        "A7": "psychiatric inpatient",
        "A8": "psychiatric outpatient",
        "A9": "rehabilitation",
        "AA": "rehabilitation room and board",
        "AB": "rehabilitation inpatient",
        "AC": "rehabilitation outpatient",
        "AD": "occupational therapy",
        "AE": "physical medicine",
        "AF": "speech therapy",
        "AG": "skilled nursing care",
        "AH": "skilled nursing room and board",
        "AI": "substance abuse",
        "AJ": "alcoholism",
        "AK": "drug addiction",
        "AL": "vision (optometry)",
        "AM": "frames",
        "AN": "routine eye exam",
        "AO": "lenses",
        "AQ": "non-medically necessary physical",
        "AR": "experimental drug therapy",
        "B1": "burn care",
        "B2": "brand name drug, formulary",
        "B3": "brand name drug, non-formulary",
        "BA": "independent medical evaluation",
        "BB": "partial hospitalization (psychiatric)",
        "BC": "day care (psychiatric)",
        "BD": "cognitive therapy",
        "BE": "massage therapy",
        "BF": "pulmonary rehabilitation",
        "BG": "cardiac rehabilitation",
        "BH": "pediatric",
        "BI": "nursery",
        "BJ": "skin",
        "BK": "orthopedic",
        "BL": "cardiac",
        "BM": "lymphatic",
        "BN": "gastrointestinal",
        "BP": "endocrine",
        "BQ": "neurology",
        "BR": "eye",
        "BS": "invasive procedures",
        "BT": "gynecological",
        "BU": "obstetrical",
        "BV": "obstetrical/gynecological",
        "BW": "mail order brand name drug",
        "BX": "mail order generic drug",
        "BY": "physician office visit, sick",
        "BZ": "physician office visit, well",
        "C1": "coronary care",
        "CA": "private duty nursing, inpatient",
        "CB": "private duty nursing, home",
        "CC": "surgical benefits, professional",
        "CD": "surgical benefits, facility",
        "CE": "mental health provider, inpatient",
        "CF": "mental health provider, outpatient",
        "CG": "mental health facility, inpatient",
        "CH": "mental health facility, outpatient",
        "CI": "substance abuse facility, inpatient",
        "CJ": "substance abuse facility, outpatient",
        "CK": "screening X-ray",
        "CL": "screening lab",
        "CM": "mammogram, high risk",
        "CN": "mammogram, low risk",
        "CO": "flu vaccination",
        "CP": "eyewear and accessories",
        "CQ": "case management",
        "DG": "dermatology",
        "DM": "durable medical equipment",
        "DS": "diabetic supplies",
        "GF": "generic drug, formulary",
        "GN": "generic drug, non-formulary",
        "GY": "allergy",
        "IC": "intensive care",
        "MH": "mental health",
        "NI": "neonatal intensive care",
        "ON": "oncology",
        "PT": "physical therapy",
        "PU": "pulmonary",
        "RN": "renal",
        "RT": "residential psychiatric treatment",
        "TC": "transitional care",
        "TN": "transitional nursery care",
        "UC": "urgent care",
    }
)

# EB01: what kind of benefit line this is.
BENEFIT_INFO = _table(
    {
        "1": "active coverage",
        "2": "active, full risk capitation",
        "3": "active, services capitated",
        "4": "active, capitated to the primary care physician",
        "5": "active, pending investigation",
        "6": "inactive",
        "7": "inactive, pending eligibility update",
        "8": "inactive, pending investigation",
        "A": "coinsurance",
        "B": "co-pay",
        "C": "deductible",
        "CB": "coverage basis",
        "D": "benefit description",
        "E": "exclusions",
        "F": "limitations",
        "G": "out-of-pocket maximum",
        "H": "unlimited",
        "I": "not covered",
        "J": "cost containment",
        "K": "reserve",
        "L": "primary care provider",
        "M": "pre-existing condition",
        "MC": "managed care coordinator",
        "N": "services restricted to the following provider",
        "O": "not deemed a medical necessity",
        "P": "benefit disclaimer",
        "Q": "second surgical opinion required",
        "R": "other or additional payer",
        "S": "prior year history",
        "T": "card reported lost or stolen",
        "U": "contact the following entity for eligibility or benefits",
        "V": "cannot process",
        "W": "other source of data",
        "X": "health care facility",
        "Y": "spend down",
    }
)

# EB06: the period an amount is counted over (or what it means).
TIME_PERIODS = _table(
    {
        "6": "hour",
        "7": "day",
        "13": "24 hours",
        "21": "year",
        "22": "service year",
        "23": "calendar year",
        "24": "year to date",
        "25": "contract",
        "26": "episode",
        "27": "visit",
        "28": "outlier",
        "29": "remaining",
        "30": "exceeded",
        "31": "not exceeded",
        "32": "lifetime",
        "33": "lifetime remaining",
        "34": "month",
        "35": "week",
        "36": "admission",
    }
)

# EB02: whose accumulator the line is.
COVERAGE_LEVELS = _table(
    {
        "CHD": "children only",
        "DEP": "dependents only",
        "ECH": "employee and children",
        "EMP": "employee only",
        "ESP": "employee and spouse",
        "FAM": "family",
        "IND": "individual",
        "SPC": "spouse and children",
        "SPO": "spouse only",
        "TWO": "two party",
        "E1D": "employee and one dependent",
        "E2D": "employee and two dependents",
        "E3D": "employee and three dependents",
        "E5D": "employee and one or more dependents",
        "E6D": "employee and two or more dependents",
        "E7D": "employee and three or more dependents",
        "E8D": "employee and four or more dependents",
        "E9D": "employee and five or more dependents",
    }
)

# EB04: plan type, including the Medicare parts.
INSURANCE_TYPES = _table(
    {
        "12": "Medicare secondary, working aged (employer plan is primary)",
        "13": "Medicare secondary, end-stage renal disease",
        "14": "Medicare secondary, no-fault or auto insurance is primary",
        "15": "Medicare secondary, workers' compensation",
        "16": "Medicare secondary, public health service or other federal agency",
        "41": "Medicare secondary, black lung",
        "42": "Medicare secondary, Veterans Administration",
        "43": "Medicare secondary, disabled under 65 with large group plan",
        "47": "Medicare secondary, other liability insurance is primary",
        "AP": "auto insurance policy",
        "C1": "commercial",
        "CO": "COBRA",
        "CP": "Medicare conditionally primary",
        "D": "disability",
        "DB": "disability benefits",
        "EP": "exclusive provider organization (EPO)",
        "FF": "family or friends",
        "GP": "group policy",
        "HM": "HMO",
        "HN": "HMO, Medicare risk",
        "HS": "special low income Medicare beneficiary",
        "IN": "indemnity",
        "IP": "individual policy",
        "LC": "long-term care",
        "LD": "long-term policy",
        "LI": "life insurance",
        "LT": "litigation",
        "MA": "Medicare Part A",
        "MB": "Medicare Part B",
        "MC": "Medicaid",
        "MH": "Medigap Part A",
        "MI": "Medigap Part B",
        "MP": "Medicare primary",
        "OT": "other",
        "PE": "property insurance, personal",
        "PL": "personal",
        "PP": "personal payment (cash, no insurance)",
        "PR": "preferred provider organization (PPO)",
        "PS": "point of service (POS)",
        "QM": "qualified Medicare beneficiary (QMB)",
        "RP": "property insurance, real",
        "SP": "supplemental policy",
        "TF": "TEFRA",
        "WC": "workers' compensation",
        "WU": "wrap-up policy",
    }
)

# EB09 / HSD01: what a quantity counts.
QUANTITY_QUALIFIERS = _table(
    {
        "8H": "minimum",
        "99": "quantity used",
        "CA": "covered, actual",
        "CE": "covered, estimated",
        "D3": "coinsurance days",
        "DB": "deductible blood units",
        "DY": "days",
        "HS": "hours",
        "LA": "lifetime reserve days, actual",
        "LE": "lifetime reserve days, estimated",
        "M2": "maximum",
        "MN": "months",
        "P6": "services or procedures",
        "QA": "quantity approved",
        "S7": "age, high value",
        "S8": "age, low value",
        "VS": "visits",
        "YY": "years",
    }
)


def describe(table: Mapping[str, str], code: str, *, missing: str = "not given") -> str:
    """Plain words for ``code``; unknown codes are shown raw, never dropped."""
    code = code.strip()
    if not code:
        return missing
    words = table.get(code)
    if words is None:
        return f"code {code} (unknown)"
    return words


def reject_reason(code: str) -> str:
    return describe(REJECT_REASONS, code, missing="no reason given")


def follow_up_action(code: str) -> str:
    return describe(FOLLOW_UP_ACTIONS, code, missing="no follow-up given")


def service_type(code: str) -> str:
    return describe(SERVICE_TYPES, code, missing="whole plan")


def benefit_info(code: str) -> str:
    return describe(BENEFIT_INFO, code)


def time_period(code: str) -> str:
    return describe(TIME_PERIODS, code)


def coverage_level(code: str) -> str:
    return describe(COVERAGE_LEVELS, code)


def insurance_type(code: str) -> str:
    return describe(INSURANCE_TYPES, code)


def quantity_qualifier(code: str) -> str:
    return describe(QUANTITY_QUALIFIERS, code)

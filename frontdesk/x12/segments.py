"""Tokenizer for ASC X12 interchanges (270/271 and any other transaction set).

The reader is deliberately lenient: payer files in the wild carry BOMs, CR or
0x1D terminators, indentation, wrong counts and missing trailers, and the
front desk still needs the answer inside.  Only two things are fatal, because
nothing useful can be read past them: input that is not X12 at all, and an
interchange cut off before its first transaction.  Everything else becomes a
warning that the caller can show or log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frontdesk.errors import FrontdeskError

__all__ = [
    "Delimiters",
    "Segment",
    "Tokenized",
    "Transaction",
    "X12Error",
    "split_transactions",
    "tokenize",
]

# The fixed ISA has 16 elements; its element separator is the 4th character.
_ISA_ELEMENTS = 16
# Whitespace that editors, e-mail gateways and pretty-printers put around
# segments and elements.  Stripped unless it is itself a delimiter.
_PADDING = " \t\r\n"
# Version 00501 introduced ISA11 as the repetition separator; before that it
# is the "U" standards identifier and must not split anything.
_FIRST_VERSION_WITH_REPETITION = "00501"
_RESEND_ADVICE = "Download the response again, or ask the clearinghouse to resend it."


class X12Error(FrontdeskError, ValueError):
    """The input cannot be read as an X12 interchange.

    The message is written for front-desk staff and says what to do.
    ``offset`` is the byte offset (character offset for ``str`` input) where
    reading failed and ``segment`` the segment id being read there (or the
    last good one), so a support person can find the spot in the file.

    Also a ValueError: it is bad input, and code outside the app that
    catches ValueError around parsing keeps working.
    """

    def __init__(self, message: str, *, offset: int, segment: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.segment = segment


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four separators announced by an ISA header."""

    element: str
    component: str
    repetition: str | None
    segment: str


# Not frozen: a frozen dataclass pays for object.__setattr__ on every
# construction, which is a third of the tokenizer's time.  Treat as read-only.
@dataclass(slots=True)
class Segment:
    """One segment: ``elements[0]`` is the id, ``elements[n]`` is element n.

    ``offset`` is where the segment starts in the input: a byte offset for
    ``bytes`` input, a character offset for ``str`` input.
    """

    elements: tuple[str, ...]
    offset: int
    delimiters: Delimiters

    @property
    def tag(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        """Element ``position`` (1-based), or "" when the segment is shorter."""
        if position < len(self.elements):
            return self.elements[position]
        return ""

    def repeats(self, position: int) -> list[str]:
        """The repetitions of an element; [] when the element is empty."""
        value = self.get(position)
        if not value:
            return []
        separator = self.delimiters.repetition
        if separator is None:
            return [value]
        # Elements are already trimmed; only drop empty repetitions ("30^^98").
        return [part for part in value.split(separator) if part]

    def components(self, position: int) -> list[str]:
        """The components of a composite element; [] when it is empty."""
        value = self.get(position)
        if not value:
            return []
        return [part.strip() for part in value.split(self.delimiters.component)]

    def __str__(self) -> str:
        return self.delimiters.element.join(self.elements)


@dataclass(slots=True)
class Tokenized:
    """Every segment of the input, in order, across all interchanges."""

    segments: list[Segment]
    delimiters: Delimiters
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Transaction:
    """One ST..SE transaction set with the envelope it travelled in."""

    segments: list[Segment]
    interchange: Segment
    group: Segment | None
    warnings: list[str] = field(default_factory=list)

    @property
    def header(self) -> Segment:
        return self.segments[0]

    @property
    def set_id(self) -> str:
        """ST01, e.g. "270" or "271"."""
        return self.header.get(1)

    @property
    def control_number(self) -> str:
        return self.header.get(2)

    @property
    def version(self) -> str:
        """ST03, falling back to GS08 (4010 files have no ST03)."""
        if self.header.get(3):
            return self.header.get(3)
        return self.group.get(8) if self.group is not None else ""


# --------------------------------------------------------------------------
# decoding and offsets


class _ByteOffsets:
    """Maps character offsets of the decoded text back to input byte offsets.

    Pure-ASCII input (the normal case) maps one to one.  Otherwise the map
    walks forward incrementally, which is linear because segments are
    visited in order.
    """

    def __init__(self, text: str, encoding: str | None) -> None:
        self._text = text
        self._encoding = encoding
        self._char = 0
        self._byte = 0

    def __call__(self, char_offset: int) -> int:
        if self._encoding is None:
            return char_offset
        if char_offset < self._char:
            self._char, self._byte = 0, 0
        chunk = self._text[self._char : char_offset]
        self._byte += len(chunk.encode(self._encoding))
        self._char = char_offset
        return self._byte


def _decode(data: bytes | str) -> tuple[str, _ByteOffsets]:
    if isinstance(data, str):
        return data, _ByteOffsets(data, None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 never fails and keeps one character per byte.
        return data.decode("latin-1"), _ByteOffsets("", None)
    if len(text) == len(data):
        return text, _ByteOffsets(text, None)
    return text, _ByteOffsets(text, "utf-8")


# --------------------------------------------------------------------------
# ISA header


def _preview(text: str, start: int) -> str:
    sample = text[start : start + 20].strip()
    return sample.encode("ascii", "replace").decode("ascii") or "(nothing)"


def _find_isa(text: str, offsets: _ByteOffsets) -> int:
    """Position of the first "ISA" followed by a plausible element separator."""
    position = text.find("ISA")
    while position != -1:
        following = text[position + 3 : position + 4]
        if not following and not text[:position].strip(_PADDING + "\ufeff"):
            # The file is just "ISA": a header cut off right at its start.
            raise _cut_isa_error(offsets(position), 0, offsets(len(text)))
        if following and not following.isalnum() and not following.isspace():
            return position
        position = text.find("ISA", position + 1)
    start = len(text) - len(text.lstrip(_PADDING + "\ufeff"))
    raise X12Error(
        f"This is not an insurance eligibility (X12) file: reading failed at "
        f"byte {offsets(start)} because there is no ISA header segment "
        f"(the file starts with '{_preview(text, start)}'). Check that you "
        f"picked the 271 response file from the clearinghouse.",
        offset=offsets(start),
        segment="ISA",
    )


def _cut_isa_error(offset: int, fields: int, end_offset: int) -> X12Error:
    return X12Error(
        f"The file is cut off or damaged: its ISA header segment (at byte "
        f"{offset}) has only {fields} of its {_ISA_ELEMENTS} fields, and "
        f"reading failed at byte {end_offset}. {_RESEND_ADVICE}",
        offset=end_offset,
        segment="ISA",
    )


def _count_fields_before_line_end(text: str, start: int, element: str) -> tuple[int, int]:
    """Fields of a short ISA: separators up to the first likely terminator."""
    ends = [i for i in (text.find(c, start) for c in "~\r\n") if i != -1]
    end = min(ends) if ends else len(text)
    return text.count(element, start, end), end


def _read_isa(text: str, start: int, offsets: _ByteOffsets) -> Delimiters:
    """Delimiters of the ISA at ``start``, found by walking its separators.

    Fixed offsets are not used on purpose: real files pad the ISA ids to the
    wrong width (one sample has a 105-byte ISA).
    """
    element = text[start + 3]
    position = start + 3
    for found in range(_ISA_ELEMENTS):
        position = text.find(element, position)
        if position == -1:
            raise _cut_isa_error(offsets(start), found, offsets(len(text)))
        position += 1
    # ``position`` is now ISA16 (one character), followed by the terminator.
    if position + 1 >= len(text):
        raise _cut_isa_error(offsets(start), _ISA_ELEMENTS - 1, offsets(len(text)))
    component, terminator = text[position], text[position + 1]
    if (
        terminator.isalnum()
        or terminator in (element, " ")
        or text.find(terminator, start, position) != -1
    ):
        fields, end = _count_fields_before_line_end(text, start, element)
        raise _cut_isa_error(offsets(start), min(fields, _ISA_ELEMENTS - 1), offsets(end))
    isa = text[start:position].split(element)
    return Delimiters(element, component, _repetition(isa), terminator)


def _repetition(isa: list[str]) -> str | None:
    separator, version = isa[11].strip(), isa[12].strip()
    if len(separator) != 1 or separator.isalnum():
        return None
    if not version.isdigit() or version < _FIRST_VERSION_WITH_REPETITION:
        return None
    return separator


# --------------------------------------------------------------------------
# segments


def _padding_for(delimiters: Delimiters) -> str:
    used = {delimiters.element, delimiters.component, delimiters.repetition}
    return "".join(c for c in _PADDING if c not in used)


def _is_segment_id(tag: str) -> bool:
    return 2 <= len(tag) <= 3 and tag.isascii() and tag.isalnum() and tag.upper() == tag


def _bad_segment_error(tag: str, offset: int, previous: Segment | None) -> X12Error:
    after = f" (after the {previous.tag} segment at byte {previous.offset})" if previous else ""
    shown = tag[:20].encode("ascii", "replace").decode("ascii")
    return X12Error(
        f"Reading failed at byte {offset}: '{shown}' is not a segment name{after}. "
        f"The file is damaged. {_RESEND_ADVICE}",
        offset=offset,
        segment=previous.tag if previous else "",
    )


def _read_interchange(
    text: str,
    start: int,
    delimiters: Delimiters,
    offsets: _ByteOffsets,
    out: list[Segment],
) -> int | None:
    """Append the segments from ``start`` through IEA; return where IEA ends.

    Returns None when the text runs out first (the caller reports the
    missing trailer, it is not fatal).
    """
    padding = _padding_for(delimiters)
    terminator, element = delimiters.segment, delimiters.element
    position, length = start, len(text)
    valid_ids: set[str] = set()  # checking each distinct id once is enough
    while position < length:
        end = text.find(terminator, position)
        if end == -1:
            end = length
        raw = text[position:end]
        body = raw.strip(padding)
        if body:
            char_offset = position + len(raw) - len(raw.lstrip(padding))
            offset = offsets(char_offset)
            elements = tuple([part.strip(padding) for part in body.split(element)])
            if elements[0] not in valid_ids:
                if not _is_segment_id(elements[0]):
                    raise _bad_segment_error(elements[0], offset, out[-1] if out else None)
                valid_ids.add(elements[0])
            out.append(Segment(elements, offset, delimiters))
            if elements[0] == "IEA":
                return end + 1
        position = end + 1
    return None


def _require_transaction(segments: list[Segment]) -> None:
    if any(segment.tag == "ST" for segment in segments):
        return
    last = segments[-1]
    raise X12Error(
        f"The file is cut off: reading stopped after the {last.tag} segment at "
        f"byte {last.offset} and no transaction (ST segment) was found, so the "
        f"file holds no eligibility answer. {_RESEND_ADVICE}",
        offset=last.offset,
        segment=last.tag,
    )


def tokenize(data: bytes | str) -> Tokenized:
    """Split an X12 file into segments.

    Raises X12Error when the input is not X12 or is cut off before its
    first transaction; anything milder ends up in ``Tokenized.warnings``.
    """
    text, offsets = _decode(data)
    start = _find_isa(text, offsets)
    warnings: list[str] = []
    skipped = text[:start].strip(_PADDING + "\ufeff")
    if skipped:
        warnings.append(f"ignored {len(skipped)} characters of text before the ISA header")
    segments: list[Segment] = []
    first = _read_isa(text, start, offsets)
    delimiters: Delimiters | None = first
    while delimiters is not None:
        resume = _read_interchange(text, start, delimiters, offsets, segments)
        delimiters = None
        if resume is not None:
            start, delimiters = _next_interchange(text, resume, offsets, warnings)
    _require_transaction(segments)
    return Tokenized(segments, first, warnings)


def _next_interchange(
    text: str, resume: int, offsets: _ByteOffsets, warnings: list[str]
) -> tuple[int, Delimiters | None]:
    """After an IEA: the start and delimiters of a following ISA, if any."""
    rest = text[resume:]
    stripped = rest.lstrip(_PADDING)
    if not stripped:
        return resume, None
    start = resume + len(rest) - len(stripped)
    if stripped.startswith("ISA") and len(stripped) > 3 and not stripped[3].isalnum():
        return start, _read_isa(text, start, offsets)
    warnings.append(f"ignored text after the IEA trailer, from byte {offsets(start)}")
    return start, None


# --------------------------------------------------------------------------
# envelope


def _same_number(left: str, right: str) -> bool:
    """Control numbers compare numerically: "1" and "000000001" agree."""
    if left.isdigit() and right.isdigit():
        return int(left) == int(right)
    return left == right


@dataclass(slots=True)
class _Envelope:
    """Open ISA / GS / ST while walking the segment list."""

    interchange: Segment | None = None
    interchange_transactions: list[Transaction] = field(default_factory=list)
    interchange_groups: int = 0
    group: Segment | None = None
    group_transactions: list[Transaction] = field(default_factory=list)
    transaction: Transaction | None = None


def _warn_all(transactions: list[Transaction], message: str) -> None:
    for transaction in transactions:
        transaction.warnings.append(message)


def _close_transaction(state: _Envelope, trailer: Segment | None) -> None:
    transaction = state.transaction
    if transaction is None:
        return
    state.transaction = None
    number = transaction.control_number
    if trailer is None:
        transaction.warnings.append(f"transaction {number} has no SE trailer")
        return
    transaction.segments.append(trailer)
    declared, counted = trailer.get(1), len(transaction.segments)
    if not (declared.isdigit() and int(declared) == counted):
        transaction.warnings.append(
            f"transaction {number}: the SE trailer counts {declared or 'no'} "
            f"segments but there are {counted}"
        )
    if not _same_number(trailer.get(2), number):
        transaction.warnings.append(
            f"transaction {number} ends with a different control number "
            f"in its SE trailer ({trailer.get(2) or 'none'})"
        )


def _close_group(state: _Envelope, trailer: Segment | None) -> None:
    _close_transaction(state, None)
    group = state.group
    if group is None:
        return
    members, number = state.group_transactions, group.get(6)
    if trailer is None:
        _warn_all(members, f"functional group {number} has no GE trailer")
    else:
        if not _same_number(trailer.get(1), str(len(members))):
            _warn_all(
                members,
                f"functional group {number}: the GE trailer counts "
                f"{trailer.get(1) or 'no'} transactions but there are {len(members)}",
            )
        if not _same_number(trailer.get(2), number):
            _warn_all(
                members,
                f"functional group {number} ends with a different control "
                f"number in its GE trailer ({trailer.get(2) or 'none'})",
            )
    state.group, state.group_transactions = None, []


def _close_interchange(state: _Envelope, trailer: Segment | None) -> None:
    _close_group(state, None)  # also closes an open transaction
    isa = state.interchange
    if isa is None:
        return
    members, number = state.interchange_transactions, isa.get(13)
    if trailer is None:
        _warn_all(members, f"interchange {number} has no IEA trailer")
    else:
        if not _same_number(trailer.get(1), str(state.interchange_groups)):
            _warn_all(
                members,
                f"interchange {number}: the IEA trailer counts "
                f"{trailer.get(1) or 'no'} groups but there are {state.interchange_groups}",
            )
        if not _same_number(trailer.get(2), number):
            _warn_all(
                members,
                f"interchange {number} ends with a different control number "
                f"in its IEA trailer ({trailer.get(2) or 'none'})",
            )
    state.interchange, state.interchange_transactions, state.interchange_groups = None, [], 0


def _open_transaction(state: _Envelope, header: Segment) -> None:
    _close_transaction(state, None)
    assert state.interchange is not None  # tokenize() always starts with an ISA
    transaction = Transaction([header], state.interchange, state.group)
    if state.group is None:
        transaction.warnings.append(
            f"transaction {header.get(2)} is not inside a functional group (no GS header)"
        )
    state.transaction = transaction
    state.interchange_transactions.append(transaction)
    if state.group is not None:
        state.group_transactions.append(transaction)


def _step(state: _Envelope, segment: Segment, found: list[Transaction]) -> None:
    tag = segment.tag
    if tag == "ISA":
        _close_interchange(state, None)
        state.interchange = segment
    elif tag == "GS":
        _close_group(state, None)
        state.group = segment
        state.interchange_groups += 1
    elif tag == "ST":
        _open_transaction(state, segment)
        found.append(state.transaction)  # type: ignore[arg-type]
    elif tag == "SE" and state.transaction is not None:
        _close_transaction(state, segment)
    elif tag == "GE":
        _close_group(state, segment)
    elif tag == "IEA":
        _close_interchange(state, segment)
    elif state.transaction is not None:
        state.transaction.segments.append(segment)


def split_transactions(segments: list[Segment]) -> list[Transaction]:
    """Group segments into ST..SE transactions and check their envelopes.

    Wrong counts, mismatched control numbers and missing trailers become
    warnings on the transactions concerned; they never stop the reading.
    """
    state = _Envelope()
    found: list[Transaction] = []
    for segment in segments:
        _step(state, segment, found)
    _close_interchange(state, None)
    return found

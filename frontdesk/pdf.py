"""A tiny PDF writer for receipts and drawer reports: lines of text, nothing more.

Receipts and reports are already laid out as fixed-width text (the same text goes to
a receipt printer), so a PDF only has to place those lines on pages in a monospaced
font. Courier is one of the fourteen standard PDF fonts every reader carries, so no
font is embedded and no dependency is needed. Text is encoded WinAnsi (cp1252): the
accents of names survive; anything outside it prints as "?".
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["LETTER", "RECEIPT_WIDTH_PT", "text_pdf"]

LETTER = (612, 792)
"""US Letter, in points."""
RECEIPT_WIDTH_PT = 227
"""80 mm receipt paper, in points."""
_MARGIN = 24
_CHAR_WIDTH = 0.6
"""Courier's advance width, as a fraction of the font size."""


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: Sequence[str], *, size: float, top: float) -> bytes:
    leading = size * 1.2
    body = [b"BT", b"/F1 %.2f Tf" % size, b"%.2f TL" % leading,
            b"%d %.2f Td" % (_MARGIN, top)]
    for line in lines:
        body.append(b"(" + _escape(line) + b") Tj T*")
    body.append(b"ET")
    return b"\n".join(body)


def text_pdf(text: str, *, page: tuple[float, float] | None = None, size: float = 9,
             title: str = "") -> bytes:
    """`text` as a PDF. Without `page`, one narrow receipt-sized page as long as the text."""
    lines = text.splitlines() or [""]
    leading = size * 1.2
    if page is None:
        columns = max(len(line) for line in lines)
        width = max(RECEIPT_WIDTH_PT, columns * size * _CHAR_WIDTH + 2 * _MARGIN)
        pages = [lines]
        page = (width, len(lines) * leading + 2 * _MARGIN)
    else:
        per_page = max(1, int((page[1] - 2 * _MARGIN) // leading))
        pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    width, height = page
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages' numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Producer (frontdesk) /Title (" + _escape(title) + b") >>",
    ]
    kids = []
    for chunk in pages:
        stream = _content(chunk, size=size, top=height - _MARGIN - size)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (width, height, content_number))
        kids.append(len(objects))
    objects[1] = (b"<< /Type /Pages /Count %d /Kids [" % len(kids)
                  + b" ".join(b"%d 0 R" % k for k in kids) + b"] >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)

"""ASC X12 270/271 health eligibility: tokenizer, 271 reader, 270 writer.

Pure standard library.  ``parse_271`` turns a payer's response into one
``Answer`` per patient; ``build_270`` writes the request.
"""

from . import codes
from .eligibility import (
    Accumulator,
    Amounts,
    Answer,
    Benefit,
    Coinsurance,
    Copay,
    DateSpan,
    Level,
    Party,
    Rejection,
    RelatedEntity,
    parse_271,
    parse_cents,
)
from .request import (
    Batch,
    Dependent,
    Envelope,
    Inquiry,
    Payer,
    Provider,
    build_270,
    build_270_batches,
)
from .segments import (
    Delimiters,
    Segment,
    Tokenized,
    Transaction,
    X12Error,
    split_transactions,
    tokenize,
)

__all__ = [
    "Accumulator",
    "Amounts",
    "Answer",
    "Batch",
    "Benefit",
    "Coinsurance",
    "Copay",
    "DateSpan",
    "Delimiters",
    "Dependent",
    "Envelope",
    "Inquiry",
    "Level",
    "Party",
    "Payer",
    "Provider",
    "Rejection",
    "RelatedEntity",
    "Segment",
    "Tokenized",
    "Transaction",
    "X12Error",
    "build_270",
    "build_270_batches",
    "codes",
    "parse_271",
    "parse_cents",
    "split_transactions",
    "tokenize",
]

"""frontdesk: the front desk of a small medical practice.

This package is the practice itself (records, rules, storage, the command line);
it never imports Textual. The screens live in the `screens` package.
"""

__version__ = "0.1.0"

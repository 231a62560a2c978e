"""CSV text for the commands' ``--csv`` outputs: every cell, headers included, through one
formula guard.

Scenario text (road names, exit names, event summaries) is untrusted: a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula when the CSV is
opened in a spreadsheet (``=HYPERLINK(...)``), so such text is prefixed with ``'`` as OWASP
advises for CSV; numbers stay numbers.

Examples
--------
>>> csv_text(["road", "extra_s"], [["=HYPERLINK(1)", -3.5], ["Main St", 12]]).splitlines()
['road,extra_s', "'=HYPERLINK(1),-3.5", 'Main St,12']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula prefixed with ``'``.

    Examples
    --------
    >>> spreadsheet_safe("@SUM(A1)"), spreadsheet_safe(-1), spreadsheet_safe("a-b")
    ("'@SUM(A1)", -1, 'a-b')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """``header`` and ``rows`` as CSV text, every cell through :func:`spreadsheet_safe`."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([spreadsheet_safe(c) for c in header])
    for row in rows:
        w.writerow([spreadsheet_safe(c) for c in row])
    return buf.getvalue()


def csv_dicts(rows: Sequence[dict[str, Any]], empty_header: Sequence[str]) -> str:
    """``rows`` (mappings with the same keys) as CSV text, the keys as the header
    (``empty_header`` when there is no row), every cell through :func:`spreadsheet_safe`."""
    header = list(rows[0]) if rows else list(empty_header)
    return csv_text(header, ([row.get(k) for k in header] for row in rows))

"""Cells that are exactly what they look like. User text is always a string cell (openpyxl
would otherwise write "=..." as a formula, even in write-only mode), characters XML 1.0 forbids
are stripped (they would crash the export), and aware datetimes become naive local time."""

import datetime
import re
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from alliances.calendar import portfolio_zone

# C0 controls other than tab, LF and CR, and the two non-characters U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BOLD = Font(bold=True)


def clean_text(value: str) -> str:
    return FORBIDDEN.sub("", value)


def plain(value):
    """A value openpyxl writes as itself: strings with forbidden characters stripped (see text()
    for the ones openpyxl would not keep as text), aware datetimes as naive local time,
    decimals as floats."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(portfolio_zone()).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def text(ws, value: str | None):
    """User text for ws.append(): forbidden characters stripped, and a cell forced to text only
    where openpyxl would otherwise take it for a formula or an error value."""
    if value is None:
        return None
    value = clean_text(value)
    if value[:1] != "=" and value not in ERROR_CODES:
        return value
    c = WriteOnlyCell(ws, value=value)
    c.data_type = "s"
    return c


def cell(ws, value, number_format: str | None = None, bold: bool = False):
    """`value` ready for ws.append(): a plain value where that is already safe (the fast path),
    text() for a string, else a styled WriteOnlyCell. Dates and times are plain: openpyxl gives
    them ISO date formats."""
    if not (number_format or bold):
        return text(ws, value) if isinstance(value, str) else plain(value)
    value = plain(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"
    if number_format:
        c.number_format = number_format
    if bold:
        c.font = BOLD
    return c


def money_format(currency: str) -> str:
    # Currency codes are validated ISO 4217 (three capital letters): safe inside the format.
    return f'#,##0 "{currency}"' if currency else "#,##0"

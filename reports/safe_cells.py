"""Cells that are exactly what they look like. User text is always a string cell (openpyxl
would otherwise write "=..." as a formula, even in write-only mode), characters XML 1.0 forbids
are stripped (they would crash the export), and aware datetimes become naive local time."""

import datetime
import re
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from alliances.calendar import portfolio_zone

# C0 controls other than tab, LF and CR, and the two non-characters U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)


def clean_text(value: str) -> str:
    return FORBIDDEN.sub("", value)


def cell(ws, value, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        c = WriteOnlyCell(ws, value=clean_text(value))
        c.data_type = "s"
    elif isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(portfolio_zone()).replace(tzinfo=None)
        c = WriteOnlyCell(ws, value=value)
        c.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = number_format or DATE_FORMAT
    elif isinstance(value, Decimal):
        c = WriteOnlyCell(ws, value=float(value))
    else:
        c = WriteOnlyCell(ws, value=value)
    if number_format and not isinstance(value, datetime.date):
        c.number_format = number_format
    if bold:
        c.font = BOLD
    return c


def money_format(currency: str) -> str:
    # Currency codes are validated ISO 4217 (three capital letters): safe inside the format.
    return f'#,##0 "{currency}"' if currency else "#,##0"

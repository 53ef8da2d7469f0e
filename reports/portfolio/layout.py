"""How the workbook looks and prints: page setup (landscape, fitted to the page width, the
header row repeated, a footer with the sheet's name, page x of y and the as-of time), header
cells, the RAG colours and charts that draw without recalculating. Nothing here reads data."""

import datetime
import warnings

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart.data_source import (
    AxDataSource,
    NumData,
    NumDataSource,
    NumRef,
    NumVal,
    StrData,
    StrRef,
    StrVal,
)
from openpyxl.chart.series import Series, SeriesLabel
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

PRODUCT = "Alliance portfolio"
CONFIDENTIAL_HEADER = "Contains confidential alliances"
MONTH = "mmm yyyy"
DATE = "d mmm yyyy"
DATETIME = "d mmm yyyy hh:mm"
HOURS = "#,##0.0"
COUNT = "#,##0"
# The RAG colours (fill, font) as the status report screens show them.
RAG_COLOURS = {
    "Green": ("C6EFCE", "006100"),
    "Amber": ("FFEB9C", "9C5700"),
    "Red": ("FFC7CE", "9C0006"),
}
RAG_SERIES = {"Green": "63BE7B", "Amber": "FFC000", "Red": "E0474C"}

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
SECTION = Font(bold=True, size=11, color="1F3864")
WRAP = Alignment(wrap_text=True)
INDENT = Alignment(indent=1)
HEADER_LEFT = Alignment(wrap_text=True, vertical="bottom")
HEADER_RIGHT = Alignment(wrap_text=True, vertical="bottom", horizontal="right")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def day(value: datetime.date) -> str:
    """7 Nov 2026, as the workbook's date format shows it."""
    return f"{value.day} {value:%b %Y}"


def fills(name: str) -> tuple[PatternFill, Font]:
    fill, font = RAG_COLOURS[name]
    return PatternFill("solid", fgColor=fill, bgColor=fill), Font(color=font)


def width(header: str, given: float) -> float:
    """A column wide enough for its header on at most two lines, and for what it was given."""
    longest = max((len(word) for word in header.split()), default=0)
    return max(given, longest + 2, len(header) / 2 + 2)


LINE_HEIGHT = 15  # points, one line of 11-point text


def lines(value: str | None, width: float) -> int:
    """How many lines `value` wraps to in a column `width` characters wide (word by word)."""
    if not value:
        return 1
    room = max(int(width * 1.1) - 1, 1)  # a column holds more text than its width in digits
    count, used = 1, 0
    for word in value.split():
        size = len(word)
        if used and used + 1 + size > room:
            count, used = count + 1, 0
        used = size if not used else used + 1 + size
        while used > room:  # a word longer than the column breaks where it must
            count, used = count + 1, used - room
    return count


def append(ws, row: int, values: list, height_lines: int = 1) -> None:
    """ws.append(values) as row number `row`, `height_lines` lines tall: clients that do not
    fit rows to wrapped text on opening (LibreOffice) then show and print it whole. The row's
    height is dropped once written, so memory stays flat."""
    if height_lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT * height_lines
        ws.append(values)
        del ws.row_dimensions[row]
    else:
        ws.append(values)


def header_lines(headers: list[str], widths: list[float]) -> int:
    return max((lines(h, w) for h, w in zip(headers, widths, strict=False)), default=1)


def prepare(ws, widths: list[float], *, freeze: str | None = "A2", one_page: bool = False):
    """Before the first row: column widths, frozen panes and the page setup."""
    for index, value in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = value
    if freeze:
        ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if freeze:
        ws.print_title_rows = "1:1"


def header_cells(ws, headers: list[str], numeric: set[int] = frozenset()) -> list:
    """A header row: bold, shaded, wrapped; right-aligned over numeric columns (by index)."""
    cells = []
    for index, name in enumerate(headers):
        c = WriteOnlyCell(ws, value=name)
        c.data_type = "s"
        c.font = BOLD
        c.fill = HEADER_FILL
        c.alignment = HEADER_RIGHT if index in numeric else HEADER_LEFT
        cells.append(c)
    return cells


def template(ws, *, number_format=None, font=None, fill=None, alignment=None, as_text=False):
    """A maker of cells styled alike, for a sheet's rows: the style is looked up once, and each
    cell copies it (setting a style cell by cell costs more than writing the cell). `as_text`:
    the value is written as a string whatever it looks like (the caller has cleaned it)."""
    templates = ws.__dict__.setdefault("_templates", {})
    # By identity: the styles are this module's constants, and hashing one costs more than
    # the cell.
    key = (number_format, id(font), id(fill), id(alignment), as_text)
    if key not in templates:
        model = styled(ws, None, number_format=number_format, font=font, fill=fill,
                       alignment=alignment)  # fmt: skip
        style = model._style

        def make(value):
            c = Cell(ws, row=1, column=1, value=value, style_array=style)
            if as_text:
                c.data_type = "s"
            return c

        templates[key] = make
    return templates[key]


def styled(ws, value, *, number_format=None, font=None, fill=None, alignment=None):
    """One of our own values (never user text) with a style."""
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"
    if number_format:
        c.number_format = number_format
    if font:
        c.font = font
    if fill:
        c.fill = fill
    if alignment:
        c.alignment = alignment
    return c


def finish(ws, *, as_of: datetime.datetime, confidential: bool) -> None:
    """Header and footer on every printed page (written when the workbook is saved)."""
    for part in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        part.left.text = "&A"
        part.center.text = "Page &P of &N"
        part.right.text = f"As of {day(as_of)} {as_of:%H:%M}"
        part.left.size = part.center.size = part.right.size = 8
    if confidential:
        for part in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
            part.center.text = CONFIDENTIAL_HEADER
            part.center.font = "Calibri,Bold"
            part.center.color = "9C0006"


def rag_formatting(ws, column: int, last_row: int) -> None:
    """The RAG column's cells coloured by their value."""
    letter = get_column_letter(column)
    ref = f"{letter}2:{letter}{max(last_row, 2)}"
    for name in RAG_COLOURS:
        fill, font = fills(name)
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="equal", formula=[f'"{name}"'], fill=fill, font=font)
        )


def table(ws, name: str, headers: list[str], rows: int) -> None:
    """An Excel table over the header and `rows` rows (sorting, filters and slicers)."""
    ref = f"A1:{get_column_letter(len(headers))}{max(rows, 1) + 1}"
    t = Table(displayName=name, ref=ref)
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    t.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)]
    with warnings.catch_warnings():  # write-only mode asks for the columns named: they are
        warnings.simplefilter("ignore")
        ws.add_table(t)


def series(values_ref: str, values: list, labels_ref: str, labels: list, title: str) -> Series:
    """A chart series carrying its values and category labels (a chart cache), so clients
    that do not recalculate (previewers, phones) still draw it."""
    s = Series()
    s.val = NumDataSource(
        numRef=NumRef(
            f=values_ref,
            numCache=NumData(
                formatCode="General",
                ptCount=len(values),
                pt=[NumVal(idx=i, v=v) for i, v in enumerate(values)],
            ),
        )
    )
    s.cat = AxDataSource(
        strRef=StrRef(
            f=labels_ref,
            strCache=StrData(
                ptCount=len(labels), pt=[StrVal(idx=i, v=str(v)) for i, v in enumerate(labels)]
            ),
        )
    )
    s.tx = SeriesLabel(v=title)
    return s


def show_axes(chart) -> None:
    """Axes drawn: openpyxl marks them deleted unless told otherwise."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False

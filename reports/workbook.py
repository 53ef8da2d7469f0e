"""The executive portfolio workbook: Summary (a one-page dashboard with its Money section),
Trend, Changes since, Register, Obligations, Front door, Pipeline, Demand and a data
dictionary, each sheet set up to print. Parsing (reports.portfolio.params: the query
parameters into a PortfolioQuery), reading (reports.portfolio.read: plain rows and counts;
reports.portfolio.obligations: the obligations and money, read and written) and rendering
(reports.portfolio.render: openpyxl sheets in write-only mode) live apart; this puts them
together. The API, the admin's download page and export_portfolio all come through here."""

from openpyxl import Workbook

from .portfolio import render
from .portfolio.columns import CHANGES, DEMAND, FRONT_DOOR, PIPELINE, REGISTER
from .portfolio.params import PortfolioQuery, default_since

__all__ = [
    "CHANGES",
    "DEMAND",
    "FRONT_DOOR",
    "PIPELINE",
    "REGISTER",
    "PortfolioQuery",
    "default_since",
    "portfolio_workbook_build",
]


def portfolio_workbook_build(query: PortfolioQuery, *, out, progress=None) -> int:
    """Write the workbook for the query's reader to `out` (a path or a binary file); returns
    the number of register rows. `progress(n)` is called as register rows are written."""
    wb = Workbook(write_only=True)
    counts = render.write_summary(wb, query)
    render.write_trend(wb, query)
    render.write_changes(wb, query)
    rows = render.write_register(wb, query, progress=progress)
    render.write_obligations(wb, query)
    render.write_front_door(wb, user=query.user, query=query)
    render.write_dictionary(wb)
    render.finish_workbook(wb, query, counts)
    wb.save(out)
    return rows

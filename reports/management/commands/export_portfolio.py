"""python manage.py export_portfolio --user USERNAME --out FILE [--since DATE] [--filter k=v]"""

import os
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from reports.access import can_download_portfolio
from reports.portfolio.params import DEFAULT_SINCE_DAYS
from reports.workbook import PortfolioQuery, portfolio_workbook_build


def _explain(detail) -> str:
    """DRF's {field: [messages]} as lines a person reads on a terminal."""
    if isinstance(detail, dict):
        return "\n".join(
            f"  {name}: {' '.join(str(m) for m in messages)}" for name, messages in detail.items()
        )
    return f"  {' '.join(str(m) for m in detail)}"


class Command(BaseCommand):
    help = "Write the portfolio workbook as a given user would download it."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Whose view of the portfolio.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")
        parser.add_argument(
            "--since",
            help=f"Changes since this date, YYYY-MM-DD (default: {DEFAULT_SINCE_DAYS} days ago).",
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="An alliances-list filter or search, e.g. --filter stage=development "
            "(repeatable; repeat a name for several values).",
        )

    def handle(self, *args, user, out, since, filter, **options):
        reader = get_user_model().objects.filter(username=user, is_active=True).first()
        if reader is None:
            raise CommandError(f"No active user {user!r}.")
        if not can_download_portfolio(reader):
            raise CommandError(f"{user} is not an executive, an alliance lead or the head.")
        target = Path(out)
        if not out or target.is_dir():
            raise CommandError(f"Give a file name to write, not the folder {out!r}.")
        if not target.parent.is_dir():
            raise CommandError(f"Cannot write {out}: folder {target.parent} does not exist.")
        if not os.access(target.parent, os.W_OK) or (
            target.exists() and not os.access(target, os.W_OK)
        ):
            raise CommandError(f"Cannot write {out}: permission denied.")
        params = QueryDict(mutable=True)
        for item in filter:
            name, equals, value = item.partition("=")
            if not equals or not name:
                raise CommandError(f"Give each filter as NAME=VALUE, not {item!r}.")
            params.appendlist(name, value)
        if since:
            params["since"] = since
        try:
            query = PortfolioQuery(user=reader, params=params)
        except ValidationError as error:
            raise CommandError(f"Bad filters:\n{_explain(error.message_dict)}") from None
        with tqdm(
            total=query.count(), unit=" rows", desc="Register", disable=not sys.stderr.isatty()
        ) as bar:
            try:
                rows = portfolio_workbook_build(query, out=target, progress=bar.update)
            except OSError as error:
                raise CommandError(f"Cannot write {out}: {error.strerror or error}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}: {rows} alliances in the register."))

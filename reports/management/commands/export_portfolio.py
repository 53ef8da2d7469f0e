"""python manage.py export_portfolio --user USERNAME --out FILE [--since DATE] [--filter k=v]"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from tqdm import tqdm

from reports.access import can_download_portfolio
from reports.api.views import since_param
from reports.workbook import PortfolioQuery, portfolio_workbook_build


class Command(BaseCommand):
    help = "Write the portfolio workbook as a given user would download it."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Whose view of the portfolio.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")
        parser.add_argument("--since", help="Changes since this date (default: 30 days ago).")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="An alliances-list filter, e.g. --filter stage=development (repeatable).",
        )

    def handle(self, *args, user, out, since, filter, **options):
        reader = get_user_model().objects.filter(username=user, is_active=True).first()
        if reader is None:
            raise CommandError(f"No active user {user!r}.")
        if not can_download_portfolio(reader):
            raise CommandError(f"{user} is not an executive, an alliance lead or the head.")
        params = QueryDict(mutable=True)
        for item in filter:
            name, _, value = item.partition("=")
            params.appendlist(name, value)
        if since:
            params["since"] = since
        try:
            total = PortfolioQuery(user=reader, params=params).visible.count()
            with tqdm(
                total=total,
                unit=" rows",
                desc="Register",
                disable=not sys.stderr.isatty(),
            ) as bar:
                rows = portfolio_workbook_build(
                    user=reader,
                    params=params,
                    since=since_param(params),
                    out=out,
                    progress=bar.update,
                )
        except ValidationError as error:
            raise CommandError(f"Bad filter: {error.detail}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}: {rows} alliances in the register."))

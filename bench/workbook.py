"""The portfolio workbook on the generated portfolio (make bench seeds it): wall time, query
count and peak memory of the export, each in a fresh process (timed on its second export, as
in a worker serving many), beside an idle process and beside openpyxl writing the same rows
(every sheet's, read back from the export) from memory in the same run."""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from copy import copy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
RUNS = 3


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def same_row(wb, source, row, styled: bool) -> list:
    """The row's cells for openpyxl to write again: values only, or the same cells (value,
    type, number format, font, fill and alignment)."""
    from openpyxl.cell import WriteOnlyCell

    values = []
    for c in row:
        if not styled or (c.value is None and not c.has_style):
            values.append(c.value)
            continue
        target = WriteOnlyCell(wb[source.title], value=c.value)
        target.data_type = c.data_type
        if c.has_style:
            if c.number_format != "General":
                target.number_format = c.number_format
            target.font = copy(c.font)
            target.fill = copy(c.fill)
            target.alignment = copy(c.alignment)
        values.append(target)
    return values


def child(kind: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict
    from openpyxl import Workbook, load_workbook

    from alliances.calendar import today
    from reports.workbook import PortfolioQuery, portfolio_workbook_build

    User = get_user_model()
    head = User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-head", is_superuser=True
    )
    lead = User.objects.filter(groups__name="alliance_lead").first()
    user = head if kind.endswith("head") else lead
    if kind == "idle":
        return {"max_rss_mb": max_rss_mb()}
    since = QueryDict(f"since={today().replace(day=1).isoformat()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "portfolio.xlsx"
        if kind.startswith("raw"):
            # Every row of every sheet the export wrote, read back into memory first (not
            # timed), then written by openpyxl: as plain values ("raw-values"), or as the same
            # cells, number formats, fonts, fills and alignment included ("raw-cells", cells
            # built untimed).
            portfolio_workbook_build(PortfolioQuery(user=user, params=since), out=out)
            styled = kind.startswith("raw-cells")
            written = load_workbook(out, read_only=not styled)
            wb = Workbook(write_only=True)
            sheets = [
                (wb.create_sheet(ws.title), [same_row(wb, ws, row, styled) for row in ws.rows])
                for ws in written
            ]
            written.close()
            started = time.perf_counter()
            for ws, rows in sheets:
                for row in rows:
                    ws.append(row)
            wb.save(out)
            seconds = time.perf_counter() - started
            return {"seconds": seconds, "rows": sum(len(rows) for _, rows in sheets)}
        import reports.portfolio.render as render

        # Warm, as a long-running worker is and as the openpyxl runs below are (they build the
        # workbook first): imports and first-query set-up are not the export's cost per file.
        portfolio_workbook_build(PortfolioQuery(user=user, params=since), out=out)
        executed, phases = [], {}
        write_register = render.write_register

        def timed_register(*args, **kwargs):
            begun = time.perf_counter()
            result = write_register(*args, **kwargs)
            phases["register"] = time.perf_counter() - begun
            return result

        render.write_register = timed_register

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        # A counting wrapper, not CaptureQueriesContext: the debug cursor's per-query
        # bookkeeping is not part of the export's cost.
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            rows = portfolio_workbook_build(PortfolioQuery(user=user, params=since), out=out)
            seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "queries": len(executed),
            "register_seconds": phases["register"],
            "rows": rows,
            "bytes": out.stat().st_size,
            "max_rss_mb": max_rss_mb(),
        }


def run(kind: str, database: str) -> dict:
    env = {**os.environ, "BENCH_DATABASE_URL": database}
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    databases = sys.argv[1:] or [os.environ.get("BENCH_DATABASE_URL", "")]
    print("portfolio workbook (each figure from a fresh process)")
    for database in databases:
        idle = run("idle", database)["max_rss_mb"]
        for who in ("head", "lead"):
            exports, values, cells = [], [], []
            for _ in range(RUNS):  # interleaved, so drift on the machine hits all three alike
                exports.append(run(f"export-{who}", database))
                values.append(run(f"raw-values-{who}", database)["seconds"])
                cells.append(run(f"raw-cells-{who}", database))
            plain = statistics.median(values)
            same = statistics.median(r["seconds"] for r in cells)
            export = sorted(exports, key=lambda e: e["seconds"])[RUNS // 2]
            peak = max(e["max_rss_mb"] for e in exports)
            print(
                f"  {export['rows']:>6} register rows ({cells[0]['rows']} in all sheets) as "
                f"{who}: export median {export['seconds']:.2f} s of {RUNS} "
                f"(register sheet {export['register_seconds']:.2f} s), {export['queries']} "
                f"queries, {export['bytes'] / 1e6:.1f} MB file; peak memory {peak:.0f} MB vs "
                f"idle {idle:.0f} MB (+{peak - idle:.0f} MB)\n"
                f"         openpyxl alone writing the same rows: as the same cells (formats "
                f"included) {same:.2f} s, ratio {export['seconds'] / same:.2f}; as plain "
                f"values {plain:.2f} s, ratio {export['seconds'] / plain:.2f}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    else:
        main()

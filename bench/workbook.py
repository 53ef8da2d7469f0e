"""The portfolio workbook on the generated portfolio (make bench seeds it): wall time, query
count and peak memory of the export, each run in a fresh process, beside an idle process and
beside openpyxl writing the same rows (every sheet's, read back from the export) from in-memory
tuples in the same run."""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
RUNS = 3


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
            # timed), then written by openpyxl as plain tuples: the floor for those rows.
            portfolio_workbook_build(PortfolioQuery(user=user, params=since), out=out)
            written = load_workbook(out, read_only=True)
            sheets = [(ws.title, list(ws.iter_rows(values_only=True))) for ws in written]
            written.close()
            started = time.perf_counter()
            wb = Workbook(write_only=True)
            for title, rows in sheets:
                ws = wb.create_sheet(title)
                for row in rows:
                    ws.append(row)
            wb.save(out)
            seconds = time.perf_counter() - started
            return {"seconds": seconds, "rows": sum(len(rows) for _, rows in sheets)}
        import reports.workbook as workbook

        executed, phases = [], {}
        write_register = workbook.write_register

        def timed_register(*args, **kwargs):
            begun = time.perf_counter()
            result = write_register(*args, **kwargs)
            phases["register"] = time.perf_counter() - begun
            return result

        workbook.write_register = timed_register

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
            exports = [run(f"export-{who}", database) for _ in range(RUNS)]
            raws = [run(f"raw-{who}", database) for _ in range(RUNS)]
            export = sorted(exports, key=lambda e: e["seconds"])[RUNS // 2]
            raw = statistics.median(r["seconds"] for r in raws)
            peak = max(e["max_rss_mb"] for e in exports)
            print(
                f"  {export['rows']:>6} register rows ({raws[0]['rows']} in all sheets) as "
                f"{who}: export median {export['seconds']:.2f} s of {RUNS} "
                f"(register sheet {export['register_seconds']:.2f} s), {export['queries']} "
                f"queries, {export['bytes'] / 1e6:.1f} MB file; peak memory {peak:.0f} MB vs "
                f"idle {idle:.0f} MB (+{peak - idle:.0f} MB); openpyxl alone writing the same "
                f"rows {raw:.2f} s, ratio {export['seconds'] / raw:.2f}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    else:
        main()

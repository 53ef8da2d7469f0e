"""The portfolio workbook on the generated portfolio (make bench seeds it): wall time, query
count and peak memory of the export, each run in a fresh process, beside an idle process and
beside openpyxl writing the same register rows from in-memory tuples in the same run."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict
    from openpyxl import Workbook

    from alliances.calendar import today
    from reports.workbook import PortfolioQuery, portfolio_workbook_build, register_rows

    User = get_user_model()
    head = User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-head", is_superuser=True
    )
    lead = User.objects.filter(groups__name="alliance_lead").first()
    user = head if kind.endswith("head") else lead
    if kind == "idle":
        return {"max_rss_mb": max_rss_mb()}
    params = QueryDict()
    since = QueryDict(f"since={today().replace(day=1).isoformat()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "portfolio.xlsx"
        if kind.startswith("raw"):
            # The same register rows, fetched first (not timed), written as plain tuples.
            rows = [row for _, row in register_rows(PortfolioQuery(user=user, params=params))]
            started = time.perf_counter()
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("Register")
            for row in rows:
                ws.append(row)
            wb.save(out)
            return {"seconds": time.perf_counter() - started, "rows": len(rows)}
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
            export = run(f"export-{who}", database)
            raw = min(run(f"raw-{who}", database)["seconds"] for _ in range(2))
            print(
                f"  {export['rows']:>6} rows as {who:<4}: export {export['seconds']:.2f} s, "
                f"{export['queries']} queries, {export['bytes'] / 1e6:.1f} MB file; "
                f"peak memory {export['max_rss_mb']:.0f} MB vs idle {idle:.0f} MB "
                f"(+{export['max_rss_mb'] - idle:.0f} MB); "
                f"openpyxl alone on the same rows {raw:.2f} s, ratio {export['seconds'] / raw:.2f} "
                f"(the register sheet alone: {export['register_seconds']:.2f} s, ratio "
                f"{export['register_seconds'] / raw:.2f})"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    else:
        main()

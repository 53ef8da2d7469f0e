"""`make bench-services`: a bounded load test on loopback against the production topology.

A fresh PostgreSQL database (BENCH_PG_DB, default benchsvc; dropped and made again), migrated
and seeded with the generated portfolio (seed_portfolio, seed_resourcing, seed_reports: 2,000
alliances by default), users of every role with API tokens; two gunicorn nodes on two ports
(config.settings.bench_services: production settings, plain HTTP, the floor view mounted), Redis
as cache and Celery broker (databases 8 and 9), one Celery worker on the `exports` and `default`
queues. Then Locust headless (bench/locustfile.py), one phase at a time:

- mix: requesters, leads, specialists and executives doing what they do (BENCH_SECONDS);
- floor: leads reading the alliances page through the floor view (.values(), no serializer);
- list: the same leads reading the same page through GET alliances/;
- api / api+exports: requesters, leads and specialists without, then with, workbooks being
  made back to back on the worker; the API's p95 of each.

Printed per phase: requests per second, p50/p95/p99 per endpoint, and the server CPU per request:
user + system CPU of every gunicorn process (masters and workers, from /proc through psutil)
over the phase, divided by the requests served. Exits non-zero if a service is down (before,
during or after a phase), any request got a 5xx or no answer, any answer was not one the user
expects, or a report job failed. Every process it started is stopped on the way out, Ctrl-C
included.

Environment (defaults): BENCH_USERS (60), BENCH_THINK (1,5: seconds between a user's actions,
twice that for executives), BENCH_SECONDS (60, the mix), BENCH_SHORT_SECONDS (30,
every other phase), BENCH_PHASES (mix,floor,list,api,api+exports), BENCH_ALLIANCES (2000),
BENCH_SPECIALISTS (100), BENCH_TASKS (20000), BENCH_WEB_WORKERS (2 per node),
BENCH_WORKER_CONCURRENCY (1), BENCH_WORKER_NICE (10, the worker's nice), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432),
BENCH_PG_DB (benchsvc), BENCH_REDIS_URL (redis://127.0.0.1:6379), BENCH_CPU_TARGET_MS (15),
BENCH_KEEP (a folder to keep the logs and samples in).
"""

import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SETTINGS = "config.settings.bench_services"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


USERS = env_int("BENCH_USERS", 60)
SECONDS = env_int("BENCH_SECONDS", 60)
SHORT_SECONDS = env_int("BENCH_SHORT_SECONDS", 30)
PHASES = os.environ.get("BENCH_PHASES", "mix,floor,list,api,api+exports").split(",")
ALLIANCES = env_int("BENCH_ALLIANCES", 2000)
SPECIALISTS = env_int("BENCH_SPECIALISTS", 100)
TASKS = env_int("BENCH_TASKS", 20000)
WEB_WORKERS = env_int("BENCH_WEB_WORKERS", 2)
WORKER_CONCURRENCY = env_int("BENCH_WORKER_CONCURRENCY", 1)
# The worker's CPU priority (nice): on cores it shares with the web nodes, as here, a workbook
# being made should wait for a web request, not the other way round (README: production).
WORKER_NICE = env_int("BENCH_WORKER_NICE", 10)
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = os.environ.get("BENCH_PG_DB", "benchsvc")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
CACHE_DB, BROKER_DB = 8, 9
CPU_TARGET_MS = float(os.environ.get("BENCH_CPU_TARGET_MS", "15"))
WAIT_SECONDS = 90

# name -> (user classes, seconds, extra users: ExportLoad's fixed two ride on top)
PHASE_USERS = {
    "warm-up": (["Requester", "Lead", "Specialist", "Executive", "FloorUser"], 15, 0),
    "mix": (["Requester", "Lead", "Specialist", "Executive"], SECONDS, 0),
    "floor": (["FloorUser"], SHORT_SECONDS, 0),
    "list": (["ListUser"], SHORT_SECONDS, 0),
    "api": (["Requester", "Lead", "Specialist"], SHORT_SECONDS, 0),
    "api+exports": (["Requester", "Lead", "Specialist", "ExportLoad"], SHORT_SECONDS, 2),
}


class BenchFailed(Exception):
    pass


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The services ----------------------------------------------------------------------------------


def check_services() -> None:
    import psycopg
    import redis

    try:
        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as error:
        raise BenchFailed(f"PostgreSQL at {PG_URL} is down: {error}") from error
    try:
        redis.Redis.from_url(f"{REDIS_URL}/{CACHE_DB}", socket_timeout=3).ping()
    except redis.RedisError as error:
        raise BenchFailed(f"Redis at {REDIS_URL} is down: {error}") from error


def fresh_database() -> None:
    import psycopg
    import redis

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    for db in (CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS_URL}/{db}").flushdb()


def django_env(media: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": f"{PG_URL}/{PG_DB}",
        "REDIS_CACHE_URL": f"{REDIS_URL}/{CACHE_DB}",
        "CELERY_BROKER_URL": f"{REDIS_URL}/{BROKER_DB}",
        "MEDIA_ROOT": str(media),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict, *args: str) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    log(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


def prepare_users(out: Path) -> None:
    """(Child, with Django.) Users of every role with API tokens, and what requesters pick."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from alliances.choices import Role
    from alliances.models import Partner, TherapeuticArea
    from resourcing.models import Specialist

    User = get_user_model()

    def made(prefix: str, count: int, group: str | None) -> list:
        people = []
        for n in range(count):
            user, created = User.objects.get_or_create(
                username=f"{prefix}-{n:02d}", defaults={"first_name": "Bench"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                if group:
                    user.groups.add(Group.objects.get(name=group))
            people.append(user)
        return people

    users = {
        "requester": made("bench-requester", 40, None),
        "executive": made("bench-executive", 10, Role.EXECUTIVE),
        "lead": list(User.objects.filter(username__startswith="seed-lead-").order_by("pk")),
        "specialist": [
            s.user
            for s in Specialist.objects.filter(
                active=True, user__username__startswith="seed-specialist-"
            )
            .select_related("user")
            .order_by("pk")
        ],
    }
    requester = users["requester"][0]
    fixture = {
        "users": {
            role: [
                {"username": u.username, "token": Token.objects.get_or_create(user=u)[0].key}
                for u in people
            ]
            for role, people in users.items()
        },
        "areas": list(TherapeuticArea.objects.values_list("code", flat=True)),
        "partners": list(
            Partner.objects.visible_to(requester).order_by("pk").values_list("pk", flat=True)[:200]
        ),
    }
    out.write_text(json.dumps(fixture))


class Cluster:
    """The two nodes and the worker; stopped by stop(), whatever happened."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs = env, logs
        self.nodes: list[tuple[int, subprocess.Popen]] = []
        self.worker: subprocess.Popen | None = None
        self.files = []

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        out = (self.logs / f"{name}.log").open("wb")
        self.files.append(out)
        # Its own process group, so stop() reaches its children (gunicorn's workers, the
        # worker's pool) and a Ctrl-C on the terminal leaves the stopping to us.
        return subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start(self) -> None:
        for n in range(2):
            port = free_port()
            fmt = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
            process = self._start(
                [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(WEB_WORKERS), "--timeout", "60", "--forwarded-allow-ips", "",
                 "--access-logfile", "-", "--access-logformat", fmt],
                f"web{n}",
            )  # fmt: skip
            self.nodes.append((port, process))
        self.worker = self._start(
            ["nice", "-n", str(WORKER_NICE),
             str(BIN / "celery"), "--app", "config", "worker", "--queues", "default,exports",
             "--concurrency", str(WORKER_CONCURRENCY), "--without-gossip", "--without-mingle",
             "--hostname", f"bench-{os.getpid()}@%h", "--loglevel", "INFO"],
            "worker",
        )  # fmt: skip
        deadline = time.monotonic() + WAIT_SECONDS
        for port, _ in self.nodes:
            while not self._answers(port):
                self.check()
                if time.monotonic() > deadline:
                    raise BenchFailed(f"the node on port {port} did not answer /healthz")
                time.sleep(0.25)
        worker_log = self.logs / "worker.log"
        while b" ready." not in worker_log.read_bytes():
            self.check()
            if time.monotonic() > deadline:
                raise BenchFailed("the Celery worker did not get ready")
            time.sleep(0.25)

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
                return r.status == 200
        except OSError:
            return False

    def check(self) -> None:
        """Every process still running and every node answering /healthz; else BenchFailed."""
        for name, process in self.processes():
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise BenchFailed(f"{name} stopped (rc={process.returncode}):\n{tail}")

    def check_answering(self) -> None:
        self.check()
        for port, _ in self.nodes:
            if not self._answers(port):
                raise BenchFailed(f"the node on port {port} no longer answers /healthz")

    def processes(self):
        yield from ((f"web{n}", p) for n, (_, p) in enumerate(self.nodes))
        if self.worker is not None:
            yield "worker", self.worker

    def web_cpu_seconds(self) -> float:
        """User + system CPU of every gunicorn process so far: masters and their workers."""
        import psutil

        total = 0.0
        for _, process in self.nodes:
            master = psutil.Process(process.pid)
            for p in [master, *master.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = p.cpu_times()
                    total += times.user + times.system
        return total

    def web_pids(self) -> int:
        import psutil

        return sum(1 + len(psutil.Process(p.pid).children(recursive=True)) for _, p in self.nodes)

    def stop(self) -> None:
        running = [p for _, p in self.processes() if p.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # Whatever is left of a group (a pool child slow to follow its parent).
        for _, process in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for out in self.files:
            out.close()


# The load --------------------------------------------------------------------------------------


def jobs_in_flight() -> int:
    import psycopg

    with psycopg.connect(f"{PG_URL}/{PG_DB}") as conn:
        row = conn.execute(
            "select count(*) from reports_reportjob where status in ('queued', 'running')"
        ).fetchone()
    return row[0]


def wait_for_jobs(cluster: Cluster) -> None:
    deadline = time.monotonic() + 180
    while jobs_in_flight():
        cluster.check()
        if time.monotonic() > deadline:
            raise BenchFailed("report jobs still queued or running 180 s after the phase")
        time.sleep(1)


def run_phase(name: str, cluster: Cluster, tokens: Path, work: Path) -> dict:
    classes, seconds, extra = PHASE_USERS[name]
    samples = work / f"samples-{name}.json"
    env = {
        **os.environ,
        "BENCH_NODES": ",".join(f"http://127.0.0.1:{port}" for port, _ in cluster.nodes),
        "BENCH_TOKENS": str(tokens),
        "BENCH_SAMPLES": str(samples),
    }
    users = USERS + extra
    cluster.check_answering()
    before = cluster.web_cpu_seconds()
    started = time.monotonic()
    locust = subprocess.Popen(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
         "--run-time", f"{seconds}s", "--stop-timeout", "30", "--only-summary",
         "--loglevel", "WARNING", "--exit-code-on-error", "0", *classes],
        cwd=ROOT, env=env, stdout=(work / f"locust-{name}.log").open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        while locust.poll() is None:
            cluster.check()
            time.sleep(0.5)
    finally:
        if locust.poll() is None:
            os.killpg(locust.pid, signal.SIGTERM)
            locust.wait(timeout=30)
    elapsed = time.monotonic() - started
    cpu = cluster.web_cpu_seconds() - before
    if locust.returncode != 0 or not samples.exists():
        tail = (work / f"locust-{name}.log").read_text(errors="replace")[-3000:]
        raise BenchFailed(f"locust failed in phase {name} (rc={locust.returncode}):\n{tail}")
    cluster.check_answering()
    data = json.loads(samples.read_text())
    rows = [(n, ms, status, at) for n, ms, status, at in data["samples"]]
    duration = max(at for *_, at in rows) - min(at - ms / 1000 for _, ms, _, at in rows)
    return {
        "name": name,
        "users": users,
        "rows": rows,
        "jobs": data["jobs"],
        "cpu_seconds": cpu,
        "seconds": duration,
        "wall_seconds": elapsed,
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def api_rows(phase: dict) -> list:
    return [row for row in phase["rows"] if not row[0].startswith("[exports]")]


def report(phase: dict) -> list[str]:
    """Print the phase's figures; return what went wrong in it."""
    rows = phase["rows"]
    served = len(rows)
    rps = served / phase["seconds"]
    cpu_ms = phase["cpu_seconds"] * 1000 / served
    log(
        f"\n== {phase['name']}: {phase['users']} users, {phase['seconds']:.0f} s, "
        f"{served} requests, {rps:.1f} req/s; server CPU {cpu_ms:.1f} ms/request "
        f"(gunicorn {phase['cpu_seconds']:.1f} s CPU over {served} requests)"
    )
    by_name: dict[str, list] = {}
    for name, ms, status, _ in rows:
        by_name.setdefault(name, []).append((ms, status))
    log(f"  {'endpoint':<52} {'count':>6} {'p50':>7} {'p95':>7} {'p99':>7}  statuses")
    for name in sorted(by_name, key=lambda n: -len(by_name[n])):
        times = [ms for ms, _ in by_name[name]]
        statuses: dict[int, int] = {}
        for _, status in by_name[name]:
            statuses[status] = statuses.get(status, 0) + 1
        shown = " ".join(f"{s}x{c}" for s, c in sorted(statuses.items()))
        log(
            f"  {name:<52} {len(times):>6} {percentile(times, 50):>6.0f}ms "
            f"{percentile(times, 95):>6.0f}ms {percentile(times, 99):>6.0f}ms  {shown}"
        )
    api = [ms for _, ms, *_ in api_rows(phase)]
    jobs = phase["jobs"]
    if jobs["queued"]:
        log(
            f"  report jobs: {jobs['queued']} queued, {jobs['done']} done, "
            f"{jobs['failed']} failed, {jobs['timed_out']} not finished in time"
        )
    log(
        f"  {'all (API, exports load excluded)':<52} {len(api):>6} {percentile(api, 50):>6.0f}ms "
        f"{percentile(api, 95):>6.0f}ms {percentile(api, 99):>6.0f}ms"
    )
    phase["rps"], phase["cpu_ms"] = rps, cpu_ms
    phase["p95"] = percentile(api, 95)
    return errors_of(phase)


def errors_of(phase: dict) -> list[str]:
    rows = phase["rows"]
    problems = []
    broken = [(n, s) for n, _, s, _ in rows if s >= 500 or s == 0]
    if broken:
        problems.append(f"{phase['name']}: {len(broken)} requests with a 5xx or no answer")
    expected = {200, 201, 202, 409}
    odd = [(n, s) for n, _, s, _ in rows if 0 < s < 500 and s not in expected]
    if odd:
        problems.append(f"{phase['name']}: {len(odd)} unexpected answers, e.g. {odd[:5]}")
    if phase["jobs"]["failed"]:
        problems.append(f"{phase['name']}: {phase['jobs']['failed']} report jobs failed")
    return problems


def main() -> int:
    keep = os.environ.get("BENCH_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-services-"))
    work.mkdir(parents=True, exist_ok=True)
    media = work / "media"
    media.mkdir(exist_ok=True)
    env = django_env(media)
    cluster = Cluster(env, work)

    def stop_on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    problems: list[str] = []
    done = []
    try:
        check_services()
        log(f"fresh database {PG_DB}, Redis {CACHE_DB} (cache) and {BROKER_DB} (broker)")
        fresh_database()
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_portfolio", "--alliances", str(ALLIANCES))
        manage(env, "seed_resourcing", "--specialists", str(SPECIALISTS), "--tasks", str(TASKS))
        manage(env, "seed_reports")
        tokens = work / "tokens.json"
        subprocess.run(
            [sys.executable, __file__, "--prepare", str(tokens)], cwd=ROOT, env=env, check=True
        )
        log(
            f"starting two gunicorn nodes ({WEB_WORKERS} workers each) and a Celery worker "
            f"(concurrency {WORKER_CONCURRENCY}); logs in {work}"
        )
        cluster.start()
        log(f"  {cluster.web_pids()} gunicorn processes")
        # Every worker's first requests (imports, URLconf, first queries) are not the cost of
        # a request: a short warm-up, checked for errors but not reported.
        log("warm-up (not measured) ...")
        warm = run_phase("warm-up", cluster, tokens, work)
        warm["name"] = "warm-up"
        problems += errors_of(warm)
        wait_for_jobs(cluster)
        for name in PHASES:
            log(f"phase {name} ...")
            phase = run_phase(name, cluster, tokens, work)
            problems += report(phase)
            done.append(phase)
            wait_for_jobs(cluster)
        cluster.check_answering()
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        problems.append("interrupted")
    except (BenchFailed, subprocess.CalledProcessError) as error:
        problems.append(str(error))
    finally:
        cluster.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    summary(done)
    if problems:
        log("\nFAILED:\n  " + "\n  ".join(problems))
        return 1
    return 0


def summary(done: list[dict]) -> None:
    if not done:
        return
    phases = {phase["name"]: phase for phase in done}
    log("\n== summary")
    for phase in done:
        log(
            f"  {phase['name']:<12} {phase['rps']:6.1f} req/s  API p95 {phase['p95']:5.0f} ms  "
            f"server CPU {phase['cpu_ms']:5.1f} ms/request"
        )
    if "mix" in phases:
        cpu = phases["mix"]["cpu_ms"]
        verdict = "met" if cpu <= CPU_TARGET_MS else "NOT met"
        log(f"  target {CPU_TARGET_MS:.0f} ms CPU/request on the mix: {verdict} ({cpu:.1f} ms)")
    if "api" in phases and "api+exports" in phases:
        off, on = phases["api"]["p95"], phases["api+exports"]["p95"]
        log(f"  API p95 without exports {off:.0f} ms, with exports on the worker {on:.0f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        prepare_users(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())

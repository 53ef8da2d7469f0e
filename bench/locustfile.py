"""What the users of `make bench-services` do (bench/services.py runs Locust headless on this
file, one phase at a time, naming the user classes of the phase).

- Requester: submits intake requests (POST intake-requests/) and follows their own.
- Lead: lists alliances and the intake waiting for triage, reads a request's recommendation,
  takes it into triage and accepts it with the recommended management model.
- Specialist: pages their queue (tasks/?assignee=me&open=true) and works its tasks (start,
  complete, wait on partner).
- Executive: lists alliances, queues the portfolio workbook (POST reports/portfolio-jobs/),
  polls the job until it is done and downloads the file.
- ExportLoad: an executive queueing workbooks back to back, to keep the worker busy (its
  requests are named "[exports] ..." and left out of the API figures).
- FloorUser / ListUser: a lead reading the alliances page through the floor view
  (bench/floor_urls.py) / through the real endpoint, same page size.

Each user signs in with the API token of one seeded user of its role (bench/services.py makes
them and passes the file in BENCH_TOKENS) and talks to one of the nodes in BENCH_NODES, users
spread over them as a load balancer would. Every request's name, time and status go to
BENCH_SAMPLES when Locust quits; bench/services.py computes the figures from them. A 409 (two
leads triaging the same request at once) is a right answer, not an error.
"""

import datetime
import itertools
import json
import os
import random
import time

from locust import HttpUser, between, events, task

NODES = os.environ.get("BENCH_NODES", "http://127.0.0.1:8000").split(",")
PAGE_SIZE = int(os.environ.get("BENCH_PAGE_SIZE", "50"))
JOB_WAIT_SECONDS = 120
# Seconds a user thinks between two actions (executives twice as long).
THINK = [float(n) for n in os.environ.get("BENCH_THINK", "1,5").split(",")]
with open(os.environ["BENCH_TOKENS"]) as tokens_file:
    FIXTURE = json.load(tokens_file)

_counters = {}
SAMPLES = []  # (name, milliseconds, status code or 0 for no answer, when it ended)
JOBS = {"queued": 0, "done": 0, "failed": 0, "timed_out": 0}


def _next(kind: str) -> int:
    _counters.setdefault(kind, itertools.count())
    return next(_counters[kind])


@events.request.add_listener
def _record(name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if exception is not None and not status:
        status = 0
    SAMPLES.append((name, round(response_time, 2), status, time.time()))


@events.quitting.add_listener
def _write(environment, **kwargs):
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        with open(path, "w") as out:
            json.dump({"samples": SAMPLES, "jobs": JOBS}, out)


class BenchUser(HttpUser):
    abstract = True
    host = NODES[0]
    wait_time = between(*THINK)
    role = ""
    prefix = ""

    def on_start(self):
        people = FIXTURE["users"][self.role]
        self.person = people[_next(self.role) % len(people)]
        self.node = NODES[_next("node") % len(NODES)]
        self.client.headers.update(
            {"Authorization": f"Token {self.person['token']}", "Accept": "application/json"}
        )

    def call(self, method, path, name, *, ok=(200,), **kwargs):
        """One request; `ok` are the expected answers, a 409 always is one too."""
        url = f"{self.node}/api/v1/{path}"
        with self.client.request(
            method, url, name=f"{self.prefix}{method} {name}", catch_response=True, **kwargs
        ) as response:
            if response.status_code in ok or response.status_code == 409:
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            return response

    def json_of(self, response):
        try:
            return response.json()
        except ValueError:
            return {}


class Requester(BenchUser):
    role = "requester"
    weight = 3

    @task(2)
    def submit(self):
        areas, partners = FIXTURE["areas"], FIXTURE["partners"]
        self.call(
            "POST",
            "intake-requests/",
            "intake-requests/",
            ok=(201,),
            json={
                "title": f"Bench request {self.person['username']} {random.randrange(10**6)}",
                "partner": random.choice(partners),
                "therapeutic_area": random.choice(areas),
                "alliance_type": random.choice(["licensing", "co_development", "research"]),
                "direction": random.choice(["in", "out", "mutual"]),
                "description": "A partnership to evaluate, from the load test.",
                "differentiating": random.random() < 0.4,
                "mission_critical": random.random() < 0.4,
                "complexity": random.choice(["low", "medium", "high"]),
                "estimated_value": str(random.randrange(1, 80) * 1_000_000),
                "currency": "USD",
                "desired_start_date": (
                    datetime.date.today() + datetime.timedelta(days=random.randint(14, 90))
                ).isoformat(),
                "requested_services": random.sample(
                    ["startup", "reporting", "governance_logistics", "contract_finance"], k=2
                ),
                "confidential": False,
            },
        )

    @task(3)
    def my_requests(self):
        self.call("GET", "intake-requests/?requester=me", "intake-requests/?requester=me")


class Lead(BenchUser):
    role = "lead"
    weight = 2

    @task(4)
    def alliances(self):
        page = random.randint(1, 20)
        self.call("GET", f"alliances/?page_size={PAGE_SIZE}&page={page}", "alliances/")

    @task(1)
    def alliances_filtered(self):
        stage = random.choice(["pre_poc", "development", "commercial"])
        self.call("GET", f"alliances/?page_size={PAGE_SIZE}&stage={stage}", "alliances/?stage=")

    @task(2)
    def triage_and_accept(self):
        listed = self.call(
            "GET", "intake-requests/?status=submitted", "intake-requests/?status=submitted"
        )
        waiting = self.json_of(listed).get("results") or []
        if not waiting:
            return
        intake = random.choice(waiting[:10])["id"]
        advice = self.call(
            "GET",
            f"intake-requests/{intake}/recommendation/",
            "intake-requests/{id}/recommendation/",
        )
        model = (self.json_of(advice).get("management_model") or {}).get("recommended")
        triaged = self.call(
            "POST", f"intake-requests/{intake}/triage/", "intake-requests/{id}/triage/", json={}
        )
        if triaged.status_code != 200 or not model:
            return
        self.call(
            "POST",
            f"intake-requests/{intake}/accept/",
            "intake-requests/{id}/accept/",
            ok=(201,),
            json={"management_model": model},
        )


class Specialist(BenchUser):
    role = "specialist"
    weight = 4
    moves = {
        "open": ("start", "wait-on-partner"),
        "in_progress": ("complete", "wait-on-partner"),
        "waiting_on_partner": ("start",),
        "blocked": ("start",),
    }

    def on_start(self):
        super().on_start()
        self.queue = []

    @task(3)
    def my_queue(self):
        page = random.choice([1, 1, 1, 2])
        listed = self.call(
            "GET", f"tasks/?assignee=me&open=true&page={page}", "tasks/?assignee=me&open=true"
        )
        self.queue = self.json_of(listed).get("results") or self.queue

    @task(2)
    def work_a_task(self):
        if not self.queue:
            return
        chosen = random.choice(self.queue)
        move = random.choice(self.moves.get(chosen["status"], ("start",)))
        done = self.call("POST", f"tasks/{chosen['id']}/{move}/", "tasks/{id}/" + move + "/")
        if done.status_code == 200:
            chosen["status"] = self.json_of(done).get("status", chosen["status"])


class Executive(BenchUser):
    role = "executive"
    weight = 1
    wait_time = between(THINK[0] * 2, THINK[1] * 2)

    @task(2)
    def alliances(self):
        self.call("GET", f"alliances/?page_size={PAGE_SIZE}", "alliances/")

    @task(1)
    def export(self):
        queue_and_fetch(self)


def queue_and_fetch(user: BenchUser) -> None:
    """Queue a workbook, poll the job every second until it is done, download it."""
    stage = random.choice(["pre_poc", "development", "commercial"])
    queued = user.call(
        "POST", "reports/portfolio-jobs/", "reports/portfolio-jobs/", ok=(202,),
        json={"stage": stage},
    )  # fmt: skip
    job = user.json_of(queued).get("id")
    if queued.status_code != 202 or not job:
        return
    JOBS["queued"] += 1
    deadline = time.monotonic() + JOB_WAIT_SECONDS
    status = None
    while time.monotonic() < deadline:
        time.sleep(1)
        seen = user.call("GET", f"reports/portfolio-jobs/{job}/", "reports/portfolio-jobs/{id}/")
        status = user.json_of(seen).get("status")
        if status in ("done", "failed"):
            break
    if status == "failed":
        JOBS["failed"] += 1
    elif status != "done":
        JOBS["timed_out"] += 1
    else:
        JOBS["done"] += 1
        user.call("GET", f"reports/portfolio-jobs/{job}/file/", "reports/portfolio-jobs/{id}/file/")


class ExportLoad(BenchUser):
    """An executive queueing the next workbook as soon as the last is downloaded, to keep the
    worker busy; its requests are left out of the API figures."""

    role = "executive"
    weight = 0
    fixed_count = 2
    prefix = "[exports] "
    wait_time = between(0, 0.2)

    @task
    def export(self):
        queue_and_fetch(self)


class FloorUser(BenchUser):
    role = "lead"

    @task
    def floor(self):
        page = random.randint(1, 20)
        url = f"{self.node}/bench/floor/alliances/?page_size={PAGE_SIZE}&page={page}"
        with self.client.get(url, name="GET floor alliances", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class ListUser(BenchUser):
    role = "lead"

    @task
    def alliances(self):
        page = random.randint(1, 20)
        self.call("GET", f"alliances/?page_size={PAGE_SIZE}&page={page}", "alliances/")

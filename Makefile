# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379

.PHONY: install run test test-services lint format bench bench-services check-migrations demo clean fuzz test-browser

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: set up and serve the embedded single-machine install on http://127.0.0.1:8000:
## gunicorn and a Celery worker with embedded beat (Procfile, under honcho; Ctrl-C stops both)
run: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py load_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" DJANGO_SETTINGS_MODULE=config.settings.local \
		RUN_BIND=$(HOST):$(PORT) RUN_WORKERS=$(WORKERS) $(BIN)/honcho --procfile Procfile start

## make test: every test that needs nothing but Python (SQLite, eager Celery)
test: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/pytest -m "not services and not browser" -q

## make test-services: the whole suite on PostgreSQL and Redis; fails if either is down
test-services: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(SERVICES_DATABASE_URL)} \
	CACHE_URL=$${CACHE_URL:-$(SERVICES_REDIS_URL)/1} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(SERVICES_REDIS_URL)/2} \
	REQUIRE_SERVICES=1 $(BIN)/pytest -m "not browser" -q

## make test-browser: the journeys of each role and axe-core's accessibility checks in Debian's
## Chromium (/usr/bin/chromium; never a downloaded browser), against gunicorn and a Celery worker
## on a fresh demo database in var/browser/; screenshots in var/browser/artifacts/<test>/
test-browser: $(STAMP)
	@test -x /usr/bin/chromium || { echo "make test-browser: /usr/bin/chromium is missing (apt-get install -y chromium)"; exit 1; }
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL PLAYWRIGHT_BROWSERS_PATH=$(CURDIR)/var/browser/no-downloaded-browsers \
		$(BIN)/pytest tests/browser -m browser -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make test-clock-ahead: make test's selection with the test clock a year ahead of the real date
test-clock-ahead: $(STAMP)
	TEST_CLOCK=real TEST_CLOCK_SHIFT_DAYS=365 $(MAKE) --no-print-directory test

check-migrations: $(STAMP)
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## make fuzz: schemathesis (every check) against a live gunicorn on a fresh demo database in
## var/fuzz/, as the head, a lead and a requester; a few minutes; fails on any failure
fuzz: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python fuzz/run.py

## make bench: benchmarks on generated data in var/bench.sqlite3 (printed figures, no assertions)
bench: $(STAMP)
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python manage.py migrate --noinput --verbosity 0
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python manage.py seed_portfolio --alliances 10000
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python manage.py seed_resourcing --specialists 500 --tasks 100000
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/alliances_list.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/front_door.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/reminders.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/governance.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/calendar_feed.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/obligations.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python manage.py seed_reports
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/pages.py
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-1k.sqlite3 $(BIN)/python manage.py migrate --noinput --verbosity 0
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-1k.sqlite3 $(BIN)/python manage.py seed_portfolio --alliances 1000
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-1k.sqlite3 $(BIN)/python manage.py seed_resourcing --specialists 50 --tasks 10000
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-1k.sqlite3 $(BIN)/python manage.py seed_reports
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python bench/workbook.py sqlite:///$(CURDIR)/var/bench-1k.sqlite3 sqlite:///$(CURDIR)/var/bench.sqlite3
	cp var/bench.sqlite3 var/bench-jobs.sqlite3
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-jobs.sqlite3 $(BIN)/python bench/job_overhead.py
	rm -f var/bench-jobs.sqlite3 var/bench-jobs.sqlite3-wal var/bench-jobs.sqlite3-shm

## make bench-services: a bounded load test on loopback: two gunicorn nodes on PostgreSQL, Redis
## cache and broker, a Celery worker; Locust users of every role; req/s, p50/p95/p99 per endpoint,
## server CPU per request (and the floor view's); a few minutes; fails on a 5xx or a service down
bench-services: $(STAMP)
	$(BIN)/python bench/services.py

clean:
	rm -rf $(VENV) var

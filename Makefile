# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# make run is a local, single-user development server: DEBUG on, anonymous reads on.
# REVIEW_REQUIRED off: `make run` is a single-user local server, with no second person to approve an edit.
# WEBHOOK_ALLOW_PRIVATE: a local receiver (http://127.0.0.1:…) may be registered as a webhook.
RUN_ENV := DEBUG=true PUBLIC_READ=true REVIEW_REQUIRED=false WEBHOOK_ALLOW_PRIVATE=true
# Tests run with DEBUG off, as production does (so the database is named: SQLite unless DATABASE_URL
# says otherwise; pytest makes its own test database either way); plain HTTP so the test client is
# not redirected. The key is long enough for production's check and used nowhere else.
TEST_ENV := SECRET_KEY=test-only-key-never-used-elsewhere-0123456789-abcdefghij HTTPS=false \
	DATABASE_URL=$(or $(DATABASE_URL),sqlite:///$(CURDIR)/db.sqlite3)

.PHONY: messages check-translations drill install install-browser screenshots run worker prepare seed seed-diff reset-data check-data admin-password test test-fast lint format bench bench-csv-memory clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The task worker (webhook deliveries) runs beside the development server, in the same SQLite
# database, and stops with it (Ctrl+C). No autoreload for the worker: killing it then stops it.
run: prepare
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The task worker alone (production runs it as its own process: the `worker` service of
# docker-compose.yml). It takes the deliveries queued in the database and sends them.
worker: install
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload

# What `make run` does before serving: migrate, add the seed records the database lacks (never
# changing one that is there), make sure there is an admin login.
prepare: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/

seed: install
	$(RUN_ENV) $(BIN)/python manage.py seed

# Where the fixtures and the database differ (nothing is changed).
seed-diff: install
	$(RUN_ENV) $(BIN)/python manage.py seed --diff

# Development only: delete the whole register and load the fixtures afresh (asks first).
reset-data: install
	$(RUN_ENV) $(BIN)/python manage.py reset_to_fixtures

check-data: install
	$(RUN_ENV) $(BIN)/python manage.py check_data

# Prints a new random password for the local `admin` account.
admin-password: install
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin --reset --url http://$(HOST):$(PORT)/admin/

test: install
	@test -x /usr/bin/chromium || printf '\n\033[1;31m*** Chromium is missing: the browser tests will be SKIPPED. Run `make install-browser` (or: sudo apt-get install chromium). ***\033[0m\n\n' >&2
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The screenshots of docs/screenshots.md, taken by the layout browser tests into test-artifacts/.
screenshots: install
	$(TEST_ENV) REQUIRE_BROWSER=true $(BIN)/python -m pytest -p no:cacheprovider tests/test_browser_layout.py tests/test_browser_admin_layout.py
	@ls -1 test-artifacts/*-1366x768.png test-artifacts/*-390x844.png

# Debian's Chromium, which the browser tests drive (Playwright downloads no browser here).
install-browser:
	test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || sudo apt-get install -y chromium; }

# The Ukrainian catalogue (docs/i18n.md): collect the marked messages into locale/uk/LC_MESSAGES/django.po
# (translate the new entries there), then compile the .mo that is committed beside it. Needs GNU gettext.
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l uk --no-location --no-obsolete
	DEBUG=true $(BIN)/python manage.py compilemessages -l uk

# Fails, naming the messages, when the catalogue misses a message of the code, has an untranslated or
# fuzzy entry, or its .mo is not compiled from it (CI runs it after lint).
check-translations: install
	DEBUG=true $(BIN)/python manage.py check_translations

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Issue 12's metrics (bench/README.md): a small and a large synthetic PostgreSQL database, made once
# and reused; results in bench/results.json and docs/benchmarks.md.
BENCH_PLEDGES ?= 1000000
BENCH_SMALL ?= 10000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432
bench: install
	BENCH_PLEDGES=$(BENCH_PLEDGES) BENCH_SMALL=$(BENCH_SMALL) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(BIN)/python bench/harness.py $(BENCH_ARGS)

# The streaming CSV export's memory at a million rows (issue 5; bench/README.md).
bench-csv-memory: install
	$(BIN)/python bench/run.py

# The outage drill: a private PostgreSQL restarted under load; what clients saw (docs/reliability.md).
drill: install
	$(BIN)/python bench/drill.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache

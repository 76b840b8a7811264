# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# make run is a local, single-user development server: DEBUG on, anonymous reads on.
RUN_ENV := DEBUG=true PUBLIC_READ=true
# Tests run with DEBUG off, as production does; plain HTTP so the test client is not redirected.
TEST_ENV := SECRET_KEY=test-only-not-a-secret HTTPS=false

.PHONY: install run serve seed admin-password test test-fast lint format bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

seed: install
	$(RUN_ENV) $(BIN)/python manage.py seed

# Prints a new random password for the local `admin` account.
admin-password: install
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin --reset

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache

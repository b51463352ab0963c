# Warrant: `make run` serves the demo on SQLite; `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp
export WARRANT_DEMO_PASSWORD ?= warrant-demo

.PHONY: install run serve migrate demo test lint test-sqlite test-postgres format clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The production servers on this machine (README, "Production"), with DATABASE_URL and REDIS_URL as set:
# gunicorn on PORT for pages and API, uvicorn on STREAM_PORT for the live stream only (a proxy routes
# /maps/*/events/stream/ there; without one, pages poll). Ctrl-C stops both.
PORT ?= 8000
STREAM_PORT ?= 8001
serve: migrate
	$(PY) manage.py collectstatic --noinput -v0
	DB_CONN_MAX_AGE=0 $(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 --port $(STREAM_PORT) \
		--timeout-graceful-shutdown 10 & stream=$$!; trap 'kill $$stream' EXIT; \
	$(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi:application --bind 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run

# Browser tests (marked `browser`) run in a pytest process of their own; see tests/browser/conftest.py.
PYTEST := $(VENV)/bin/pytest -q

test-sqlite: install
	env -u DATABASE_URL $(PYTEST) -m "not browser"
	env -u DATABASE_URL $(PYTEST) -m browser

# Runs only when DATABASE_URL points at a PostgreSQL server (as .ci/run sets it).
test-postgres: install
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== PostgreSQL"; $(PYTEST) -m "not browser" && $(PYTEST) -m browser; \
	else echo "== DATABASE_URL not set: skipping the PostgreSQL run"; fi

test: lint test-sqlite test-postgres

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

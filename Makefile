# Two commands matter: `make run` (demo on embedded defaults) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000

.PHONY: run install messages migrate test test-postgres bench lint format clean

run: install migrate
	$(BIN)/python manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	(sleep 5; echo; echo "以案促改: http://$(ADDR)/ — log in as staff / Demo@2026 (logins above);"; \
	 echo "Ctrl-C stops the web server, the Celery worker and beat."; echo) & \
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=1 & \
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	$(BIN)/python manage.py runserver $(ADDR)

install: $(VENV)/.installed messages

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

# uv comes from PyPI into a private tool folder when the machine has none.
.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# Compiled translation catalogues are built, never committed (Babel: no GNU gettext needed).
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

migrate: install
	$(BIN)/python manage.py migrate --noinput

test: install
	$(BIN)/pytest

# The same suite on PostgreSQL (CI runs both); needs a server on 127.0.0.1:5432.
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/yianchugai} $(BIN)/pytest

# Hot paths against their raw-SQL bounds on PostgreSQL, at BENCH_MEASURES (generated once into a
# database of its own); writes docs/benchmarks.md.
BENCH_MEASURES ?= 1000000
BENCH_DATABASE ?= yianchugai_bench
bench: install
	@psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DATABASE)'" \
	  | grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(BENCH_DATABASE)"
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DATABASE) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DATABASE) \
	  $(BIN)/python manage.py bench --measures $(BENCH_MEASURES) $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .tools var

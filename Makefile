# Two commands matter: `make run` (demo on embedded defaults) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
# System packages (system-packages.txt): checked before running or testing; installed with apt-get
# when make runs as root, otherwise make stops with the `sudo apt-get install` line to run.
SYSTEM_PACKAGES := tools/system-packages.sh

.PHONY: run install messages migrate test test-fast test-postgres bench fuzz loadtest lint format clean

# Links in the demo's emails point at the address actually served, unless SITE_URL is set.
run: export SITE_URL ?= http://$(ADDR)
run:
	@$(SYSTEM_PACKAGES) install run
	@$(SYSTEM_PACKAGES) cjk-font
	@$(MAKE) --no-print-directory migrate
	$(BIN)/python manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	(sleep 5; echo; \
	 echo "以案促改已启动：http://$(ADDR)/"; \
	 echo "演示账号见上表，密码均为 Demo@2026。在首页登录：staff（纪检监察干部）、officer（单位联络员）、supervisor（督查领导）；"; \
	 echo "后台 http://$(ADDR)/admin/ 供纪检监察干部和三员（sysadmin 系统管理员、secadmin 安全管理员、auditadmin 审计管理员）使用。"; \
	 echo "邮件和消息中的链接指向 $$SITE_URL（可用 SITE_URL=… 另行指定）。"; \
	 echo "按 Ctrl-C 停止网页服务、Celery worker 和 beat。"; echo) & \
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

# The whole suite, spread over the machine's cores (pytest-xdist; a file's tests stay together, so
# what a module builds once is built once), the longest files handed out first in the order
# tests/conftest.py collects them (LONGEST_FIRST). PYTEST_WORKERS=0 runs it in one process. It
# lists its 30 slowest steps, so that a CI log shows where its time went.
PYTEST_WORKERS ?= auto
XDIST = -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
test:
	@$(SYSTEM_PACKAGES) install run test browser
	@$(MAKE) --no-print-directory install
	$(BIN)/pytest $(XDIST) --durations=30

# For development, not a substitute for `make test`: leaves out the browser tests (Chromium), the
# walk of every page as every role (tests/security/test_confidentiality.py) and the real Celery
# worker processes (tests/test_worker.py); needs no Chromium. Extra arguments: PYTEST_ARGS=….
TEST_FAST_IGNORE := --ignore=tests/browser --ignore=tests/security/test_confidentiality.py \
	--ignore=tests/test_worker.py
test-fast:
	@$(SYSTEM_PACKAGES) install run test
	@$(MAKE) --no-print-directory install
	$(BIN)/pytest $(XDIST) $(TEST_FAST_IGNORE) $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI runs both); needs a server on 127.0.0.1:5432.
test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/yianchugai} \
	  $(MAKE) --no-print-directory test

# Hot paths against their raw-SQL bounds on PostgreSQL, at each size of BENCH_MEASURES (each
# generated once into a database of its own, $(BENCH_DATABASE)_<size>): at BENCH_FULL every
# section, at the other sizes the growth curve's paths alone (BENCH_GROWTH_ARGS). Every section:
# the hot paths, then the real case: one letter of 13 items and 1,200 measures, its documents in
# fresh processes (BENCH_ARGS="--large-letter-measures N"), then the cost of the cryptography
# (SM4-GCM and the SM3 hasher against no cipher and pbkdf2_sha256); writes BENCH_OUTPUT
# (docs/benchmarks.md) and the growth curve's times beside it (docs/benchmarks-growth.json).
# One section alone: BENCH_ARGS="--real-case-only" or "--crypto-only"; the two list paths' rows
# alone: BENCH_ARGS="--lists-only". 3,000,000 too: BENCH_MEASURES="100000 1000000 3000000".
BENCH_MEASURES ?= 100000 1000000
BENCH_FULL ?= 1000000
# One province at every size: the org tree of 1,000,000 measures (5,000 units and the
# commissions); empty: one unit for every 200 measures.
BENCH_UNITS ?= 5000
BENCH_DATABASE ?= yianchugai_bench
BENCH_OUTPUT ?= docs/benchmarks.md
bench: install
	@set -e; for size in $(BENCH_MEASURES); do \
	  database=$(BENCH_DATABASE)_$$size; \
	  url=postgres://postgres@127.0.0.1:5432/$$database; \
	  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$$database'" \
	    | grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $$database"; \
	  DATABASE_URL=$$url $(BIN)/python manage.py migrate --noinput -v0; \
	  if [ "$$size" = "$(BENCH_FULL)" ]; then arguments="$(BENCH_ARGS)"; \
	  else arguments="--growth-only $(BENCH_GROWTH_ARGS)"; fi; \
	  echo "== make bench: $$size measures ($$database) $$arguments"; \
	  DATABASE_URL=$$url $(BIN)/python manage.py bench --measures $$size \
	    $(if $(BENCH_UNITS),--units $(BENCH_UNITS)) --output $(BENCH_OUTPUT) $$arguments; \
	done

# schemathesis with every check as staff, officer and supervisor, side by side, against gunicorn
# on PostgreSQL (tools/fuzz.sh; MAX_EXAMPLES, SEED); .ci/run runs it.
fuzz: install
	tools/fuzz.sh

# LOADTEST_USERS (50) discipline staff, unit officers and supervisors, arriving one a second
# (LOADTEST_SPAWN_RATE), on their pages and API lists for LOADTEST_TIME (3m: 2 minutes all in),
# against gunicorn on PostgreSQL with Redis (Locust, tools/loadtest.sh; the demo, or
# LOADTEST_FROM=yianchugai_bench_1000000 copied); writes its section of docs/benchmarks.md. About
# 4 minutes on 2 cores.
loadtest: install
	tools/loadtest.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .tools var

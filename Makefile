# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
export FINANCE_DB ?= $(CURDIR)/data/finance.duckdb

.PHONY: run test lint format chromium poppler postgresql nginx db bench soak ops-test clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Debian's Chromium renders static images (kaleido) and drives the browser tests.
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium (image export and browser tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; \
	else \
		echo "Chromium is missing: run 'sudo apt-get install -y chromium' for image export and browser tests."; \
	fi

# Debian's poppler-utils: the export tests open each briefing PDF page by page (pdftoppm) and look at it.
poppler:
	@if command -v pdftoppm >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's poppler-utils (the briefing tests render PDF pages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	else \
		echo "pdftoppm is missing: run 'sudo apt-get install -y poppler-utils' for the briefing tests."; \
	fi

# Debian's PostgreSQL server: the tests start a throwaway cluster of it for the shared store (DuckLake catalog).
postgresql:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's postgresql (throwaway catalog for the shared-store tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL is missing: run 'sudo apt-get install -y postgresql' for the shared-store tests."; \
	fi

# Debian's nginx, for `make ops-test` (docs/operations.md: nginx in front of the replicas).
nginx:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's nginx (the runbook check)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	else \
		echo "nginx is missing: run 'sudo apt-get install -y nginx' for make ops-test."; exit 1; \
	fi

db: $(VENV)/.runtime
	$(PY) -m data build --if-absent

# Local mode serves only a browser that brings this run's token (see README: Local mode and proxies).
run: $(VENV)/.runtime chromium db
	@token="$${FINANCE_LOCAL_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(24))')}"; \
	echo "Open http://127.0.0.1:$(PORT)/?token=$$token (local mode; with sign-in configured, the token is not needed)"; \
	FINANCE_LOCAL_TOKEN="$$token" exec $(VENV)/bin/streamlit run serve.py --server.address 127.0.0.1 --server.port $(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The soak runs on its own after the rest: beside three other workers' browsers, a healthy page on two cores
# took over its 90 s wait to draw, so the soak measured the suite, not the app under its four browsers.
# Both parts run; either failing fails the target.
test: $(VENV)/.dev chromium poppler postgresql lint
	$(PY) -m pytest -n 4 --dist loadfile --durations=15 -m "not soak"; rest=$$?; \
	$(PY) -m pytest -m soak; soak=$$?; \
	test $$rest -eq 0 -a $$soak -eq 0

# A longer soak than the one `make test` runs: four browsers for SOAK_SECONDS (default 120 here).
soak: $(VENV)/.dev chromium
	SOAK_SECONDS=$${SOAK_SECONDS:-120} $(PY) -m pytest -m soak -ra

bench: $(VENV)/.dev chromium postgresql
	$(PY) -m bench

# docs/operations.md followed on this machine: PostgreSQL with TLS, two replicas, nginx, a 15 MB upload, a
# 30-second PostgreSQL outage while a browser sends a note, a backup and a restore (ops/runbook_check.sh).
ops-test: $(VENV)/.dev chromium postgresql nginx
	PATH="$$PATH:/usr/sbin" ops/runbook_check.sh

clean:
	rm -rf $(VENV) .pytest_cache test-output

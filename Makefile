# Two commands: `make run` (set everything up, then start web + worker + beat) and `make test`.
#
#   make run            http://127.0.0.1:8000 (PORT=8001 make run for another port)
#   make test           the whole suite on the embedded default (SQLite, filesystem broker),
#                       browser and accessibility (axe) tests included: Chromium is installed
#                       first where it can be (root or password-less sudo, with apt-get)
#   make test PYTEST_ARGS="-k calendar -x"
#   make browsers       install Chromium for the browser tests (Debian's package, as .ci/run)
#
# Configuration is by environment variables only (README "Configuration").

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := $(or $(PORTAL_VAR_DIR),var)
PORT ?= 8000
HOST ?= 127.0.0.1
SEED_ARGS ?=
PYTEST_ARGS ?=
CHROMIUM := $(or $(CHROMIUM_PATH),/usr/bin/chromium)
APT_CHROMIUM := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null

# The local demo runs with DEBUG on (dev secret key accepted); `make test` turns it off.
export DEBUG ?= 1
export PORT HOST

.PHONY: run test browsers browsers-if-possible venv migrate seed lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Runtime and tooling (requirements-dev.txt includes requirements.txt); reinstalled only when
# either file is newer than the stamp.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

# Demo data once per database; `make clean` (which deletes var/) seeds again next time.
seed: migrate
	@if [ -f $(VAR)/.seeded ]; then echo "Demo data already loaded ($(VAR)/.seeded)."; \
	else $(BIN)/python manage.py seed_demo $(SEED_ARGS) \
	  || { echo "make: seed_demo failed: no demo data loaded" >&2; exit 1; }; \
	  touch $(VAR)/.seeded; fi

# honcho starts web, worker and beat together; one Ctrl-C stops all three.
run: seed
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Portal: http://$(HOST):$(PORT)/  (Ctrl-C stops web, worker and beat)"
	$(BIN)/honcho start -f Procfile -p $(PORT)

test: venv browsers-if-possible
	DEBUG=0 $(BIN)/pytest $(PYTEST_ARGS)

# Chromium as .ci/run installs it, when nothing has to be asked: as root, or through password-less
# sudo, with apt-get. Otherwise the browser tests skip and the run's last line says how many and how
# to enable them (CI, with PORTAL_REQUIRE_SERVICES=1, fails on any skip).
browsers-if-possible:
	@[ -x "$(CHROMIUM)" ] || ! command -v apt-get >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else exit 0; fi; \
	  echo "Chromium is missing: installing Debian's chromium package for the browser tests (as .ci/run does)"; \
	  $$sudo sh -c '$(APT_CHROMIUM)' || echo "make: could not install Chromium; the browser tests will be skipped" >&2; }

browsers:
	@if [ -x "$(CHROMIUM)" ]; then echo "Chromium is installed: $(CHROMIUM)"; exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "make browsers: no apt-get here; install Chromium and set CHROMIUM_PATH" >&2; exit 1; }; \
	if [ "$$(id -u)" = 0 ]; then sh -c '$(APT_CHROMIUM)'; else sudo sh -c '$(APT_CHROMIUM)'; fi; \
	/usr/bin/chromium --version

# Style, and the dependency rule between the apps (.importlinter).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Every bench/*.py except helpers (_*.py, __init__.py); they print ratios, not pass/fail.
bench: venv
	@set -e; found=0; for f in bench/*.py; do \
	  case "$$(basename "$$f")" in _*) continue;; esac; [ -f "$$f" ] || continue; \
	  found=1; echo "== $$f"; PYTHONPATH=. $(BIN)/python "$$f"; \
	done; [ $$found = 1 ] || echo "No benchmarks in bench/ yet (they come with the requests issue)."

# Deletes the local database, broker queue, collected static files and media.
clean:
	rm -rf $(VAR)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

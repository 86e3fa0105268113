# chukai — `make run` and `make test` work on a fresh machine (Debian/Ubuntu with python3).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000
CHROMIUM ?= /usr/bin/chromium

# Playwright drives Debian's chromium; it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup run serve demo test lint typecheck pytest browser bench worker clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

## setup: build .venv with everything (app, tests, linters)
setup: $(STAMP)

# `make run` is the production server on a developer's machine: DEBUG off, a secret key
# generated once into var/secret_key (unless DJANGO_SECRET_KEY is set), plain http on loopback
# (CHUKAI_HTTPS=0: no SSL redirect, no Secure-only cookies). DJANGO_DEBUG=1 make run for tracebacks.
SECRET_FILE := var/secret_key
RUN_ENV = DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SECRET_FILE))}" CHUKAI_HTTPS=$${CHUKAI_HTTPS:-0}

$(SECRET_FILE):
	@mkdir -p var
	@umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_FILE)

## run: migrate the SQLite default, load the demo data, serve site + API (gunicorn) + worker on $(ADDR)
run: setup $(SECRET_FILE)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	@echo "emails are printed here unless EMAIL_BACKEND / EMAIL_HOST say otherwise"
	$(RUN_ENV) EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} \
		$(BIN)/python manage.py serve --addr $(ADDR)

demo: setup $(SECRET_FILE)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo

worker: setup $(SECRET_FILE)
	$(RUN_ENV) $(BIN)/python manage.py run_worker

## browser: Debian's chromium for the browser tests (apt-get only when it is missing)
browser:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="chromium"; \
	dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || missing="$$missing fonts-ipafont-gothic"; \
	if [ -z "$$missing" ]; then \
		echo "browser: $(CHROMIUM) and a Japanese font present"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
		echo "browser: installing Debian's$$missing with apt-get"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null && \
		test -x "$(CHROMIUM)" || { echo "browser: could not install chromium" >&2; exit 1; }; \
	else \
		echo "browser: no apt-get and no$$missing; browser tests will be skipped" >&2; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy chukai config

pytest: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test: lint, format check, types, the whole suite (on $$DATABASE_URL, SQLite in memory by default)
# pytest's exit 5 (no test collected, e.g. a -k or -m that matches nothing) is reported, not failed.
test: setup browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy chukai config
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no test was collected (exit 5)"; rc=0; fi; exit $$rc

## bench: benchmarks on PostgreSQL (scratch database chukai_bench); not tests
bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) db.sqlite3 var

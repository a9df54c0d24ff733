# CO-RESP: everyday commands. `make run` starts the platform, `make test` runs the whole suite.
#
# PYTHON is the interpreter the virtual environment is made from. Inside this folder `python3`
# is pyenv's 3.12 (see .python-version); Django 6 needs 3.12 or newer.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The Nu HTML checker (vnu-jar, pinned in package-lock.json) that tests/test_html_valid.py runs.
NODE_STAMP := node_modules/.installed
PYTEST_ARGS ?=
# The development server's port: `make run PORT=8001`. Links in emails follow it (SITE_URL).
PORT ?= 8000

# DATABASE_URL, REDIS_URL and REQUIRE_SERVICES reach the tests from the environment or the command
# line (`make test REQUIRE_SERVICES=1`): make passes both on by itself, and an unset one stays unset.
# Test defaults such as SECRET_KEY live in [tool.pytest_env] in pyproject.toml, not here.

.DEFAULT_GOAL := help
.PHONY: help venv install run test lint lock demo messages clean

help:
	@echo "make run      start the platform on http://127.0.0.1:$(PORT)/ with the demo project (PORT=8001 for another port)"
	@echo "make test     run the test suite (PYTEST_ARGS='-k name' to narrow it)"
	@echo "make lint     ruff, ruff format --check, mypy, missing migrations, text not marked for translation"
	@echo "make lock     regenerate requirements.lock from pyproject.toml"
	@echo "make demo     migrate and load the demo project"
	@echo "make messages update the translation catalogues (locale/) and compile them"
	@echo "make install  create $(VENV) and install requirements.lock (and, with npm, the HTML checker)"
	@echo "make clean    remove $(VENV), caches and generated files (keeps var/coresp.sqlite3)"

# Checked on every run, not only when .venv is created, so a wrong interpreter is always named.
venv:
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 12))" 2>/dev/null || { \
		echo "error: CO-RESP needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Install 3.12 (e.g. 'pyenv install 3.12') or run 'make venv PYTHON=/path/to/python3.12'." >&2; \
		exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c "import sys; sys.exit(sys.version_info < (3, 12))"; then \
		echo "error: $(VENV) was made with $$($(PY) --version 2>&1); run 'make clean' first." >&2; \
		exit 1; fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }

install: venv $(STAMP) $(NODE_STAMP)

# Re-installs only when requirements.lock is newer than the stamp.
$(STAMP): requirements.lock | venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

# Optional: without npm the HTML check skips (fails with REQUIRE_SERVICES=1) and the rest runs.
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's Java runs it.
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts && touch $(NODE_STAMP); \
	else \
		echo "npm not found: the Nu HTML check (tests/test_html_valid.py) will be skipped"; \
	fi

run: install
	@PYTHON="$(PYTHON)" PORT="$(PORT)" bin/run

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Runs every check and fails at the end, so one run shows all the problems. DEBUG=1 only lets the
# settings load without a SECRET_KEY (mypy's Django plugin and makemigrations import them).
lint: install
	@status=0; \
	echo "== ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== mypy"; DEBUG=1 $(VENV)/bin/mypy . || status=1; \
	echo "== makemigrations --check"; DEBUG=1 $(PY) manage.py makemigrations --check --dry-run || status=1; \
	echo "== translations (bin/check_i18n.py)"; $(PY) bin/check_i18n.py || status=1; \
	exit $$status

lock: venv
	@[ -x $(VENV)/bin/uv ] || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip compile pyproject.toml --group dev --python-version 3.12 -o requirements.lock

demo: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo

# The shipped languages besides English (the source). Needs gettext (msgfmt, xgettext).
LANGS := de fr es bg
I18N_IGNORE := --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'demo/*'

messages: install
	DEBUG=1 $(PY) manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --no-obsolete \
		--add-location file $(I18N_IGNORE)
	DEBUG=1 $(PY) manage.py compilemessages $(I18N_IGNORE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-results node_modules
	rm -rf var/static var/test var/log var/celerybeat-schedule*
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

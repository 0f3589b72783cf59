# The two commands: `make serve` and `make test`. Everything else they need, they install.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: serve test lint install browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Browser tests drive Debian's chromium (with a font for Korean names in the screenshots);
# install them when they are missing and we may.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; } || \
	  echo "chromium is not installed: browser tests will be skipped"

serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install browser lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

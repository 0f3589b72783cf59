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

# This checkout's own SECRET_KEY, made once and never committed: with DEBUG off the app refuses
# to start without a key (config/secret_key.py), and a SECRET_KEY in the environment wins.
LOCAL_SECRET_KEY := .local-secret-key
$(LOCAL_SECRET_KEY): | $(BIN)/python
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Browser tests drive Debian's chromium (with a font for Korean names in the screenshots);
# install them when they are missing and we may.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; } || \
	  echo "chromium is not installed: browser tests will be skipped"

serve: install $(LOCAL_SECRET_KEY)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# `check --deploy` as production runs the app: DEBUG off, a key of its own, HTTPS behind a proxy
# that ends TLS (README, "Production").
DEPLOY_CHECK_ENV := DEBUG=false SECRET_KEY= SECRET_KEY_FILE=$(LOCAL_SECRET_KEY) \
	ALLOWED_HOSTS=contacts.example.com SECURE_COOKIES=true SECURE_SSL_REDIRECT=true \
	SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=true SECURE_HSTS_PRELOAD=true \
	SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https

test: install $(LOCAL_SECRET_KEY) browser lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	env $(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m pytest

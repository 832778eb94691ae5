# Sanxiang: `make run` serves the demo, `make test` runs every check, `make bench` the benchmarks.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
VENV_STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export SANXIANG_VAR_DIR ?= $(CURDIR)/var

.PHONY: setup run serve test lint typecheck migrations-check unit bench system-deps browser-deps clean

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A real CJK font for PDFs and screenshots (Debian's Noto CJK), installed once.
system-deps:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "Installing fonts-noto-cjk (CJK font for documents)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# Debian's Chromium for the Playwright tests, and poppler for checking PDFs.
browser-deps: system-deps
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || { \
	  echo "Installing chromium and poppler-utils (browser tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; }

$(SANXIANG_VAR_DIR)/secret_key:
	mkdir -p $(SANXIANG_VAR_DIR)
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

setup: $(VENV_STAMP) $(NODE_STAMP) system-deps $(SANXIANG_VAR_DIR)/secret_key

run: setup
	SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key $(PY) manage.py migrate --noinput
	SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key $(PY) manage.py load_demo
	SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key $(PY) manage.py seal_keys --demo
	SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key $(PY) manage.py records_cleanup
	SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key $(PY) manage.py schedule_tasks
	@echo "工作台 http://$(HOST):$(PORT)/   公示平台 http://$(HOST):$(PORT)/gongshi/"
	export SANXIANG_SECRET_KEY_FILE=$(SANXIANG_VAR_DIR)/secret_key; \
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# Production: gunicorn (several workers, threads) with WhiteNoise serving the hashed, compressed
# files collectstatic wrote, and the task worker beside it. DEBUG is off; the workers share the
# portal's cache through SANXIANG_CACHE_URL (a file cache under var/ unless it names Redis).
WORKERS ?= 3
# ECharts ships 50 MB of builds the pages never load (only echarts.min.js): not collected.
STATIC_IGNORE := -i 'echarts.js' -i 'echarts.js.map' -i 'echarts.common*' -i 'echarts.esm*' \
  -i 'echarts.simple*' -i extension
THREADS ?= 4
serve: setup
	export SANXIANG_DEBUG=0 SANXIANG_SECRET_KEY_FILE=$${SANXIANG_SECRET_KEY_FILE:-$(SANXIANG_VAR_DIR)/secret_key} \
	  SANXIANG_CACHE_URL=$${SANXIANG_CACHE_URL:-file://$(SANXIANG_VAR_DIR)/cache}; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 $(STATIC_IGNORE) && \
	{ $(PY) manage.py db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  .venv/bin/gunicorn sanxiang.wsgi:application --bind $(HOST):$(PORT) \
	    --workers $(WORKERS) --worker-class gthread --threads $(THREADS) \
	    --access-logfile - --log-level warning; }

lint: $(VENV_STAMP)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: $(VENV_STAMP)
	SANXIANG_DEBUG=1 .venv/bin/mypy sanxiang

migrations-check: $(VENV_STAMP)
	SANXIANG_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# pytest exits 5 when it collects nothing; that is not a failure of the suite.
unit: setup browser-deps
	SANXIANG_DEBUG=1 $(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

test: lint typecheck migrations-check unit

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf .venv node_modules var/staticfiles

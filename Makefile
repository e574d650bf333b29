# Kechuang — two commands: `make run` (install, migrate, demo data, serve) and `make test` (both databases).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432
STAMP := $(VENV)/.installed

.PHONY: install run dev test test-sqlite test-pg lint bench browser office report-image clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)  ## the .venv with the locked dependencies

var:
	mkdir -p var

run: install var  ## migrate, load the demo data if the database is empty, serve with gunicorn
	$(BIN)/kechuang migrate --noinput -v0
	$(BIN)/kechuang load_demo --if-empty
	$(BIN)/kechuang collectstatic --noinput -v0
	@echo ""
	@echo "  科创 Kechuang: http://$(HOST):$(PORT)/   (演示账号见上，密码 Demo-Pass-2026；如 city_officer)"
	@echo ""
	$(BIN)/gunicorn kechuang.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --worker-class sync \
		--access-logfile - --forwarded-allow-ips 127.0.0.1

dev: install var  ## Django's autoreloading development server
	$(BIN)/kechuang migrate --noinput -v0
	$(BIN)/kechuang load_demo --if-empty
	$(BIN)/kechuang runserver $(HOST):$(PORT)

browser:  ## the system Chromium for the end-to-end test (Debian package `chromium`, plus CJK fonts)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "请先安装 Chromium：sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; }

office:  ## LibreOffice and poppler, to render a .docx page as PNG (Debian packages, plus CJK fonts)
	@command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils fonts-noto-cjk >/dev/null; \
	  else echo "请先安装 LibreOffice 与 poppler：sudo apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk"; exit 1; fi; }

REPORT_REGION ?= 320100000000
REPORT_YEAR ?= 2024
report-image: install office var  ## docs/img/annual-report.png: the demo city's annual summary, first two pages
	$(BIN)/kechuang migrate --noinput -v0
	$(BIN)/kechuang load_demo --if-empty
	$(BIN)/kechuang report annual --region $(REPORT_REGION) --year $(REPORT_YEAR) --as-of $(REPORT_YEAR)-12-31 \
		--out var/annual-report.docx
	$(BIN)/python docs/tools/render_page.py var/annual-report.docx docs/img/annual-report.png

test: install browser test-sqlite test-pg  ## the whole suite on SQLite, then on PostgreSQL

test-sqlite: install
	@echo "== 测试 · SQLite =="
	KECHUANG_AUDIT_PURGE_ALLOWED=1 $(BIN)/pytest -q -p no:cacheprovider

test-pg: install
	@echo "== 测试 · PostgreSQL =="
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  KECHUANG_AUDIT_PURGE_ALLOWED=1 DATABASE_URL="$(PG_URL)/kechuang_ci_$$$$" $(BIN)/pytest -q -p no:cacheprovider --create-db; \
	else \
	  echo ""; echo "!!!!!!!! PostgreSQL 不可达（$(PG_URL)）：PostgreSQL 测试未运行 !!!!!!!!"; echo ""; \
	  if [ "$$KECHUANG_REQUIRE_PG" = "1" ]; then echo "KECHUANG_REQUIRE_PG=1：视为失败。"; exit 1; fi; \
	fi

lint: install var  ## ruff and a missing-migrations check
	$(BIN)/ruff check .
	$(BIN)/kechuang makemigrations --check --dry-run

bench: install  ## every benchmark in bench/, one JSON per figure in bench/results/
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var bench/results

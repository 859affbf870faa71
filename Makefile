# Linkscope: `make run` serves the explorer, `make test` runs the whole suite.
# Both set up everything they need first (a .venv with the project and its test tools,
# Debian's chromium for the browser tests and Debian's PostgreSQL server for the database tests).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp
FTM_STAMP := $(VENV)/.ftm-stamp

.PHONY: run test check lint typecheck bench load fuzz hostile faults reliability browser-deps postgres-deps ftm-extra schema ftm-schemata clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,postgres]'
	touch $(STAMP)

# Browser tests drive Debian's chromium through Playwright (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The PostgreSQL store's tests start throwaway clusters with Debian's server programs (initdb, pg_ctl).
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "Installing Debian's PostgreSQL server for the database tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# FollowTheMoney's own library (the [ftm] extra) for the tests that check against it. It builds
# PyICU from source, which needs Debian's ICU headers, pkg-config and a C++ compiler.
$(FTM_STAMP): $(STAMP)
	@for pkg in libicu-dev pkg-config g++; do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing to build PyICU..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	$(BIN)/python -m pip install --quiet -e '.[test,dev,postgres,ftm]'
	touch $(FTM_STAMP)

ftm-extra: $(FTM_STAMP)

run: $(STAMP)
	$(BIN)/linkscope serve --host $(HOST) --port $(PORT)

test: $(STAMP) browser-deps postgres-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP) postgres-deps
	$(BIN)/python -m bench

# Reliability (docs/reliability.md): each claim there is reproduced by one of these.
# 64 clients for 60 s against `linkscope serve`, bundled data and a 1M-entity FtM file.
load: $(STAMP)
	$(BIN)/python -m bench.load

# The API contract test with many more generated cases than `make test` runs.
fuzz: $(STAMP)
	LINKSCOPE_FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest tests/test_api_contract.py

# Oversized and pathological requests; hostile data through validation, explorer and exports.
hostile: $(STAMP) browser-deps
	$(BIN)/python -m pytest tests/test_hostile_http.py tests/test_hostile_exports.py tests/browser/test_hostile_data.py

# Reloads, faults while watching, requests in flight, clients leaving mid-export.
faults: $(STAMP)
	$(BIN)/python -m pytest tests/test_reload.py

reliability: fuzz hostile faults load

# Regenerate the committed JSON Schema after changing graph/models.py.
schema: $(STAMP)
	$(BIN)/linkscope schema -o docs/schema/data-file.schema.json

# Regenerate graph/ingest/ftm/schemata.json from the followthemoney library (builds PyICU: about a minute).
ftm-schemata: $(FTM_STAMP)
	$(BIN)/python tools/ftm_schemata.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

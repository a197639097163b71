# Two commands for a fresh machine: `make run` (the demo against the local sandbox) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install migrate worker scheduler lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python -m sandbox.demo --port $(PORT)

migrate: install
	$(BIN)/flask --app app migrate

# The suite runs twice, the first time in PYTEST_WORKERS parallel processes (pytest-xdist; each has
# its own redis-server, databases, emulator ports and browser). The default is one process: in 4,
# 3 of 4 full runs had one jobs test time out waiting on its workers (a listing not active, a stock
# value not sent), never the same, none alone; `make test PYTEST_WORKERS=4` runs in about 8 min:
# 1. every test on SQLite;
# 2. on PostgreSQL (a throwaway server started here) the tests that use a database (tests/
#    conftest.py deselects the rest, e.g. tests/mapping, which ran in 1 and cannot differ), less
#    the browser tests and the slow journeys, in one process: in 4 processes two full runs each
#    had one jobs test whose published listings did not all turn active within its 120 s wait
#    (not seen on SQLite or alone; cause not found yet).
PYTEST_WORKERS ?= 0
XDIST := -n $(PYTEST_WORKERS) --dist load --maxschedchunk 1
test: install
	scripts/os-packages.sh
	PG_URL=$$(scripts/test-postgres.sh start) && \
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS) && \
	CROSSPORT_TEST_DB=postgres CROSSPORT_TEST_POSTGRES_URL=$$PG_URL \
	  $(BIN)/python -m pytest -m "not browser and not slow" -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	for b in bench/*_bench.py; do $(BIN)/python $$b || exit 1; done

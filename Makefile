# Scapula — the two commands of the README:
#   make run    the web app on http://127.0.0.1:8000 (scapula serve)
#   make test   every test, with the system packages and servers the tests need
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/scapula serve

system-deps:
	bash scripts/system-deps.sh

# one worker per core, at most four (each may drive a browser or the pose model)
TEST_WORKERS ?= auto

test: $(STAMP) system-deps
	bash scripts/with-postgres.sh $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

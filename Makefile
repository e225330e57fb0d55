# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist processes for `make test`: each has its own databases, live server and browser.
TEST_WORKERS ?= 2

.PHONY: run test install bench fuzz clean system-packages lint lock

# The locked dependencies and test extras (requirements.lock, with hashes), then the project without
# resolving again; pip check fails if pyproject.toml asks for what the lock lacks (README: update it).
$(STAMP): pyproject.toml requirements.lock tests/example_plugin/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m pip check
# the radar charts of .docx reports (kaoping[charts]) need Debian's libcairo2-dev to build; without it, tables
	@if pkg-config --exists cairo 2>/dev/null && $(BIN)/python -m pip install -q -e ".[charts]"; then :; else \
	  echo "note: .docx reports show radar charts as tables; for the charts: apt-get install -y libcairo2-dev" \
	    "pkg-config && $(BIN)/python -m pip install -e '.[charts]'"; fi
	$(BIN)/python -m pip install -q --no-deps -e tests/example_plugin
	@touch $(STAMP)

install: $(STAMP)

## Set up, migrate the SQLite database under var/, load the demo locality, serve on :8000.
run: $(STAMP)
	$(BIN)/kaoping db upgrade
	$(BIN)/kaoping demo
	$(BIN)/kaoping serve

## The whole suite: SQLite always, PostgreSQL when a server answers (required in CI). It ends with
## its 30 slowest tests (setup and call apart) and the files and tests that cost most CPU
## (tests/cpu_report.py): where the suite's time goes, run after run.
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=30 --cpu-report=30

## Write requirements.lock again from pyproject.toml, keeping its pins (LOCK_ARGS=--upgrade: newest
## releases; LOCK_ARGS="--upgrade-package NAME": one); uv is installed into .venv for it.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --annotation-style line \
	  --custom-compile-command "make lock" $(LOCK_ARGS) -o requirements.lock

## House rules: ruff's lint rules and its formatting ([tool.ruff] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The Debian packages the tests use (browser, PDF and QR tools, CJK font): one line if any is missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	[ -d /usr/share/poppler/cMap ] || missing="$$missing poppler-data"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  echo "make test needs these Debian packages:$$missing; install them with: apt-get install -y$$missing"; \
	  exit 1; \
	fi

## Every benchmark (or BENCH="name ..."), figures into bench/results/latest.json; BENCH_ARGS="--quick"
## for a small smoke run (into bench/results/quick.json), "--backend sqlite" for one database.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH) $(BENCH_ARGS)

## schemathesis over every API operation, longer than the suite's run: 300 examples an operation
## and the stateful phase, on SQLite and PostgreSQL (KAOPING_FUZZ_EXAMPLES, _SEED, _PHASES change it).
fuzz: $(STAMP)
	KAOPING_FUZZ_EXAMPLES=$${KAOPING_FUZZ_EXAMPLES:-300} \
	KAOPING_FUZZ_PHASES=$${KAOPING_FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
	KAOPING_FUZZ_SECONDS=$${KAOPING_FUZZ_SECONDS:-3600} \
	$(BIN)/python -m pytest tests/core/web/test_openapi_fuzz.py -s

clean:
	rm -rf $(VENV) var .pytest_cache

# Two commands on a fresh machine: `make demo` and `make test`; `make serve` shows the dashboard.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo serve assets test install install-dev lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[postgres,learn,service]'
	touch $@

$(STAMP_DEV): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

demo: $(STAMP_RUN)
	$(BIN)/leadscore demo --output demo-output

serve: $(STAMP_RUN)
	$(BIN)/leadscore serve-demo --output demo-output

# The dashboard's vendored JavaScript (htmx, uPlot, CodeMirror): built from frontend/package-lock.json;
# the output in leadscore/service/dashboard/static/vendor/ is committed, so installing never needs npm.
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check leadscore tests benchmarks

lint: $(STAMP_DEV)
	$(BIN)/ruff check leadscore tests benchmarks

bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/bench_score.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis

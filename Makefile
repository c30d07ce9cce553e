# The README's commands: `make run` and `make test` set everything up on first use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f \( -name '*.sql' -o -name '*.yml' \) -print)

export SALES_INBOX ?= $(CURDIR)/data/inbox
export SALES_WAREHOUSE ?= $(CURDIR)/data/warehouse.duckdb
export SALES_PUBLISH_DIR ?= $(CURDIR)/data/published
export SALES_REJECTED_DIR ?= $(CURDIR)/data/rejected
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
UI_HOST ?= 127.0.0.1
UI_PORT ?= 3000

.PHONY: setup run test ui bench lint clean sql mf faults

setup: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml

$(STAMP): pyproject.toml constraints.txt
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# dagster-dbt reads the manifest when the definitions load; rebuild it whenever a model changes.
$(MANIFEST): $(STAMP) $(DBT_FILES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $(MANIFEST)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: setup
	@[ -d "$(SALES_INBOX)/sample" ] || $(BIN)/salesmetrics sample --out "$(SALES_INBOX)/sample"
	$(BIN)/salesmetrics run

# The analysts' copy (data/analytics.duckdb) in the DuckDB shell, read-only: it never blocks a run.
sql: setup
	$(BIN)/salesmetrics sql

# MetricFlow on the warehouse, read-only (profile target `semantic`), e.g.
#   make mf ARGS="query --metrics revenue,win_rate --group-by metric_time__month --order metric_time__month"
mf: setup
	cd dbt_project && DBT_TARGET=semantic ../$(BIN)/mf $(ARGS)

# Two workers, one test file each at a time (a file's tests share its warehouse). Their temporary folders are in
# RAM (/dev/shm) where it has 4 GiB free: no test needs its warehouses to survive a crash, and the disk syncs of
# DuckDB's checkpoints and SQLite's commits took a third of the slowest files' time. Elsewhere the system's.
TEST_TMPDIR ?= $(shell d=/dev/shm; [ -d $$d ] && [ -w $$d ] && \
	[ "$$(df -Pk $$d | awk 'NR == 2 {print $$4}')" -gt 4194304 ] 2>/dev/null && echo $$d)
test: setup
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR) )$(BIN)/python -m pytest -n 2 --dist loadfile

# dagster dev runs dagster-dbt's prepare_if_dev (dbt parse): the venv's tools come first on PATH, and the dbt
# executable is also resolved beside the Python (pipelines/defs/transform/project.py) however dagster starts.
ui: export PATH := $(CURDIR)/$(BIN):$(PATH)
ui: setup
	$(BIN)/dagster dev --workspace workspace.yaml --host $(UI_HOST) --port $(UI_PORT)

bench: setup
	$(BIN)/python benchmarks/bench.py --scale $(or $(SCALE),1000000) --engine $(or $(ENGINE),duckdb)

# Crash safety: SIGKILL `salesmetrics run` (20 times) and `publish` (10) at seeded random moments, rerun after
# each, and check what is left (tests/faults/harness.py, docs/crash-safety.md); work files in data/faults/.
# A short version (3 chained kills each) runs in `make test`; alone: .venv/bin/python -m pytest -m faults
# Then load (tests/faults/load.py): an hour of sensor ticks every 30 s (simulated) while LOAD_DAYS daily exports of
# LOAD_SCALE opportunities drop in, some during a run; each file loaded once, no run failed, marts equal a clean run.
# `make faults LOAD_ONLY=1`: the load alone. Short version (not in `make test`): .venv/bin/python -m pytest -m load
faults: setup
ifndef LOAD_ONLY
	$(BIN)/python -m tests.faults.harness --run-kills $(or $(RUN_KILLS),20) --publish-kills $(or $(PUBLISH_KILLS),10) --scale $(or $(SCALE),3000)
endif
	$(BIN)/python -m tests.faults.load --scale $(or $(LOAD_SCALE),500) --days $(or $(LOAD_DAYS),6)

# ruff on the Python; sqlfluff on the SQL, rendered by dbt (.sqlfluff: profile target `lint`, an in-memory DuckDB,
# so no warehouse is needed), compiling into its own target directory so the pipeline's manifest is left alone.
SQL_DIRS := $(wildcard dbt_project/models dbt_project/macros dbt_project/tests dbt_project/snapshots dbt_project/analyses)
lint: $(STAMP)
	$(BIN)/ruff check pipelines tests benchmarks
	$(BIN)/ruff format --check pipelines tests benchmarks
	DBT_TARGET_PATH=target-lint $(BIN)/sqlfluff lint --processes 2 $(SQL_DIRS)

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs

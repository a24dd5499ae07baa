# Vatra: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n auto

.PHONY: install run test lint worker bench faults load clean

install: $(VENV)/.installed

# The test plugin vatra_hello is never installed here (the tests install it into a throwaway directory,
# tests/conftest.py); an environment made by an older Makefile loses it.
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/python -m pip uninstall --quiet --yes vatra-hello 2>/dev/null || true
	touch $@

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

run: install instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/vatra db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/vatra demo load
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/vatra serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache  # the import contracts of .importlinter

worker: install instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/vatra worker

# needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); both scripts say so and stop when it is missing
bench: install
	$(BIN)/python benchmarks/generate.py
	$(BIN)/python benchmarks/run.py

# fault injection: private Redis/PostgreSQL stopped under load, workers killed, concurrent edits (also in make test);
# one process, so each test prints its figures
faults: install
	$(BIN)/python -m pytest tests/faults -m faults -p no:cacheprovider -s $(FAULTS_ARGS)

# 50 API clients for 60 s against gunicorn on PostgreSQL; prints the figures (LOAD_ARGS="--clients 20 --duration 15")
load: install
	$(BIN)/python scripts/load_test.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) instance build *.egg-info

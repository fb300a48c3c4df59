# The newcomer's two commands: `make run` and `make test`. Both set up what is
# missing (Debian packages, .venv, the native build) and are safe to repeat.
PYTHON := .venv/bin/python
BUILD_DIR := build/dev
export PYTHONPATH := $(CURDIR)/python
# Paths relative to the checkout in ccache's hash, so every clone and worktree shares hits.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: setup build run test lint test-cpp test-python bench bench-pyflink docs clean

setup:
	@bash scripts/setup.sh

# Configures once, then rebuilds incrementally (ninja + ccache, 2 jobs).
build: setup
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DPython_EXECUTABLE=$(CURDIR)/$(PYTHON) >/dev/null; \
	fi
	@cmake --build $(BUILD_DIR) -j 2

run: build
	$(PYTHON) -m fluvial run examples/word_count.py

test: build lint test-cpp test-python

lint:
	.venv/bin/ruff check python tests examples bench scripts

test-cpp:
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2

test-python:
	$(PYTHON) -m pytest tests/python -q

bench: build
	$(PYTHON) bench/datastream_pipeline.py
	$(PYTHON) bench/keyed_timers.py
	$(PYTHON) bench/window_aggregation.py
	$(PYTHON) bench/lookup_join.py

# Fluvial beside PyFlink (downloads apache-flink into bench/pyflink/.venv once).
bench-pyflink: build
	bash bench/pyflink/run.sh
	bash bench/nexmark/run.sh --events 1000000

# The documentation site (mkdocs.yml, pages in docs/) into build/site; warnings are errors.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs build --strict --site-dir build/site

clean:
	rm -rf build

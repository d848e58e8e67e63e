# The two commands of the README:
#   make demo   sets everything up from nothing and runs the main job on the built-in default
#   make test   sets everything up from nothing and runs lint, types and the whole test suite
# Both create .venv and install the pinned dependency set (constraints.txt) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench golden install constraints clean-venv redis-server

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e . --group dev
	touch $(STAMP)

install: $(STAMP)

# The main job on a built-in default: render the demo news site (20 stories in boilerplate-heavy
# layouts), serve it on 127.0.0.1, crawl its feed with `scrapy crawl news`, write JSONL + WARC under
# output/, and print a summary. Exits non-zero if any boilerplate or story paragraph is wrong.
demo: $(STAMP)
	$(BIN)/python -m demo.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The distributed-crawl tests start a real Redis server: Debian's redis-server, installed if missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
redis-server:
	@command -v redis-server >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y -q redis-server || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q redis-server; }; }

test: lint redis-server
	$(BIN)/scraper profiles check
	$(BIN)/python -m pytest

# Quality and speed against plain trafilatura on the public benchmarks AEB and WCXB (not part of test;
# BENCHMARKS.md has the figures, the other benchmarks and where the data sets come from). Point AEB= and
# WCXB= at your copies: make bench AEB=~/data/aeb WCXB=~/data/wcxb-dev
AEB ?= ../shared/aeb
WCXB ?= ../shared/wcxb-dev
bench: $(STAMP)
	@for dir in $(AEB) $(WCXB); do \
	  test -f $$dir/ground-truth.json || test -d $$dir/ground-truth || { \
	    echo "make bench: no benchmark data set in $$dir (give its folder: make bench AEB=DIR WCXB=DIR)"; \
	    $(BIN)/python -c 'import sys; sys.path.insert(0, "bench"); import datasets; print(datasets.WHERE)'; \
	    exit 2; }; \
	done
	$(BIN)/python bench/quality.py $(AEB)
	$(BIN)/python bench/quality.py $(WCXB)
	$(BIN)/python bench/pathological.py

# Regenerate every golden expected.json from the current code; review the diff before committing.
golden: $(STAMP)
	$(BIN)/scraper golden update

# Re-pin the tested dependency set from a fresh resolution of pyproject.toml.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	.venv-pin/bin/python -m pip install --quiet -e . --group dev
	{ sed -n '1,2p' constraints.txt; .venv-pin/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-pin

clean-venv:
	rm -rf $(VENV)

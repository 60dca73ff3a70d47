# Two entry points for a fresh clone: `make demo` plans the bundled example,
# `make test` runs every check CI runs. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := examples/chongqing-1958.yaml

.PHONY: demo test install

install: $(VENV)/.installed

# The browser tests and PDF task sheets drive Debian's chromium, and Chinese sheets need a
# CJK font; as root on Debian (CI), install them when missing; elsewhere those tests skip
# and say why.
$(VENV)/.installed: pyproject.toml
	(command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1) \
		|| [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
		|| (apt-get update && apt-get install -y chromium fonts-wqy-microhei)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	mkdir -p out
	$(BIN)/xiezuo validate $(EXAMPLE)
	$(BIN)/xiezuo materials $(EXAMPLE) --no-pegging
	$(BIN)/xiezuo plan $(EXAMPLE) --time-limit 30 --out out/plan.json
	$(BIN)/xiezuo verify $(EXAMPLE) out/plan.json
	$(BIN)/xiezuo staff $(EXAMPLE) out/plan.json
	$(BIN)/xiezuo gantt out/plan.json --scenario $(EXAMPLE) --out out/plan.html

test: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

# The two commands of the README: `make demo` and `make test`.
# Both bootstrap .venv idempotently: re-running only reinstalls when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := $(wildcard stc tests benchmarks tools hatch_build.py)
# dead code: what vulture cannot see used is justified line by line in vulture_whitelist.py
VULTURE_OPTIONS := --min-confidence 60 --exclude node_modules,tests/fixtures,tests/runtime/test_plugins \
	--ignore-decorators @server.feature,@model_validator,@field_validator,@pytest.fixture \
	--ignore-names pytestmark,model_config,_repr_html_,__getattr__,signum

.PHONY: venv native test lint typecheck pytest demo schemas clean bench bench-engines bench-runtime mermaid sarif

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# bytecode for our own packages: with PYTHONDONTWRITEBYTECODE set, nothing would
	@# ever write it, and compiling them costs ~65 ms on every cold `stc check`
	$(BIN)/python -m compileall -q stc
	touch $(STAMP)

# the runtime's hot path compiled with mypyc (stc/runtime/_native.py says which modules);
# rebuilt only when a source changed; without a C compiler the runtime stays pure Python
native: $(STAMP)
	$(BIN)/python tools/build_native.py --if-stale

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture $(LINT_PATHS) vulture_whitelist.py $(VULTURE_OPTIONS)

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) native mermaid sarif
	$(BIN)/pytest

# the real Mermaid parser (npm `mermaid` + jsdom) for tests/compiler/emit/test_mermaid.py
MERMAID_STAMP := tools/mermaid/node_modules/.installed
mermaid: $(MERMAID_STAMP)
$(MERMAID_STAMP): tools/mermaid/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/mermaid --no-audit --no-fund --silent && touch $@; \
	else echo "note: npm not found; the Mermaid parser test will be skipped"; fi

# the Microsoft SARIF multitool (npm, a self-contained .NET binary) for
# tests/compiler/test_sarif_github.py: GitHub's SARIF rules, `--rule-kind "Gh;Sarif"`
SARIF_STAMP := tools/sarif/node_modules/.installed
sarif: $(SARIF_STAMP)
$(SARIF_STAMP): tools/sarif/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/sarif --no-audit --no-fund --silent && touch $@; \
	else echo "note: npm not found; the SARIF multitool test will be skipped"; fi

test: lint typecheck pytest

DEMO_BLUEPRINT ?= blueprints/ict_smc.yaml
DEMO_OUT ?= out/demo

demo: $(STAMP) native
	$(BIN)/stc check blueprints/*.yaml
	$(BIN)/stc compile $(DEMO_BLUEPRINT) -o $(DEMO_OUT)/compiled
	$(BIN)/stc run $(DEMO_BLUEPRINT) --out $(DEMO_OUT)/run
	@trade=$$(sed -n '2s/,.*//p' $(DEMO_OUT)/run/trades.csv); \
	  if [ -n "$$trade" ]; then echo; echo "first trade, explained:"; \
	  $(BIN)/stc explain $$trade --out $(DEMO_OUT)/run; fi
	@echo; echo "wiring map: $(DEMO_OUT)/compiled/wiring_map.yaml"; \
	  test -f $(DEMO_OUT)/compiled/wiring.svg && echo "diagram:    $(DEMO_OUT)/compiled/wiring.svg" || true; \
	  echo "backtest:   $(DEMO_OUT)/run (trades.csv, metrics.json, journal.sqlite)"; \
	  echo "report:     $(DEMO_OUT)/run/report.html"

schemas: $(STAMP)
	$(BIN)/python -m stc.compiler.schema_export

bench: $(STAMP) native
	$(BIN)/python benchmarks/compile_scaling.py

# backtrader and NautilusTrader, for the runtime benchmark's comparison rows
bench-engines: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'

bench-runtime: $(STAMP) native
	$(BIN)/python benchmarks/runtime_throughput.py --table ema --ticks 100000 1000000

clean:
	-test -x $(BIN)/python && $(BIN)/python tools/build_native.py --clean
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache

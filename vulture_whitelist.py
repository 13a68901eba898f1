# Names vulture (make lint) reports as unused that are used, each with why.
# vulture reads this file as code that "uses" the names; it is never imported.
# Framework hooks it cannot see are ignored in the Makefile instead: pydantic validators
# and model_config, pytest fixtures and pytestmark, pygls @server.feature handlers,
# PEP 562 __getattr__, IPython's _repr_html_, signal handlers' signum.
# ruff: noqa
_ = object()

# benchmarks/other_engines.py: callbacks backtesting.py / the comparison engines call
_.notify_trade  # a comparison engine's trade callback
_.on_start  # a comparison engine's start callback
_.on_position_closed  # a comparison engine's position callback

# hatch_build.py: hatchling finds the build hook by these names
NativeBuildHook  # the hatch build hook class (pyproject [tool.hatch.build.hooks.custom])
PLUGIN_NAME  # hatch's name of the hook

# stc/compiler/model/: fields of the pydantic input formats (validated, in the JSON Schema)
blueprint_version  # strategy_blueprint.yaml's version field
journaling  # plugin_manifest.yaml capabilities.journaling
manifest_version  # plugin_manifest.yaml's version field
operation_version  # operation.yaml's version field
backend  # platform.yaml field
post_only  # platform.yaml execution field; also the plan format's (stc/runtime/plan.py)
exchange_preference  # platform.yaml field
platform_version  # platform.yaml's version field
sweep_version  # sweep.yaml's version field
params_defaulted  # wiring map model field (plan format, another task owns the module)
phase  # wiring map model field (plan format)
waits_for  # wiring map model field (plan format)
format_version  # wiring map model field (plan format)
compiler_version  # wiring map model field (plan format)
event_wirings  # wiring map model field (plan format)

# stc/compiler/render.py is the diagnostic-rules task's (issue 24 item 5): it removes it

# stc/compiler/schema_guard.py: options of the re2 engine, set by attribute
_.max_mem  # re2.Options.max_mem
_.log_errors  # re2.Options.log_errors

# stc/compiler/snapshots.py and tests/compiler/test_reference_blueprints.py: syrupy hooks
file_extension  # syrupy extension attribute
_.serialize  # syrupy extension method
_.diff_lines  # syrupy extension method

# stc/compiler/sweep_space.py
SWEEP_CODES  # the sweep codes' table, named in docs/diagnostics.md as their source

# stc/plugins/execution_handler/: loaded by name from the stc.execution_handlers entry points
BacktestHandler  # entry point backtest
LiveHandler  # entry point live
PaperHandler  # entry point paper

# stc/runtime/dtos/: SDK DTO fields and helpers plugins read (public API, journaled)
entry_plan_id  # CausalityChain field (journal)
size_plan_id  # CausalityChain field (journal)
exit_plan_id  # CausalityChain field (journal)
routing_plan_id  # CausalityChain field (journal)
_.with_ids  # CausalityChain API for plugins that extend a chain
_.is_open  # Trade API for plugins
realised_pnl  # LedgerSnapshot field plugins read
closed_trades  # LedgerSnapshot field plugins read
contributing_factors  # OpportunitySignal field (journal, report)

# stc/runtime/platform/: platform handlers the engine dispatches by event name
_.on_context_ready  # context_aggregator's handler
_.on_flow_stop  # flow_terminator's handler

# stc/runtime/sweep/task.py: VariantResult fields, written to results.csv / the study
trades_sha256  # results.csv column
trades_csv  # a variant's trades, kept for --keep-runs and the report

# tests and tools
_.binary_location  # selenium ChromeOptions attribute (tests/runtime/report)
ray_session  # a pytest fixture requested by parameter name (tests/sweep)
killed_after_s  # KillOutcome field, printed by tools/kill_resume.py
_.warn_unused_configs  # mypy Options attribute set by tools/build_native.py (mypy reads it)

"""The compiled hot path (stc/runtime/_native.py, tools/build_native.py).

The compiled and the pure-Python runtime must be indistinguishable except in speed,
and a build that no longer matches its sources must never run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stc.runtime import _native

REPO = Path(__file__).resolve().parents[2]
BUILT = bool(_native.compiled_files())
needs_build = pytest.mark.skipif(not BUILT, reason="runtime not compiled (make native)")


def _python(code: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if k != _native.PURE_ENV} | env
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=full, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


_WHICH = (
    "import stc.runtime, stc.runtime.engine as e, stc.runtime.indicators as i; "
    "print(stc.runtime.native_status()); print(e.__file__); print(i.__file__)"
)


def test_pure_python_forced_by_the_environment_loads_every_source() -> None:
    status, engine, indicators = _python(_WHICH, STC_PURE_PYTHON="1").splitlines()
    assert engine.endswith("engine.py") and indicators.endswith("indicators.py")
    assert status == (
        "pure Python (STC_PURE_PYTHON is set)" if BUILT else "pure Python (not built)"
    )


@needs_build
def test_a_current_build_is_used() -> None:
    status, engine, indicators = _python(_WHICH).splitlines()
    assert status == "compiled"
    assert not engine.endswith(".py") and not indicators.endswith(".py")


@needs_build
def test_a_changed_source_makes_the_build_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    lines = _native.NATIVE_MANIFEST.read_text(encoding="utf-8").splitlines()
    assert _native.stale_reason(_native.NATIVE_MANIFEST) is None
    edited = tmp_path / "build.txt"

    def write(replace: dict[str, str | None]) -> None:
        out = []
        for line in lines:
            name = line.split()[0]
            if name not in replace:
                out.append(line)
            elif replace[name] is not None:
                out.append(str(replace[name]))
        edited.write_text("\n".join(out) + "\n", encoding="utf-8")

    digest, size, mtime = _native.read_manifest(_native.NATIVE_MANIFEST)["stc.runtime.ledger"]  # type: ignore[index]
    # only touched (other mtime, same content): still current, decided by the sha256
    write({"stc.runtime.ledger": f"stc.runtime.ledger {digest} {size} {mtime - 1}"})
    assert _native.stale_reason(edited) is None
    # edited (other content): stale
    write({"stc.runtime.ledger": f"stc.runtime.ledger {'0' * 64} {size} {mtime - 1}"})
    assert _native.stale_reason(edited) == "stc/runtime/ledger.py changed since the build"
    write({"stc.runtime.ledger": f"stc.runtime.ledger {digest} {size + 1} {mtime}"})
    assert _native.stale_reason(edited) == "stc/runtime/ledger.py changed since the build"
    write({"stc.runtime.ledger": None})
    assert _native.stale_reason(edited) == "the build compiled another module list"
    assert "no readable build manifest" in str(_native.stale_reason(tmp_path / "missing.txt"))
    edited.write_text("stc.runtime.ledger not-a-number\n", encoding="utf-8")
    assert "no readable build manifest" in str(_native.stale_reason(edited))


@needs_build
def test_a_stale_build_falls_back_to_every_source() -> None:
    """The fallback finder redirects every stc/runtime/plugins module with a .py file."""
    code = (
        "import sys; from stc.runtime import _native; "
        "sys.meta_path.insert(0, _native._SourceFirst()); "
        "import stc.runtime.engine as e, stc.runtime.ledger as l; "
        "import stc.runtime.indicators as i; "
        "import stc.plugins.strategy_planner.adaptive_momentum_planner.swot as s; "
        "import stc.plugins._lib.risk as z; "
        "print(e.__file__, l.__file__, i.__file__, s.__file__, z.__file__)"
    )
    files = _python(code).split()
    assert all(f.endswith(".py") for f in files), files


@needs_build
def test_compiled_and_pure_python_runs_are_byte_identical(tmp_path: Path) -> None:
    run = (
        "import sys; from stc.runtime.api import run; from stc.compiler import compile_blueprint; "
        "import yaml; from pathlib import Path; "
        "plan = yaml.safe_load(compile_blueprint('blueprints/ema_trend.yaml').wiring_map); "
        "run(plan, out_dir=Path(sys.argv[1]))"
    )
    outputs = {}
    for mode, env in (("compiled", {}), ("pure", {_native.PURE_ENV: "1"})):
        out = tmp_path / mode
        full = {k: v for k, v in os.environ.items() if k != _native.PURE_ENV} | env
        done = subprocess.run(
            [sys.executable, "-c", run, str(out)], cwd=REPO, env=full, capture_output=True
        )
        assert done.returncode == 0, done.stderr
        outputs[mode] = [(out / f).read_bytes() for f in ("trades.csv", "metrics.json")]
    assert outputs["compiled"] == outputs["pure"]
    assert outputs["pure"][0].count(b"\n") > 10  # it traded


def test_clean_also_removes_extensions_a_longer_module_list_left_behind(tmp_path: Path) -> None:
    """An extension next to its source in a folder the current list does not name is
    invisible to the guard and would shadow the source: ``clean`` (and so every build)
    removes it too — only extensions that sit next to their own ``.py``."""
    import importlib.machinery

    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    files = ["stc/plugins/x/worker.py", f"stc/plugins/x/worker{suffix}", "stc/runtime/a.py"]
    files += [
        f"stc/runtime/a{suffix}",
        f"stc/runtime/foreign{suffix}",
        "other/b.py",
        f"other/b{suffix}",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'tools'); "
        "import build_native as b; b.REPO = Path(sys.argv[1]); "
        "print(sorted(p.relative_to(b.REPO).as_posix() for p in b._leftover_extensions()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([f"stc/plugins/x/worker{suffix}", f"stc/runtime/a{suffix}"])


def _runtime_modules() -> list[str]:
    import pkgutil

    import stc.plugins
    import stc.runtime

    found = [
        m.name
        for package in (stc.runtime, stc.plugins)
        for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ]
    return sorted(found)


def test_no_class_outside_the_compiled_group_subclasses_one_inside_it() -> None:
    """mypyc refuses an interpreted subclass of a compiled class at run time
    (``TypeError: interpreted classes cannot inherit from compiled``), and only in the
    compiled build: a class in a pure module deriving from a class of the group must
    join the group. Checked over the sources, so the pure build catches it too (a
    batched worker's refusing id factory once derived from the compiled IdFactory)."""
    import importlib
    import inspect

    group = set(_native.NATIVE_MODULES)
    offenders = []
    for name in _runtime_modules():
        if name in group or name.startswith("stc.runtime._"):  # (_native: the loader)
            continue
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue
            compiled_bases = [b for b in cls.__mro__[1:] if b.__module__ in group]
            if compiled_bases:
                offenders.append(f"{name}.{cls_name} <- {compiled_bases[0].__module__}")
    assert offenders == []


# ``make native`` compiles the reference plugins' flow arithmetic with the runtime.

_PLUGIN_CODE = (
    "import sys, yaml; from stc.compiler import compile_blueprint; "
    "from stc.runtime.plan import load_plan, load_worker_class; "
    "plan = load_plan(yaml.safe_load(compile_blueprint(BLUEPRINT).wiring_map)); "
    "classes = [load_worker_class(s) for s in plan.workers]; "
    "import stc.runtime; print(stc.runtime.native_status()); "
    "print(*sorted(m.__file__ for n, m in list(sys.modules.items()) "
    "if n in NATIVE_PLUGIN), sep=' ')"
)


@needs_build
@pytest.mark.parametrize("blueprint", ["ema_trend", "ict_smc"])
def test_the_engine_runs_the_compiled_plugin_code(blueprint: str) -> None:
    """Loading a blueprint's workers as the engine does (``load_worker_class``, by
    dotted name) imports the compiled plugin modules in a current build, and their
    sources when the pure build is forced: the compiled code is really what runs."""
    import importlib.machinery

    code = _PLUGIN_CODE.replace("BLUEPRINT", repr(f"blueprints/{blueprint}.yaml")).replace(
        "NATIVE_PLUGIN", repr(set(_native.NATIVE_PLUGIN_MODULES))
    )
    status, compiled = _python(code).splitlines()
    pure_status, pure = _python(code, STC_PURE_PYTHON="1").splitlines()
    assert (status, pure_status) == ("compiled", "pure Python (STC_PURE_PYTHON is set)")
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    assert len(compiled.split()) >= 3, compiled  # scores, risk, exits (and swot or swings)
    assert all(f.endswith(suffixes) for f in compiled.split()), compiled
    assert all(f.endswith(".py") for f in pure.split()), pure
    assert [f.split(".")[0] for f in compiled.split()] == [f.split(".")[0] for f in pure.split()]


def test_the_compiled_plugin_modules_hold_no_worker_class() -> None:
    """The compiler reads a worker's handlers as Python functions (signatures and
    annotations for the payload check, their code for the id-draw analysis, their
    source lines): a compiled method is none of these, so no worker class may live in
    a compiled module; and no package ``__init__`` is compiled (the guard's finder
    leaves packages to the normal finders: a stale ``__init__`` extension would shadow
    its source)."""
    import importlib
    import inspect

    from stc.runtime.workers import Worker

    listed = _native.NATIVE_PLUGIN_MODULES
    assert set(listed) <= set(_native.NATIVE_MODULES)
    assert not [m for m in _native.NATIVE_MODULES if m.endswith("__init__")]
    workers = []
    for name in listed:
        module = importlib.import_module(name)
        workers += [
            f"{name}.{cls_name}"
            for cls_name, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == name and issubclass(cls, Worker)
        ]
    assert workers == []


@needs_build
def test_the_compiled_plugin_functions_are_native_and_the_workers_are_not() -> None:
    """In the compiled build the workers bind the compiled functions (the planner's
    SWOT formula, the sizer's arithmetic) while the worker classes' handlers stay
    Python functions the compiler can read."""
    code = (
        "import inspect, stc.runtime; "
        "import stc.plugins.strategy_planner.adaptive_momentum_planner.worker as s; "
        "import stc.plugins._lib.sizing as z; import stc.plugins._lib as lib; "
        "print(stc.runtime.native_status(), inspect.isfunction(s.swot_confidence), "
        "inspect.isfunction(z.size_for_risk), inspect.isfunction(lib.to_score), "
        "inspect.isfunction(s.AdaptiveMomentumPlanner.on_swot), "
        "inspect.isfunction(z.RiskSizer.on_strategy_directive))"
    )
    assert _python(code).split() == ["compiled", "False", "False", "False", "True", "True"]


@needs_build
def test_the_ema_detectors_tick_is_compiled_and_its_handler_is_not() -> None:
    """Session 14: EMADetector's per-bar update runs in a compiled helper
    (``ema_detector/tick.py``) while the handler the compiler reads stays Python."""
    code = (
        "import inspect, stc.runtime; "
        "from stc.plugins.context_worker.ema_detector import tick as t, worker as e; "
        "print(stc.runtime.native_status(), inspect.isfunction(t.ema_tick), "
        "inspect.isfunction(e.EMADetector.on_tick))"
    )
    assert _python(code).split() == ["compiled", "False", "True"]


def test_a_compiled_plugin_module_imported_first_obeys_the_guard() -> None:
    """``import stc.plugins`` runs the runtime's guard, so a plugin module imported
    before anything of the runtime still loads from source in the pure build."""
    code = (
        "import stc.plugins.strategy_planner.adaptive_momentum_planner.swot as s; "
        "import stc.plugins._lib.risk as r; print(s.__file__, r.__file__)"
    )
    files = _python(code, STC_PURE_PYTHON="1").split()
    assert all(f.endswith(".py") for f in files), files

"""A run folder is input, not trusted state (issue 26).

``stc run --resume RUNDIR`` reloads the folder's ``wiring_map.yaml`` and journal
``meta``. Run folders get shared, downloaded and attached to bug reports, so both may
have been edited: a worker's ``source`` set to ``{origin: builtin, module: this}`` made
stc import stdlib ``this``, and ``plugin_roots`` in the meta pointing elsewhere made it
execute a file there. Before anything is imported, :func:`verified_sources` resolves
every worker's plugin again the way the compiler does — the packaged plugins, the
``stc.plugins`` entry points and the ``--plugins-dir`` roots *of this invocation* — and
refuses the folder when a recorded source is not exactly what that resolution gives
(origin, module, class and folder). The meta's ``plugin_roots`` are never used: the
runtime imports only from the roots returned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stc.compiler.memo import default_roots, discover
from stc.compiler.registry import PluginRecord
from stc.runtime.api import Plan, PlanError, PluginSource, load_plan

RUN_FILES = ("wiring_map.yaml", "journal.sqlite")
"""The files ``--resume`` reads; a symlink among them is refused (it could point the
resumed run's writes at any file)."""


class UntrustedRunFolder(ValueError):
    """The run folder asks for something the current invocation does not provide."""


def verified_sources(run_dir: Path, plugin_dirs: Sequence[Path]) -> tuple[Plan, list[Path]]:
    """The folder's plan, once every worker's source matches the current resolution,
    and the plugin roots the runtime may import from (``plugin_dirs`` only).

    UntrustedRunFolder (one line) names the first worker that does not match.
    """
    refuse_links(run_dir)
    try:
        plan = load_plan(run_dir / "wiring_map.yaml")
    except PlanError as exc:
        raise UntrustedRunFolder(str(exc)) from exc
    registry = discover(default_roots(plugin_dirs))
    for spec in plan.workers:
        record = registry.get(spec.plugin)
        if record is None:
            raise UntrustedRunFolder(
                f"worker {spec.id!r} uses plugin {spec.plugin!r}, which is not among this "
                "invocation's plugins (the packaged ones, entry points and --plugins-dir); "
                "pass the --plugins-dir the run was started with"
            )
        expected = _source(record)
        if spec.source != expected:
            raise UntrustedRunFolder(
                f"worker {spec.id!r}: the folder's wiring map names {_show(spec.source)}, "
                f"but plugin {spec.plugin!r} resolves to {_show(expected)}; the folder was "
                "edited or comes from other plugins — nothing was imported"
            )
    return plan, list(plugin_dirs)


def refuse_links(run_dir: Path) -> None:
    """UntrustedRunFolder when a file ``--resume`` reads and writes is a symlink."""
    for name in RUN_FILES:
        if (run_dir / name).is_symlink():
            raise UntrustedRunFolder(
                f"{run_dir / name} is a symbolic link; a run folder holds its own files"
            )


def _source(record: PluginRecord) -> PluginSource:
    return PluginSource(
        origin=record.root.origin,
        module=record.module_name,
        class_name=record.class_name,
        folder=record.relative_folder,
    )


def _show(source: PluginSource) -> str:
    return f"{source.origin}:{source.module}:{source.class_name} ({source.folder or '-'})"


def folder_names(strategies: Sequence[str]) -> list[str]:
    """The run folder of each strategy of an operation, in link order: its name, or
    ``name-N`` (N: its 1-based link number) when another link's strategy has the same
    name — both results are kept instead of the second replacing the first."""
    shared = {n for n in strategies if strategies.count(n) > 1}
    return [f"{n}-{i}" if n in shared else n for i, n in enumerate(strategies, start=1)]


def refuse_inputs_among_outputs(
    inputs: Sequence[Path], out_dir: Path, written: Sequence[str]
) -> None:
    """ValueError when an input file (the blueprint or operation, a linked blueprint) is
    a file the run writes into ``out_dir``: ``stc run OUT/wiring_map.yaml --out OUT``
    would overwrite its own input. Checked before anything is written."""
    targets = {(out_dir / name).resolve() for name in written}
    for file in inputs:
        if file.resolve() in targets:
            raise ValueError(
                f"{file}: the input has the name of a file the run writes into {out_dir}, "
                "which would replace it; choose another --out"
            )

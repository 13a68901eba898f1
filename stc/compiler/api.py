"""The Python API: ``compile_blueprint(path) -> CompileResult``.

What the CLI does, for scripts and tests (and the ``snapshot_wiring`` fixture):
compile a blueprint (or the first strategy of an operation) and get the wiring map
text, the diagnostics, the graph and the DOT source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.emit.wiring_map import render_wiring_map
from stc.compiler.pipeline import CompileOutcome, Session, compile_path
from stc.compiler.render import render_human
from stc.compiler.sources import SourceFile

if TYPE_CHECKING:
    import networkx as nx

    from stc.compiler.batchable import BatchVerdict
    from stc.runtime.plan.model import Plan


class CompileError(Exception):
    """Raised by ``CompileResult.wiring_map`` when the compile found errors."""


@dataclass
class CompileResult:
    """A compiled strategy: ``.wiring_map`` (YAML text), ``.diagnostics``, ``.graph``,
    ``.dot``; ``.ok`` tells whether it compiled without errors."""

    outcome: CompileOutcome
    sources: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no error diagnostics were found."""
        return self.outcome.ok

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic, sorted by file, line, column, code."""
        return self.outcome.diagnostics

    @property
    def plan(self) -> Plan:
        """The wiring map as a model (raises CompileError on a failed compile)."""
        if self.outcome.wiring_map is None:
            raise CompileError(self.rendered_diagnostics())
        return self.outcome.wiring_map

    @cached_property
    def wiring_map(self) -> str:
        """The wiring map YAML text (raises CompileError on a failed compile)."""
        if self.outcome.wiring_data is None:
            raise CompileError(self.rendered_diagnostics())
        return render_wiring_map(self.outcome.wiring_data)

    @cached_property
    def batchable(self) -> dict[str, BatchVerdict]:
        """Worker id → whether it may run in batch form and why (issue 23;
        ``stc.compiler.batchable``). Raises CompileError on a failed compile."""
        from stc.compiler.batchable import batch_plan

        unit = self.outcome.unit
        if unit is None or not self.ok:
            raise CompileError(self.rendered_diagnostics())
        return batch_plan(unit)  # the class side from the cache when it skipped the import

    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """The typed DAG as a networkx ``DiGraph`` (available even when checks failed):
        node attributes ``kind``, ``phase`` (workers also ``slot``, ``type``, ``plugin``,
        ``subtype``, ``resolved``), edge attribute ``events``.

        Built on first access: the compiler keeps the graph as plain data
        (``stc.compiler.digraph``) so that a compile never pays networkx's import.
        """
        if self.outcome.unit is None:
            import networkx as nx

            return nx.DiGraph()
        return self.outcome.unit.graph.to_networkx()

    @cached_property
    def dot(self) -> str:
        """The Graphviz DOT source of the wiring (failing nodes highlighted)."""
        from stc.compiler.emit.dot import render_dot

        return render_dot(self.outcome.unit, self.diagnostics)

    def svg(self) -> str:
        """The wiring diagram as SVG text (needs Graphviz's ``dot`` on PATH)."""
        import tempfile

        from stc.compiler.emit.dot import dot_available, render_image

        if not dot_available():
            raise RuntimeError("drawing needs Graphviz's `dot` (e.g. apt-get install graphviz)")
        with tempfile.TemporaryDirectory(prefix="stc-svg-") as folder:
            return render_image(self.dot, Path(folder) / "wiring.svg").read_text("utf-8")

    def _repr_html_(self) -> str:
        """Jupyter: the diagram (when Graphviz is there) and the diagnostics."""
        from contextlib import suppress
        from html import escape

        parts = []
        with suppress(RuntimeError):  # no Graphviz: the diagnostics alone
            parts.append(self.svg())
        text = self.rendered_diagnostics() if self.diagnostics else "ok: no problems found"
        parts.append(f"<pre>{escape(text)}</pre>")
        return "".join(parts)

    def rendered_diagnostics(self, *, color: bool = False) -> str:
        """The diagnostics as the CLI prints them."""
        return render_human(self.diagnostics, self.sources, color=color)


def compile_blueprint(
    path: str | Path,
    *,
    plugin_dirs: Sequence[str | Path] = (),
    platform: str | Path | None = None,
) -> CompileResult:
    """Compile a blueprint (or the first strategy an operation links)."""
    session = Session(
        plugin_dirs=[Path(p) for p in plugin_dirs],
        platform_file=Path(platform) if platform else None,
    )
    outcomes = compile_path(Path(path), str(path), session)
    strategies = [o for o in outcomes if o.kind == "strategy_blueprint"]
    chosen = strategies[0] if strategies else outcomes[0]
    if len(outcomes) > 1 and not all(o.ok for o in outcomes):
        merged = [d for o in outcomes for d in o.diagnostics]
        chosen = CompileOutcome(chosen.file, chosen.kind, merged, chosen.unit, chosen.wiring_data)
    return CompileResult(chosen, session.sources)

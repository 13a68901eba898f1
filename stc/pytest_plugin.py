"""The pytest plugin stc registers (``pytest11`` entry point): the fixtures
``snapshot_wiring`` and ``snapshot_diagnostics`` for users' own test suites.

    from stc.compiler import compile_blueprint
    def test_wiring(snapshot_wiring):
        assert compile_blueprint("bp.yaml").wiring_map == snapshot_wiring

Why this module is thin: pytest imports every registered plugin in every session of
the environment, also in sessions that never snapshot a wiring map. It imports nothing
of stc; a fixture imports the snapshot extensions (:mod:`stc.compiler.snapshots`) the
first time a test asks for it. ``pytest --snapshot-update`` accepts changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion


@pytest.fixture
def snapshot_wiring(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """A syrupy snapshot for wiring maps (``compile_blueprint(...).wiring_map``)."""
    from stc.compiler.snapshots import WiringMapExtension

    return snapshot.use_extension(WiringMapExtension)


@pytest.fixture
def snapshot_diagnostics(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """A syrupy snapshot for the rendered diagnostics of a compile."""
    from stc.compiler.snapshots import DiagnosticsExtension

    return snapshot.use_extension(DiagnosticsExtension)

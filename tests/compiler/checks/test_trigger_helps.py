"""STC040/STC041's helps are literal fixes: writing the range the help names into the
planner it names makes the diagnostic go away (and adds no other)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stc.compiler import compile_blueprint

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HELP = re.compile(r"`(?P<worker>[a-z_]+)`.*`(?:triggers: \{)?confidence: (?P<range>\[[^\]]+\])")


@pytest.mark.parametrize(
    ("fixture", "code"),
    [("stc040_trigger_gap.yaml", "STC040"), ("stc041_trigger_overlap.yaml", "STC041")],
)
def test_the_help_is_the_fix(tmp_path: Path, fixture: str, code: str) -> None:
    text = (FIXTURES / fixture).read_text("utf-8")
    (diagnostic,) = [d for d in compile_blueprint(FIXTURES / fixture).diagnostics if d.code == code]
    match = HELP.search(diagnostic.help or "")
    assert match is not None, diagnostic.help
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if match["worker"] in line or
              f"plugin: {_plugin(text, match['worker'])}" in line)  # fmt: skip
    trig = next(i for i in range(at, len(lines)) if "triggers:" in lines[i])
    lines[trig] = re.sub(r"\[[^\]]+\]", match["range"], lines[trig])
    fixed = tmp_path / fixture
    fixed.write_text("".join(lines), "utf-8")
    after = compile_blueprint(fixed).diagnostics
    assert [d.code for d in after] == [], [d.message for d in after]


def _plugin(text: str, worker_id: str) -> str:
    """The plugin name of a worker whose id is its snake-cased plugin name."""
    camel = "".join(part.capitalize() for part in worker_id.split("_"))
    return next((w for w in re.findall(r"plugin: (\w+)", text) if w.lower() == camel.lower()), "")

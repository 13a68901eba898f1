"""Issue 27: every file the commands read or write gives one line and exit 2 when it
cannot be used; Graphviz runs under a budget and its failure keeps the map and the
``.dot``; a broken ``stc.plugins`` entry point is a warning; a replaced journal beside
a stale ``-wal`` is one line on ``--resume``."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.compiler import cache
from tests.compiler.test_entry_points import GROUP, dist
from tests.conftest import REPO

BLUEPRINT = str(REPO / "blueprints" / "ema_trend.yaml")
LONG = "a" * 300


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


def _one_line(err: str, expected: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and expected in lines[0], err
    assert "Traceback" not in err


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STC_NO_CACHE", "1")
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("a_file", "cannot use a_file: a file is in the way"),
        ("a_file/sub", "a part of the path is a file, not a directory"),
        (LONG, "the file name is too long"),
    ],
)
def test_compile_output_folder(
    scratch: Path, capsys: pytest.CaptureFixture[str], out: str, expected: str
) -> None:
    code, err = _run(capsys, "compile", BLUEPRINT, "-o", out)
    assert code == 2
    _one_line(err, expected)


def test_compile_on_a_read_only_file_system(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (the tests run as root, who may write anywhere)."""

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, err = _run(capsys, "compile", BLUEPRINT, "-o", "out")
    assert code == 2
    _one_line(err, "cannot use out: the file system is read-only")


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("x.unknownext", "write a .svg, .png, .dot or .mmd file"),
        ("/", "write a .svg, .png, .dot or .mmd file"),
        ("a_file/x.dot", "a part of the path is a file"),
        (LONG + ".dot", "the file name is too long"),
    ],
)
def test_graph_output(
    scratch: Path, capsys: pytest.CaptureFixture[str], out: str, expected: str
) -> None:
    code, err = _run(capsys, "graph", BLUEPRINT, "-o", out)
    assert code == 2
    _one_line(err, expected)


@pytest.mark.parametrize("option", ["--out", "--data"])
def test_run_with_a_too_long_file_name(
    scratch: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    code, err = _run(capsys, "run", BLUEPRINT, option, LONG, "--quiet")
    assert code == 2
    _one_line(err, "too long")


@pytest.fixture
def unprivileged() -> Iterator[tuple[list[str], Path]]:
    """(command prefix running ``stc`` as a user without privileges, a folder it may
    write): root traverses every folder, so as root the command runs as ``nobody``."""
    prefix = [sys.executable, "-m", "stc.commands.cli"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *prefix]
    folder = Path(tempfile.mkdtemp(prefix="stc-io-gate-"))
    folder.chmod(0o777)
    try:
        yield prefix, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "locked/bp.yaml", "--out", "out/r"],
        ["run", BLUEPRINT, "--out", "locked/r"],
        ["run", BLUEPRINT, "--data", "locked/x.csv", "--out", "out/r"],
    ],
)
def test_run_in_a_folder_the_user_cannot_traverse(
    unprivileged: tuple[list[str], Path], args: list[str]
) -> None:
    prefix, folder = unprivileged
    (folder / "locked").mkdir()
    shutil.copy(BLUEPRINT, folder / "locked" / "bp.yaml")
    (folder / "locked").chmod(0o700 if os.geteuid() == 0 else 0o000)
    (folder / "out").mkdir(mode=0o777)
    (folder / "out").chmod(0o777)
    env = {**os.environ, "STC_NO_CACHE": "1", "HOME": str(folder), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [*prefix, *args, "--quiet"], cwd=folder, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    (folder / "locked").chmod(0o700)
    assert done.returncode == 2, done.stderr
    _one_line(done.stderr, "locked/")
    assert "permission denied" in done.stderr


def _fake_dot(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``dot`` first on PATH that runs ``body`` (a crash, a hang)."""
    folder.mkdir()
    (folder / "dot").write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    (folder / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("kill -SEGV $$", "crashed (SIGSEGV"),
        ("exec sleep 30", "took more than 0.5 s"),
        ("echo 'out of memory' >&2; exit 3", "failed with exit status 3: out of memory"),
    ],
)
def test_graphviz_failure_keeps_the_map_and_the_dot(
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    reason: str,
) -> None:
    """``RuntimeError: dot failed`` with exit 1 although the wiring map was written."""
    _fake_dot(scratch / "bin", body, monkeypatch)
    monkeypatch.setenv("STC_DOT_SECONDS", "0.5")
    code, err = _run(capsys, "compile", BLUEPRINT, "-o", "out")
    assert code == 0
    assert f"warning: no wiring.svg: Graphviz `dot` {reason}" in err
    assert sorted(p.name for p in (scratch / "out").iterdir()) == ["wiring.dot", "wiring_map.yaml"]
    code, err = _run(capsys, "graph", BLUEPRINT, "-o", "g.svg")
    assert code == 2
    _one_line(err, "wrote g.dot instead")
    assert (scratch / "g.dot").is_file() and not (scratch / "g.svg").exists()


@pytest.mark.parametrize("value", ["missing_pkg.sub", "..", "missing_pkg.sub:Thing"])
def test_a_broken_entry_point_is_a_warning(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """``find_spec`` raised for such a value: every command crashed."""
    dist(scratch / "site", "broken-1.0.dist-info", f"[{GROUP}]\nbroken = {value}\n")
    monkeypatch.syspath_prepend(str(scratch / "site"))
    cache.reset()
    code, err = _run(capsys, "check", BLUEPRINT)
    assert code == 0, err
    assert "warning[STC009]" in err and "`broken:" in err and "its plugins are skipped" in err


def test_resume_with_a_replaced_journal_and_a_stale_wal(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = scratch / "run"
    run.mkdir()
    shutil.copy(REPO / "blueprints" / "ema_trend.yaml", run / "wiring_map.yaml")
    first = sqlite3.connect(run / "journal.sqlite", isolation_level=None)
    first.execute("CREATE TABLE first (a)")  # page 2: meta's pages lie beyond the new file
    first.execute("CREATE TABLE meta (key, value)")
    first.executemany("INSERT INTO meta VALUES (?, ?)", [(str(i), "x" * 100) for i in range(999)])
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("PRAGMA wal_autocheckpoint=0")
    first.execute("CREATE TABLE big (a)")
    first.executemany("INSERT INTO big VALUES (?)", [(i,) for i in range(3000)])
    left = {s: (run / f"journal.sqlite{s}").read_bytes() for s in ("-wal", "-shm")}  # a kill
    first.close()
    (run / "journal.sqlite").unlink()
    other = sqlite3.connect(run / "journal.sqlite")
    other.execute("CREATE TABLE t (a)")
    other.commit()
    other.close()
    for suffix, content in left.items():
        (run / f"journal.sqlite{suffix}").write_bytes(content)
    code, err = _run(capsys, "run", "--resume", str(run))
    assert code in (1, 2)
    _one_line(err, "not a readable journal")

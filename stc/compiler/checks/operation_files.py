"""Operation checks: every file an operation names exists, and every strategy link
names a defined data source.

File checks, run by the pipeline when it compiles an operation, before the linked
blueprints are compiled: a missing blueprint, platform or data file is STC009 at the
path (with a did-you-mean over the files of its folder); an undefined data source is
STC002 at the link.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from stc.compiler.diagnostics import Diagnostic, Suggestion
from stc.compiler.sources import STC002, STC009, Loaded, locate
from stc.compiler.suggest import closest, rename, replace_at

if TYPE_CHECKING:  # the operation format's models load only to check an operation
    from stc.compiler.model.operation import Operation


def check_links(
    display: str, loaded: Loaded, operation: Operation, folder: Path
) -> list[Diagnostic]:
    """Missing files (STC009) and undefined data sources (STC002) of an operation."""
    problems = []
    for i, link in enumerate(operation.strategy_links):
        if not os.path.isfile(folder / link.blueprint):
            where = ("strategy_links", i, "blueprint")
            message = f"blueprint `{link.blueprint}` not found"
            problems.append(missing_file(display, loaded, folder, link.blueprint, where, message))
        if link.data_source not in operation.data_sources:
            names = sorted(operation.data_sources)
            mark = locate(loaded.data, ("strategy_links", i, "data_source"))
            hint, fixes = rename(link.data_source, names, display, mark, loaded.source)
            problems.append(
                STC002.at(
                    f"data source `{link.data_source}` is not defined in `data_sources`",
                    display,
                    mark,
                    hint or f"defined: {', '.join(names) or 'none'}",
                    suggestions=fixes,
                )
            )
    if operation.platform and not os.path.isfile(folder / operation.platform):
        message = f"platform file `{operation.platform}` not found"
        problems.append(
            missing_file(display, loaded, folder, operation.platform, ("platform",), message)
        )
    for name, source in sorted(operation.data_sources.items()):
        if not os.path.isfile(folder / source.path):
            message = f"data file `{source.path}` of data source `{name}` not found"
            path_loc: tuple[str | int, ...] = ("data_sources", name, "path")
            problems.append(missing_file(display, loaded, folder, source.path, path_loc, message))
    return problems


def missing_file(
    display: str,
    loaded: Loaded,
    folder: Path,
    relative: str,
    where: tuple[str | int, ...],
    message: str,
) -> Diagnostic:
    """STC009 for a path of an operation that names no file, with a did-you-mean over
    the files of the folder it points into (``../data/EURUSD_1H.csv``)."""
    mark = locate(loaded.data, where)
    parent = PurePosixPath(relative.replace("\\", "/")).parent
    try:
        siblings = sorted(e.name for e in os.scandir(folder / parent) if e.is_file())[:1000]
    except OSError:
        siblings = []
    name = PurePosixPath(relative.replace("\\", "/")).name
    match = closest(name, siblings)
    help = "paths in an operation are relative to the operation file"
    fixes: tuple[Suggestion, ...] = ()
    if match is not None:
        path = (parent / match[0]).as_posix() if str(parent) != "." else match[0]
        help = f"did you mean `{path}`? ({help})"
        fixes = replace_at(display, mark, loaded.source, path, f"write `{path}`", match[1])
    return STC009.at(message, display, mark, help, suggestions=fixes)

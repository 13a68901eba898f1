"""Shape validation that points at the offending YAML node (SPEC §5.1 "validate shapes").

pydantic and jsonschema know *what* is wrong (as a path such as
``workforce.context_workers[0].bogus``); ``stc.compiler.sources.locate`` knows *where*
that path is written. This module joins the two and rewrites the libraries' wording
into messages a strategy author can act on, with did-you-mean hints from the keys the
model or schema allows at that very place. All errors of a file are reported.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stc.compiler import schema_guard
from stc.compiler.diagnostics import (
    Applicability,
    Diagnostic,
    Suggestion,
    sort_diagnostics,
)
from stc.compiler.normalize import PATTERN_FIXES, scalar_meant
from stc.compiler.rules import Rule
from stc.compiler.sources import (
    STC002,
    Loaded,
    Mark,
    SourceFile,
    document_start,
    locate,
    to_plain,
)
from stc.compiler.suggest import did_you_mean, help_for, rename, replace_at

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

_EXPECTED: dict[str, str] = {
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "none_required": "nothing (null)",
}
"""pydantic error types that mean "wrong kind of value", with the kind that was wanted."""

_PATTERN_HINTS: dict[str, str] = {
    r"^[a-z_][a-z0-9_]*$": "use snake_case: lowercase letters, digits and `_`",
    r"^[A-Za-z][A-Za-z0-9_]*$": "use a bare name such as `EMADetector` (no paths or dots)",
    r"^_?[A-Z][A-Z0-9_]*$": "event names are UPPER_CASE, such as `TICK_RECEIVED`",
    r"^[1-9][0-9]*(m|h|d|w|M)$": "a timeframe is a number and a unit: `15m`, `1h`, `1d`, `1w`",
}


# --------------------------------------------------------------------------- pydantic


def validate_document(
    loaded: Loaded, model: type[M], kind: str
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``loaded.data`` as ``model``; every error becomes a positioned STC002.

    A document that did not load (syntax error, refused input) yields no further
    diagnostics: its loader already explained the problem. Data that loaded with
    errors (e.g. a duplicate key) is still validated, so every problem is reported.
    """
    file = loaded.source.display_name if loaded.source is not None else None
    if loaded.data is None and not loaded.ok:
        return None, []
    if loaded.data is None:
        message = f"the file is empty; expected a {kind} mapping"
        start = document_start(loaded.source)
        return None, [_error(file, message, start, f"see `stc schema {kind}` for its keys")]
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        total = exc.error_count()
        errors, cut = _error_details(exc, model, loaded.data)
    mapper = _ErrorMapper(loaded.data, model, kind, file)
    mapper.source = loaded.source
    diagnostics = mapper.map_all(errors, total, cut=cut)
    return None, sort_diagnostics([_placed(d, loaded) for d in diagnostics])


MAX_SCHEMA_DIAGNOSTICS = 200
"""Schema errors reported per document. A generated file can hold 150,000 wrong items
(a few hundred kB, inside every input limit); a diagnostic for each took seconds to
build and megabytes to print, and nobody reads past the first screens."""

_ERRORS_AT_ONCE = 5000
"""pydantic keeps errors compactly, but ``errors()`` makes ~1 kB of Python objects of
each: 150,000 wrong list items (450 kB of YAML) took 150 MB. A document with more
errors is validated again with every list cut to its first ``MAX_SCHEMA_DIAGNOSTICS``
items: their errors are the ones reported anyway."""


def _error_details(
    exc: ValidationError, model: type[BaseModel], data: Any
) -> tuple[list[ErrorDetails], bool]:
    """The errors of ``exc`` as dicts, and whether they are those of the cut document
    (when there are very many)."""
    if exc.error_count() <= _ERRORS_AT_ONCE:
        return _drop_misspelt_missing(exc.errors(include_url=False)), False
    try:
        model.model_validate(_cut_lists(data))
    except ValidationError as cut:
        return _drop_misspelt_missing(cut.errors(include_url=False)), True
    return [], True  # every error sits beyond the kept items: only the count is reported


def _cut_lists(value: Any) -> Any:
    """A plain copy of ``value`` with every list cut to ``MAX_SCHEMA_DIAGNOSTICS`` items
    (mappings are kept whole: cutting one could drop a required key)."""
    if isinstance(value, Mapping):
        return {key: _cut_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut_lists(item) for item in value[:MAX_SCHEMA_DIAGNOSTICS]]
    return value


def _placed(diagnostic: Diagnostic, loaded: Loaded) -> Diagnostic:
    """A root that is a scalar has no node mark: point at the document's start."""
    if diagnostic.line is not None:
        return diagnostic
    start = document_start(loaded.source)
    return diagnostic.model_copy(
        update={"line": start.line, "column": start.column, "end_column": start.end_column}
    )


def _drop_misspelt_missing(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """``workfroce:`` makes pydantic report both an unknown key and a missing
    ``workforce``; one mistake deserves one message (the did-you-mean on the key)."""
    extras = [
        (tuple(e["loc"][:-1]), str(e["loc"][-1]))
        for e in errors
        if e["type"] == "extra_forbidden" and e["loc"]
    ]

    def misspelt(error: ErrorDetails) -> bool:
        if error["type"] != "missing" or not error["loc"]:
            return False
        parent, key = tuple(error["loc"][:-1]), str(error["loc"][-1])
        return any(p == parent and did_you_mean(x, [key]) == key for p, x in extras)

    return [e for e in errors if not misspelt(e)]


@dataclass
class _Place:
    """Where a pydantic error lands in the *data* (union tags stripped)."""

    loc: Loc
    annotation: Any
    node: Any
    on_key: bool = False
    skip: bool = False
    union: Any = None
    """Set when the value fits no member of a union: one collapsed diagnostic."""


class _ErrorMapper:
    """Turns pydantic ``ErrorDetails`` into diagnostics for one document."""

    def __init__(self, data: Any, model: type[BaseModel], kind: str, file: str | None) -> None:
        self.data = data
        self.model = model
        self.kind = kind
        self.file = file
        self.seen_unions: set[Loc] = set()
        self.source: SourceFile | None = None
        """The document's text: a fix inside a quoted scalar keeps its quotes."""

    def map(self, err: ErrorDetails) -> Diagnostic | None:
        """One diagnostic, or None when the error is noise from a union member."""
        place = _walk(self.model, self.data, err["loc"])
        if place.skip:
            return None
        if place.union is not None:
            return self._union(place)
        kind = err["type"]
        if kind == "extra_forbidden":
            return self._unknown_key(place, err["loc"])
        if kind == "missing":
            return self._missing(place)
        message, help = _describe(err, place)
        mark = locate(self.data, place.loc, key=place.on_key)
        fixes = self._pattern_fix(err, place, mark)
        wanted = _PYDANTIC_WANTS.get(kind)
        if wanted and isinstance(err.get("input"), str):
            meant, fixes = meant_fix(str(err.get("input")), wanted, self.file, mark, self.source)
            help = meant or help
        elif fixes:
            help = f"did you mean `{fixes[0].replacement}`?" + (f" ({help})" if help else "")
        ranges = _percent_ranges(place.node) if kind == "value_error" else None
        if ranges is not None:
            help, fixes = ranges(self.file, self.data, place.loc)
        if kind == "literal_error":
            options = _literal_options(place.annotation)
            _, fixes = rename(str(err.get("input")), options, self.file, mark, self.source)
        message = f"{self._where(place.loc)}: {message}"
        return STC002.at(message, self.file, mark, help, suggestions=fixes)

    def _pattern_fix(
        self, err: ErrorDetails, place: _Place, mark: Mark | None
    ) -> tuple[Suggestion, ...]:
        """The one valid spelling of a name that misses its pattern (``4H`` → ``4h``)."""
        normal = PATTERN_FIXES.get(str((err.get("ctx") or {}).get("pattern", "")))
        value = err.get("input")
        if err["type"] != "string_pattern_mismatch" or normal is None or not isinstance(value, str):
            return ()
        fixed = normal(value)
        if fixed is None:
            return ()
        message = f"write `{fixed}`"
        return replace_at(
            self.file, mark, self.source, fixed, message, Applicability.MACHINE_APPLICABLE
        )

    def map_all(self, errors: list[ErrorDetails], total: int, *, cut: bool) -> list[Diagnostic]:
        """Diagnostics for up to ``MAX_SCHEMA_DIAGNOSTICS`` errors, then (when there are
        more, or ``errors`` are those of the cut document) one that says how many there
        are in all (``total``, pydantic's count)."""
        diagnostics: list[Diagnostic] = []
        for err in errors:
            if len(diagnostics) == MAX_SCHEMA_DIAGNOSTICS:
                return [*diagnostics, self._too_many(err["loc"], total)]
            if (diagnostic := self.map(err)) is not None:
                diagnostics.append(diagnostic)
        if cut:  # the cut document had fewer errors than the whole
            return [*diagnostics, self._too_many(errors[-1]["loc"] if errors else (), total)]
        return diagnostics

    def _too_many(self, loc: tuple[str | int, ...], total: int) -> Diagnostic:
        """The last diagnostic of a document with too many errors, at the first one not
        shown (or the last shown)."""
        place = _walk(self.model, self.data, loc)
        message = (
            f"{self.kind}: {total} schema errors in all; only the first "
            f"{MAX_SCHEMA_DIAGNOSTICS} are reported"
        )
        help = "fix the errors above and check again"
        return _error(self.file, message, locate(self.data, place.loc), help)

    def _where(self, loc: Loc) -> str:
        """``kind`` for the root, else the dotted data path in backticks."""
        return f"`{format_path(loc)}`" if loc else self.kind

    def _in(self, loc: Loc) -> str:
        return self.kind if not loc else f"`{format_path(loc)}` of {self.kind}"

    def _union(self, place: _Place) -> Diagnostic | None:
        if place.loc in self.seen_unions:
            return None
        self.seen_unions.add(place.loc)
        kinds = _join_or(sorted({_kind_of(m) for m in _members(place.union)}))
        message = f"{self._where(place.loc)}: expected {kinds}, found {_show(place.node)}"
        return _error(self.file, message, locate(self.data, place.loc), None)

    def _unknown_key(self, place: _Place, raw_loc: tuple[str | int, ...]) -> Diagnostic:
        name = str(place.loc[-1]) if place.loc else "?"
        parent = _walk(self.model, self.data, raw_loc[:-1])
        allowed = sorted(_model_keys(parent.annotation))
        present = set(parent.node) if isinstance(parent.node, Mapping) else set()
        mark = locate(self.data, place.loc, key=True)
        candidates = [k for k in allowed if k not in present]
        help, fixes = rename(name, candidates, self.file, mark, self.source)
        if help is None and allowed:
            help = "allowed keys: " + ", ".join(f"`{k}`" for k in allowed)
        message = f"unknown key `{name}` in {self._in(place.loc[:-1])}"
        return STC002.at(message, self.file, mark, help, suggestions=fixes)

    def _missing(self, place: _Place) -> Diagnostic:
        name = str(place.loc[-1]) if place.loc else "?"
        message = f"missing required key `{name}` in {self._in(place.loc[:-1])}"
        help = f"add it, e.g. `{name}: {_example(place.annotation)}`"
        return _error(self.file, message, locate(self.data, place.loc[:-1]), help)


def _walk(model: type[BaseModel], data: Any, loc: Sequence[str | int]) -> _Place:
    """Follow a pydantic ``loc`` through the model's annotations and the data together.

    pydantic puts a member label (``list[StrategyPlannerRef]``) into the loc at every
    non-optional union. We drop it, and judge the member by the data's shape: errors of
    a member that cannot fit (a list member for a mapping) are noise when another member
    fits; if no member fits, the whole union collapses into one "expected X or Y".
    """
    annotation: Any = model
    node = data
    clean: list[str | int] = []
    place = _Place((), model, data)
    index = 0
    while index < len(loc):
        members = _members(annotation)
        if len(members) > 1:
            chosen = _pick(members, loc[index])
            index += 1
            fitting = [m for m in members if _fits(m, node)]
            if not fitting or (len(fitting) > 1 and index == len(loc)):
                return _Place(tuple(clean), annotation, node, skip=place.skip, union=annotation)
            place.skip = place.skip or chosen not in fitting
            annotation = chosen
            continue
        annotation = members[0]
        step = loc[index]
        index += 1
        if step == "[key]":
            place.on_key = True
            annotation = _key_type(annotation)
            continue
        if isinstance(step, str) and step.startswith("function-"):
            continue
        annotation, node = _descend(annotation, node, step)
        clean.append(step)
    place.loc, place.annotation, place.node = tuple(clean), annotation, node
    return place


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` (constraints do not change the shape)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    """Union members without ``None`` (Optional adds no loc step in pydantic)."""
    annotation = _unwrap(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return [_unwrap(a) for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _label(member: Any) -> str:
    """The label pydantic uses for a union member (``StrategyPlannerRef``, ``list[...]``)."""
    origin = get_origin(member)
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}["
    return str(getattr(member, "__name__", member))


def _pick(members: list[Any], tag: str | int) -> Any:
    """The member a union tag names; the first member when the tag is not recognised."""
    text = str(tag)
    for member in members:
        label = _label(member)
        if text == label or (label.endswith("[") and text.startswith(label)):
            return member
    return members[0]


def _shape(annotation: Any) -> str:
    """``mapping``, ``list``, ``any`` or ``scalar``: what YAML node the type wants."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation) or annotation
    if annotation is Any:
        return "any"
    if isinstance(origin, type) and issubclass(origin, (BaseModel, dict, Mapping)):
        return "mapping"
    if isinstance(origin, type) and issubclass(origin, (list, tuple, set, frozenset)):
        return "list"
    return "scalar"


def _fits(member: Any, node: Any) -> bool:
    """Can ``node`` possibly be a ``member``? (Judged by shape only.)"""
    want = _shape(member)
    if want == "any":
        return True
    if isinstance(node, Mapping):
        return want == "mapping"
    if isinstance(node, list):
        return want == "list"
    return want == "scalar"


def _kind_of(member: Any) -> str:
    """How a union member is named in "expected X or Y"."""
    shape = _shape(member)
    if shape in ("mapping", "list"):
        return f"a {shape}"
    member = _unwrap(member)
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if get_origin(member) is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(member))
    return names.get(member, "a value") if isinstance(member, type) else "a value"


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """Field annotations by every key the model accepts (alias and name)."""
    result: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        result[name] = info.annotation
        if info.alias:
            result[info.alias] = info.annotation
    return result


def _model_keys(annotation: Any) -> list[str]:
    """The keys a mapping at this place may have (aliases preferred)."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return [info.alias or name for name, info in member.model_fields.items()]
    return []


def _descend(annotation: Any, node: Any, step: str | int) -> tuple[Any, Any]:
    """One data step down: the child's annotation and the child node (or None)."""
    child = None
    if isinstance(node, Mapping) and isinstance(step, str):
        child = node.get(step)
    elif isinstance(node, list) and isinstance(step, int) and -len(node) <= step < len(node):
        child = node[step]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _fields(annotation).get(str(step), Any), child
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, set, frozenset, Sequence) and args:
        return args[0], child
    if origin is tuple and args:
        position = step if isinstance(step, int) and step < len(args) else 0
        return args[-1 if args[-1] is Ellipsis and position else position], child
    if origin in (dict, Mapping) and len(args) == 2:
        return args[1], child
    return Any, child


def _key_type(annotation: Any) -> Any:
    """The key annotation of a ``dict[K, V]`` (pydantic's ``[key]`` loc step)."""
    args = get_args(_unwrap(annotation))
    return args[0] if len(args) == 2 else Any


def _describe(err: ErrorDetails, place: _Place) -> tuple[str, str | None]:
    """Readable message and help for a value-level pydantic error."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if place.on_key:
        value = place.loc[-1] if place.loc else value
    if kind in _EXPECTED:
        help = 'quote it to make it a string, e.g. `"5"`' if kind == "string_type" else None
        return f"expected {_EXPECTED[kind]}, found {_show(value)}", help
    if kind == "literal_error":
        options = _literal_options(place.annotation) or [str(ctx.get("expected", ""))]
        help = help_for(str(value), options) or "use one of: " + ", ".join(
            f"`{o}`" for o in options
        )
        return f"`{value}` is not one of {_join_or([f'`{o}`' for o in options])}", help
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        message = f"`{value}` does not match the pattern `{pattern}`"
        return message, _PATTERN_HINTS.get(pattern)
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return _length_message(kind, ctx, value), None
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
        op, bound = next((ops[k], v) for k, v in ctx.items() if k in ops)
        return f"must be {op} {bound}, got {_plain(value)}", None
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", err["msg"])) if ctx.get("error") else err["msg"]
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, "), None
    text = err["msg"]
    return text[:1].lower() + text[1:], None


def _percent_ranges(node: Any) -> Any:
    """For trigger ranges written in percent (``confidence: [60, 100]``): a function
    giving the help ``did you mean [0.6, 1.0]?`` and its fix for each such range."""
    if not isinstance(node, Mapping):
        return None
    meant = {}
    for key, value in node.items():
        pair = value if isinstance(value, list) and len(value) == 2 else None
        numbers = pair is not None and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in pair
        )
        if pair is not None and numbers and max(pair) > 1 and 0 <= min(pair) < max(pair) <= 100:
            meant[key] = f"[{pair[0] / 100!r}, {pair[1] / 100!r}]"
    if not meant:
        return None

    def build(file: str | None, data: Any, loc: Loc) -> tuple[str, tuple[Suggestion, ...]]:
        fixes: tuple[Suggestion, ...] = ()
        for key, text in sorted(meant.items()):
            mark = locate(data, (*loc, key))
            fixes += replace_at(
                file, mark, None, text, f"write {text}", Applicability.MAYBE_INCORRECT
            )
        shown = ", ".join(f"`{key}: {text}`" for key, text in sorted(meant.items()))
        return f"did you mean {shown}? ranges are fractions of 1, not percent", fixes

    return build


_PYDANTIC_WANTS = {
    "float_parsing": "number",
    "float_type": "number",
    "int_parsing": "integer",
    "int_type": "integer",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
}


def meant_fix(
    text: str, wanted: str, file: str | None, mark: Mark | None, source: SourceFile | None
) -> tuple[str | None, tuple[Suggestion, ...]]:
    """Help and fix for text where a number or boolean is wanted (``yes``, ``1:2.5``)."""
    meant = scalar_meant(text, wanted)
    if meant is None:
        return None, ()
    value, sure, why = meant
    level = Applicability.MACHINE_APPLICABLE if sure else Applicability.MAYBE_INCORRECT
    del source  # the span keeps any quotes: a number or boolean is written bare
    fixes = replace_at(file, mark, None, value, f"write {value}", level)
    return f"did you mean `{value}`? {why}", fixes


def _literal_options(annotation: Any) -> list[str]:
    """The allowed values of a ``Literal[...]`` annotation, as text."""
    for member in _members(annotation):
        if get_origin(member) is Literal:
            return [str(a) for a in get_args(member)]
    return []


def _length_message(kind: str, ctx: Mapping[str, Any], value: Any) -> str:
    """ "needs at least 1 item, found 0" / "must be at most 64 characters"."""
    unit = "characters" if kind.startswith("string") else "items"
    if "min_length" in ctx:
        bound, word = ctx["min_length"], "at least"
    else:
        bound, word = ctx.get("max_length"), "at most"
    actual = len(value) if isinstance(value, str | list | dict) else ctx.get("actual_length")
    if unit == "items" and bound == 1:
        unit = "item"
    return f"needs {word} {bound} {unit}, found {actual}"


def _example(annotation: Any) -> str:
    """A placeholder value of the right shape for a "missing key" hint."""
    shape = _shape(_members(annotation)[0]) if _members(annotation) else "scalar"
    options = _literal_options(annotation)
    if options:
        return options[0]
    return {"mapping": "{...}", "list": "[...]"}.get(shape, "...")


def _show(value: Any) -> str:
    """How a found value is described: "a string `1h`", "a list", "the integer `5`"."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, int):
        return f"the integer `{value}`"
    if isinstance(value, float):
        return f"the number `{value}`"
    return f"a string `{_plain(value)}`"


def _plain(value: Any) -> str:
    """A value shortened for a one-line message."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _join_or(items: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def format_path(loc: Sequence[str | int]) -> str:
    """``workforce.context_workers[0].params`` — how users write paths."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _error(file: str | None, message: str, mark: Mark | None, help: str | None) -> Diagnostic:
    """An STC002 error, underlining the node when it sits on one line."""
    return _diagnostic(STC002, file, message, mark, help)


def _diagnostic(
    rule: Rule, file: str | None, message: str, mark: Mark | None, help: str | None
) -> Diagnostic:
    return rule.at(message, file, mark, help)


# --------------------------------------------------------------------------- jsonschema


def validate_against_schema(
    instance: Any,
    schema: dict[str, Any],
    root: Any,
    base_loc: Sequence[str | int],
    file: str,
    rule: Rule,
    subject: str,
    plugin: str = "PLUGIN",
    *,
    validator: Any = None,
) -> list[Diagnostic]:
    """Check ``instance`` (found at ``base_loc`` inside ``root``) against a JSON Schema.

    Used for plugin ``params`` vs the manifest's ``config_schema``: messages name the
    ``subject`` (e.g. "params of worker `ema` (EMADetector)") because the schema belongs
    to the plugin, not to the file the user is editing. ``validator``: one made by
    ``new_validator(schema)`` earlier (``stc.compiler.memo`` keeps one per schema).
    """
    schema_guard.reset_budget()
    if validator is None:
        validator = new_validator(schema)
    errors = sorted(
        validator.iter_errors(instance),
        key=lambda e: (_path_key(e.absolute_path), str(e.validator), e.message),
    )
    result: list[Diagnostic] = []
    for error in errors:
        path = list(error.absolute_path)
        result.extend(
            _schema_diagnostics(
                error, path, root, [*base_loc, *path], file, rule, (subject, plugin)
            )
        )
    return result


def new_validator(schema: dict[str, Any]) -> Any:
    """A jsonschema validator for ``schema``: Draft 2020-12 with RE2 regexes and a step
    budget (``stc.compiler.schema_guard``), and an explicit registry — jsonschema's
    default one *fetches* unknown ``$ref``s with urllib (http://, file:///etc/passwd);
    this one knows only the meta-schemas."""
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped]

    return schema_guard.validator_class()(schema, registry=REGISTRY)


def _path_key(path: Sequence[Any]) -> tuple[tuple[int, str], ...]:
    """Sortable form of a mixed int/str path (ints before strings, numerically)."""
    return tuple((0, f"{p:012d}") if isinstance(p, int) else (1, str(p)) for p in path)


def _schema_diagnostics(
    error: Any,
    path: list[str | int],
    root: Any,
    loc: list[str | int],
    file: str,
    rule: Rule,
    names: tuple[str, str],
) -> list[Diagnostic]:
    """One diagnostic per jsonschema error; one per key for ``additionalProperties``."""
    subject, plugin = names
    kind, schema, value = error.validator, error.schema, error.instance
    where = f"`{format_path(path)}` " if path else ""
    if kind == "additionalProperties" and isinstance(value, Mapping):
        known = sorted(schema.get("properties", {}))
        extras = sorted(k for k in value if k not in known and not _pattern_key(schema, k))
        return [
            _unknown_param(rule, file, subject, root, (path, loc), key, known) for key in extras
        ]
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        message = f"{subject}: {where}is missing the required key `{missing}`"
        return [_diagnostic(rule, file, message, locate(root, loc), f"add `{missing}: ...`")]
    message = f"{subject}: {where}{_schema_message(kind, error.validator_value, value, error)}"
    help = _schema_help(kind, error.validator_value, schema, value).replace("PLUGIN", plugin)
    mark = locate(root, loc)
    wanted = error.validator_value if kind == "type" else None
    if isinstance(wanted, str) and isinstance(value, str):
        meant, fixes = meant_fix(value, wanted, file, mark, None)
        if meant is not None:
            return [rule.at(message, file, mark, meant, suggestions=fixes)]
    fraction = _as_fraction(kind, error.validator_value, schema, value)
    if fraction is None:
        return [_diagnostic(rule, file, message, mark, help)]
    text = f"{fraction:g}" if fraction != int(fraction) else f"{fraction:.1f}"
    help = f"did you mean {text} ({value:g} %)? {help}"
    fixes = replace_at(file, mark, None, text, f"write {text}", Applicability.MAYBE_INCORRECT)
    return [rule.at(message, file, mark, help, suggestions=fixes)]


def _unknown_param(
    rule: Rule,
    file: str,
    subject: str,
    root: Any,
    where: tuple[list[str | int], list[str | int]],
    key: str,
    known: list[str],
) -> Diagnostic:
    """An unknown parameter key, with its did-you-mean fix."""
    path, loc = where
    mark = locate(root, [*loc, key], key=True)
    help, fixes = rename(key, known, file, mark, None)
    if help is None and known:
        help = "allowed keys: " + ", ".join(f"`{k}`" for k in known)
    message = f"{subject}: unknown key `{format_path([*path, key])}`"
    return rule.at(message, file, mark, help, suggestions=fixes)


def _as_fraction(kind: str, bound: Any, schema: Mapping[str, Any], value: Any) -> float | None:
    """``5`` where a fraction (maximum <= 1) is wanted: the user wrote percent. The
    fraction is offered only when it satisfies the parameter's bounds."""
    if kind not in ("maximum", "exclusiveMaximum") or isinstance(value, bool):
        return None
    if not isinstance(value, int | float) or not isinstance(bound, int | float) or bound > 1:
        return None
    fraction = value / 100
    if (
        not 1 < value <= 100
        or fraction > bound
        or (kind == "exclusiveMaximum" and fraction >= bound)
    ):
        return None
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    if isinstance(low, int | float) and fraction < low:
        return None
    return round(fraction, 10)


_BOUND_WORDS = {
    "minimum": ">=",
    "maximum": "<=",
    "exclusiveMinimum": ">",
    "exclusiveMaximum": "<",
}


def _schema_help(kind: str, expected: Any, schema: Mapping[str, Any], value: Any) -> str:
    """What to write instead, plus the parameter's own description when it has one."""
    if kind == "enum":
        suggestion = help_for(str(value), [str(v) for v in expected])
        if suggestion:
            return suggestion
    if kind in _BOUND_WORDS:
        fix = f"use a value {_BOUND_WORDS[kind]} {expected}"
    elif kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        fix = "write " + _join_or([_JSON_TYPES.get(str(t), str(t)) for t in wanted])
    elif kind == "enum":
        fix = "use one of " + _join_or([f"`{v}`" for v in expected])
    else:
        fix = "`stc plugins show PLUGIN` lists every parameter with its default and bounds"
    description = schema.get("description")
    return f"{fix} — {description}" if isinstance(description, str) and description else fix


def _pattern_key(schema: Mapping[str, Any], key: str) -> bool:
    """True when ``patternProperties`` allows ``key`` (then it is not an extra)."""
    return any(schema_guard.search(p, key) for p in schema.get("patternProperties", {}))


def _schema_message(kind: str, expected: Any, value: Any, error: Any) -> str:
    """jsonschema's validator keyword turned into "must be >= 1, got 0" style text."""
    bounds = {
        "minimum": ">=",
        "maximum": "<=",
        "exclusiveMinimum": ">",
        "exclusiveMaximum": "<",
    }
    if kind in bounds:
        return f"must be {bounds[kind]} {expected}, got {_plain(value)}"
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        names = [_JSON_TYPES.get(str(t), str(t)) for t in wanted]
        return f"must be {_join_or(names)}, found {_show(value)}"
    if kind == "enum":
        options = [f"`{v}`" for v in expected]
        return f"must be one of {_join_or(options)}, got `{_plain(value)}`"
    if kind in ("minItems", "maxItems"):
        word = "at least" if kind == "minItems" else "at most"
        return f"needs {word} {expected} items, found {len(value)}"
    if kind in ("minLength", "maxLength"):
        word = "at least" if kind == "minLength" else "at most"
        return f"must be {word} {expected} characters long, found {len(value)}"
    if kind == "pattern":
        return f"`{_plain(value)}` does not match the pattern `{expected}`"
    return str(error.message)


_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def apply_defaults(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``instance`` with the ``default`` of every absent property filled in.

    Recurses into nested objects so a worker's resolved params (written into the wiring
    map) show every effective value. The input is never mutated, and defaults are
    deep-copied so two workers never share one mutable default.
    """
    result = dict(instance)
    properties = schema.get("properties", {})
    if not isinstance(properties, Mapping):
        return result
    for name, sub in properties.items():
        if not isinstance(sub, Mapping):
            continue
        if name not in result and "default" in sub:
            result[name] = to_plain(sub["default"])  # not deepcopy: that copied YAML nodes
        if isinstance(result.get(name), Mapping) and "properties" in sub:
            result[name] = apply_defaults(result[name], sub)
    return result

"""Reading one instrument file and checking it, with coded and located issues.

:func:`read_instrument` turns a YAML file into an :class:`~survey.instrument.model.Instrument` or a
list of :class:`~survey.instrument.errors.InstrumentIssue`. It never raises for a user's mistake:
YAML syntax, structure, types and the content rules below all become issues with the file, the path
inside it and the YAML line. Checks that need several files (item ids unique across instruments,
lineage, the lock file) are in :mod:`survey.instrument.registry`.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from survey.instrument.errors import InstrumentIssue, format_path, relative_name
from survey.instrument.model import (
    MAX_ITEMS,
    MAX_SCALE_POINTS,
    Instrument,
    LocalizedText,
    ResponseScale,
    Stage,
)
from survey.instrument.yaml_limits import (
    BaseLoader,
    Limit,
    YamlLimitError,
    YamlLimits,
    check_limits,
    read_limited_text,
)

# Accepted alternative spellings of keys, rewritten to the canonical key before validation
# (as pyxform accepts column aliases). Documented in docs/instrument-format.md.
KEY_ALIASES: dict[str, str] = {
    "reverse_keyed": "reverse",
    "reverse-keyed": "reverse",
    "reversed": "reverse",
    "question": "text",
    "response-scale": "response_scale",
    "response-scales": "response_scales",
    "min_valid": "min_valid_share",
    "min-valid-share": "min_valid_share",
    "threshold": "min_index",
    "min-index": "min_index",
    "not-applicable": "not_applicable",
    "supported-by": "supported_by",
}

_VERSION_FIELDS = {"version", "previous_version"}


# --------------------------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------------------------
# Why libyaml when it is there: parsing the shipped instruments with the pure-Python parser
# took over a second, paid by every process that opens the registry (the app's first page).
_BaseLoader: Any = BaseLoader

#: The instrument error code of each limit of :mod:`survey.instrument.yaml_limits`.
LIMIT_CODES: dict[Limit, str] = {Limit.BYTES: "I109", Limit.DEPTH: "I110", Limit.NODES: "I111"}


def limit_issue(exc: YamlLimitError, file: str) -> InstrumentIssue:
    """The located instrument issue of a file refused by a YAML limit.

    Parameters
    ----------
    exc : YamlLimitError
        The refusal.
    file : str
        The file's name in messages.

    Returns
    -------
    InstrumentIssue
        Coded I109 (bytes), I110 (depth) or I111 (values, aliases expanded).
    """
    return InstrumentIssue(
        LIMIT_CODES[exc.limit], exc.message, file=file, line=exc.line, hint=exc.fix
    )


class _LineLoader(_BaseLoader):
    """A safe loader whose dates stay text (``2026-11-23``), as the model expects."""


# Why: YAML 1.1 turns 2026-11-23 into a date object; changelog dates are ISO strings.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose_lines(
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    duplicates: list[tuple[tuple[Any, ...], int]],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                duplicates.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _compose_lines(value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, value_node in enumerate(node.value):
            child = (*path, index)
            lines[child] = value_node.start_mark.line + 1
            _compose_lines(value_node, child, lines, duplicates)


class LineMap:
    """Maps a location tuple to the YAML line where it (or its nearest parent) stands."""

    def __init__(self, lines: dict[tuple[Any, ...], int]) -> None:
        self._lines = {tuple(str(p) for p in key): line for key, line in lines.items()}

    def line(self, path: tuple[Any, ...]) -> int | None:
        key = tuple(str(p) for p in path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get((), None)


def load_yaml(
    text: str, file: str, limits: YamlLimits | None = None
) -> tuple[Any, LineMap, list[InstrumentIssue]]:
    """Parse YAML text; return the data, its line map and any issues (syntax, duplicate keys,
    a limit of :mod:`survey.instrument.yaml_limits` passed)."""
    try:
        check_limits(text, limits)
    except YamlLimitError as exc:
        return None, LineMap({}), [limit_issue(exc, file)]
    except yaml.YAMLError:
        pass  # the composer below reports it with its line
    loader = _LineLoader(text)
    try:
        # One parse: the node tree gives the line numbers, and the data is built from it.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except ValueError as exc:  # a value Python refuses to build (a number of 5000 digits)
        issue = InstrumentIssue(
            "I101", f"invalid value: {exc}", file=file, hint="write the value with fewer digits"
        )
        return None, LineMap({}), [issue]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return (
            None,
            LineMap({}),
            [InstrumentIssue("I101", f"invalid YAML: {problem}", file=file, line=line)],
        )
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    duplicates: list[tuple[tuple[Any, ...], int]] = []
    if node is not None:
        _compose_lines(node, (), lines, duplicates)
    issues = [
        InstrumentIssue("I108", f"key {path[-1]!r} appears twice", file=file, path=path, line=line)
        for path, line in duplicates
    ]
    return data, LineMap(lines), issues


# --------------------------------------------------------------------------------------------
# Aliases and pydantic errors
# --------------------------------------------------------------------------------------------
def apply_aliases(data: Any) -> Any:
    """Rewrite accepted alias keys to their canonical names, everywhere in the document."""
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            canonical = KEY_ALIASES.get(key, key) if isinstance(key, str) else key
            if canonical in out or (canonical != key and canonical in data):
                canonical = key  # both spellings given: keep both so that one is reported
            out[canonical] = apply_aliases(value)
        return out
    if isinstance(data, list):
        return [apply_aliases(value) for value in data]
    return data


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (empty when it is not a model)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def suggestion(key: str, allowed: list[str]) -> str | None:
    """The closest allowed key to a misspelt one, if any is close.

    >>> suggestion("revers", ["id", "text", "reverse", "required"])
    'reverse'
    >>> suggestion("colour", ["id", "text"]) is None
    True
    """
    candidates = list(allowed) + [alias for alias, key in KEY_ALIASES.items() if key in allowed]
    matches = difflib.get_close_matches(key, candidates, n=1, cutoff=0.7)
    if not matches:
        return None
    return KEY_ALIASES.get(matches[0], matches[0])


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def issues_from_validation(
    exc: ValidationError, model: type[BaseModel], file: str, lines: LineMap
) -> list[InstrumentIssue]:
    """Translate pydantic's errors into coded, located instrument issues."""
    issues: list[InstrumentIssue] = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if p != "[key]")
        kind = error["type"]
        field = str(loc[-1]) if loc else ""
        value = error.get("input")
        line = lines.line(loc)
        if kind == "extra_forbidden":
            near = suggestion(field, fields_at(model, loc[:-1]))
            hint = f"Did you mean {near!r}?" if near else None
            allowed = ", ".join(fields_at(model, loc[:-1]))
            issues.append(
                InstrumentIssue(
                    "I103",
                    f"unknown key {field!r} (allowed here: {allowed})",
                    file=file,
                    path=loc,
                    line=line,
                    hint=hint,
                )
            )
        elif kind == "missing":
            issues.append(
                InstrumentIssue("I104", f"missing key {field!r}", file=file, path=loc, line=line)
            )
        elif kind == "string_pattern_mismatch":
            code = "I400" if field in _VERSION_FIELDS else "I200"
            issues.append(
                InstrumentIssue(
                    code,
                    f"{value!r} is not a valid {'version' if code == 'I400' else 'id'}",
                    file=file,
                    path=loc,
                    line=line,
                )
            )
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            issues.append(
                InstrumentIssue(
                    "I106",
                    f"{value!r} is out of range: {error['msg'].lower()}",
                    file=file,
                    path=loc,
                    line=line,
                )
            )
        elif kind == "too_short":
            issues.append(
                InstrumentIssue("I107", "the list is empty", file=file, path=loc, line=line)
            )
        elif kind == "literal_error":
            issues.append(
                InstrumentIssue(
                    "I105",
                    f"{value!r} is not allowed: {error['msg'].lower()}",
                    file=file,
                    path=loc,
                    line=line,
                )
            )
        else:
            expected = _TYPE_WORDS.get(kind, error["msg"].lower())
            issues.append(
                InstrumentIssue(
                    "I105", f"expected {expected}, got {value!r}", file=file, path=loc, line=line
                )
            )
    return issues


# --------------------------------------------------------------------------------------------
# Content rules
# --------------------------------------------------------------------------------------------
def _localized_fields(
    obj: BaseModel, path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    """Every localized text in a model tree, with its location."""
    for name, field in type(obj).model_fields.items():
        value = getattr(obj, name)
        annotation = _unwrap(field.annotation)
        here = (*path, name)
        if value is None:
            continue
        if annotation == LocalizedText:
            yield here, value
        elif isinstance(value, BaseModel):
            yield from _localized_fields(value, here)
        elif isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, BaseModel):
                    yield from _localized_fields(entry, (*here, index))
        elif isinstance(value, dict) and typing.get_args(annotation)[-1:] == (LocalizedText,):
            for key, entry in value.items():
                yield (*here, key), entry


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


def check_instrument(
    instrument: Instrument, file: str, lines: LineMap, path: Path | None = None
) -> list[InstrumentIssue]:
    """The content rules of one instrument; ``instrument`` is a validated model."""
    issues: list[InstrumentIssue] = []

    def add(code: str, message: str, loc: tuple[Any, ...], severity: str = "error") -> None:
        issues.append(
            InstrumentIssue(
                code, message, file=file, path=loc, line=lines.line(loc), severity=severity
            )
        )

    languages = list(instrument.languages)
    # Translations: every declared language, nothing undeclared, nothing blank.
    for loc, texts in _localized_fields(instrument, ()):
        for language in languages:
            if language not in texts:
                add("I300", f"no {language!r} text (the file declares {languages})", loc)
            elif not str(texts[language]).strip():
                add("I311", f"the {language!r} text is blank", (*loc, language))
        for language in texts:
            if language not in languages:
                add("I301", f"text in {language!r}, which is not under languages", (*loc, language))

    # Response scales.
    rs_ids = [rs.id for rs in instrument.response_scales]
    for index, rs in enumerate(instrument.response_scales):
        _check_response_scale(rs, ("response_scales", index), add)
    for dup in _duplicates(rs_ids):
        add(
            "I205",
            f"response scale id {dup!r} is used twice",
            ("response_scales", rs_ids.index(dup)),
        )

    # Scales and items.
    if len(instrument.items) > MAX_ITEMS:
        add(
            "I314",
            f"the instrument has {len(instrument.items):,} items, more than the {MAX_ITEMS:,} "
            "one instrument may hold",
            ("scales",),
        )
    scale_ids = [scale.id for scale in instrument.scales]
    for dup in _duplicates(scale_ids):
        add(
            "I202",
            f"scale id {dup!r} is used twice",
            ("scales", len(scale_ids) - 1 - scale_ids[::-1].index(dup), "id"),
        )
    reference_ids = {ref.id for ref in instrument.references}
    seen_items: dict[str, tuple[Any, ...]] = {}
    for s_index, scale in enumerate(instrument.scales):
        here = ("scales", s_index)
        if scale.response_scale not in rs_ids:
            add(
                "I203",
                f"response scale {scale.response_scale!r} is not declared "
                f"(declared: {', '.join(rs_ids)})",
                (*here, "response_scale"),
            )
        if len(scale.items) < 3:
            add(
                "I304",
                f"scale {scale.id!r} has {len(scale.items)} item(s); at least 3 are "
                "needed for a reliable score",
                (*here, "items"),
            )
        for r_index, source in enumerate(scale.source):
            if source not in reference_ids:
                add(
                    "I206",
                    f"reference {source!r} is not declared under references",
                    (*here, "source", r_index),
                )
        for i_index, item in enumerate(scale.items):
            item_loc = (*here, "items", i_index)
            if item.id in seen_items:
                add(
                    "I201",
                    f"item id {item.id!r} is already used at {format_path(seen_items[item.id])}",
                    (*item_loc, "id"),
                )
            seen_items.setdefault(item.id, item_loc)
            if item.response_scale is not None and item.response_scale not in rs_ids:
                add(
                    "I203",
                    f"response scale {item.response_scale!r} is not declared",
                    (*item_loc, "response_scale"),
                )
    if instrument.items and not any(item.reverse for item in instrument.items):
        add(
            "I310",
            "no item is reverse keyed; a few reverse-keyed items help to detect "
            "acquiescent answering",
            ("scales",),
            severity="warning",
        )

    # Dimensions.
    in_dimension: dict[str, str] = {}
    for d_index, dimension in enumerate(instrument.dimensions):
        for s_index, scale_id in enumerate(dimension.scales):
            loc = ("dimensions", d_index, "scales", s_index)
            if scale_id not in scale_ids:
                add("I204", f"scale {scale_id!r} is not declared under scales", loc)
            elif scale_id in in_dimension:
                add(
                    "I207",
                    f"scale {scale_id!r} is already in dimension {in_dimension[scale_id]!r}",
                    loc,
                )
            in_dimension.setdefault(scale_id, dimension.id)
    for dup in _duplicates([d.id for d in instrument.dimensions]):
        add("I205", f"dimension id {dup!r} is used twice", ("dimensions",))

    # Stages.
    _check_stages(instrument.stages, add)
    stage_numbers = {stage.stage for stage in instrument.stages}

    # Recommendations.
    for dup in _duplicates([r.id for r in instrument.recommendations]):
        add("I205", f"recommendation id {dup!r} is used twice", ("recommendations",))
    for r_index, rec in enumerate(instrument.recommendations):
        if rec.scale not in scale_ids:
            add(
                "I204",
                f"recommendation {rec.id!r} names scale {rec.scale!r}, which is not "
                "declared under scales",
                ("recommendations", r_index, "scale"),
            )
        for st_index, stage in enumerate(rec.stages):
            if stage not in stage_numbers:
                add(
                    "I308",
                    f"stage {stage} does not exist (stages: {sorted(stage_numbers)})",
                    ("recommendations", r_index, "stages", st_index),
                )
    for dup in _duplicates([r.id for r in instrument.references]):
        add("I205", f"reference id {dup!r} is used twice", ("references",))

    # Versions and file layout.
    if not any(entry.version == instrument.version for entry in instrument.changelog):
        add("I406", f"the changelog has no entry for version {instrument.version}", ("changelog",))
    if path is not None:
        if path.stem != instrument.version:
            add(
                "I401",
                f"the file is named {path.name!r} but holds version "
                f"{instrument.version}; name it {instrument.version}.yaml",
                ("version",),
            )
        if path.parent.name != instrument.id:
            add(
                "I402",
                f"the file lies in folder {path.parent.name!r} but holds instrument "
                f"{instrument.id!r}",
                ("id",),
            )
    return issues


def _check_response_scale(rs: ResponseScale, here: tuple[Any, ...], add: Any) -> None:
    if rs.min >= rs.max:
        add("I309", f"min ({rs.min}) must be smaller than max ({rs.max})", (*here, "max"))
        return
    if rs.max - rs.min + 1 > MAX_SCALE_POINTS:
        # One issue, before any point is listed: 1..1000000000 would not fit in memory.
        add(
            "I313",
            f"{rs.min}..{rs.max} has {rs.max - rs.min + 1:,} points, more than the "
            f"{MAX_SCALE_POINTS} a response scale may have",
            (*here, "max"),
        )
        return
    missing = [point for point in rs.points if point not in rs.labels]
    if len(missing) == 1:
        add("I302", f"point {missing[0]} of {rs.min}..{rs.max} has no label", (*here, "labels"))
    elif missing:  # one issue for the scale, not one line per point
        shown = ", ".join(str(point) for point in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        add(
            "I302",
            f"points {shown}{more} of {rs.min}..{rs.max} have no label",
            (*here, "labels"),
        )
    for point in rs.labels:
        if point < rs.min or point > rs.max:
            add(
                "I303",
                f"label for point {point}, outside {rs.min}..{rs.max}",
                (*here, "labels", point),
            )
    if rs.not_applicable and rs.not_applicable_label is None:
        add(
            "I312",
            "not_applicable is true but not_applicable_label is missing",
            (*here, "not_applicable"),
        )


def _check_stages(stages: list[Stage], add: Any) -> None:
    if not stages:
        add("I107", "an instrument needs at least one maturity stage", ("stages",))
        return
    for index, stage in enumerate(stages):
        if stage.stage != index + 1:
            add(
                "I307",
                f"stage number {stage.stage} at position {index + 1}; number stages "
                "1, 2, 3, ... in order",
                ("stages", index, "stage"),
            )
    if stages[0].min_index != 0:
        add(
            "I306",
            f"the first stage starts at {stages[0].min_index:g}, not 0: scores below "
            "it would have no stage",
            ("stages", 0, "min_index"),
        )
    for index in range(1, len(stages)):
        if stages[index].min_index <= stages[index - 1].min_index:
            add(
                "I305",
                f"min_index {stages[index].min_index:g} is not above the previous "
                f"stage's {stages[index - 1].min_index:g}",
                ("stages", index, "min_index"),
            )
    if stages[-1].min_index >= 100:
        add(
            "I306",
            "the last stage starts at 100: it could only be reached by a perfect score",
            ("stages", len(stages) - 1, "min_index"),
        )


# --------------------------------------------------------------------------------------------
# One file
# --------------------------------------------------------------------------------------------
@dataclass
class Reading:
    """What reading one file gave: the instrument (``None`` if it could not be built), every
    issue (warnings included; errors have ``severity == "error"``) and the YAML line map."""

    instrument: Instrument | None
    issues: list[InstrumentIssue]
    lines: LineMap

    @property
    def valid(self) -> bool:
        return self.instrument is not None and not any(
            issue.severity == "error" for issue in self.issues
        )


#: Most issues reported for one file; the rest are summed up in one I112 issue.
MAX_ISSUES_PER_FILE = 100


def _capped(issues: list[InstrumentIssue], file: str) -> list[InstrumentIssue]:
    """At most :data:`MAX_ISSUES_PER_FILE` issues, then one that counts the others."""
    if len(issues) <= MAX_ISSUES_PER_FILE:
        return issues
    rest = len(issues) - MAX_ISSUES_PER_FILE
    return [
        *issues[:MAX_ISSUES_PER_FILE],
        InstrumentIssue("I112", f"{rest:,} more problem(s) in this file are not shown", file=file),
    ]


def read_instrument(path: Path) -> Reading:
    """Read and check one instrument file; never raises for a problem in the file.

    At most :data:`MAX_ISSUES_PER_FILE` issues are reported, then one I112 that counts the rest.
    """
    file = relative_name(path)
    try:
        text = read_limited_text(path)
    except YamlLimitError as exc:
        return Reading(None, [limit_issue(exc, file)], LineMap({}))
    except (OSError, UnicodeDecodeError) as exc:
        return Reading(
            None, [InstrumentIssue("I100", f"cannot read the file: {exc}", file=file)], LineMap({})
        )
    data, lines, issues = load_yaml(text, file)
    if issues and issues[0].code in ("I101", *LIMIT_CODES.values()):
        return Reading(None, issues, lines)
    if not isinstance(data, dict):
        return Reading(
            None,
            [
                *issues,
                InstrumentIssue(
                    "I102",
                    f"the file holds {type(data).__name__}, not a mapping of keys",
                    file=file,
                    line=1,
                ),
            ],
            lines,
        )
    data = apply_aliases(data)
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        return Reading(
            None,
            _capped([*issues, *issues_from_validation(exc, Instrument, file, lines)], file),
            lines,
        )
    issues.extend(check_instrument(instrument, file, lines, path))
    return Reading(instrument, _capped(issues, file), lines)


_SEMVER_FILE = re.compile(r"^\d+\.\d+\.\d+\.ya?ml$")


def is_instrument_file(path: Path) -> bool:
    """Whether a path looks like ``<instrument-id>/<semver>.yaml``."""
    return bool(_SEMVER_FILE.match(path.name))

"""How the columns and answers of a response file map to an instrument: a mapping file (YAML)::

respondent_id: ResponseId     # column holding respondent ids (default: "respondent_id")
role: Department              # column of respondent roles (default: "role")
side: Side                    # column of sides (default: "side")
language: Lang                # column of languages (default: "language")
defaults: {role: other, side: self, language: en}
skip_rows: 2                  # rows after the header to skip (Qualtrics has two)
ignore: [StartDate, EndDate]  # columns to leave out
columns:                      # column -> item id
  Q1_1: IC-IND-1
values:                       # text answers -> points (or na)
  Strongly disagree: 1
  Not applicable: na
roles:                        # text roles -> roles
  Research & Development: rnd
sides: {Kunde: customer}      # text sides -> sides
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from survey.ingest.problems import FileProblem, FileRefused, Kind
from survey.instrument.yaml_limits import YamlLimitError, read_limited_text, safe_load

MAPPING_KEYS = (
    "respondent_id",
    "role",
    "side",
    "language",
    "defaults",
    "skip_rows",
    "ignore",
    "columns",
    "values",
    "roles",
    "sides",
)


@dataclass(frozen=True)
class ResponseMapping:
    """A mapping file as read (all keys optional). ``values``, ``roles`` and ``sides`` are keyed
    by lower-case text; ``respondent_id``, ``role``, ``side`` and ``language`` name columns."""

    respondent_id: str | None = None
    role: str | None = None
    side: str | None = None
    language: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    skip_rows: int = 0
    ignore: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, int | str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    sides: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path) -> ResponseMapping:
    """Read a mapping file.

    Raises
    ------
    FileRefused
        The file cannot be read, is not a YAML mapping, or has unknown keys or wrong types
        (every one of them is listed); or it goes past a limit of
        :mod:`survey.instrument.yaml_limits` (size, nesting, values with aliases expanded).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "map.yaml"
    >>> _ = path.write_text("respondent_id: Nr\\nvalues: {Agree: 4}\\n")
    >>> read_mapping(path).values
    {'agree': 4}
    >>> _ = path.write_text("column: {Q1: A-1}\\n")
    >>> read_mapping(path)
    Traceback (most recent call last):
    ...
    survey.ingest.problems.FileRefused: map.yaml: unknown key 'column' (did you mean 'columns'?)...
    """
    name = path.name
    try:
        data = safe_load(read_limited_text(path)) or {}
    except YamlLimitError as exc:
        raise FileRefused(
            [FileProblem(exc.message, line=exc.line, file=name, fix=exc.fix, kind=Kind.TOO_LARGE)]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FileRefused(
            [
                FileProblem(
                    f"cannot read the mapping file: invalid YAML ({problem})",
                    line=mark.line + 1 if mark is not None else None,
                    file=name,
                    kind=Kind.MAPPING,
                )
            ]
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a number of 5000 digits
        raise FileRefused([_problem(name, f"cannot read the mapping file: {exc}")]) from None
    if not isinstance(data, dict):
        raise FileRefused([_problem(name, "a mapping file must be a YAML mapping (key: value)")])
    problems = []
    for key in data:
        if key not in MAPPING_KEYS:
            hint = difflib.get_close_matches(str(key), MAPPING_KEYS, n=1)
            problems.append(
                _problem(
                    name,
                    f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                    "use only " + ", ".join(MAPPING_KEYS),
                )
            )
    for key in ("defaults", "columns", "values", "roles", "sides"):
        if key in data and not isinstance(data[key], dict):
            problems.append(_problem(name, f"{key} must be a mapping"))
    if "ignore" in data and not isinstance(data["ignore"], list):
        problems.append(_problem(name, "ignore must be a list"))
    if not isinstance(data.get("skip_rows", 0), int):
        problems.append(_problem(name, "skip_rows must be a number"))
    if problems:
        raise FileRefused(problems)

    def text(key: str) -> str | None:
        return None if data.get(key) is None else str(data[key])

    return ResponseMapping(
        respondent_id=text("respondent_id"),
        role=text("role"),
        side=text("side"),
        language=text("language"),
        defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
        skip_rows=int(data.get("skip_rows", 0)),
        ignore=[str(c) for c in data.get("ignore") or []],
        columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
        values={str(k).strip().lower(): v for k, v in (data.get("values") or {}).items()},
        roles={str(k).strip().lower(): str(v) for k, v in (data.get("roles") or {}).items()},
        sides={str(k).strip().lower(): str(v) for k, v in (data.get("sides") or {}).items()},
    )


def _problem(name: str, message: str, fix: str | None = None) -> FileProblem:
    return FileProblem(message, file=name, fix=fix, kind=Kind.MAPPING)

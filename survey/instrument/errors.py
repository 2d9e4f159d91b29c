"""The catalogue of instrument errors.

Every problem found in an instrument file has a stable code from :data:`CATALOGUE`, a location
(file, path inside the file, YAML line) and a hint that says how to fix it. Tests assert on the
code, users read the message, and ``docs/instrument-errors.md`` is checked against this list, so
a code cannot be added without being documented.

The codes are grouped: ``I1xx`` reading and structure, ``I2xx`` identifiers and references,
``I3xx`` content rules, ``I4xx`` versions, publishing and lineage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ErrorKind:
    """One entry of the catalogue: a code, a short title and a generic fix."""

    code: str
    title: str
    fix: str


_KINDS = [
    # Reading and structure
    ErrorKind("I100", "file cannot be read", "Check that the path exists and is readable."),
    ErrorKind("I101", "invalid YAML", "Fix the YAML syntax at the line shown."),
    ErrorKind("I102", "not a mapping", "An instrument file is a YAML mapping of keys to values."),
    ErrorKind("I103", "unknown key", "Remove the key or correct its spelling."),
    ErrorKind("I104", "missing key", "Add the required key."),
    ErrorKind("I105", "wrong type", "Give a value of the expected type."),
    ErrorKind("I106", "value out of range", "Give a value inside the allowed range."),
    ErrorKind("I107", "empty list", "Give at least one entry."),
    ErrorKind("I108", "duplicate key", "Keep one of the repeated keys in this mapping."),
    ErrorKind(
        "I112",
        "too many problems",
        "Fix the problems shown (at most 100 per file) and validate again to see the rest.",
    ),
    ErrorKind(
        "I109",
        "file too large",
        "Shorten the file; if it is trusted and really that long, raise COCREATE_MAX_YAML_BYTES.",
    ),
    ErrorKind(
        "I110",
        "nested too deep",
        "Nest mappings and lists less deeply; if the file is trusted, raise "
        "COCREATE_MAX_YAML_DEPTH.",
    ),
    ErrorKind(
        "I111",
        "too many values (aliases expanded)",
        "Write values out instead of nesting aliases (&name, *name); if the file is trusted and "
        "really that large, raise COCREATE_MAX_YAML_NODES.",
    ),
    # Identifiers and references
    ErrorKind(
        "I200",
        "invalid identifier",
        "Use lower-case letters, digits and hyphens for instrument, scale, dimension and "
        "response-scale ids (e.g. 'co-design'); upper-case letters, digits and hyphens for item "
        "ids (e.g. 'IC-IND-1').",
    ),
    ErrorKind("I201", "duplicate item id", "Give every item an id used nowhere else."),
    ErrorKind("I202", "duplicate scale id", "Give every scale in the instrument its own id."),
    ErrorKind("I203", "unknown response scale", "Refer to an id declared under response_scales."),
    ErrorKind("I204", "unknown scale", "Refer to a scale id declared under scales."),
    ErrorKind("I205", "duplicate id", "Give every entry of this list its own id."),
    ErrorKind("I206", "unknown reference", "Refer to an id declared under references."),
    ErrorKind("I207", "scale in two dimensions", "List each scale in at most one dimension."),
    ErrorKind(
        "I208",
        "unknown linked scale",
        "Write 'instrument-id/scale-id' of a scale that exists in a shipped instrument.",
    ),
    # Content rules
    ErrorKind("I300", "missing translation", "Give the text in every language the file declares."),
    ErrorKind("I301", "undeclared language", "Declare the language under languages, or remove it."),
    ErrorKind("I302", "missing point label", "Give a label for every point of the response scale."),
    ErrorKind("I303", "label for a point outside the scale", "Remove labels outside min..max."),
    ErrorKind("I304", "too few items", "Give each scale at least 3 items."),
    ErrorKind(
        "I305",
        "stage thresholds not increasing",
        "List stages in order with strictly increasing min_index values.",
    ),
    ErrorKind(
        "I306",
        "stage thresholds do not cover 0-100",
        "Start the first stage at min_index 0 and keep every threshold below 100.",
    ),
    ErrorKind("I307", "stage numbers out of order", "Number stages 1, 2, 3, ... in order."),
    ErrorKind("I308", "recommendation for an unknown stage", "Use stage numbers that exist."),
    ErrorKind("I309", "response scale range invalid", "Make min smaller than max."),
    ErrorKind("I310", "no reverse-keyed item", "Key at least one item in reverse (reverse: true)."),
    ErrorKind("I311", "empty text", "Write the text; it may not be blank."),
    ErrorKind(
        "I312",
        "not-applicable label missing",
        "Give not_applicable_label when not_applicable is true.",
    ),
    ErrorKind(
        "I313",
        "response scale too wide",
        "Give a response scale at most 101 points (max - min + 1), such as 0..100.",
    ),
    ErrorKind(
        "I314",
        "too many items",
        "Split the instrument: one instrument holds at most 1000 items.",
    ),
    # Versions, publishing, lineage
    ErrorKind("I400", "invalid version", "Use a semantic version such as 1.0.0."),
    ErrorKind(
        "I401",
        "version differs from the file name",
        "Name the file <version>.yaml after the version it holds.",
    ),
    ErrorKind(
        "I402",
        "id differs from the folder name",
        "Keep the file in instruments/<instrument-id>/.",
    ),
    ErrorKind(
        "I403",
        "published version changed",
        "Published versions are immutable: undo the change and publish it as a new version "
        "(copy the file to the next version number, edit it, then run "
        "'cocreate instruments publish ID@VERSION').",
    ),
    ErrorKind(
        "I404",
        "unknown previous version",
        "Name a version of the same instrument that exists under instruments/.",
    ),
    ErrorKind(
        "I405",
        "comparability mapping names an unknown item",
        "Map item ids of this version to item ids of the previous version.",
    ),
    ErrorKind(
        "I406",
        "changelog lacks this version",
        "Add a changelog entry for the version this file holds.",
    ),
    ErrorKind(
        "I407",
        "lock file unreadable",
        "Restore instruments/instruments.lock from version control.",
    ),
    ErrorKind(
        "I408",
        "item id reused by another instrument",
        "An item id belongs to one instrument; give this item a new id.",
    ),
]

#: Every instrument error code with its title and generic fix, in one place.
CATALOGUE: dict[str, ErrorKind] = {kind.code: kind for kind in _KINDS}


@dataclass(frozen=True)
class InstrumentIssue:
    """One located problem in an instrument file.

    ``path`` is a tuple such as ``("scales", 2, "items", 0, "id")``; :attr:`where` renders it as
    ``scales[2].items[0].id``.
    """

    code: str
    message: str
    file: str | None = None
    path: tuple[str | int, ...] = ()
    line: int | None = None
    hint: str | None = None
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown instrument error code {self.code!r}: add it to CATALOGUE")

    @property
    def where(self) -> str:
        return format_path(self.path)

    @property
    def fix(self) -> str:
        return self.hint or CATALOGUE[self.code].fix

    def __str__(self) -> str:
        location = self.file or "<instrument>"
        if self.line is not None:
            location += f":{self.line}"
        if self.path:
            location += f": {self.where}"
        return f"{location}: {self.severity} {self.code} {self.message}. Fix: {self.fix}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "path": self.where,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }


def format_path(path: Sequence[str | int]) -> str:
    """Render a location tuple the way a reader points into YAML.

    >>> format_path(("scales", 2, "items", 0, "id"))
    'scales[2].items[0].id'
    >>> format_path(())
    ''
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class InstrumentError(Exception):
    """Raised when one or more instrument files are invalid; carries every issue found."""

    issues: list[InstrumentIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]


def relative_name(path: Path) -> str:
    """A short, readable name for a file in messages (relative to the working directory)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def catalogue_markdown() -> str:
    """The catalogue as the Markdown page ``docs/instrument-errors.md`` (kept equal by a test)."""
    lines = [
        "# Instrument error codes",
        "",
        "`cocreate validate` reports every problem as `file:line: path: error CODE message. "
        "Fix: ...`.",
        "This page is generated from `survey/instrument/errors.py` "
        "(`python -m survey.instrument.errors > "
        "docs/instrument-errors.md`); a test fails when the two differ.",
        "",
        "| code | problem | how to fix it |",
        "|---|---|---|",
    ]
    lines += [f"| {k.code} | {k.title} | {k.fix} |" for k in CATALOGUE.values()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")

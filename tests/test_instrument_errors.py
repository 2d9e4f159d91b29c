"""Every broken instrument gives its own coded, located message (code, path and line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from survey.instrument.errors import CATALOGUE
from tests.instrument_case import base_instrument, changed, errors_of, write_instrument


def _set(path: list[Any], value: Any):
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: list[Any]):
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


# (case name, change to the base instrument, expected code, expected path)
CASES: list[tuple[str, Any, str, str]] = [
    ("unknown top-level key", _set(["colour"], "red"), "I103", "colour"),
    (
        "misspelt item key",
        _set(["scales", 0, "items", 0, "revers"], True),
        "I103",
        "scales[0].items[0].revers",
    ),
    ("missing title", _delete(["title"]), "I104", "title"),
    (
        "missing item text",
        _delete(["scales", 1, "items", 2, "text"]),
        "I104",
        "scales[1].items[2].text",
    ),
    (
        "min not a number",
        _set(["response_scales", 0, "min"], "one"),
        "I105",
        "response_scales[0].min",
    ),
    (
        "min_valid_share above 1",
        _set(["scoring", "min_valid_share"], 1.5),
        "I106",
        "scoring.min_valid_share",
    ),
    (
        "bad item id",
        _set(["scales", 0, "items", 1, "id"], "t a 2"),
        "I200",
        "scales[0].items[1].id",
    ),
    ("bad scale id", _set(["scales", 1, "id"], "Scale_B"), "I200", "scales[1].id"),
    (
        "duplicate item id",
        _set(["scales", 1, "items", 0, "id"], "T-A-1"),
        "I201",
        "scales[1].items[0].id",
    ),
    ("duplicate scale id", _set(["scales", 1, "id"], "scale-a"), "I202", "scales[1].id"),
    (
        "unknown response scale",
        _set(["scales", 0, "response_scale"], "agreement-7"),
        "I203",
        "scales[0].response_scale",
    ),
    (
        "dimension names unknown scale",
        _set(["dimensions", 0, "scales"], ["scale-z"]),
        "I204",
        "dimensions[0].scales[0]",
    ),
    (
        "recommendation names unknown scale",
        _set(["recommendations", 0, "scale"], "scale-z"),
        "I204",
        "recommendations[0].scale",
    ),
    (
        "unknown reference",
        _set(["scales", 0, "source"], ["nobody-2020"]),
        "I206",
        "scales[0].source[0]",
    ),
    (
        "scale in two dimensions",
        _set(
            ["dimensions"],
            [
                {"id": "d1", "name": {"en": "1", "de": "1"}, "scales": ["scale-a"]},
                {"id": "d2", "name": {"en": "2", "de": "2"}, "scales": ["scale-a"]},
            ],
        ),
        "I207",
        "dimensions[1].scales[0]",
    ),
    (
        "missing German item text",
        _set(["scales", 0, "items", 0, "text"], {"en": "Only English"}),
        "I300",
        "scales[0].items[0].text",
    ),
    ("undeclared language", _set(["title"], {"en": "T", "de": "T", "fr": "T"}), "I301", "title.fr"),
    (
        "missing point label",
        _delete(["response_scales", 0, "labels", 3]),
        "I302",
        "response_scales[0].labels",
    ),
    (
        "label outside the scale",
        _set(["response_scales", 0, "labels", 9], {"en": "x", "de": "x"}),
        "I303",
        "response_scales[0].labels[9]",
    ),
    (
        "two items only",
        _set(["scales", 1, "items"], base_instrument()["scales"][1]["items"][:2]),
        "I304",
        "scales[1].items",
    ),
    (
        "thresholds not increasing",
        _set(["stages", 2, "min_index"], 30),
        "I305",
        "stages[2].min_index",
    ),
    ("first stage above 0", _set(["stages", 0, "min_index"], 10), "I306", "stages[0].min_index"),
    ("stages misnumbered", _set(["stages", 1, "stage"], 3), "I307", "stages[1].stage"),
    (
        "recommendation for stage 9",
        _set(["recommendations", 0, "stages"], [1, 9]),
        "I308",
        "recommendations[0].stages[1]",
    ),
    ("min above max", _set(["response_scales", 0, "min"], 6), "I309", "response_scales[0].max"),
    ("blank text", _set(["description", "de"], "   "), "I311", "description.de"),
    (
        "N/A without label",
        _delete(["response_scales", 0, "not_applicable_label"]),
        "I312",
        "response_scales[0].not_applicable",
    ),
    ("bad version", _set(["version"], "1.0"), "I400", "version"),
    ("changelog lacks version", _set(["changelog", 0, "version"], "0.9.0"), "I406", "changelog"),
    ("wrong literal", _set(["scoring", "method"], "sum"), "I105", "scoring.method"),
    (
        "comparability with unknown previous version",
        _set(["comparability"], {"previous_version": "0.1.0", "items": {"T-A-1": "T-A-1"}}),
        "I404",
        "comparability.previous_version",
    ),
]


@pytest.mark.parametrize(("name", "change", "code", "path"), CASES, ids=[c[0] for c in CASES])
def test_broken_instrument_gives_coded_located_issue(
    tmp_path: Path, name: str, change: Any, code: str, path: str
) -> None:
    write_instrument(tmp_path, changed(change))
    issues = errors_of(tmp_path)
    assert (code, path) in [(i.code, i.where) for i in issues], [str(i) for i in issues]
    issue = next(i for i in issues if (i.code, i.where) == (code, path))
    assert issue.file is not None and issue.file.endswith(".yaml")
    assert issue.line is not None and issue.line > 0
    assert issue.fix


def test_the_base_instrument_is_valid(tmp_path: Path) -> None:
    write_instrument(tmp_path, base_instrument())
    assert errors_of(tmp_path) == []


def test_at_least_twenty_distinct_codes_are_exercised() -> None:
    assert len({code for _, _, code, _ in CASES}) >= 20


def test_did_you_mean_for_a_near_miss_key(tmp_path: Path) -> None:
    write_instrument(tmp_path, changed(_set(["scales", 0, "items", 0, "revers"], True)))
    (issue,) = errors_of(tmp_path)
    assert "Did you mean 'reverse'?" in str(issue)


def test_aliases_are_accepted(tmp_path: Path) -> None:
    def use_alias(data: dict[str, Any]) -> None:
        item = data["scales"][0]["items"][2]
        item["reverse_keyed"] = item.pop("reverse")

    write_instrument(tmp_path, changed(use_alias))
    assert errors_of(tmp_path) == []


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write_instrument(tmp_path, "id: test-instrument\nversion: 1.0.0\ntitle: {en: [unclosed\n")
    (issue,) = errors_of(tmp_path)
    assert issue.code == "I101" and issue.line is not None


def test_duplicate_key(tmp_path: Path) -> None:
    import yaml

    text = yaml.safe_dump(base_instrument(), allow_unicode=True, sort_keys=False)
    text = text.replace("version: 1.0.0\n", "version: 1.0.0\nversion: 1.0.0\n", 1)
    write_instrument(tmp_path, text)
    issues = errors_of(tmp_path)
    assert ("I108", "version") in [(i.code, i.where) for i in issues]
    dup = next(i for i in issues if i.code == "I108")
    assert dup.line == 3


def test_not_a_mapping(tmp_path: Path) -> None:
    write_instrument(tmp_path, "- just\n- a list\n")
    (issue,) = errors_of(tmp_path)
    assert issue.code == "I102"


def test_line_points_at_the_offending_key(tmp_path: Path) -> None:
    import yaml

    data = changed(_set(["scales", 1, "items", 0, "id"], "T-A-1"))
    path = write_instrument(tmp_path, data)
    (issue,) = errors_of(tmp_path)
    line = path.read_text().splitlines()[issue.line - 1]
    assert "T-A-1" in line, line
    assert yaml.safe_load(path.read_text())["scales"][1]["items"][0]["id"] == "T-A-1"


def test_version_must_match_file_name(tmp_path: Path) -> None:
    write_instrument(tmp_path, base_instrument(), file_name="1.0.1.yaml")
    assert ("I401", "version") in [(i.code, i.where) for i in errors_of(tmp_path)]


def test_id_must_match_folder(tmp_path: Path) -> None:
    write_instrument(tmp_path, base_instrument(), instrument_id="other-folder")
    assert "I402" in [i.code for i in errors_of(tmp_path)]


def test_item_ids_unique_across_instruments(tmp_path: Path) -> None:
    write_instrument(tmp_path, base_instrument())
    other = base_instrument()
    other["id"] = "other-instrument"
    write_instrument(tmp_path, other)
    issues = [i for i in errors_of(tmp_path) if i.code == "I408"]
    # Every item of one of the two files is flagged, each naming the instrument that owns it.
    assert len(issues) == 6, [str(i) for i in issues]
    assert len({i.file for i in issues}) == 1
    assert all("already belongs to instrument" in i.message for i in issues)


def test_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "test-instrument"
    folder.mkdir()
    (folder / "1.0.0.yaml").write_bytes(b"id: \xff\xfe broken")
    (issue,) = errors_of(tmp_path)
    assert issue.code == "I100"


def test_every_code_has_a_title_and_fix() -> None:
    for kind in CATALOGUE.values():
        assert kind.title and kind.fix.endswith((".", ")", "'")), kind

"""Hostile files for every parser of untrusted input: instrument YAML, mapping YAML, the lock
file, CSV and XLSX. Each ends with a located refusal (file, line or field, the limit and the
setting that raises it) within the harness's ceilings, never a traceback.

The first half runs ``cocreate`` in a bounded child process (:mod:`tests.hostile.harness`); the
second half tests the loader and the readers in-process on small inline documents.
"""

from __future__ import annotations

import copy
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey import settings
from survey.ingest import files
from survey.ingest.files import read_table
from survey.ingest.mapping import read_mapping
from survey.ingest.problems import FileRefused, Kind
from survey.instrument.checks import MAX_ISSUES_PER_FILE, load_yaml
from survey.instrument.model import MAX_SCALE_POINTS
from survey.instrument.registry import LOCK_NAME, read_lock, shipped_instruments_dir
from survey.instrument.yaml_limits import (
    DEPTH_CEILING,
    Limit,
    YamlLimitError,
    YamlLimits,
    check_limits,
    read_limited_text,
)
from tests.hostile.harness import TIME_CEILING, Outcome, run_bounded
from tests.instrument_case import base_instrument, errors_of, write_instrument

#: Nine lines that expand to 9**9 (387 million) strings: "billion laughs".
LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
#: The first line of LAUGHS whose alias takes the expanded count past the default node limit
#: (200,000): each ``*e`` brings 9**5 + 9**4 + ... values.
LAUGHS_BREACH_LINE = 6


def _bounded(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Outcome:
    """``run_bounded`` that also asserts the run ended well inside the wall-clock ceiling."""
    start = time.monotonic()
    outcome = run_bounded(*args, env=env, cwd=cwd)
    assert time.monotonic() - start < TIME_CEILING
    return outcome


def _instrument_text(**changes: Any) -> str:
    data = copy.deepcopy(base_instrument())
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _response_scale(maximum: int) -> list[dict[str, Any]]:
    scale = copy.deepcopy(base_instrument()["response_scales"][0])
    scale["max"] = maximum
    return [scale]


# --------------------------------------------------------------------------------------------
# cocreate in a bounded child process
# --------------------------------------------------------------------------------------------
def test_billion_laughs_in_an_instrument_is_refused_at_its_alias(tmp_path: Path) -> None:
    write_instrument(tmp_path, LAUGHS + "\n" + _instrument_text())
    outcome = _bounded("validate", env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path)}, cwd=tmp_path)
    outcome.assert_refused(
        f"test-instrument/1.0.0.yaml:{LAUGHS_BREACH_LINE}: error I111",
        "more than 200,000 values",
        "alias *e",
        "COCREATE_MAX_YAML_NODES",
    )
    assert outcome.stderr.count("error I") == 1  # one problem, one line


def test_a_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    write_instrument(tmp_path, "id: &x [a, *x]\n")
    outcome = _bounded("validate", env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path)}, cwd=tmp_path)
    outcome.assert_refused("1.0.0.yaml:1: error I111", "alias *x lies inside the value it names")


def test_billion_laughs_in_a_mapping_file_is_refused(tmp_path: Path) -> None:
    write_instrument(tmp_path / "instruments", _instrument_text())
    (tmp_path / "map.yaml").write_text(LAUGHS + "\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("respondent_id,T-A-1\n1,3\n", encoding="utf-8")
    outcome = _bounded(
        "import",
        "r.csv",
        "--db",
        f"sqlite:///{tmp_path / 'c.db'}",
        "--instrument",
        "test-instrument",
        "--organization",
        "Acme",
        "--mapping",
        "map.yaml",
        env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path / "instruments")},
        cwd=tmp_path,
    )
    outcome.assert_refused(
        f"map.yaml: line {LAUGHS_BREACH_LINE}: aliases expand the file to more than 200,000",
        "COCREATE_MAX_YAML_NODES",
        "nothing was imported",
    )


@pytest.mark.parametrize(
    ("lock", "fragments"),
    [
        ("[" * 100_000 + "]" * 100_000, ("instruments.lock:1: error I110", "nest more than 64")),
        (LAUGHS, (f"instruments.lock:{LAUGHS_BREACH_LINE}: error I111", "200,000 values")),
    ],
    ids=["nested-100000-deep", "billion-laughs"],
)
def test_a_hostile_lock_file_is_refused(
    tmp_path: Path, lock: str, fragments: tuple[str, ...]
) -> None:
    write_instrument(tmp_path, _instrument_text())
    (tmp_path / LOCK_NAME).write_text(lock, encoding="utf-8")
    outcome = _bounded("validate", env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path)}, cwd=tmp_path)
    outcome.assert_refused(*fragments)
    assert "RecursionError" not in outcome.stderr


@pytest.mark.parametrize("maximum", [1_000_000_000, 1_000_000])
def test_a_response_scale_of_a_billion_points_is_one_error(tmp_path: Path, maximum: int) -> None:
    path = write_instrument(tmp_path, _instrument_text(response_scales=_response_scale(maximum)))
    line = 1 + path.read_text(encoding="utf-8").splitlines().index(f"  max: {maximum}")
    outcome = _bounded("validate", env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path)}, cwd=tmp_path)
    outcome.assert_refused(
        f"1.0.0.yaml:{line}: response_scales[0].max: error I313",
        f"{maximum:,} points, more than the 101",
    )
    assert len(outcome.stderr.splitlines()) < 10, outcome.stderr[:2000]


def test_an_over_long_instrument_file_is_refused_before_parsing(tmp_path: Path) -> None:
    write_instrument(tmp_path, _instrument_text() + "#" * 20_000 + "\n")
    outcome = _bounded(
        "validate",
        env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path), "COCREATE_MAX_YAML_BYTES": "10000"},
        cwd=tmp_path,
    )
    outcome.assert_refused(
        "1.0.0.yaml: error I109", "longer than 10,000 bytes", "COCREATE_MAX_YAML_BYTES"
    )


def test_a_number_of_5000_digits_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    write_instrument(tmp_path, _instrument_text().replace("max: 5", "max: 1" + "0" * 5000))
    outcome = _bounded("validate", env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path)}, cwd=tmp_path)
    outcome.assert_refused("1.0.0.yaml: error I101 invalid value", "digits")


def test_doubled_quotes_in_a_csv_cell_are_one_cell(tmp_path: Path) -> None:
    write_instrument(tmp_path / "instruments", _instrument_text())
    items = ["T-A-1", "T-A-2", "T-A-3", "T-B-1", "T-B-2", "T-B-3"]
    notes = ['"She said ""fine"""', '"a ""b"", c; d"', "ok", '""""', '"x,""y"""', "plain"]
    lines = ["id," + ",".join(items) + ",note"]
    for n, note in enumerate(notes, start=1):
        lines.append(f"R{n}," + ",".join(str(1 + (n + i) % 5) for i in range(6)) + f",{note}")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = _bounded(
        "score",
        "r.csv",
        "--instrument",
        "test-instrument",
        "--id-column",
        "id",
        "--ignore",
        "note",
        env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path / "instruments")},
        cwd=tmp_path,
    )
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert "6 respondents from r.csv" in outcome.stdout
    table = read_table(tmp_path / "r.csv")
    assert [cells[-1] for _, cells in table.rows] == [
        'She said "fine"',
        'a "b", c; d',
        "ok",
        '"',
        'x,"y"',
        "plain",
    ]


def _xlsx(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "T-A-1", "T-A-2", "T-A-3", "T-B-1", "T-B-2", "T-B-3"])
    for n in range(rows):
        sheet.append([f"R{n}", 1, 2, 3, 4, 5, 1])
    workbook.save(path)
    return path


def test_an_xlsx_over_the_row_limit_is_refused_at_the_first_row_past_it(tmp_path: Path) -> None:
    write_instrument(tmp_path / "instruments", _instrument_text())
    _xlsx(tmp_path / "r.xlsx", 40)
    outcome = _bounded(
        "score",
        "r.xlsx",
        "--instrument",
        "test-instrument",
        "--id-column",
        "id",
        env={"COCREATE_INSTRUMENTS_DIR": str(tmp_path / "instruments"), "COCREATE_MAX_ROWS": "25"},
        cwd=tmp_path,
    )
    outcome.assert_refused("r.xlsx: line 27: the file has more than 25 rows", "COCREATE_MAX_ROWS")


# --------------------------------------------------------------------------------------------
# The loader, in-process
# --------------------------------------------------------------------------------------------
SMALL = YamlLimits(max_bytes=10_000, max_nodes=50, max_depth=4)


@pytest.mark.parametrize(
    ("text", "limit", "line"),
    [
        ("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n", Limit.NODES, 3),
        ("a: &a [*a]\n", Limit.NODES, 1),
        ("a: [[[[1]]]]\n", Limit.DEPTH, 1),
        ("a: &a [[1]]\nb:\n  c: [*a]\n", Limit.DEPTH, 3),
        ("[" * 2000 + "]" * 2000, Limit.DEPTH, 1),
        ("a: " + "x" * 10_000 + "\n", Limit.BYTES, None),
        ("\n".join(f"k{n}: v" for n in range(30)), Limit.NODES, 25),
    ],
    ids=["laughs", "cycle", "deep", "deep-through-alias", "libyaml-deep", "bytes", "plain-many"],
)
def test_check_limits_refuses_before_building(text: str, limit: Limit, line: int | None) -> None:
    with pytest.raises(YamlLimitError) as refused:
        check_limits(text, SMALL)
    assert refused.value.limit is limit
    assert refused.value.line == line
    assert limit.env in refused.value.fix


def test_check_limits_accepts_what_fits() -> None:
    check_limits("a: &a [1, 2]\nb: *a\nc: {d: [e]}\n", SMALL)


def test_the_default_limits_leave_a_wide_margin_for_the_shipped_instruments() -> None:
    limits = YamlLimits.from_settings()
    tenth = YamlLimits(limits.max_bytes // 10, limits.max_nodes // 10, limits.max_depth // 4)
    for path in sorted(shipped_instruments_dir().glob("*/*.yaml")):
        check_limits(read_limited_text(path, tenth), tenth)


def test_read_limited_text_stops_reading_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: b\n" * 5000)
    with pytest.raises(YamlLimitError) as refused:
        read_limited_text(path, SMALL)
    assert refused.value.limit is Limit.BYTES


def test_load_yaml_gives_the_catalogue_code_of_each_limit() -> None:
    laughs = load_yaml(LAUGHS, "x.yaml")[2]
    assert [(i.code, i.line) for i in laughs] == [("I111", LAUGHS_BREACH_LINE)]
    assert [i.code for i in load_yaml("a: " + "[" * 100 + "]" * 100, "x.yaml")[2]] == ["I110"]


def test_an_instrument_reports_at_most_a_hundred_issues(tmp_path: Path) -> None:
    data = base_instrument()
    data["title"] = {"en": "T", "de": "T", **{f"x{n}": "?" for n in range(300)}}
    write_instrument(tmp_path, data)
    issues = errors_of(tmp_path)
    assert len(issues) == MAX_ISSUES_PER_FILE + 1
    assert issues[-1].code == "I112"
    assert "more problem(s)" in issues[-1].message


def test_a_scale_just_inside_the_point_limit_is_checked_point_by_point(tmp_path: Path) -> None:
    scale = _response_scale(MAX_SCALE_POINTS)
    write_instrument(tmp_path, _instrument_text(response_scales=scale))
    codes = [issue.code for issue in errors_of(tmp_path)]
    assert codes == ["I302"]  # 96 unlabelled points: one issue for the scale
    scale = _response_scale(MAX_SCALE_POINTS + 1)
    write_instrument(tmp_path, _instrument_text(response_scales=scale))
    assert [issue.code for issue in errors_of(tmp_path)] == ["I313"]


def test_a_deep_lock_is_a_coded_issue(tmp_path: Path) -> None:
    path = tmp_path / LOCK_NAME
    path.write_text('{"a":' * 100_000 + '"b"' + "}" * 100_000, encoding="utf-8")
    lock, issues = read_lock(path)
    assert lock == {}
    assert [(i.code, i.line) for i in issues] == [("I110", 1)]


def test_the_shipped_lock_still_reads() -> None:
    lock, issues = read_lock(shipped_instruments_dir() / LOCK_NAME)
    assert issues == [] and lock


def test_a_mapping_file_past_a_limit_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(FileRefused) as refused:
        read_mapping(path)
    (problem,) = refused.value.problems
    assert (problem.kind, problem.file, problem.line) == (
        Kind.TOO_LARGE,
        "map.yaml",
        LAUGHS_BREACH_LINE,
    )


def test_response_file_limits_are_settings_whose_defaults_are_the_constants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defaults = {s.name: s.default for s in settings.SETTINGS}
    assert defaults["max_file_bytes"] == str(files.MAX_FILE_BYTES)
    assert defaults["max_rows"] == str(files.MAX_ROWS)
    assert defaults["max_columns"] == str(files.MAX_COLUMNS)
    assert defaults["max_cells"] == str(files.MAX_CELLS)
    path = tmp_path / "r.csv"
    path.write_text("id,a,b\n1,2,3\n", encoding="utf-8")
    monkeypatch.setenv("COCREATE_MAX_COLUMNS", "2")
    with pytest.raises(FileRefused) as refused:
        read_table(path)
    assert "the file has 3 columns, more than the 2 read" in str(refused.value)
    monkeypatch.setenv("COCREATE_MAX_COLUMNS", "many")
    with pytest.raises(ValueError, match="COCREATE_MAX_COLUMNS must be a positive whole number"):
        read_table(path)


def _rewrite_sheet(source: Path, target: Path, sheet_xml: str) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            dst.writestr(info.filename, data)
    return target


def _sheet(rows: str, dimension: str = "A1:B2") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        f'/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData>'
        "</worksheet>"
    )


_HEAD = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>T-A-1</t></is></c></row>'
    '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>3</v></c></row>'
)


def test_xlsx_bombs_end_within_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _xlsx(tmp_path / "base.xlsx", 1)
    # A row numbered at the end of the sheet, the sheet declared 16,384 columns wide.
    far = _rewrite_sheet(
        base,
        tmp_path / "far.xlsx",
        _sheet(_HEAD + '<row r="1048576"><c r="A1048576"><v>2</v></c></row>', "A1:XFD1048576"),
    )
    start = time.monotonic()
    assert read_table(far).rows[-1] == (1048576, ["2"])
    # A row numbered past the end of any sheet.
    past = _rewrite_sheet(
        base, tmp_path / "past.xlsx", _sheet(_HEAD + '<row r="999999999"><c r="A999999999"/></row>')
    )
    with pytest.raises(FileRefused, match="beyond 1,048,576"):
        read_table(past)
    assert time.monotonic() - start < 10
    # Parts that unpack past the byte limit: refused from the zip directory, before unpacking.
    bomb = _rewrite_sheet(
        base, tmp_path / "bomb.xlsx", _sheet(_HEAD + "<!--" + " " * 3_000_000 + "-->")
    )
    assert bomb.stat().st_size < 100_000
    monkeypatch.setenv("COCREATE_MAX_FILE_BYTES", "1000000")
    with pytest.raises(FileRefused) as refused:
        read_table(bomb)
    assert "unpacks to" in str(refused.value) and "more than the 1,000,000 read" in str(
        refused.value
    )


def test_a_line_of_a_million_delimiters_is_refused_before_it_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,T-A-1\n1,2\n" + "," * 1_000_000 + "\n", encoding="utf-8")
    monkeypatch.setenv("COCREATE_MAX_COLUMNS", "10")  # lines up to 40,000 characters
    with pytest.raises(FileRefused) as refused:
        read_table(path)
    (problem,) = refused.value.problems
    assert (problem.kind, problem.line) == (Kind.TOO_LARGE, 3)
    assert "1,000,000 characters, more than the 40,000 read" in problem.message


def test_an_xml_bomb_in_a_sheet_row_is_a_refusal_not_a_traceback(tmp_path: Path) -> None:
    entities = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    )
    sheet = _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>').replace(
        "<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1
    )
    bomb = _rewrite_sheet(_xlsx(tmp_path / "base.xlsx", 1), tmp_path / "bomb.xlsx", sheet)
    start = time.monotonic()
    with pytest.raises(FileRefused) as refused:
        read_table(bomb)
    assert time.monotonic() - start < 10
    (problem,) = refused.value.problems
    assert problem.kind is Kind.UNREADABLE
    assert str(problem).startswith("bomb.xlsx: not a readable Excel file")


def test_the_cell_limit_stops_every_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    monkeypatch.setenv("COCREATE_MAX_CELLS", "100")
    header = ["id", "T-A-1", "T-A-2", "T-A-3", "T-B-1", "T-B-2", "T-B-3"]
    text = ",".join(header) + "\n" + "".join(f"R{n},1,2,3,4,5,1\n" for n in range(30))
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    frame = pd.DataFrame([[f"R{n}", 1, 2, 3, 4, 5, 1] for n in range(30)], columns=header)
    frame.to_parquet(tmp_path / "r.parquet")
    # 7 cells a row: the header and 13 rows fit in 100, the 14th row (line 15) does not.
    for path, line in [
        (tmp_path / "r.csv", 15),
        (_xlsx(tmp_path / "r.xlsx", 30), 15),
        (tmp_path / "r.parquet", None),
    ]:
        with pytest.raises(FileRefused) as refused:
            read_table(path)
        (problem,) = refused.value.problems
        assert (problem.kind, problem.line) == (Kind.TOO_LARGE, line), path
        assert "more than 100 cells" in problem.message and "COCREATE_MAX_CELLS" in problem.message


def test_a_parquet_file_that_unpacks_past_the_byte_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    path = tmp_path / "r.parquet"
    pd.DataFrame({"id": [f"R{n}" for n in range(1000)], "note": ["x" * 1000] * 1000}).to_parquet(
        path, compression="zstd", use_dictionary=False
    )
    monkeypatch.setenv("COCREATE_MAX_FILE_BYTES", str(path.stat().st_size * 2))
    with pytest.raises(FileRefused, match=r"unpacks to .* bytes, more than the"):
        read_table(path)


def test_the_depth_setting_cannot_reach_pythons_recursion_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COCREATE_MAX_YAML_DEPTH", "5000")
    assert YamlLimits.from_settings().max_depth == DEPTH_CEILING
    issues = load_yaml("a: " + "[" * 990 + "]" * 990, "x.yaml")[2]
    assert [issue.code for issue in issues] == ["I110"]


def test_a_limit_set_to_nonsense_is_a_clean_error(tmp_path: Path) -> None:
    outcome = _bounded("validate", env={"COCREATE_MAX_YAML_NODES": "abc"}, cwd=tmp_path)
    outcome.assert_refused("COCREATE_MAX_YAML_NODES must be a positive whole number, not 'abc'")

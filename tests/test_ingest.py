"""The one response-file reader (survey.ingest.files) and its checks (survey.ingest.checks): the
spreadsheet habits people's files come with, and the limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.ingest import files
from survey.ingest.checks import check_table
from survey.ingest.files import read_table
from survey.ingest.mapping import ResponseMapping
from survey.ingest.problems import FileRefused, Kind
from survey.instrument.examples import example_instrument

ITEMS = example_instrument().item_ids
HEADER = ["id", *ITEMS]


def _write(tmp_path: Path, data: bytes, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _lines(*rows: list[str], sep: str = ",", end: str = "\n") -> str:
    return "".join(sep.join(row) + end for row in rows)


def _row(respondent: str, value: str = "3") -> list[str]:
    return [respondent, *[value] * len(ITEMS)]


def _refusal(path: Path, **options: str) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_table(path, **options)
    return caught.value


def test_sep_line_names_the_delimiter_and_lines_count_it(tmp_path: Path) -> None:
    text = "sep=;\n" + _lines(HEADER, _row("1"), _row("2", "4"), sep=";")
    table = read_table(_write(tmp_path, text.encode()))
    assert table.delimiter == ";"
    assert table.header == HEADER
    assert [line for line, _ in table.rows] == [3, 4]


def test_sep_line_with_a_tab(tmp_path: Path) -> None:
    text = "sep=\t\r\n" + _lines(HEADER, _row("1"), sep="\t", end="\r\n")
    table = read_table(_write(tmp_path, text.encode()))
    assert (table.delimiter, table.header, table.rows[0][0]) == ("\t", HEADER, 3)


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    text = _lines(HEADER, _row("1"))
    path = _write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    table = read_table(path)
    assert table.header[0] == "id"
    assert (table.encoding, table.encoding_note) == ("utf-8", None)
    assert read_table(path, encoding="utf-8").header[0] == "id"


def test_windows_1252_is_read_and_said(tmp_path: Path) -> None:
    text = _lines([*HEADER, "Anmerkung"], [*_row("1"), "Grüße – gut"], sep=";")
    table = read_table(_write(tmp_path, text.encode("cp1252")))
    assert table.rows[0][1][-1] == "Grüße – gut"
    assert table.encoding == "cp1252"
    assert table.encoding_note is not None
    assert "r.csv is not UTF-8 (line 2); read as Windows-1252" in table.encoding_note
    assert "--encoding" in table.encoding_note
    given = read_table(tmp_path / "r.csv", encoding="latin-1")
    assert (given.encoding, given.encoding_note) == ("latin-1", None)


def test_crlf_line_ends_and_quoted_line_breaks(tmp_path: Path) -> None:
    text = _lines([*HEADER, "note"], [*_row("1"), '"two\r\nlines"'], [*_row("2"), ""], end="\r\n")
    table = read_table(_write(tmp_path, text.encode()))
    assert table.header[-1] == "note"
    assert table.rows[0] == (2, [*_row("1"), "two\r\nlines"])
    assert table.rows[1] == (
        4,
        [*_row("2"), ""],
    )  # the line an editor shows, after the quoted line break
    assert all(not cell.endswith("\r") for _, cells in table.rows for cell in cells)


def test_trailing_empty_column_is_accepted(tmp_path: Path) -> None:
    text = _lines([*HEADER, ""], [*_row("1"), ""], [*_row("2"), ""], sep=";")
    table = read_table(_write(tmp_path, text.encode()))
    assert table.delimiter == ";"
    checked = check_table(table, example_instrument(), ResponseMapping(respondent_id="id"))
    assert checked.problems == []
    assert [r.respondent_id for r in checked.records] == ["1", "2"]


def test_delimiter_is_recognised_from_more_than_the_first_line(tmp_path: Path) -> None:
    # The header alone looks comma-separated (one unquoted comma); the rows say ";".
    text = _lines(
        [*HEADER, "Anmerkungen, Wünsche"], [*_row("1"), "a, b"], [*_row("2"), ""], sep=";"
    )
    table = read_table(_write(tmp_path, text.encode()))
    assert table.delimiter == ";"
    assert table.header[-1] == "Anmerkungen, Wünsche"


def test_undetectable_delimiter_says_so_and_how_to_give_it(tmp_path: Path) -> None:
    text = _lines(HEADER, _row("1"), sep=";") + "2;3;3;3,3;3;3;3;3;3;3;x\n"
    refusal = _refusal(_write(tmp_path, text.encode()))
    (problem,) = refusal.problems
    assert problem.kind is Kind.DELIMITER
    message = str(problem)
    assert message.startswith("r.csv: cannot recognise the delimiter")
    assert "semicolon ';'" in message
    assert "--delimiter ';'" in message
    assert "sep=;" in message
    assert "semicolon ';' splits the header into 10 cells but line 3 into 11" in message
    given = read_table(tmp_path / "r.csv", delimiter=";")
    assert given.rows[1][1][-1] == "x"


def test_single_column_text_is_a_delimiter_problem(tmp_path: Path) -> None:
    refusal = _refusal(_write(tmp_path, b"id A-1 A-2\n1 4 5\n"))
    assert refusal.problems[0].kind is Kind.DELIMITER
    assert "cannot recognise the delimiter" in str(refusal)


def test_tsv_and_given_delimiter(tmp_path: Path) -> None:
    text = _lines(HEADER, _row("1"), sep="\t")
    assert read_table(_write(tmp_path, text.encode(), "r.tsv")).delimiter == "\t"
    assert read_table(_write(tmp_path, text.encode()), delimiter="\t").header == HEADER


def test_oversized_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _lines(HEADER, *[_row(str(i)) for i in range(50)]).encode())
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    (problem,) = _refusal(path).problems
    assert problem.kind is Kind.TOO_LARGE
    assert "more than the 100 read" in str(problem)
    assert "Fix: split it into smaller files" in str(problem)


def test_too_many_rows_or_columns_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _lines(HEADER, *[_row(str(i)) for i in range(5)]).encode())
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    assert "more than 3 rows" in str(_refusal(path))
    monkeypatch.setattr(files, "MAX_ROWS", 100)
    monkeypatch.setattr(files, "MAX_COLUMNS", 5)
    assert f"has {len(HEADER)} columns, more than the 5 read" in str(_refusal(path))


def test_empty_unknown_type_and_undecodable(tmp_path: Path) -> None:
    assert _refusal(_write(tmp_path, b"")).problems[0].kind is Kind.EMPTY
    blank = _refusal(_write(tmp_path, b"\r\n \r\n"))
    assert (blank.problems[0].kind, str(blank)) == (
        Kind.EMPTY,
        "r.csv: the file is empty. Fix: export the responses again",
    )
    assert "cannot read .xls files" in str(_refusal(_write(tmp_path, b"x", "r.xls")))
    bad = _write(tmp_path, b"id,A-1\n1,\x81\n")
    (problem,) = _refusal(bad).problems
    assert (problem.kind, problem.line) == (Kind.ENCODING, 2)
    assert "--encoding" in str(problem)
    assert "cannot be read as utf-8" in str(_refusal(bad, encoding="utf-8"))
    assert "unknown encoding 'nonsense'" in str(_refusal(bad, encoding="nonsense"))


def test_checks_locate_every_problem(tmp_path: Path) -> None:
    rows = [_row("1"), _row("1", "4"), ["", *["9"] * len(ITEMS)], [*_row("3"), "extra"]]
    path = _write(tmp_path, _lines(HEADER, *rows).encode())
    # Line 5 has a cell more than the header: the delimiter is not recognised but the line named.
    assert "comma ',' splits the header into 10 cells but line 5 into 11" in str(_refusal(path))
    table = read_table(path, delimiter=",")
    checked = check_table(table, example_instrument(), ResponseMapping(respondent_id="id"))
    found = {(p.kind, p.line, p.column, p.value) for p in checked.problems}
    assert (Kind.DUPLICATE_ID, 3, "id", "1") in found
    assert (Kind.RESPONDENT_ID, 4, "id", "") in found
    assert (Kind.ANSWER, 4, ITEMS[0], "9") in found
    assert (Kind.ROW_LENGTH, 5, None, None) in found
    assert all(str(p).startswith("r.csv: line ") for p in checked.problems)


def test_a_folder_or_a_missing_path_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "answers"
    folder.mkdir()
    assert str(_refusal(folder)) == (
        f"answers: {folder} is a folder, not a file. Fix: give the path of one file"
    )
    missing = tmp_path / "answer.csv"
    assert str(_refusal(missing)) == (
        f"answer.csv: no such file: {missing}. Fix: check the path and its spelling"
    )
    assert "no such file" in str(_refusal(tmp_path / "noextension"))

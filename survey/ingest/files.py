"""Reading a response file into a :class:`RawTable`: header and rows of text cells, each row with
its line in the file. The one reader behind ``cocreate score`` and ``cocreate import``.

Recognised:

* CSV and TSV (``.csv``, ``.tsv``): the delimiter (``,`` ``;`` tab ``|``) is recognised from the
  first :data:`SNIFF_LINES` lines (the one that splits every line into the header's number of
  cells), named by a first line ``sep=;`` (as Excel writes it), or given (``delimiter``);
  UTF-8 with or without a byte-order mark, else Windows-1252 (the encoding used is reported), or
  the encoding given; CRLF or LF line ends; quoted cells with delimiters or line breaks.
* Excel (``.xlsx``, ``.xlsm``): the first sheet.
* Parquet (``.parquet``).

Files larger than :data:`MAX_FILE_BYTES`, or with more than :data:`MAX_COLUMNS` columns,
:data:`MAX_ROWS` rows or :data:`MAX_CELLS` cells, are refused with a message saying so, while
they are read (the first row past a limit stops reading). An Excel or Parquet file whose
contents unpack to more than :data:`MAX_FILE_BYTES` (a zip bomb) is refused before it is
unpacked. The limits are the settings ``COCREATE_MAX_FILE_BYTES``, ``COCREATE_MAX_ROWS``,
``COCREATE_MAX_COLUMNS`` and ``COCREATE_MAX_CELLS``; these constants are their defaults.
Problems are :class:`FileRefused`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey import settings
from survey.ingest.problems import FileProblem, FileRefused, Kind

#: Largest file read (bytes): 200 MB, far above any survey export.
MAX_FILE_BYTES = 200_000_000
#: Most columns accepted (items plus respondent ids, roles, comments...).
MAX_COLUMNS = 2_000
#: Most rows accepted below the header.
MAX_ROWS = 1_000_000
#: Most cells accepted in all rows together (header included): 100,000 respondents of 200
#: columns, 20 times the largest survey export seen, and well inside the memory of a laptop.
MAX_CELLS = 20_000_000
#: The last row of an Excel sheet; a row numbered beyond it is not a real sheet.
EXCEL_MAX_ROWS = 1_048_576
#: Delimiters recognised in text files, in order of preference when several fit.
DELIMITERS = (",", ";", "\t", "|")
#: Lines looked at to recognise the delimiter.
SNIFF_LINES = 50
#: File extensions read, and what they are.
FORMATS = {
    ".csv": "CSV",
    ".tsv": "TSV",
    ".xlsx": "Excel",
    ".xlsm": "Excel",
    ".parquet": "Parquet",
}
_NAMES = {",": "comma ','", ";": "semicolon ';'", "\t": "tab", "|": "bar '|'"}


@dataclass(frozen=True)
class RawTable:
    """A response file as read: text cells, nothing checked yet.

    ``rows`` are the non-empty rows below the header, each with its line in the file (the first
    line is 1; for Excel the sheet's row number, for Parquet the row counted with the header as
    row 1). ``encoding`` and ``delimiter`` are those used (``None`` for Excel and Parquet);
    ``encoding_note`` says when the encoding was guessed rather than UTF-8 or given.
    """

    name: str
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    encoding_note: str | None = None


def read_table(
    path: Path, *, delimiter: str | None = None, encoding: str | None = None
) -> RawTable:
    """Read a response file (CSV, TSV, XLSX or Parquet) into text cells.

    Parameters
    ----------
    path : Path
        The file; its extension says its format (see :data:`FORMATS`).
    delimiter : str, optional
        The delimiter of a CSV/TSV file (``\\t`` or ``tab`` for tab); recognised when omitted.
    encoding : str, optional
        The text encoding of a CSV/TSV file; default UTF-8, then Windows-1252.

    Returns
    -------
    RawTable

    Raises
    ------
    FileRefused
        The file is missing, too large, of an unknown type, not decodable, has no recognisable
        delimiter, or is empty.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = path.write_bytes(b"sep=;\\r\\nid;A-1;Note, free text\\r\\n1;4;ok, fine\\r\\n2;5;\\r\\n")
    >>> table = read_table(path)
    >>> table.header, table.rows, table.delimiter
    (['id', 'A-1', 'Note, free text'], [(3, ['1', '4', 'ok, fine']), (4, ['2', '5', ''])], ';')
    """
    name = path.name
    suffix = path.suffix.lower()
    # Whether there is a file at all comes first: a folder or a typo is not a format problem.
    if path.is_dir():
        raise _refused(
            name, f"{path} is a folder, not a file", "give the path of one file", Kind.UNREADABLE
        )
    if not path.is_file():
        raise _refused(
            name, f"no such file: {path}", "check the path and its spelling", Kind.UNREADABLE
        )
    if suffix not in FORMATS:
        raise _refused(
            name,
            f"cannot read {f'{suffix} files' if suffix else 'a file without an extension'}",
            "give a .csv, .tsv, .xlsx or .parquet file (save .xls and .ods as .xlsx or .csv)",
            Kind.UNREADABLE,
        )
    size = path.stat().st_size
    max_bytes = _limit("max_file_bytes", MAX_FILE_BYTES)
    if size > max_bytes:
        raise _refused(
            name,
            f"the file has {size:,} bytes, more than the {max_bytes:,} read",
            "split it into smaller files",
            Kind.TOO_LARGE,
        )
    if size == 0:
        raise _refused(name, "the file is empty", "export the responses again", Kind.EMPTY)
    if suffix in (".xlsx", ".xlsm"):
        lines = _xlsx_rows(path)
        table = RawTable(name, 0, [], [])
    elif suffix == ".parquet":
        lines = _parquet_rows(path)
        table = RawTable(name, 0, [], [])
    else:
        text, used, note = _decode(path.read_bytes(), name, encoding)
        lines, sep = _text_rows(text, name, delimiter, tab=suffix == ".tsv")
        table = RawTable(name, 0, [], [], encoding=used, delimiter=sep, encoding_note=note)
    if not lines:
        raise _refused(name, "the file is empty", "export the responses again", Kind.EMPTY)
    header_line, header = lines[0]
    return RawTable(
        name,
        header_line,
        header,
        lines[1:],
        encoding=table.encoding,
        delimiter=table.delimiter,
        encoding_note=table.encoding_note,
    )


def _limit(name: str, default: int) -> int:
    """A limit: its setting (``COCREATE_MAX_...``) when set, else the module's default."""
    env = next(s.env for s in settings.SETTINGS if s.name == name)
    return settings.limit(name) if os.environ.get(env) else default


def _too_wide(name: str, width: int, line: int | None = None) -> FileRefused:
    max_columns = _limit("max_columns", MAX_COLUMNS)
    return FileRefused(
        [
            FileProblem(
                f"the file has {width:,} columns, more than the {max_columns:,} read",
                line=line,
                file=name,
                fix="leave out the columns that are neither items nor respondent details",
                kind=Kind.TOO_LARGE,
            )
        ]
    )


def delimiter_option(value: str | None) -> str | None:
    """The delimiter a ``--delimiter`` option names (``tab`` and ``\\t`` mean a tab).

    >>> delimiter_option("tab"), delimiter_option(";"), delimiter_option(None)
    ('\\t', ';', None)
    """
    if value is None:
        return None
    if value.lower() in ("tab", "\\t"):
        return "\t"
    return value


# --------------------------------------------------------------------------------------------
# Text files
# --------------------------------------------------------------------------------------------
def _decode(raw: bytes, name: str, encoding: str | None) -> tuple[str, str, str | None]:
    """The text, the encoding used, and a note when Windows-1252 was guessed."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding, None
        except LookupError as exc:
            raise _refused(
                name,
                f"unknown encoding {encoding!r}",
                "give --encoding utf-8, cp1252 or latin-1",
                Kind.ENCODING,
            ) from exc
        except UnicodeDecodeError as exc:
            raise FileRefused(
                [
                    FileProblem(
                        f"cannot be read as {encoding} (byte 0x{_byte(raw, exc.start)})",
                        line=raw[: exc.start].count(b"\n") + 1,
                        file=name,
                        fix="try another --encoding",
                        kind=Kind.ENCODING,
                    )
                ]
            ) from exc
    if raw.startswith(b"PK\x03\x04"):
        raise _refused(
            name,
            "the file is a zip archive (an Excel workbook or a folder of files), not text",
            "give a workbook the extension .xlsx, or export the responses as CSV",
            Kind.UNREADABLE,
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" and some survey tools write UTF-16 with a byte-order mark.
        try:
            return raw.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError as exc:
            raise _refused(
                name,
                f"the file starts as UTF-16 but byte {exc.start} cannot be read as UTF-16",
                "save it again as CSV UTF-8",
                Kind.ENCODING,
            ) from exc
    if raw.count(b"\x00") * 4 > len(raw):
        # A text file has no NUL bytes; a quarter of them is UTF-16 without its byte-order mark
        # or not text at all. A stray NUL in a cell is left to the cell's checks, which name it.
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(
            [
                FileProblem(
                    "the file holds NUL bytes: it is not a text file, or UTF-16 without a "
                    "byte-order mark",
                    line=line,
                    file=name,
                    fix="save it as CSV UTF-8 (or give --encoding utf-16-le)",
                    kind=Kind.ENCODING,
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            [
                FileProblem(
                    f"the file is not UTF-8 (byte 0x{_byte(raw, utf8_error.start)} cannot be read "
                    f"as UTF-8) nor Windows-1252 (byte 0x{_byte(raw, exc.start)})",
                    line=raw[: utf8_error.start].count(b"\n") + 1,
                    file=name,
                    fix="it was saved in another encoding: run the command again with "
                    "--encoding latin-1 (or the encoding it was saved in)",
                    kind=Kind.ENCODING,
                )
            ]
        ) from exc
    line = raw[: utf8_error.start].count(b"\n") + 1
    note = (
        f"{name} is not UTF-8 (line {line}); read as Windows-1252. If letters look wrong, give "
        "its encoding with --encoding"
    )
    return text, "cp1252", note


def _byte(raw: bytes, position: int) -> str:
    return raw[position : position + 1].hex().upper()


def _text_rows(
    text: str, name: str, delimiter: str | None, *, tab: bool
) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-empty rows with their first line, and the delimiter used."""
    first_line = 1
    text = text.removeprefix("\ufeff")  # a byte-order mark read with a given encoding
    head, _, rest = text.partition("\n")
    head = head.rstrip("\r")
    if head.lower().startswith("sep=") and len(head) == 5:  # Excel's "sep=;" (or a tab)
        delimiter = delimiter or head[4]
        text = rest
        first_line = 2
    if not text.strip():
        return [], delimiter or ","
    _check_line_lengths(text, name, first_line)
    _check_quotes(text, name, first_line)
    if delimiter is None and tab:
        delimiter = "\t"
    if delimiter is None:
        delimiter = _recognise_delimiter(text, name, first_line)
    elif len(delimiter) != 1:
        raise _refused(
            name,
            f"the delimiter must be one character, not {delimiter!r}",
            "give --delimiter ';' (or ',', tab, '|')",
            Kind.DELIMITER,
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = first_line
    max_rows = _limit("max_rows", MAX_ROWS)
    max_columns = _limit("max_columns", MAX_COLUMNS)
    max_cells, total = _limit("max_cells", MAX_CELLS), 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) > max_rows:
                    raise _too_many_rows(name, start)
                if len(cells) > max_columns:  # checked on each row: the line is known
                    raise _too_wide(name, len(cells), start)
                total += len(cells)
                if total > max_cells:
                    raise _too_many_cells(name, max_cells, start)
                rows.append((start, [cell.strip() for cell in cells]))
            start = first_line + reader.line_num
    except csv.Error as exc:
        raise FileRefused(
            [FileProblem(f"not a readable CSV file: {exc}", line=start, file=name)]
        ) from exc
    return rows, delimiter


def _check_quotes(text: str, name: str, first_line: int) -> None:
    """Refuse a quote that opens a cell and never closes, at the line where it opens.

    In a CSV file quotes come in pairs: each quoted cell has an opening and a closing quote and
    a quote inside it is written twice (RFC 4180, section 2). An odd number means one is never
    closed, and a reader would swallow every line after it into one cell.
    """
    if text.count('"') % 2 == 0:
        return
    line, opened, inside = first_line, first_line, False
    for char in text:
        if char == "\n":
            line += 1
        elif char == '"':
            inside = not inside
            if inside:
                opened = line
    raise FileRefused(
        [
            FileProblem(
                'a quote (") opened here is never closed, so every line after it would be read '
                "into one cell",
                line=opened,
                file=name,
                fix='close the quoted cell, and write a quote inside a quoted cell twice ("")',
                kind=Kind.UNREADABLE,
            )
        ]
    )


#: Characters a line may have per column allowed (``COCREATE_MAX_COLUMNS``): 8,000,000 at the
#: default. A longer line is refused before it is split into cells, so that a line of a hundred
#: million delimiters cannot fill the memory before its width is checked.
LINE_CHARS_PER_COLUMN = 4_000


def _check_line_lengths(text: str, name: str, first_line: int) -> None:
    """Refuse the first line longer than :data:`LINE_CHARS_PER_COLUMN` per allowed column."""
    limit = LINE_CHARS_PER_COLUMN * _limit("max_columns", MAX_COLUMNS)
    if len(text) <= limit:
        return
    start, line = 0, first_line
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > limit:
            raise FileRefused(
                [
                    FileProblem(
                        f"the line has {end - start:,} characters, more than the {limit:,} read "
                        "(COCREATE_MAX_COLUMNS columns of 4,000 characters)",
                        line=line,
                        file=name,
                        fix="check that this is a table of responses; split long texts",
                        kind=Kind.TOO_LARGE,
                    )
                ]
            )
        start, line = end + 1, line + 1


def _recognise_delimiter(text: str, name: str, first_line: int = 1) -> str:
    """The delimiter that splits each of the first lines into the header's number of cells.

    A line may have more cells than the header when the extra ones are empty (a trailing
    delimiter). Of the delimiters that fit, the one giving the most columns wins. When none
    fits, the message names the lines that do not fit the most likely one.
    """
    sample_lines = text.splitlines(keepends=True)
    truncated = len(sample_lines) > SNIFF_LINES
    sample = "".join(sample_lines[:SNIFF_LINES])
    fits: list[tuple[int, str]] = []
    misfits: list[tuple[int, int, str, list[tuple[int, int]]]] = []
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
        rows: list[tuple[int, list[str]]] = []
        start = first_line
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append((start, cells))
                start = first_line + reader.line_num
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]  # the last line of the sample may be cut inside a quoted cell
        if not rows or len(rows[0][1]) < 2:
            continue
        width = len(rows[0][1])
        wrong = [
            (line, len(cells))
            for line, cells in rows[1:]
            if not (
                len(cells) == width
                or (len(cells) > width and not any(c.strip() for c in cells[width:]))
            )
        ]
        if wrong:
            misfits.append((len(rows) - len(wrong), width, candidate, wrong))
        else:
            fits.append((width, candidate))
    if fits:
        best = max(width for width, _ in fits)
        return next(c for width, c in fits if width == best)
    detail = ""
    if misfits:
        _, width, candidate, wrong = max(misfits, key=lambda m: (m[0], m[1]))
        shown = ", ".join(f"line {line} into {count}" for line, count in wrong[:3])
        more = f" and {len(wrong) - 3} more lines" if len(wrong) > 3 else ""
        detail = f"; {_NAMES[candidate]} splits the header into {width} cells but {shown}{more}"
    raise _refused(
        name,
        "cannot recognise the delimiter (the character between cells): none of "
        + ", ".join(_NAMES[c] for c in DELIMITERS)
        + " splits every line into the header's number of cells"
        + detail,
        "give the delimiter with --delimiter ';' (or ',', tab, '|'), or put a first line "
        "sep=; in the file",
        Kind.DELIMITER,
    )


# --------------------------------------------------------------------------------------------
# Excel and Parquet
# --------------------------------------------------------------------------------------------
def _unpacked_size(path: Path) -> int:
    """What the parts of an Excel file (a zip archive) unpack to, as the archive declares it
    (the zip reader stops at the declared size, so a part cannot unpack to more)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refused(
            path.name, f"not a readable Excel file: {exc}", None, Kind.UNREADABLE
        ) from exc


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    max_bytes = _limit("max_file_bytes", MAX_FILE_BYTES)
    max_rows = _limit("max_rows", MAX_ROWS)
    max_columns = _limit("max_columns", MAX_COLUMNS)
    max_cells, total = _limit("max_cells", MAX_CELLS), 0
    unpacked = _unpacked_size(path)
    if unpacked > max_bytes:
        raise _refused(
            path.name,
            f"the workbook unpacks to {unpacked:,} bytes, more than the {max_bytes:,} read",
            "save only the sheet of responses, or split it into smaller files",
            Kind.TOO_LARGE,
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types; all mean "unreadable"
        raise _refused(
            path.name, f"not a readable Excel file: {exc}", None, Kind.UNREADABLE
        ) from exc
    rows: list[tuple[int, list[str]]] = []
    try:
        sheet = workbook.worksheets[0]
        # Why: the sheet's declared size (its <dimension>) is the writer's claim; padded to it,
        # every row, and every missing row between two far apart, would be 16,384 cells wide
        # (a million padded rows took minutes). Without it, rows are as wide as their last
        # cell and missing rows are empty; reading stops at the first row past a limit.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > EXCEL_MAX_ROWS:
                raise _refused(
                    path.name,
                    f"the sheet has a row numbered beyond {EXCEL_MAX_ROWS:,}, the last row "
                    "of an Excel sheet",
                    "save the sheet again from Excel, or export it as CSV",
                    Kind.TOO_LARGE,
                )
            if not values:
                continue
            cells = _trim([_cell_text(v) for v in values])
            if len(cells) > max_columns:
                raise _refused(
                    path.name,
                    f"the sheet has more than {max_columns:,} columns (row {number})",
                    "leave out the columns that are neither items nor respondent details",
                    Kind.TOO_LARGE,
                )
            if any(cells):
                if len(rows) > max_rows:
                    raise _too_many_rows(path.name, number)
                total += len(cells)
                if total > max_cells:
                    raise _too_many_cells(path.name, max_cells, number)
                rows.append((number, cells))
    except FileRefused:
        raise
    except Exception as exc:  # the sheet's XML is parsed while rows are read (an XML bomb...)
        after = f" after row {rows[-1][0]}" if rows else ""
        raise _refused(
            path.name, f"not a readable Excel file{after}: {exc}", None, Kind.UNREADABLE
        ) from exc
    finally:
        workbook.close()
    return rows


def _parquet_rows(path: Path) -> list[tuple[int, list[str]]]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        shape = (meta.num_rows, meta.num_columns)
        if shape[1] > _limit("max_columns", MAX_COLUMNS):
            raise _too_wide(path.name, shape[1])
        if shape[0] > _limit("max_rows", MAX_ROWS):
            raise _too_many_rows(path.name)
        max_cells = _limit("max_cells", MAX_CELLS)
        if (shape[0] + 1) * shape[1] > max_cells:
            raise _too_many_cells(path.name, max_cells)
        max_bytes = _limit("max_file_bytes", MAX_FILE_BYTES)
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > max_bytes:
            raise _refused(
                path.name,
                f"the file unpacks to {unpacked:,} bytes, more than the {max_bytes:,} read",
                "split it into smaller files",
                Kind.TOO_LARGE,
            )
        frame = pq.read_table(path).to_pandas()
    except FileRefused:
        raise
    except Exception as exc:  # pyarrow raises many types; all mean "unreadable"
        raise _refused(
            path.name, f"not a readable Parquet file: {exc}", None, Kind.UNREADABLE
        ) from exc
    rows = [(1, [str(c).strip() for c in frame.columns])]
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        cells = [_cell_text(v) for v in values]
        if any(cells):
            rows.append((number, cells))
    return rows


def _cell_text(value: Any) -> str:
    """A spreadsheet or Parquet cell as text: whole floats without ``.0``, missing as blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return "" if text in ("nan", "NaN", "None", "<NA>", "NaT") else text


def _trim(cells: list[str]) -> list[str]:
    """Drop trailing blank cells (a sheet's used range is often wider than its data)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _too_many_rows(name: str, line: int | None = None) -> FileRefused:
    max_rows = _limit("max_rows", MAX_ROWS)
    return FileRefused(
        [
            FileProblem(
                f"the file has more than {max_rows:,} rows of responses (COCREATE_MAX_ROWS)",
                line=line,
                file=name,
                fix="split it into smaller files",
                kind=Kind.TOO_LARGE,
            )
        ]
    )


def _too_many_cells(name: str, max_cells: int, line: int | None = None) -> FileRefused:
    return FileRefused(
        [
            FileProblem(
                f"the file has more than {max_cells:,} cells (rows times columns; "
                "COCREATE_MAX_CELLS)",
                line=line,
                file=name,
                fix="split it into smaller files, or leave out columns that are neither items nor "
                "respondent details",
                kind=Kind.TOO_LARGE,
            )
        ]
    )


def _refused(name: str, message: str, fix: str | None, kind: Kind) -> FileRefused:
    return FileRefused([FileProblem(message, file=name, fix=fix, kind=kind)])

"""``cocreate score``: score a file of responses with an instrument.

Registered into the ``cocreate`` app by :func:`register`. Reads CSV, Parquet or Excel files with
one row per respondent and one column per item id, checks them (unknown or missing columns,
non-numeric or out-of-range answers, each named by row and column), scores them with
:func:`scoring.instrument_scoring.score_instrument`, writes the tables to ``--out`` and prints a
summary (``--json`` for machines).
"""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from scoring.instrument_scoring import InstrumentScores, score_instrument
from survey.cli.common import fail
from survey.instrument.errors import InstrumentError
from survey.instrument.model import Instrument

READERS = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}
#: Unknown columns named in one message; the rest are counted.
MAX_LISTED = 5


class ResponseFileError(ValueError):
    """A responses file that cannot be scored as it is; the message names the file and fix."""


def read_responses(
    path: Path,
    instrument: Instrument,
    *,
    id_column: str | None = None,
    ignore: list[str] | None = None,
) -> pd.DataFrame:
    """Read and check a responses file for ``instrument``.

    Parameters
    ----------
    path : Path
        A ``.csv`` (UTF-8, comma separated), ``.parquet`` or ``.xlsx`` (first sheet) file with
        a header row of item ids.
    instrument : Instrument
        The version the responses were given under.
    id_column : str, optional
        Column with respondent ids; it becomes the row index.
    ignore : list of str, optional
        Further non-item columns to accept and leave out.

    Returns
    -------
    pandas.DataFrame
        Respondents x item ids, as floats (blank cells are NaN).

    Raises
    ------
    ResponseFileError
        Naming the file and what is wrong: unreadable, unknown or missing columns, a value
        that is not a number or lies outside the item's response scale (with its row, counted
        from 1 below the header, and column).

    Examples
    --------
    >>> import tempfile
    >>> from survey.instrument.examples import example_instrument
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text("A-1,A-2,A-3,B-1,B-2,B-3,C-1,C-2,C-03\\n"
    ...                                   "5,4,5,3,3,3,1,2,4\\n")
    >>> read_responses(folder / "r.csv", example_instrument())
    Traceback (most recent call last):
    ...
    survey.cli.score.ResponseFileError: r.csv: unknown column(s) 'C-03' (did you mean 'C-3'?) ...
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise ResponseFileError(
            f"{name}: cannot read {suffix or 'files without an extension'}; give a .csv, "
            ".parquet or .xlsx file"
        )
    if not path.is_file():
        raise ResponseFileError(f"{path}: no such file")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_excel(path, dtype=object)
    except Exception as exc:  # every reader has its own error types; all mean "unreadable"
        raise ResponseFileError(f"{name}: cannot be read as {READERS[suffix]}: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    items = instrument.item_ids
    allowed = set(items) | set(ignore or []) | ({id_column} if id_column else set())
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise ResponseFileError(f"{name}: column(s) {duplicated} appear more than once")
    unknown = [c for c in frame.columns if c not in allowed]
    if unknown and not any(c in items for c in frame.columns):
        raise ResponseFileError(
            f"{name}: none of its columns is an item of {instrument.key} (first columns: "
            f"{list(frame.columns[:3])}; items: {items[:3]}...). Is it the right instrument?"
        )
    if unknown:
        described = ", ".join(_with_suggestion(c, items) for c in unknown[:MAX_LISTED])
        more = f" and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
        raise ResponseFileError(
            f"{name}: unknown column(s) {described}{more} for {instrument.key}. Rename them to "
            "item ids, or pass --id-column / --ignore for respondent ids and other non-item "
            "columns"
        )
    missing = [i for i in items if i not in frame.columns]
    if missing:
        raise ResponseFileError(
            f"{name}: missing item column(s) {missing} of {instrument.key} (leave cells blank "
            "for unanswered items, but keep the columns)"
        )
    if id_column:
        if id_column not in frame.columns:
            raise ResponseFileError(f"{name}: no column {id_column!r} for --id-column")
        frame = frame.set_index(id_column)
    out = {}
    for scale in instrument.scales:
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            raw = frame[item.id]
            text = raw.astype(str).str.strip()
            blank = raw.isna() | text.isin(["", "nan", "NaN", "None", "NA"])
            values = pd.to_numeric(text.where(~blank), errors="coerce")
            bad = ~blank & values.isna()
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise ResponseFileError(
                    f"{name}: row {row + 1}, column {item.id!r}: {raw.iloc[row]!r} is not a "
                    f"number (answers are {rs.min}..{rs.max}; leave the cell blank if "
                    "unanswered)"
                )
            outside = values.notna() & (
                (values < rs.min) | (values > rs.max) | (values != values.round())
            )
            if outside.any():
                row = int(outside.to_numpy().nonzero()[0][0])
                raise ResponseFileError(
                    f"{name}: row {row + 1}, column {item.id!r}: {values.iloc[row]:g} is not a "
                    f"point of the response scale {rs.min}..{rs.max}"
                )
            out[item.id] = values.astype(float)
    return pd.DataFrame(out, index=frame.index)


def summary(result: InstrumentScores, instrument: Instrument, file: str) -> dict[str, Any]:
    """The JSON summary ``cocreate score --json`` prints.

    Examples
    --------
    See ``tests/test_cli_score.py``.
    """

    def num(value: Any) -> float | None:
        value = float(value)
        return None if math.isnan(value) else round(value, 4)

    scales = []
    for scale in instrument.scales:
        rel = result.reliability.loc[scale.id].to_dict()
        scales.append(
            {
                "scale": scale.id,
                "n_scored": int(result.scores[scale.id].notna().sum()),
                "mean": num(result.scores[scale.id].mean()),
                "sd": num(result.scores[scale.id].std()),
                "mean_index": num(result.index[scale.id].mean()),
                "alpha": num(rel["alpha"]),
                "omega_total": num(rel["omega_total"]),
                "k": int(rel["k"]),
            }
        )
    dimensions = [
        {"dimension": d, "mean_index": num(result.dimension_index[d].mean())}
        for d in result.dimension_index.columns
    ]
    return {
        "instrument": instrument.key,
        "file": file,
        "respondents": len(result.scores),
        "overall_index": num(result.overall_index.mean()),
        "scales": scales,
        "dimensions": dimensions,
        "flags": result.flags.to_dict(orient="records"),
    }


def write_outputs(result: InstrumentScores, out: Path) -> list[Path]:
    """Write the scored tables as CSV files into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    respondents = pd.concat(
        [
            result.scores,
            result.index.add_suffix("_index"),
            result.dimension_index.add_suffix("_index"),
            result.overall_index.to_frame(),
        ],
        axis=1,
    )
    respondents.columns.name = None
    files = {
        "scores.csv": respondents,
        "reliability.csv": result.reliability,
        "items.csv": result.items,
        "flags.csv": result.flags.set_index("scale"),
    }
    written = []
    for file_name, table in files.items():
        target = out / file_name
        table.to_csv(target)
        written.append(target)
    return written


def score_command(
    responses: Annotated[
        Path,
        typer.Argument(help="Responses file (.csv, .parquet or .xlsx), one row per respondent."),
    ],
    instrument_ref: Annotated[
        str, typer.Option("--instrument", "-i", help="Instrument as ID or ID@VERSION.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for scores.csv, reliability.csv, items.csv, flags.csv."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column holding respondent ids.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="A non-item column to skip (repeatable).")
    ] = None,
) -> None:
    """Score a responses file: scale scores per respondent, reliability, item statistics."""
    from survey.instrument.registry import get_instrument

    try:
        instrument = get_instrument(instrument_ref)
        data = read_responses(responses, instrument, id_column=id_column, ignore=ignore)
        result = score_instrument(data, instrument)
    except InstrumentError as exc:
        raise fail(f"the instruments folder has errors:\n{exc}") from None
    except ValueError as exc:  # unknown instrument, bad file, or data the scoring refuses
        raise fail(str(exc)) from None
    written = write_outputs(result, out) if out is not None else []
    info = summary(result, instrument, str(responses))
    info["outputs"] = [str(p) for p in written]
    if as_json:
        typer.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{instrument.key}: {info['respondents']} respondents from {responses.name}")
    typer.echo(f"{'scale':<28}{'n':>6}{'mean':>8}{'index':>8}{'alpha':>8}")
    for row in info["scales"]:
        typer.echo(
            f"{row['scale']:<28}{row['n_scored']:>6}{_fmt(row['mean'])}"
            f"{_fmt(row['mean_index'], 1)}{_fmt(row['alpha'])}"
        )
    typer.echo(f"overall index: {_fmt(info['overall_index'], 1).strip()}")
    for flag in info["flags"]:
        typer.echo(f"warning: {flag['message']}")
    for path in written:
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``score`` to the ``cocreate`` app."""
    app.command("score")(score_command)


def _fmt(value: float | None, digits: int = 2) -> str:
    return f"{'-':>8}" if value is None else f"{value:>8.{digits}f}"


def _with_suggestion(column: str, items: list[str]) -> str:
    close = difflib.get_close_matches(column, items, n=1, cutoff=0.8)
    return f"{column!r}" + (f" (did you mean {close[0]!r}?)" if close else "")

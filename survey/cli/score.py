"""``cocreate score``: score a file of responses with an instrument.

Registered into the ``cocreate`` app by :func:`register`. Reads CSV/TSV, Parquet or Excel files
with one row per respondent and one column per item id with the reader and checks ``cocreate
import`` uses too (:mod:`survey.ingest`: unknown or missing columns, duplicate respondent ids,
answers outside the scale, each located by file, line, column and value), scores them with
:func:`scoring.instrument_scoring.score_instrument`, writes the tables to ``--out`` and prints a
summary (``--json`` for machines).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from scoring.instrument_scoring import InstrumentScores, score_instrument
from survey.cli.common import DELIMITER_HELP, ENCODING_HELP, fail, refused
from survey.ingest.checks import Advice, check_table
from survey.ingest.files import delimiter_option, read_table
from survey.ingest.layouts import recognise_layout
from survey.ingest.mapping import ResponseMapping
from survey.ingest.problems import FileRefused
from survey.instrument.errors import InstrumentError
from survey.instrument.model import Instrument

#: How a user fixes column problems with this command's options.
ADVICE = Advice(
    unknown_column="rename it to an item id, or name it with --id-column (respondent ids) or "
    "--ignore (other columns)",
    missing_column="add the columns (leave cells blank for unanswered items)",
)


def read_responses(
    path: Path,
    instrument: Instrument,
    *,
    id_column: str | None = None,
    ignore: list[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Read and check a responses file for ``instrument`` with the reader and checks every
    command uses (:func:`survey.ingest.files.read_table`, :func:`survey.ingest.checks.check_table`).

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.tsv`` (delimiter and encoding recognised unless given), ``.parquet`` or
        ``.xlsx`` (first sheet) file with a header row of item ids, or a response export of a
        form written by ``cocreate instruments export`` (a LimeSurvey survey structure, an
        XLSForm for KoboToolbox or ODK; :func:`survey.ingest.layouts.recognise_layout`).
    instrument : Instrument
        The version the responses were given under.
    id_column : str, optional
        Column with respondent ids; it becomes the row index (each id once).
    ignore : list of str, optional
        Further non-item columns to accept and leave out.
    delimiter, encoding : str, optional
        Of a CSV file, when they are not to be recognised.
    notes : list of str, optional
        Appended to: what the reader says about the file (the encoding it fell back to).

    Returns
    -------
    pandas.DataFrame
        Respondents x item ids, as floats (blank cells and "not applicable" are NaN).

    Raises
    ------
    FileRefused
        Listing every problem, located by file, line, column and value: unreadable file,
        unknown or missing columns, duplicate respondent ids, answers outside the scale.

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
    survey.ingest.problems.FileRefused: r.csv: line 1, column 'C-03': unknown column: ...
    (did you mean 'C-3'?)...
    """
    table = read_table(path, delimiter=delimiter, encoding=encoding)
    plan = ResponseMapping(respondent_id=id_column, ignore=list(ignore or []))
    advice = ADVICE
    layout = recognise_layout(table, instrument, plan, ADVICE)
    if layout is not None:  # a response export of a form written for a survey platform
        plan, advice = layout.mapping, layout.advice or ADVICE
        if notes is not None:
            notes.append(layout.note)
    checked = check_table(table, instrument, plan, advice=advice)
    if checked.problems:
        raise FileRefused(checked.problems)
    if table.encoding_note and notes is not None:
        notes.append(table.encoding_note)
    return checked.answers_frame(instrument.item_ids)


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
    """Write the scored tables as CSV files into ``out``; returns their paths.

    Respondent ids come from the scored file as they were typed: a text cell (index or column)
    that a spreadsheet would read as a formula gets a leading ``'``
    (:func:`survey.exports.cells.neutralise_formula`, the rule of the research exports).
    """
    from survey.exports.cells import neutralise_formula, neutralise_frame

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
        safe, _ = neutralise_frame(table)
        if safe.index.dtype == object or pd.api.types.is_string_dtype(safe.index.dtype):
            safe = safe.set_axis(safe.index.map(neutralise_formula), axis=0)
        safe.to_csv(target)
        written.append(target)
    return written


def score_command(
    responses: Annotated[
        Path,
        typer.Argument(
            help="Responses file (.csv, .tsv, .parquet or .xlsx), one row per respondent."
        ),
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
    delimiter: Annotated[str | None, typer.Option("--delimiter", help=DELIMITER_HELP)] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help=ENCODING_HELP)] = None,
) -> None:
    """Score a responses file: scale scores per respondent, reliability, item statistics."""
    from survey.instrument.registry import get_instrument

    notes: list[str] = []
    try:
        instrument = get_instrument(instrument_ref)
        data = read_responses(
            responses,
            instrument,
            id_column=id_column,
            ignore=ignore,
            delimiter=delimiter_option(delimiter),
            encoding=encoding,
            notes=notes,
        )
        result = score_instrument(data, instrument)
    except FileRefused as exc:
        raise refused(exc, "nothing was scored") from None
    except InstrumentError as exc:
        raise fail(f"the instruments folder has errors:\n{exc}") from None
    except ValueError as exc:  # unknown instrument, bad file, or data the scoring refuses
        raise fail(str(exc)) from None
    for note in notes:
        typer.echo(f"note: {note}", err=True)
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

"""One writer per export format, and :data:`FORMATS`, the list the CLI and the docs read.

Every writer takes a prepared :class:`~survey.exports.dataset.Dataset` and a folder and returns
the files it wrote (path, table, row count, description) for the codebook. File names:

- ``responses-<instrument>-<version>.<ext>``: wide, one row per response, one column per item;
- ``responses-long.<ext>``: one row per answer (csv, parquet, datapackage);
- ``scores-<instrument>-<version>.<ext>``: one row per response, one column per scale score.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from survey.exports.cells import neutralise_frame
from survey.exports.codebook import SAV_NOT_APPLICABLE
from survey.exports.dataset import (
    LONG_COLUMNS,
    META_COLUMNS,
    PERSONAL_COLUMNS,
    Dataset,
    WideTable,
    variable_name,
)
from survey.exports.scores import scoring_rule

#: Written into CSV cells where the respondent chose "not applicable".
CSV_NOT_APPLICABLE = "NA"
#: Stata's extended missing value for "not applicable".
DTA_NOT_APPLICABLE = "a"
#: Longest variable label each format keeps (the codebook has the full text).
LABEL_LIMIT = {"sav": 255, "dta": 80}

FileEntry = dict[str, Any]


@dataclass(frozen=True)
class Format:
    """An export format: its CLI name, a description for the docs and its writer."""

    name: str
    title: str
    description: str
    writer: Callable[[Dataset, Path], list[FileEntry]]


def _meta_names(dataset: Dataset) -> list[str]:
    names = list(META_COLUMNS)
    if dataset.include_personal:
        names += list(PERSONAL_COLUMNS)
    return names


def _label(text: str, fmt: str) -> str:
    limit = LABEL_LIMIT[fmt]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entry(
    path: Path,
    out_dir: Path,
    table: str,
    rows: int,
    description: str,
    neutralised: dict[str, int] | None = None,
) -> FileEntry:
    """A written file for the codebook; ``neutralised`` counts the cells per column that
    :func:`~survey.exports.cells.neutralise_frame` prefixed (the codebook lists them)."""
    return {
        "path": path.relative_to(out_dir).as_posix(),
        "table": table,
        "rows": rows,
        "description": description,
        "neutralised": dict(neutralised or {}),
    }


def _wide_frame(table: WideTable, dataset: Dataset, na: object) -> pd.DataFrame:
    """Respondent columns then item variables; ``na`` where the answer is 'not applicable'."""
    items = table.instrument.item_ids
    values = table.values[items].astype("Int64").to_numpy(dtype=object, na_value=None)  # type: ignore[arg-type]
    values[table.not_applicable[items].to_numpy(dtype=bool)] = na
    answers = pd.DataFrame(values, columns=[variable_name(i) for i in items], dtype=object)
    meta = table.meta[_meta_names(dataset)].reset_index(drop=True)
    return pd.concat([meta, answers], axis=1)


def _scores_frame(table: WideTable, dataset: Dataset) -> pd.DataFrame:
    scales = [scale.id for scale in table.instrument.scales]
    scores = table.scores[scales].astype(float).reset_index(drop=True)
    scores.columns = [variable_name(s) for s in scales]
    meta = table.meta[_meta_names(dataset)].reset_index(drop=True)
    return pd.concat([meta, scores], axis=1)


def _descriptions(table: WideTable) -> tuple[str, str]:
    key = table.instrument.key
    return (
        f"Answers to {key} (sha256 {table.instrument.sha256[:12]}...), one row per response.",
        f"Scale scores of {key}: {scoring_rule(table.instrument)}.",
    )


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
def write_csv(dataset: Dataset, out_dir: Path) -> list[FileEntry]:
    """Wide, long and score tables as UTF-8 CSV; ``NA`` = not applicable, empty = unanswered."""
    entries = []
    for table in dataset.wide:
        answers_text, scores_text = _descriptions(table)
        path = out_dir / f"responses-{table.name}.csv"
        frame, neutralised = neutralise_frame(_wide_frame(table, dataset, CSV_NOT_APPLICABLE))
        frame.to_csv(path, index=False, na_rep="")
        entries.append(
            _entry(
                path,
                out_dir,
                f"responses {table.instrument.key}",
                len(frame),
                answers_text,
                neutralised,
            )
        )
        path = out_dir / f"scores-{table.name}.csv"
        scores, neutralised = neutralise_frame(_scores_frame(table, dataset))
        scores.to_csv(path, index=False, na_rep="")
        entries.append(
            _entry(
                path,
                out_dir,
                f"scores {table.instrument.key}",
                len(scores),
                scores_text,
                neutralised,
            )
        )
    path = out_dir / "responses-long.csv"
    long, neutralised = neutralise_frame(_long_frame(dataset))
    long.to_csv(path, index=False, na_rep="")
    entries.append(
        _entry(
            path,
            out_dir,
            "responses long",
            len(long),
            "All answers, one row per answer (item and not-applicable flag).",
            neutralised,
        )
    )
    return entries


def _long_frame(dataset: Dataset) -> pd.DataFrame:
    item_columns = [c for c in LONG_COLUMNS if c not in META_COLUMNS]
    return dataset.long.reindex(columns=_meta_names(dataset) + item_columns)


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------
def _arrow_table(
    frame: pd.DataFrame, fields_meta: dict[str, dict[str, str]], file_meta: dict[str, str]
) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        field.with_metadata(fields_meta[field.name]) if field.name in fields_meta else field
        for field in table.schema
    ]
    schema = pa.schema(fields, metadata={**(table.schema.metadata or {}), **file_meta})
    return table.cast(schema)


def write_parquet(dataset: Dataset, out_dir: Path) -> list[FileEntry]:
    """Wide, long and score tables as Parquet, labels in the field metadata."""
    entries = []
    language = dataset.language
    for table in dataset.wide:
        instrument = table.instrument
        answers_text, scores_text = _descriptions(table)
        frame, neutralised = neutralise_frame(_wide_frame(table, dataset, None))
        fields_meta: dict[str, dict[str, str]] = {}
        for scale in instrument.scales:
            for item in scale.items:
                name = variable_name(item.id)
                frame[name] = pd.array(frame[name].tolist(), dtype="Int16")
                rs = instrument.item_response_scale(item, scale)
                fields_meta[name] = {
                    "item": item.id,
                    "label": instrument.text(item.text, language),
                    "value_labels": json.dumps(
                        {str(p): instrument.text(t, language) for p, t in rs.labels.items()},
                        ensure_ascii=False,
                    ),
                    "reverse": str(item.reverse).lower(),
                }
        file_meta = {
            "cocreate.instrument": instrument.key,
            "cocreate.sha256": instrument.sha256,
            "cocreate.language": language,
        }
        path = out_dir / f"responses-{table.name}.parquet"
        pq.write_table(_arrow_table(frame, fields_meta, file_meta), path)
        entries.append(
            _entry(
                path, out_dir, f"responses {instrument.key}", len(frame), answers_text, neutralised
            )
        )
        scores, neutralised = neutralise_frame(_scores_frame(table, dataset))
        score_meta = {
            variable_name(s.id): {"scale": s.id, "label": instrument.text(s.name, language)}
            for s in instrument.scales
        }
        path = out_dir / f"scores-{table.name}.parquet"
        pq.write_table(
            _arrow_table(
                scores, score_meta, {**file_meta, "cocreate.scoring_rule": scoring_rule(instrument)}
            ),
            path,
        )
        entries.append(
            _entry(path, out_dir, f"scores {instrument.key}", len(scores), scores_text, neutralised)
        )
    long, neutralised = neutralise_frame(_long_frame(dataset))
    long["value"] = pd.array(long["value"].tolist(), dtype="Int16")
    long["not_applicable"] = long["not_applicable"].astype(bool)
    path = out_dir / "responses-long.parquet"
    pq.write_table(pa.Table.from_pandas(long, preserve_index=False), path)
    entries.append(
        _entry(
            path,
            out_dir,
            "responses long",
            len(long),
            "All answers, one row per answer (item and not-applicable flag).",
            neutralised,
        )
    )
    return entries


# ---------------------------------------------------------------------------------------------
# SPSS and Stata
# ---------------------------------------------------------------------------------------------
def _string_meta(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    # SPSS and Stata strings have no missing value: an absent attribute is an empty string.
    for name in names:
        frame[name] = frame[name].map(lambda v: "" if v is None or pd.isna(v) else str(v))
    return frame


def _stat_labels(
    table: WideTable, dataset: Dataset, fmt: str, na_key: int | str
) -> tuple[dict[str, str | None], dict[str, dict[Any, str]]]:
    instrument, language = table.instrument, dataset.language
    column_labels: dict[str, str | None] = {
        name: _label(desc, fmt) for name, desc in META_COLUMNS.items()
    }
    column_labels.update({n: _label(d, fmt) for n, d in PERSONAL_COLUMNS.items()})
    value_labels: dict[str, dict[Any, str]] = {}
    for scale in instrument.scales:
        for item in scale.items:
            name = variable_name(item.id)
            rs = instrument.item_response_scale(item, scale)
            column_labels[name] = _label(instrument.text(item.text, language), fmt)
            labels: dict[Any, str] = {p: instrument.text(t, language) for p, t in rs.labels.items()}
            if rs.not_applicable:
                labels[na_key] = instrument.text(rs.not_applicable_label, language)
            value_labels[name] = labels
    return column_labels, value_labels


def _write_statistical(dataset: Dataset, out_dir: Path, fmt: str) -> list[FileEntry]:
    entries = []
    meta_names = _meta_names(dataset)
    for table in dataset.wide:
        instrument = table.instrument
        answers_text, scores_text = _descriptions(table)
        items = [variable_name(i) for i in instrument.item_ids]
        na = SAV_NOT_APPLICABLE if fmt == "sav" else DTA_NOT_APPLICABLE
        frame, neutralised = neutralise_frame(
            _string_meta(_wide_frame(table, dataset, na), meta_names)
        )
        column_labels, value_labels = _stat_labels(table, dataset, fmt, na)
        column_labels = {k: v for k, v in column_labels.items() if k in frame.columns}
        path = out_dir / f"responses-{table.name}.{fmt}"
        label = _label(f"{instrument.key} responses", fmt)
        if fmt == "sav":
            for name in items:
                frame[name] = frame[name].astype(float)
            pyreadstat.write_sav(
                frame,
                path,
                file_label=label,
                column_labels=column_labels,
                variable_value_labels=value_labels,
                missing_ranges={
                    name: [SAV_NOT_APPLICABLE]
                    for name in items
                    if SAV_NOT_APPLICABLE in value_labels[name]
                },
                variable_measure={
                    **{name: "nominal" for name in meta_names},
                    **{name: "ordinal" for name in items},
                },
                variable_format={name: "F2.0" for name in items},
                note=[instrument.key, f"sha256 {instrument.sha256}"],
            )
        else:
            # pyreadstat writes None in an object column of ints as 0: give floats and NaN.
            for name in items:
                frame[name] = [
                    np.nan if v is None else v if v == DTA_NOT_APPLICABLE else float(v)
                    for v in frame[name]
                ]
            pyreadstat.write_dta(
                frame,
                path,
                file_label=label,
                column_labels=column_labels,
                version=15,
                variable_value_labels=value_labels,
                missing_user_values={
                    name: [DTA_NOT_APPLICABLE]
                    for name in items
                    if DTA_NOT_APPLICABLE in value_labels[name]
                },
            )
        entries.append(
            _entry(
                path, out_dir, f"responses {instrument.key}", len(frame), answers_text, neutralised
            )
        )

        scores, neutralised = neutralise_frame(
            _string_meta(_scores_frame(table, dataset), meta_names)
        )
        score_labels: dict[str, str | None] = {
            k: v for k, v in column_labels.items() if k in meta_names
        }
        score_names = [variable_name(s.id) for s in instrument.scales]
        score_labels.update(
            {
                variable_name(s.id): _label(instrument.text(s.name, dataset.language), fmt)
                for s in instrument.scales
            }
        )
        path = out_dir / f"scores-{table.name}.{fmt}"
        label = _label(f"{instrument.key} scale scores", fmt)
        if fmt == "sav":
            pyreadstat.write_sav(
                scores,
                path,
                file_label=label,
                column_labels=score_labels,
                variable_measure={
                    **{name: "nominal" for name in meta_names},
                    **{name: "scale" for name in score_names},
                },
                note=textwrap.wrap(scoring_rule(instrument), 80),
            )
        else:
            pyreadstat.write_dta(
                scores, path, file_label=label, column_labels=score_labels, version=15
            )
        entries.append(
            _entry(path, out_dir, f"scores {instrument.key}", len(scores), scores_text, neutralised)
        )
    return entries


def write_sav(dataset: Dataset, out_dir: Path) -> list[FileEntry]:
    """SPSS files: labels, ordinal items, "not applicable" = -9 declared user-missing."""
    return _write_statistical(dataset, out_dir, "sav")


def write_dta(dataset: Dataset, out_dir: Path) -> list[FileEntry]:
    """Stata 15 files: labels, "not applicable" = extended missing ``.a`` with a value label."""
    return _write_statistical(dataset, out_dir, "dta")


# ---------------------------------------------------------------------------------------------
# Frictionless Data Package
# ---------------------------------------------------------------------------------------------
def _meta_fields(dataset: Dataset) -> list[dict[str, Any]]:
    described = {**META_COLUMNS, **PERSONAL_COLUMNS}
    return [
        {
            "name": name,
            "type": "date" if name == "submitted" else "string",
            "description": described[name],
        }
        for name in _meta_names(dataset)
    ]


class DatapackageInvalid(ValueError):
    """The written Data Package does not pass ``frictionless`` validation (a bug, not bad input)."""


def write_datapackage(dataset: Dataset, out_dir: Path) -> list[FileEntry]:
    """CSV files plus ``datapackage.json`` with a Table Schema for every resource.

    The package is built with the ``frictionless`` library (:class:`frictionless.Package` of
    :class:`frictionless.Resource` with their schemas) and the written files are validated with
    :func:`frictionless.validate` before returning; :class:`DatapackageInvalid` names the first
    errors when they do not pass.
    """
    # Imported here: the other formats and the app do not pay for frictionless.
    import frictionless

    entries = write_csv(dataset, out_dir)
    language = dataset.language
    by_path = {entry["path"]: entry for entry in entries}
    resources = []
    for table in dataset.wide:
        instrument = table.instrument
        fields = _meta_fields(dataset)
        for scale in instrument.scales:
            for item in scale.items:
                rs = instrument.item_response_scale(item, scale)
                labels = "; ".join(
                    f"{p} = {instrument.text(t, language)}" for p, t in rs.labels.items()
                )
                fields.append(
                    {
                        "name": variable_name(item.id),
                        "title": item.id,
                        "type": "integer",
                        "description": f"{instrument.text(item.text, language)} [{labels}]"
                        + (" (reverse keyed)" if item.reverse else ""),
                        "constraints": {"minimum": rs.min, "maximum": rs.max},
                    }
                )
        path = f"responses-{table.name}.csv"
        resources.append(
            _resource(
                f"responses-{table.name}",
                path,
                by_path[path],
                fields,
                f"{instrument.key} sha256 {instrument.sha256}",
            )
        )
        fields = _meta_fields(dataset)
        for scale in instrument.scales:
            low = min(instrument.item_response_scale(i, scale).min for i in scale.items)
            high = max(instrument.item_response_scale(i, scale).max for i in scale.items)
            fields.append(
                {
                    "name": variable_name(scale.id),
                    "title": scale.id,
                    "type": "number",
                    "description": instrument.text(scale.name, language),
                    "constraints": {"minimum": low, "maximum": high},
                }
            )
        path = f"scores-{table.name}.csv"
        resources.append(
            _resource(f"scores-{table.name}", path, by_path[path], fields, scoring_rule(instrument))
        )
    long_fields = [
        *_meta_fields(dataset),
        {"name": "item", "type": "string", "description": "Item id."},
        {"name": "variable", "type": "string", "description": "Variable name in wide tables."},
        {"name": "scale", "type": "string", "description": "Scale id of the item."},
        {"name": "value", "type": "integer", "description": "The answer; empty when N/A."},
        {
            "name": "not_applicable",
            "type": "boolean",
            "description": "True when the respondent chose not applicable.",
        },
    ]
    resources.append(
        _resource(
            "responses-long",
            "responses-long.csv",
            by_path["responses-long.csv"],
            long_fields,
            "one row per answer",
        )
    )
    package = frictionless.Package(
        name="cocreate-export",
        title="cocreate research export",
        description="Pseudonymised answers, scale scores and codebook; see codebook.md.",
        resources=resources,
        basepath=str(out_dir),
    )
    descriptor = out_dir / "datapackage.json"
    package.to_json(str(descriptor))
    report = frictionless.validate(descriptor)
    if not report.valid:
        problems = report.flatten(["rowNumber", "fieldName", "type", "note"])
        shown = "; ".join(" ".join(str(part) for part in row) for row in problems[:5])
        raise DatapackageInvalid(
            f"the Data Package in {out_dir} does not validate ({len(problems)} error(s)): {shown}"
        )
    return entries


def _resource(
    name: str, path: str, entry: FileEntry, fields: list[dict[str, Any]], description: str
) -> Any:
    """A tabular :class:`frictionless.Resource` of a written CSV file."""
    import frictionless

    return frictionless.Resource(
        name=name,
        path=path,
        format="csv",
        encoding="utf-8",
        mediatype="text/csv",
        description=f"{entry['description']} {description}",
        schema=frictionless.Schema.from_descriptor(
            {"fields": fields, "missingValues": ["", CSV_NOT_APPLICABLE]}
        ),
    )


#: Every export format, in the order the CLI and docs list them.
FORMATS: list[Format] = [
    Format("csv", "CSV", "Wide and long tables as UTF-8 CSV, with scale scores.", write_csv),
    Format(
        "parquet",
        "Parquet",
        "Wide and long tables as Apache Parquet, labels in field metadata.",
        write_parquet,
    ),
    Format(
        "sav",
        "SPSS",
        "One .sav per instrument version with variable and value labels, "
        "ordinal measurement level and -9 = not applicable (user-missing).",
        write_sav,
    ),
    Format(
        "dta",
        "Stata",
        "One Stata 15 .dta per instrument version with variable and value "
        "labels; not applicable = .a.",
        write_dta,
    ),
    Format(
        "datapackage",
        "Frictionless Data Package",
        "CSV files with datapackage.json (Table "
        "Schema: types, ranges, descriptions, missing values).",
        write_datapackage,
    ),
]

FORMAT_NAMES = [f.name for f in FORMATS]


def get_format(name: str) -> Format:
    """The format called ``name``; ``ValueError`` lists the choices."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise ValueError(f"unknown export format {name!r}; choose one of {', '.join(FORMAT_NAMES)}")


def formats_markdown() -> str:
    """The table of formats in ``docs/exports.md`` (checked by ``tests/test_exports.py``).

    Examples
    --------
    >>> formats_markdown().splitlines()[0]
    '| `--format` | format | what is written |'
    """
    lines = ["| `--format` | format | what is written |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.title} | {f.description} |" for f in FORMATS]
    return "\n".join(lines) + "\n"

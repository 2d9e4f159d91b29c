"""The codebook every export carries: ``codebook.json`` for programs, ``codebook.md`` for people.

It names each instrument version with its content hash, lists scales with their items, keying and
variable names, the response scales with their labels, the scoring rule, the missing-value codes
of every format, the filters, row counts, suppression applied, export time and software version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from survey import __version__
from survey.exports.cells import RULE as FORMULA_RULE
from survey.exports.dataset import (
    META_COLUMNS,
    OTHER,
    PERSONAL_COLUMNS,
    Dataset,
    WideTable,
    iso_now,
    variable_name,
)
from survey.exports.pseudonyms import DIGITS, KINDS
from survey.exports.scores import scoring_rule
from survey.instrument.model import Instrument

#: How "not applicable" and "not answered" appear in each format (documented in docs/exports.md).
MISSING_CODES: dict[str, dict[str, str]] = {
    "csv": {"not_applicable": "NA", "not_answered": "empty cell"},
    "parquet": {
        "not_applicable": "null in the wide table; not_applicable = true in the long table",
        "not_answered": "null in the wide table; no row in the long table",
    },
    "sav": {
        "not_applicable": "-9, declared user-missing (missing values -9) with a value label",
        "not_answered": "system-missing (.)",
    },
    "dta": {"not_applicable": "extended missing .a, with a value label", "not_answered": "."},
    "datapackage": {
        "not_applicable": "NA (listed in missingValues)",
        "not_answered": "empty cell (listed in missingValues)",
    },
}

#: The user-missing code of "not applicable" in SPSS files.
SAV_NOT_APPLICABLE = -9


def _instrument_entry(table: WideTable, language: str) -> dict[str, Any]:
    instrument: Instrument = table.instrument
    text = instrument.text

    def scale_entry(scale: Any) -> dict[str, Any]:
        dimension = instrument.dimension_of_scale(scale.id)
        return {
            "id": scale.id,
            "variable": variable_name(scale.id),
            "name": text(scale.name, language),
            "definition": text(scale.definition, language),
            "dimension": dimension.id if dimension else None,
            "response_scale": scale.response_scale,
            "items": [
                {
                    "id": item.id,
                    "variable": variable_name(item.id),
                    "text": text(item.text, language),
                    "reverse": item.reverse,
                    "required": item.required,
                    "response_scale": instrument.item_response_scale(item, scale).id,
                }
                for item in scale.items
            ],
        }

    return {
        "id": instrument.id,
        "version": instrument.version,
        "sha256": instrument.sha256,
        "title": text(instrument.title, language),
        "responses": len(table.meta),
        "response_scales": [
            {
                "id": rs.id,
                "kind": rs.kind,
                "min": rs.min,
                "max": rs.max,
                "labels": {str(point): text(label, language) for point, label in rs.labels.items()},
                "not_applicable_allowed": rs.not_applicable,
                "not_applicable_label": text(rs.not_applicable_label, language)
                if rs.not_applicable
                else None,
            }
            for rs in instrument.response_scales
        ],
        "scales": [scale_entry(scale) for scale in instrument.scales],
        "dimensions": [
            {"id": d.id, "name": text(d.name, language), "scales": list(d.scales)}
            for d in instrument.dimensions
        ],
        "scoring": {
            "method": instrument.scoring.method,
            "min_valid_share": instrument.scoring.min_valid_share,
            "rule": scoring_rule(instrument),
        },
    }


def build_codebook(
    dataset: Dataset,
    fmt: str,
    files: list[dict[str, Any]],
    *,
    secret_source: str,
    exported_at: str | None = None,
) -> dict[str, Any]:
    """The codebook of one export as a JSON-ready dict.

    Parameters
    ----------
    dataset : survey.exports.dataset.Dataset
        What was exported.
    fmt : str
        The format name (``csv``, ``parquet``, ``sav``, ``dta``, ``datapackage``).
    files : list of dict
        The data files written: ``path`` (relative), ``table``, ``rows``, ``description``.
    secret_source : str
        Where the pseudonym secret came from (``setting`` or ``key file``); never the secret.
    exported_at : str, optional
        ISO time of the export; default now.

    Returns
    -------
    dict
    """
    meta_columns = dict(META_COLUMNS)
    if dataset.include_personal:
        meta_columns.update(PERSONAL_COLUMNS)
    return {
        "title": "cocreate research export",
        "format": fmt,
        "exported_at": exported_at or iso_now(),
        "software": {"name": "cocreate", "version": __version__},
        "language": dataset.language,
        "filters": dict(dataset.recorded_filters),
        "counts": dict(dataset.counts),
        "files": [{k: v for k, v in f.items() if k != "neutralised"} for f in files],
        "spreadsheet_formulas": {
            "rule": FORMULA_RULE,
            "applies_to": "every text cell of every data file (respondent columns, names and "
            "codes); item answers and scores are numbers and never changed",
            "neutralised": [
                {"file": f["path"], "column": column, "cells": cells}
                for f in files
                for column, cells in sorted(f.get("neutralised", {}).items())
            ],
        },
        "personal_data": {
            "included": dataset.include_personal,
            "excluded": [
                "names and e-mail addresses of people",
                "organisation and campaign names"
                + (" (included on request in this export)" if dataset.include_personal else ""),
                "invitation tokens and account data",
                "free-text fields",
                "start and submission times (only the submission date is kept)",
            ],
        },
        "pseudonymisation": {
            "method": f"HMAC-SHA256(secret, kind + ':' + database id), first {DIGITS} hex digits, "
            "prefixed by the kind's letter",
            "kinds": {kind: letter for kind, letter in KINDS.items()},
            "secret_source": secret_source,
            "stable": "the same deployment gives the same pseudonyms in every export",
        },
        "suppression": {
            "min_cohort": dataset.min_cohort,
            "rule": f"an industry, size_band or region value held by fewer than "
            f"{dataset.min_cohort} organisations in this export is merged into '{OTHER}'; "
            f"when '{OTHER}' would itself hold fewer than {dataset.min_cohort} organisations, "
            "those cells are left empty",
            "applied": [
                {
                    "variable": s.variable,
                    "values": s.values_coarsened,
                    "organisations": s.organisations_coarsened,
                    "action": s.action,
                }
                for s in dataset.suppression
            ],
        },
        "variable_names": "item and scale ids with hyphens replaced by underscores "
        "(IC-IND-1 -> IC_IND_1, co-design -> co_design); the id is kept in each variable's "
        "entry below",
        "missing_values": MISSING_CODES[fmt],
        "respondent_columns": meta_columns,
        "long_table_columns": {
            "item": "Item id.",
            "variable": "Variable name of the item in the wide tables.",
            "scale": "Scale id of the item.",
            "value": "The answer (empty when not applicable).",
            "not_applicable": "True when the respondent chose 'not applicable'.",
        },
        "instruments": [_instrument_entry(table, dataset.language) for table in dataset.wide],
    }


def write_codebook(codebook: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write ``codebook.json`` and ``codebook.md`` into ``out_dir``."""
    json_path = out_dir / "codebook.json"
    json_path.write_text(
        json.dumps(codebook, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    md_path = out_dir / "codebook.md"
    md_path.write_text(codebook_markdown(codebook), encoding="utf-8")
    return [json_path, md_path]


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_BACKTICK_RUNS = re.compile(r"`+")
#: Characters that start inline Markdown; escaped with a backslash in quoted text.
_MARKDOWN_INLINE = set("\\`*_[]~|$#")
#: HTML-significant characters, written as entities so that no tag or entity of a value survives.
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _one_line(value: object) -> str:
    return _LINE_BREAKS.sub(" ", str(value))


def _text(value: object) -> str:
    """Quoted text as inert Markdown: on one line, inline markup escaped with a backslash, HTML
    characters as entities (a renderer shows the value as it was, never as markup).

    Examples
    --------
    >>> _text("<b>*x*</b> | y")
    '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| y'
    """
    out = []
    for ch in _one_line(value):
        if ch in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[ch])
        elif ch in _MARKDOWN_INLINE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


_LIST_MARKER = re.compile(r"^(\d{1,9})([.)])")


def _paragraph(value: object) -> str:
    """Quoted text on a line of its own: :func:`_text`, and nothing at the start of the line
    that would make it a list, a code block or a rule.

    Examples
    --------
    >>> _paragraph("- not a list"), _paragraph("1. not a list either")
    ('\\\\- not a list', '1\\\\. not a list either')
    """
    text = _text(value).lstrip()
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    return _LIST_MARKER.sub(r"\1\\\2", text, count=1)


def _cell(value: object) -> str:
    """A Markdown table cell: :func:`_text` (which escapes ``|`` as well)."""
    return _text(value)


def _code(value: object, *, in_table: bool = False) -> str:
    """``value`` as a Markdown code span it cannot break out of.

    The fence is one backtick longer than the longest run of backticks inside, padded with a
    space when the value starts or ends with a backtick or a space (CommonMark strips one); line
    breaks become spaces. In a table cell ``|`` is escaped as well, which GitHub-flavoured
    tables require even inside code spans. HTML inside a code span is shown, never rendered.

    Examples
    --------
    >>> _code("a`b")
    '``a`b``'
    >>> _code("``x")
    '``` ``x ```'
    """
    text = _one_line(value)
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if not text or text[0] in "` " or text[-1] in "` ":
        text = f" {text} "
    return f"{fence}{text}{fence}"


def codebook_markdown(codebook: dict[str, Any]) -> str:
    """The codebook as Markdown, for people.

    Examples
    --------
    >>> text = codebook_markdown({"title": "t", "format": "csv", "exported_at": "2026-01-01",
    ...     "software": {"name": "cocreate", "version": "0.1.0"}, "language": "en",
    ...     "filters": {}, "counts": {"responses": 0}, "files": [],
    ...     "personal_data": {"included": False, "excluded": []},
    ...     "pseudonymisation": {"method": "m", "secret_source": "setting"},
    ...     "suppression": {"rule": "r", "applied": []}, "variable_names": "v",
    ...     "missing_values": {"not_applicable": "NA"}, "respondent_columns": {},
    ...     "long_table_columns": {}, "instruments": []})
    >>> text.splitlines()[0]
    '# t'
    """
    lines = [f"# {_text(codebook['title'])}", ""]
    software = codebook["software"]
    lines += [
        f"- Format: {_code(codebook['format'])}",
        f"- Exported at: {_text(codebook['exported_at'])}",
        f"- Software: {_text(software['name'])} {_text(software['version'])}",
        f"- Language of texts and labels: {_code(codebook['language'])}",
        "",
        "## Filters",
        "",
    ]
    active = {k: v for k, v in codebook["filters"].items() if v is not None}
    lines += [f"- {_text(k)}: {_code(v)}" for k, v in active.items()] or ["- none (all responses)"]
    lines += ["", "## Counts", ""]
    lines += [f"- {_text(k)}: {_text(v)}" for k, v in codebook["counts"].items()]
    lines += ["", "## Files", "", "| file | table | rows | description |", "|---|---|---|---|"]
    lines += [
        f"| {_code(f['path'], in_table=True)} | {_cell(f['table'])} | {_cell(f['rows'])} | "
        f"{_cell(f['description'])} |"
        for f in codebook["files"]
    ]
    formulas = codebook.get("spreadsheet_formulas")
    if formulas is not None:
        lines += ["", "## Spreadsheet formulas", "", f"- Rule: {_text(formulas['rule'])}"]
        lines += [f"- Applies to: {_text(formulas['applies_to'])}"]
        lines += [
            f"- {_code(n['file'])}, column {_code(n['column'])}: {_text(n['cells'])} cell(s) "
            "neutralised"
            for n in formulas["neutralised"]
        ] or ["- Neutralised: none (no text cell started with a formula character)"]
    personal = codebook["personal_data"]
    lines += ["", "## Personal data", ""]
    lines += [f"- Personal data included: {'yes' if personal['included'] else 'no'}"]
    lines += [f"- Not in this export: {_text(x)}" for x in personal["excluded"]]
    pseudo = codebook["pseudonymisation"]
    lines += ["", "## Pseudonyms", "", f"- Method: {_text(pseudo['method'])}"]
    lines += [f"- Secret: from the {_text(pseudo['secret_source'])} (not part of the export)"]
    suppression = codebook["suppression"]
    lines += ["", "## Suppression of small cells", "", f"- Rule: {_text(suppression['rule'])}"]
    for s in suppression["applied"]:
        lines.append(
            f"- {_code(s['variable'])}: {_text(s['values'])} value(s) of "
            f"{_text(s['organisations'])} organisation(s) {_text(s['action'])}"
        )
    if not suppression["applied"]:
        lines.append("- Applied: none (every value has enough organisations)")
    lines += ["", "## Missing values", ""]
    lines += [
        f"- {_text(k.replace('_', ' '))}: {_text(v)}" for k, v in codebook["missing_values"].items()
    ]
    lines += ["", "## Variable names", "", _paragraph(codebook["variable_names"]), ""]
    lines += ["## Respondent columns", "", "| column | meaning |", "|---|---|"]
    lines += [
        f"| {_code(k, in_table=True)} | {_cell(v)} |"
        for k, v in codebook["respondent_columns"].items()
    ]
    lines += ["", "## Long table columns", "", "| column | meaning |", "|---|---|"]
    lines += [
        f"| {_code(k, in_table=True)} | {_cell(v)} |"
        for k, v in codebook["long_table_columns"].items()
    ]
    for inst in codebook["instruments"]:
        lines += [
            "",
            f"## Instrument {_text(inst['id'])} {_text(inst['version'])}: {_text(inst['title'])}",
            "",
            f"- Content SHA-256: {_code(inst['sha256'])}",
            f"- Responses: {_text(inst['responses'])}",
            f"- Scoring: {_text(inst['scoring']['rule'])}",
            "",
            "### Response scales",
            "",
        ]
        for rs in inst["response_scales"]:
            labels = "; ".join(f"{_text(p)} = {_text(t)}" for p, t in rs["labels"].items())
            na = (
                f"; not applicable allowed ({_text(rs['not_applicable_label'])})"
                if rs["not_applicable_allowed"]
                else ""
            )
            lines.append(
                f"- {_code(rs['id'])} ({_text(rs['kind'])}, {_text(rs['min'])}-"
                f"{_text(rs['max'])}): {labels}{na}"
            )
        for scale in inst["scales"]:
            lines += [
                "",
                f"### Scale {_code(scale['id'])} (score variable {_code(scale['variable'])}): "
                f"{_text(scale['name'])}",
                "",
                _paragraph(scale["definition"]),
                "",
                f"Dimension: {_text(scale['dimension'] or 'none')}; response scale "
                f"{_code(scale['response_scale'])}.",
                "",
                "| item | variable | keying | required | text |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {_code(item['id'], in_table=True)} | "
                f"{_code(item['variable'], in_table=True)} | "
                f"{'reverse' if item['reverse'] else 'forward'} | "
                f"{'yes' if item['required'] else 'no'} | {_cell(item['text'])} |"
                for item in scale["items"]
            ]
    return "\n".join(lines) + "\n"

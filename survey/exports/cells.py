"""Cells of tabular exports made inert for spreadsheets (formula injection, CWE-1236).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice Calc and Google Sheets when a CSV file is opened, and by
``pandas.DataFrame.to_excel`` (openpyxl) when a table read from any format is written to a
workbook. Industry, region, language and names come from people and imported files, so an export
must never hand such a value to a spreadsheet as it is. Every format writer in
:mod:`survey.exports.formats` passes its tables through :func:`neutralise_frame`, which applies
:func:`neutralise_formula`, the one rule, to every text cell and never to a number.

The rule also prefixes a text that already starts with ``'``: removing one leading ``'`` from
every text cell that starts with one then restores every original value exactly.
"""

from __future__ import annotations

import pandas as pd

#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a neutralised cell starts with (a spreadsheet shows the rest as text).
PREFIX = "'"
#: Prefixed as well, so that the rule can be undone without ambiguity.
PREFIXED_STARTS = (*FORMULA_STARTS, PREFIX)

#: The rule in words, for the codebook and ``docs/exports.md``.
RULE = (
    "a text cell starting with =, +, -, @, a tab or a carriage return (or with ' itself) gets a "
    "leading ' so that no spreadsheet reads it as a formula; numbers are never changed; remove "
    "one leading ' from a text cell that starts with it to get the original value"
)


def neutralise_formula(value: object) -> object:
    """``value`` with a leading ``'`` when a spreadsheet could read it as a formula.

    Only text is changed: numbers (``-3``, ``-0.5``), missing values and everything else are
    returned as they are.

    Parameters
    ----------
    value : object
        One cell.

    Returns
    -------
    object
        The cell, prefixed with ``'`` when it is a ``str`` that starts with ``=``, ``+``,
        ``-``, ``@``, a tab, a carriage return or ``'``.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://e.vil\\")")
    '\\'=HYPERLINK("http://e.vil")'
    >>> neutralise_formula("-2+3"), neutralise_formula(-2), neutralise_formula("Retail")
    ("'-2+3", -2, 'Retail')
    """
    if isinstance(value, str) and value.startswith(PREFIXED_STARTS):
        return PREFIX + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Apply :func:`neutralise_formula` to every text cell of ``frame``.

    Columns of a numeric, boolean or date type are left alone; in a column of objects only the
    ``str`` cells are looked at, so numbers mixed with codes (``NA``) stay numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be written.

    Returns
    -------
    frame : pandas.DataFrame
        A copy with the neutralised cells (``frame`` itself when nothing needed it).
    neutralised : dict of str to int
        Cells neutralised per column, only columns with at least one.

    Examples
    --------
    >>> table = pd.DataFrame({"industry": ["=1+1", "Retail"], "score": [-1.0, 2.0]})
    >>> safe, counts = neutralise_frame(table)
    >>> safe["industry"].tolist(), safe["score"].tolist(), counts
    (["'=1+1", 'Retail'], [-1.0, 2.0], {'industry': 1})
    """
    counts: dict[str, int] = {}
    out = frame
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        # Respondent columns repeat few values over many rows: decide once per distinct value.
        prefixed = {
            value: PREFIX + value
            for value in column.unique()
            if isinstance(value, str) and value.startswith(PREFIXED_STARTS)
        }
        if not prefixed:
            continue
        hit = column.isin(list(prefixed)).to_numpy(dtype=bool)
        changed = column.to_numpy(dtype=object, copy=True)
        changed[hit] = [prefixed[value] for value in changed[hit]]
        if out is frame:
            out = frame.copy(deep=False)  # columns are replaced, never changed in place
        # Given as a Series, the column keeps its type (from a bare array pandas would infer
        # a string type); pandas-stubs leave Series out of isetitem's signature.
        kept = pd.Series(changed, index=frame.index, dtype=column.dtype)
        out.isetitem(position, kept)  # type: ignore[arg-type]
        counts[str(name)] = counts.get(str(name), 0) + int(hit.sum())
    return out, counts

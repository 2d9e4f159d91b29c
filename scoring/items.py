"""Scoring many multi-item scales at once: scale scores, reliability, item statistics, flags.

:func:`score_items` reads the data once, in row chunks, with matrix products over a
missing-value mask: per chunk it forms the scores from answered counts and keyed sums and adds
the within-scale pairwise cross-products (:mod:`scoring.moments`); the statistics are those of
:mod:`scoring.reliability`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from scoring.keys import ScaleKey, parse_keys
from scoring.moments import ScaleMoments, ScaleScan, numeric_columns, scan_scales
from scoring.reliability import (
    MIN_ALPHA,
    MISSING_POLICIES,
    ScaleReliability,
    reliability_from_moments,
)

__all__ = ["FlagThresholds", "ScoreResult", "reliability_flags", "score_items"]

RELIABILITY_COLUMNS = [
    "alpha",
    "std_alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "omega_total",
    "average_r",
    "n",
    "k",
]
ITEM_COLUMNS = ["mean", "sd", "missing_share", "r_drop", "alpha_if_deleted"]
FLAG_COLUMNS = ["scale", "item", "code", "message"]


@dataclass(frozen=True)
class FlagThresholds:
    """Where :func:`reliability_flags` starts to warn.

    The defaults are the conventional rules of thumb (Nunnally's .70 for alpha and omega,
    :data:`scoring.reliability.MIN_ALPHA`; .30 for corrected item-total correlations; 30
    complete answers for a stable estimate).
    An instrument may set its own.

    Examples
    --------
    >>> FlagThresholds(min_alpha=0.8)
    FlagThresholds(min_alpha=0.8, min_omega=0.7, min_r_drop=0.3, min_complete=30)
    """

    min_alpha: float = MIN_ALPHA
    min_omega: float = MIN_ALPHA
    min_r_drop: float = 0.30
    min_complete: int = 30


@dataclass(frozen=True)
class ScoreResult:
    """What :func:`score_items` returns.

    Attributes
    ----------
    scores : pandas.DataFrame
        Respondents x scales: mean keyed answer, NaN with too few answers.
    reliability : pandas.DataFrame
        One row per scale (index ``scale``): ``alpha``, ``std_alpha``, ``alpha_ci_low``,
        ``alpha_ci_high``, ``omega_total``, ``average_r``, ``n``, ``k``.
    items : pandas.DataFrame
        One row per scale and item (index ``scale``, ``item``): ``mean``, ``sd``,
        ``missing_share``, ``r_drop``, ``alpha_if_deleted``.
    flags : pandas.DataFrame
        Problems a user can act on: ``scale``, ``item`` (None for the scale), ``code``,
        ``message``.
    """

    scores: pd.DataFrame
    reliability: pd.DataFrame
    items: pd.DataFrame
    flags: pd.DataFrame


def _check_arguments(
    data: pd.DataFrame,
    scales: Sequence[ScaleKey],
    scale_min: float,
    scale_max: float,
    min_valid: float,
    missing: str,
) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(
            f"data must be a pandas DataFrame (rows respondents, columns items), "
            f"got {type(data).__name__}"
        )
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    for name, value in (("scale_min", scale_min), ("scale_max", scale_max)):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not scale_min < scale_max:
        raise ValueError(
            f"scale_min ({scale_min}) must be smaller than scale_max ({scale_max}); "
            "give the lowest and highest point of the response scale"
        )
    if isinstance(min_valid, bool) or not isinstance(min_valid, Real) or not (0 < min_valid <= 1):
        raise ValueError(
            f"min_valid must be a share in (0, 1], got {min_valid!r}; e.g. 0.5 scores a "
            "respondent who answered at least half of a scale's items"
        )
    if data.columns.has_duplicates:
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise ValueError(
            f"data has duplicate columns {', '.join(dup)}; give every item its own column"
        )
    columns = [str(c) for c in data.columns]
    known = set(data.columns)
    for key in scales:
        for item in key.items:
            if item not in known:
                close = difflib.get_close_matches(item, columns, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(
                    f"scale {key.scale!r} lists item {item!r}, which is not a column of "
                    f"data{hint}; correct the key or add the column to data"
                )
    if len(data) == 0:
        raise ValueError(
            "data has no rows; score_items needs at least one respondent (two for reliability)"
        )
    used = list(dict.fromkeys(item for key in scales for item in key.items))
    numeric_columns(data, used, "data")


def score_items(
    data: pd.DataFrame,
    keys: Mapping[str, Sequence[str]],
    *,
    scale_min: float,
    scale_max: float,
    min_valid: float = 0.5,
    missing: str = "pairwise",
    reliability: bool = True,
) -> ScoreResult:
    """Score multi-item scales: scores, reliability, item statistics and actionable flags.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data: rows respondents, columns items; NaN marks a missing answer. Columns not
        named in ``keys`` are ignored.
    keys : mapping of str to sequence of str
        Scale id to item ids, a leading ``-`` marking a reverse-keyed item, e.g.
        ``{"agree": ["-A1", "A2", "A3"]}``.
    scale_min, scale_max : float
        The response range; reverse-keyed answers are scored ``scale_min + scale_max - x``
        and answers outside the range are rejected.
    min_valid : float
        The share of a scale's items a respondent must have answered to get a score.
    missing : {"pairwise", "listwise"}
        Pairwise: every covariance from the rows answering both items. Listwise: per scale,
        only rows answering every item of that scale. Scores always use the valid answers.
    reliability : bool
        False skips the reliability and item statistics (for scores alone, e.g. one response
        at a time): ``reliability`` then holds only ``n`` and ``k`` (the statistics NaN), and
        ``items`` and ``flags`` are empty.

    Returns
    -------
    ScoreResult
        ``scores``, ``reliability``, ``items`` and ``flags`` (see :class:`ScoreResult`).

    Raises
    ------
    ValueError
        For an unknown item in ``keys``, a non-numeric item column, a value outside
        ``scale_min..scale_max``, empty data or a scale with fewer than two items; the message
        names the column or scale and the fix.

    Notes
    -----
    A respondent's score on a scale of :math:`k` items is the mean of the keyed answers they
    gave, provided they answered at least :math:`\\lceil \\text{min\\_valid} \\cdot k \\rceil`
    items (and at least one). The reliability columns are those of
    :func:`scoring.reliability.scale_reliability`; ``n`` is the number of respondents who
    answered at least one item of the scale (pairwise) or all of them (listwise).

    All scales are computed in one pass: per chunk of rows, answered counts and keyed sums
    per scale are two matrix products with the item-to-scale key matrix, and the pairwise
    cross-products of all items are accumulated with the missing-value mask (see
    :mod:`scoring.moments`).

    The flags (codes ``low_alpha``, ``low_omega``, ``low_r_drop``,
    ``alpha_if_deleted_higher``, ``few_complete``, ``zero_variance``, ``not_estimable``)
    use :class:`FlagThresholds` defaults; see :func:`reliability_flags`.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``scoreItems`` and ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [5, 4, 2, 1, 2, 4], "A2": [1, 3, 4, 5, 4, np.nan],
    ...                    "A3": [2, 2, 4, 5, 3, 1], "B1": [3, 3, 4, 2, 5, 1],
    ...                    "B2": [2, 3, 5, 2, 4, 2]})
    >>> res = score_items(df, {"agree": ["-A1", "A2", "A3"], "bold": ["B1", "B2"]},
    ...                   scale_min=1, scale_max=5)
    >>> res.scores.round(3)
    scale  agree  bold
    0      1.333   2.5
    1      2.333   3.0
    2      4.000   4.5
    3      5.000   2.0
    4      3.667   4.5
    5      1.500   1.5
    >>> res.reliability[["alpha", "omega_total", "n", "k"]].round(3)
           alpha  omega_total  n  k
    scale
    agree  0.957        0.962  6  3
    bold   0.875          NaN  6  2
    >>> res.flags["code"].tolist()
    ['few_complete', 'alpha_if_deleted_higher', 'few_complete']
    """
    scales = list(parse_keys(keys).values())
    _check_arguments(data, scales, scale_min, scale_max, min_valid, missing)
    needed = [max(1, math.ceil(min_valid * key.k - 1e-9)) for key in scales]
    scan = scan_scales(
        data,
        scales,
        scale_min=float(scale_min),
        scale_max=float(scale_max),
        missing=missing,
        min_answered=needed,
    )
    if scan.scores is None:  # the range is known, so scores exist
        raise RuntimeError("internal error: scale scores were not computed")
    values = scan.scores
    names = [key.scale for key in scales]
    scores = pd.DataFrame(
        values, index=data.index, columns=pd.Index(names, name="scale"), copy=False
    )

    if not reliability:
        return _scores_only(scores, scales, scan)
    table, items, flags = reliability_tables({name: scan.moments[name] for name in names})
    return ScoreResult(scores=scores, reliability=table, items=items, flags=flags)


def reliability_tables(
    moments: Mapping[str, ScaleMoments],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ``reliability``, ``items`` and ``flags`` tables of :class:`ScoreResult` from each
    scale's :class:`~scoring.moments.ScaleMoments` (scale id to moments, in scale order).

    :func:`score_items` computes the moments from the data;
    :func:`scoring.instrument_scoring.instrument_reliability` takes them from stored sums.
    """
    results = {name: reliability_from_moments(scale) for name, scale in moments.items()}
    table = reliability_table(results)
    items = pd.concat(
        {name: result.items for name, result in results.items()}, names=["scale", "item"]
    )[ITEM_COLUMNS]
    n_complete = {name: scale.n_complete for name, scale in moments.items()}
    return table, items, reliability_flags(table, items, n_complete=n_complete)


def _scores_only(scores: pd.DataFrame, scales: Sequence[ScaleKey], scan: ScaleScan) -> ScoreResult:
    names = [key.scale for key in scales]
    table = pd.DataFrame(np.nan, index=pd.Index(names, name="scale"), columns=RELIABILITY_COLUMNS)
    table["n"] = [scan.moments[name].n for name in names]
    table["k"] = [key.k for key in scales]
    items = pd.DataFrame(
        columns=ITEM_COLUMNS, index=pd.MultiIndex.from_tuples([], names=["scale", "item"])
    )
    flags = pd.DataFrame(columns=FLAG_COLUMNS)
    return ScoreResult(
        scores=scores,
        reliability=table.astype({"n": "int64", "k": "int64"}),
        items=items,
        flags=flags,
    )


def reliability_table(results: Mapping[str, ScaleReliability]) -> pd.DataFrame:
    """One row per scale with the columns of :attr:`ScoreResult.reliability`.

    Examples
    --------
    >>> rel = ScaleReliability(0.8, 0.81, (0.7, 0.9), 0.82, 0.3, 100, 5, pd.DataFrame())
    >>> table = reliability_table({"agree": rel})
    >>> table[["alpha", "alpha_ci_low", "omega_total", "n", "k"]]
           alpha  alpha_ci_low  omega_total    n  k
    scale
    agree    0.8           0.7         0.82  100  5
    """
    rows = [
        [r.alpha, r.std_alpha, r.alpha_ci[0], r.alpha_ci[1], r.omega_total, r.average_r, r.n, r.k]
        for r in results.values()
    ]
    index = pd.Index(list(results), name="scale")
    table = pd.DataFrame(rows, index=index, columns=RELIABILITY_COLUMNS)
    return table.astype({"n": "int64", "k": "int64"})


def reliability_flags(
    reliability: pd.DataFrame,
    items: pd.DataFrame,
    *,
    n_complete: Mapping[str, int] | None = None,
    thresholds: FlagThresholds | None = None,
) -> pd.DataFrame:
    """Problems with scales and items that a user can act on, as a tidy DataFrame.

    Parameters
    ----------
    reliability : pandas.DataFrame
        :attr:`ScoreResult.reliability`.
    items : pandas.DataFrame
        :attr:`ScoreResult.items`.
    n_complete : mapping of str to int, optional
        Per scale, the respondents who answered every item; without it no ``few_complete``
        flag is raised.
    thresholds : FlagThresholds, optional
        Where to warn; the conventional defaults when omitted.

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``item`` (None for a scale-level flag), ``code`` and ``message``;
        scale by scale, scale-level flags first.

    Notes
    -----
    Codes: ``few_complete`` (fewer than ``min_complete`` respondents answered every item),
    ``not_estimable`` (alpha could not be computed), ``low_alpha`` / ``low_omega`` (below
    ``min_alpha`` / ``min_omega``), ``zero_variance`` (everyone gave the item the same
    answer), ``low_r_drop`` (corrected item-total correlation below ``min_r_drop``) and
    ``alpha_if_deleted_higher`` (alpha would rise without the item).

    Examples
    --------
    >>> rel = pd.DataFrame({"alpha": [0.62], "omega_total": [0.75]},
    ...                    index=pd.Index(["agree"], name="scale"))
    >>> its = pd.DataFrame({"sd": [1.0, 1.1, 0.9], "r_drop": [0.5, 0.1, 0.45],
    ...                     "alpha_if_deleted": [0.4, 0.71, 0.5]},
    ...                    index=pd.MultiIndex.from_tuples(
    ...                        [("agree", "A1"), ("agree", "A2"), ("agree", "A3")],
    ...                        names=["scale", "item"]))
    >>> reliability_flags(rel, its)[["scale", "item", "code"]]
       scale  item                     code
    0  agree  None                low_alpha
    1  agree    A2               low_r_drop
    2  agree    A2  alpha_if_deleted_higher
    """
    limits = thresholds or FlagThresholds()
    rows: list[tuple[str, str | None, str, str]] = []
    # Plain Python over arrays: iterrows on small frames costs more than the statistics.
    by_scale: dict[str, list[tuple[str, float, float, float]]] = {}
    if len(items):
        names = items.index.get_level_values(0).astype(str)
        labels = items.index.get_level_values(1).astype(str)
        columns = zip(
            names,
            labels,
            items["sd"].to_numpy(dtype=float),
            items["r_drop"].to_numpy(dtype=float),
            items["alpha_if_deleted"].to_numpy(dtype=float),
            strict=True,
        )
        for scale_name, label, sd, r_drop, deleted in columns:
            by_scale.setdefault(scale_name, []).append((label, sd, r_drop, deleted))
    scale_rows = zip(
        reliability.index.astype(str),
        reliability["alpha"].to_numpy(dtype=float),
        reliability["omega_total"].to_numpy(dtype=float),
        strict=True,
    )
    for name, alpha, omega in scale_rows:
        if n_complete is not None and n_complete.get(name, 0) < limits.min_complete:
            got = n_complete.get(name, 0)
            rows.append(
                (
                    name,
                    None,
                    "few_complete",
                    f"only {got} respondent{'s' if got != 1 else ''} answered every item of "
                    f"scale {name!r} (fewer than {limits.min_complete}): its reliability "
                    "estimates are unstable; collect more complete responses before relying "
                    "on them",
                )
            )
        if not np.isfinite(alpha):
            rows.append(
                (
                    name,
                    None,
                    "not_estimable",
                    f"the reliability of scale {name!r} cannot be estimated (too few "
                    "overlapping answers or an item without variance); collect more responses",
                )
            )
        elif alpha < limits.min_alpha:
            rows.append(
                (
                    name,
                    None,
                    "low_alpha",
                    f"alpha of scale {name!r} is {alpha:.2f}, below {limits.min_alpha:.2f}: its "
                    "items do not measure one thing consistently; review the items flagged "
                    "below (wording, reverse keying) before interpreting the score",
                )
            )
        if np.isfinite(omega) and omega < limits.min_omega:
            rows.append(
                (
                    name,
                    None,
                    "low_omega",
                    f"omega total of scale {name!r} is {omega:.2f}, below {limits.min_omega:.2f}:"
                    " a single common factor explains little of the items; review the items "
                    "or split the scale",
                )
            )
        for label, sd, r_drop, deleted in by_scale.get(name, []):
            if sd == 0:
                rows.append(
                    (
                        name,
                        label,
                        "zero_variance",
                        f"every respondent gave item {label!r} of scale {name!r} the same "
                        "answer, so it cannot help tell respondents apart; check the item or "
                        "collect more varied responses",
                    )
                )
                continue
            if np.isfinite(r_drop) and r_drop < limits.min_r_drop:
                advice = (
                    "it runs against the scale: check whether it should be reverse keyed"
                    if r_drop < 0
                    else "check its wording and keying, or consider dropping it"
                )
                rows.append(
                    (
                        name,
                        label,
                        "low_r_drop",
                        f"item {label!r} correlates {r_drop:.2f} with the rest of scale "
                        f"{name!r} (below {limits.min_r_drop:.2f}); {advice}",
                    )
                )
            if np.isfinite(deleted) and np.isfinite(alpha) and deleted > alpha:
                rows.append(
                    (
                        name,
                        label,
                        "alpha_if_deleted_higher",
                        f"dropping item {label!r} would raise alpha of scale {name!r} from "
                        f"{alpha:.3f} to {deleted:.3f}; consider revising or dropping it",
                    )
                )
    flags = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    flags["item"] = flags["item"].astype(object).where(flags["item"].notna(), None)
    return flags

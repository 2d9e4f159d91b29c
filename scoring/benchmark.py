"""Benchmarks: an organisation against a cohort, its own view against its customers', and
change between two campaigns.

A cohort is a plain DataFrame with one row per organisation: descriptive columns (industry,
size band, region, instrument version, ...) and one column per scale holding the
organisation-level score or index. The caller chooses the cohort (:func:`filter_cohort`); every
function here refuses a cohort smaller than ``min_cohort`` organisations (default 5, never
below 3), so that no benchmark discloses the answers of a handful of identifiable firms.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from survey.settings import MIN_COHORT_FLOOR

__all__ = [
    "MIN_COHORT",
    "MIN_COHORT_FLOOR",
    "benchmark",
    "check_cohort_size",
    "cohort_summary",
    "filter_cohort",
    "percentile_rank",
    "reliable_change",
    "view_gap",
]

#: Default smallest cohort (organisations). ``survey.settings`` exposes it as
#: ``COCREATE_MIN_COHORT``; callers pass the setting in (:func:`survey.settings.min_cohort`).
#: No configuration may go below :data:`MIN_COHORT_FLOOR` (declared with the setting).
MIN_COHORT = 5
#: |RCI| above this is a reliable change at the 5% level (Jacobson & Truax 1991).
RCI_CRITICAL = 1.96

BENCHMARK_COLUMNS = ["scale", "score", "n", "cohort_mean", "cohort_sd", "z", "percentile"]
SUMMARY_COLUMNS = ["scale", "n", "mean", "sd", "min", "q1", "median", "q3", "max"]
GAP_COLUMNS = [
    "scale", "n_self", "n_other", "mean_self", "mean_other", "gap", "se", "dof", "T",
    "pval", "ci_low", "ci_high",
]  # fmt: skip
CHANGE_COLUMNS = [
    "scale", "before", "after", "change", "sd", "reliability", "se_diff", "rci", "reliable",
]  # fmt: skip


def check_cohort_size(n: int, min_cohort: int = MIN_COHORT, *, what: str = "cohort") -> None:
    """Refuse a cohort smaller than ``min_cohort`` organisations.

    Parameters
    ----------
    n : int
        Number of organisations in the cohort (or cell).
    min_cohort : int
        The minimum (default 5); a value below 3 is itself an error.
    what : str
        How the message names the group (e.g. ``"cohort for scale 'co-design'"``).

    Returns
    -------
    None

    Notes
    -----
    The floor of 3 keeps a benchmark from revealing another firm's scores by subtraction.

    References
    ----------
    1. Duncan, G. T., Elliot, M., & Salazar-González, J.-J. (2011). Statistical
       confidentiality: principles and practice. Springer.

    Examples
    --------
    >>> check_cohort_size(8)
    >>> check_cohort_size(4)
    Traceback (most recent call last):
    ...
    ValueError: the cohort has 4 organisations; benchmarks need at least 5 ...
    """
    if isinstance(min_cohort, bool) or not isinstance(min_cohort, (int, np.integer)):
        raise ValueError(f"min_cohort must be a whole number (got {min_cohort!r})")
    if min_cohort < MIN_COHORT_FLOOR:
        raise ValueError(
            f"min_cohort is {min_cohort}, below the floor of {MIN_COHORT_FLOOR} organisations: "
            "smaller cohorts would disclose individual firms"
        )
    if n < min_cohort:
        raise ValueError(
            f"the {what} has {n} organisation{'s' if n != 1 else ''}; benchmarks need at least "
            f"{min_cohort} (widen the filters, e.g. drop the region or size band)"
        )


def filter_cohort(org_table: pd.DataFrame, **filters: object) -> pd.DataFrame:
    """Select the organisations of a cohort by exact values of descriptive columns.

    Parameters
    ----------
    org_table : pandas.DataFrame
        One row per organisation.
    **filters
        ``column=value`` keeps rows equal to value; ``column=[v1, v2]`` (any non-string
        iterable) keeps rows in the list; ``column=None`` does not filter.

    Returns
    -------
    pandas.DataFrame
        The matching rows (a copy), in their original order and index.

    Notes
    -----
    Filters combine with AND. The size check is left to the functions that compute on the
    cohort, so that the caller can show how many organisations a filter leaves.

    References
    ----------
    1. Camp, R. C. (1989). Benchmarking: the search for industry best practices that lead to
       superior performance. ASQC Quality Press.

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"industry": ["machinery", "chemicals", "machinery"],
    ...                      "region": ["EU", "EU", "NA"], "co-design": [60.0, 40.0, 55.0]})
    >>> filter_cohort(orgs, industry="machinery", region=None)
        industry region  co-design
    0  machinery     EU       60.0
    2  machinery     NA       55.0
    >>> len(filter_cohort(orgs, region=["EU", "NA"], industry="chemicals"))
    1
    """
    if not isinstance(org_table, pd.DataFrame):
        raise ValueError("org_table must be a DataFrame with one row per organisation")
    unknown = [name for name in filters if name not in org_table.columns]
    if unknown:
        raise ValueError(
            f"cannot filter on {unknown}: org_table has columns {list(org_table.columns)}"
        )
    keep = pd.Series(True, index=org_table.index)
    for column, value in filters.items():
        if value is None:
            continue
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            keep &= org_table[column].isin(list(value))
        else:
            keep &= org_table[column] == value
    return org_table.loc[keep].copy()


def percentile_rank(score: float, cohort_scores: Sequence[float] | pd.Series | np.ndarray) -> float:
    """Percentile rank of a score in a cohort: the percent of the cohort below it.

    Parameters
    ----------
    score : float
        The organisation's score.
    cohort_scores : array-like
        The cohort's scores (missing values ignored).

    Returns
    -------
    float
        In [0, 100]; NaN when ``score`` is missing or the cohort empty.

    Notes
    -----
    Ties count half: :math:`PR = 100 (c_{<} + 0.5\\, c_{=}) / n`, the "mean" definition
    (``scipy.stats.percentileofscore(kind="mean")``). A score equal to every cohort score is
    at the 50th percentile; a score above all of them at 100.

    References
    ----------
    1. Crocker, L., & Algina, J. (1986). Introduction to classical and modern test theory.
       Holt, Rinehart and Winston (ch. 19, percentile ranks).

    Examples
    --------
    >>> percentile_rank(60, [40, 50, 60, 70, 80])
    50.0
    >>> percentile_rank(90, [40, 50, 60, 70, 80])
    100.0
    """
    series = pd.to_numeric(pd.Series(np.asarray(cohort_scores, dtype=float)), errors="coerce")
    values = series.dropna().to_numpy()
    if values.size == 0 or _missing(score):
        return float("nan")
    below = float(np.sum(values < score))
    equal = float(np.sum(values == score))
    return 100.0 * (below + 0.5 * equal) / values.size


def cohort_summary(
    cohort: pd.DataFrame,
    scales: Sequence[str] | None = None,
    *,
    min_cohort: int = MIN_COHORT,
) -> pd.DataFrame:
    """Per-scale description of a cohort: n, mean, sd and quartiles.

    Parameters
    ----------
    cohort : pandas.DataFrame
        One row per organisation, one numeric column per scale.
    scales : sequence of str, optional
        The scale columns; default every numeric column.
    min_cohort : int
        Smallest number of organisations (default 5, never below 3). Fewer rows raise a
        ``ValueError``; a scale answered by fewer organisations is reported with ``n`` and
        NaN statistics.

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``n``, ``mean``, ``sd`` (n - 1), ``min``, ``q1``, ``median``,
        ``q3``, ``max``.

    Notes
    -----
    Quartiles by linear interpolation between order statistics (Hyndman & Fan type 7, the
    default of R and pandas).

    References
    ----------
    1. Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. The
       American Statistician, 50(4), 361-365.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"co-design": [40.0, 50.0, 60.0, 70.0, 80.0]})
    >>> cohort_summary(cohort)
           scale  n  mean         sd   min    q1  median    q3   max
    0  co-design  5  60.0  15.811388  40.0  50.0    60.0  70.0  80.0
    """
    columns = _scale_columns(cohort, scales)
    check_cohort_size(len(cohort), min_cohort)
    rows = []
    for scale in columns:
        x = pd.to_numeric(cohort[scale], errors="coerce").dropna()
        row: dict[str, object] = {"scale": scale, "n": int(x.size)}
        if x.size >= min_cohort:
            row.update(
                mean=x.mean(), sd=x.std(ddof=1), min=x.min(), q1=x.quantile(0.25),
                median=x.median(), q3=x.quantile(0.75), max=x.max(),
            )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({"n": int})


def benchmark(
    organisation: Mapping[str, float] | pd.Series,
    cohort: pd.DataFrame,
    *,
    scales: Sequence[str] | None = None,
    exclude: Hashable | None = None,
    min_cohort: int = MIN_COHORT,
) -> pd.DataFrame:
    """An organisation's position per scale in a cohort: z-score and percentile rank.

    Parameters
    ----------
    organisation : mapping or Series
        Scale -> the organisation's score (or index).
    cohort : pandas.DataFrame
        One row per organisation, one column per scale (same units as ``organisation``).
    scales : sequence of str, optional
        Default: the scales of ``organisation`` that are cohort columns.
    exclude : hashable, optional
        Index label of the organisation's own row in ``cohort``, left out of the comparison.
    min_cohort : int
        Smallest cohort (default 5, never below 3): fewer organisations raise a
        ``ValueError``; a scale with fewer non-missing cohort values gets NaN statistics.

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``score``, ``n``, ``cohort_mean``, ``cohort_sd``, ``z``,
        ``percentile``.

    Notes
    -----
    :math:`z = (x - \\bar{x}_{cohort}) / s_{cohort}` (``s`` with n - 1; NaN when the cohort
    does not vary); the percentile rank is :func:`percentile_rank`.

    References
    ----------
    1. Crocker, L., & Algina, J. (1986). Introduction to classical and modern test theory.
       Holt, Rinehart and Winston.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"co-design": [40.0, 50.0, 60.0, 70.0, 80.0]})
    >>> benchmark({"co-design": 75.0}, cohort).round(3)
           scale  score  n  cohort_mean  cohort_sd      z  percentile
    0  co-design   75.0  5         60.0     15.811  0.949        80.0
    """
    own = pd.Series(organisation, dtype=float)
    if exclude is not None:
        if exclude not in cohort.index:
            raise ValueError(f"exclude={exclude!r} is not a row label of the cohort")
        cohort = cohort.drop(index=exclude)
    if scales is None:
        scales = [s for s in own.index if s in cohort.columns]
        if not scales:
            raise ValueError(
                f"none of the organisation's scales {list(own.index)} is a cohort column"
            )
    missing = [s for s in scales if s not in own.index]
    if missing:
        raise ValueError(f"the organisation has no score for scale(s) {missing}")
    columns = _scale_columns(cohort, scales)
    check_cohort_size(len(cohort), min_cohort)
    rows = []
    for scale in columns:
        x = pd.to_numeric(cohort[scale], errors="coerce").dropna()
        score = float(own[scale])
        row: dict[str, object] = {"scale": scale, "score": score, "n": int(x.size)}
        if x.size >= min_cohort:
            mean, sd = float(x.mean()), float(x.std(ddof=1))
            row.update(
                cohort_mean=mean,
                cohort_sd=sd,
                z=(score - mean) / sd if sd > 0 else float("nan"),
                percentile=percentile_rank(score, x),
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=BENCHMARK_COLUMNS).astype({"n": int})


def view_gap(
    self_scores: pd.DataFrame,
    other_scores: pd.DataFrame,
    *,
    scales: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The gap between a supplier's own view and its customers' view, per scale (Welch).

    Parameters
    ----------
    self_scores : pandas.DataFrame
        Scale scores of the supplier's respondents (respondents x scales).
    other_scores : pandas.DataFrame
        Scale scores of its customers' (or partners') respondents on the same scales.
    scales : sequence of str, optional
        Default: the columns both tables share, in ``self_scores`` order.
    confidence : float
        Level of the confidence interval (default 0.95).

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``n_self``, ``n_other``, ``mean_self``, ``mean_other``, ``gap``
        (self minus other: positive when the supplier rates itself higher), ``se``, ``dof``,
        ``T``, ``pval`` (two-sided), ``ci_low``, ``ci_high``. NaN test statistics when a side
        has fewer than 2 scores.

    Notes
    -----
    Welch's unequal-variance t: :math:`se = \\sqrt{s_1^2/n_1 + s_2^2/n_2}`,
    :math:`\\nu = se^4 / [ (s_1^2/n_1)^2/(n_1-1) + (s_2^2/n_2)^2/(n_2-1) ]`, interval
    :math:`gap \\pm t_{\\nu, 1-\\alpha/2}\\, se`. Respondents are treated as independent
    draws from each side; the ICC of the organisation is not modelled.

    References
    ----------
    1. Welch, B. L. (1947). The generalization of "Student's" problem when several different
       population variances are involved. Biometrika, 34(1-2), 28-35.

    Examples
    --------
    >>> import pandas as pd
    >>> own = pd.DataFrame({"co-design": [4.0, 4.5, 4.2, 3.8, 4.4]})
    >>> customers = pd.DataFrame({"co-design": [3.0, 3.6, 2.8, 3.4]})
    >>> view_gap(own, customers)[["scale", "gap", "ci_low", "ci_high"]].round(3)
           scale   gap  ci_low  ci_high
    0  co-design  0.98   0.426    1.534
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, e.g. 0.95 (got {confidence})")
    for name, frame in (("self_scores", self_scores), ("other_scores", other_scores)):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a DataFrame of respondents x scales")
    if scales is None:
        scales = [s for s in self_scores.columns if s in other_scores.columns]
        if not scales:
            raise ValueError("self_scores and other_scores share no scale column")
    for name, frame in (("self_scores", self_scores), ("other_scores", other_scores)):
        missing = [s for s in scales if s not in frame.columns]
        if missing:
            raise ValueError(f"{name} has no column(s) {missing}")
    rows = []
    for scale in scales:
        a = pd.to_numeric(self_scores[scale], errors="coerce").dropna().to_numpy(dtype=float)
        b = pd.to_numeric(other_scores[scale], errors="coerce").dropna().to_numpy(dtype=float)
        row: dict[str, object] = {
            "scale": scale, "n_self": a.size, "n_other": b.size,
            "mean_self": a.mean() if a.size else np.nan,
            "mean_other": b.mean() if b.size else np.nan,
        }  # fmt: skip
        row["gap"] = row["mean_self"] - row["mean_other"]  # type: ignore[operator]
        if a.size >= 2 and b.size >= 2:
            va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
            se = math.sqrt(va + vb)
            if se > 0:
                dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
                t = float(row["gap"]) / se  # type: ignore[arg-type]
                half = stats.t.ppf(1 - (1 - confidence) / 2, dof) * se
                row.update(
                    se=se, dof=dof, T=t, pval=2 * stats.t.sf(abs(t), dof),
                    ci_low=float(row["gap"]) - half, ci_high=float(row["gap"]) + half,  # type: ignore[arg-type]
                )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows, columns=GAP_COLUMNS).astype({"n_self": int, "n_other": int})


def reliable_change(
    before: Mapping[str, float] | pd.Series,
    after: Mapping[str, float] | pd.Series,
    *,
    sd: float | Mapping[str, float],
    reliability: float | Mapping[str, float],
    critical: float = RCI_CRITICAL,
) -> pd.DataFrame:
    """Change per scale between two campaigns, with the reliable change index.

    Parameters
    ----------
    before, after : mapping or Series
        Scale -> score in the earlier and the later campaign (same units).
    sd : float or mapping
        Standard deviation of the score in the reference population (e.g. the cohort's or
        the first campaign's respondents), one value or per scale.
    reliability : float or mapping
        Reliability of the score (e.g. Cronbach's alpha), one value or per scale, in [0, 1).
    critical : float
        |RCI| above which a change counts as reliable (default 1.96, two-sided 5%).

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``before``, ``after``, ``change`` (after - before), ``sd``,
        ``reliability``, ``se_diff``, ``rci``, ``reliable`` (nullable boolean); one row per
        scale present in both campaigns.

    Notes
    -----
    Jacobson & Truax (1991): the standard error of measurement
    :math:`SE = SD \\sqrt{1 - r_{xx}}`, the standard error of a difference of two
    measurements :math:`SE_{diff} = \\sqrt{2}\\, SE`, and :math:`RCI = (x_2 - x_1) / SE_{diff}`;
    the change is reliable when :math:`|RCI| >` ``critical``. A perfectly reliable score
    (``r_xx = 1``) is refused: every change would be reliable.

    References
    ----------
    1. Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to
       defining meaningful change in psychotherapy research. Journal of Consulting and
       Clinical Psychology, 59(1), 12-19.

    Examples
    --------
    SD 10 and reliability .91: SE = 3, SE_diff = 4.243.

    >>> reliable_change({"co-design": 40.0}, {"co-design": 50.0}, sd=10, reliability=0.91
    ...                 )[["scale", "change", "se_diff", "rci", "reliable"]].round(3)
           scale  change  se_diff    rci  reliable
    0  co-design    10.0    4.243  2.357      True
    """
    b, a = pd.Series(before, dtype=float), pd.Series(after, dtype=float)
    scales = [s for s in b.index if s in a.index]
    if not scales:
        raise ValueError("before and after share no scale")
    rows = []
    for scale in scales:
        s = _per_scale(sd, scale, "sd")
        r = _per_scale(reliability, scale, "reliability")
        if not s > 0:
            raise ValueError(f"sd of scale {scale!r} must be positive (got {s})")
        if not 0 <= r < 1:
            raise ValueError(f"reliability of scale {scale!r} must be in [0, 1) (got {r})")
        se_diff = math.sqrt(2) * s * math.sqrt(1 - r)
        change = float(a[scale] - b[scale])
        rci = change / se_diff
        rows.append({
            "scale": scale, "before": float(b[scale]), "after": float(a[scale]),
            "change": change, "sd": s, "reliability": r, "se_diff": se_diff, "rci": rci,
            "reliable": pd.NA if math.isnan(rci) else bool(abs(rci) > critical),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS).astype({"reliable": "boolean"})


# -- helpers ------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _per_scale(value: float | Mapping[str, float], scale: str, name: str) -> float:
    if isinstance(value, Mapping):
        if scale not in value:
            raise ValueError(f"{name} has no value for scale {scale!r}")
        return float(value[scale])
    return float(value)


def _scale_columns(cohort: pd.DataFrame, scales: Sequence[str] | None) -> list[str]:
    if not isinstance(cohort, pd.DataFrame):
        raise ValueError("cohort must be a DataFrame with one row per organisation")
    if scales is None:
        return [c for c in cohort.columns if pd.api.types.is_numeric_dtype(cohort[c])]
    missing = [s for s in scales if s not in cohort.columns]
    if missing:
        raise ValueError(f"the cohort has no column(s) {missing}")
    return list(scales)

"""Agreement among raters and among the respondents of one organisation.

An organisation's profile is an aggregate of several respondents' answers. Before the mean of a
group stands for the group, two questions need an answer: do the members agree (within-group
agreement, :func:`rwg` and :func:`rwg_j`), and does membership explain variance at all
(:func:`icc_membership`). :func:`icc` is the classic Shrout & Fleiss family for targets rated
by the same raters. :func:`aggregate_organisations` puts the pieces together for a cohort.

Every formula is written out in ``docs/scoring.md``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "aggregate_organisations",
    "icc",
    "icc_membership",
    "icc_membership_from_sums",
    "null_variance",
    "rwg",
    "rwg_j",
]

ICC_TYPES = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]

#: r_wg(J) below which agreement is too low to read one mean (Lance, Butts & Michels 2006).
MIN_RWG = 0.70


def icc(
    ratings: pd.DataFrame,
    *,
    confidence: float = 0.95,
    nan_policy: Literal["raise", "omit"] = "raise",
) -> pd.DataFrame:
    """Intraclass correlations of targets rated by the same raters (Shrout & Fleiss).

    Parameters
    ----------
    ratings : pandas.DataFrame
        Wide table, one row per target (e.g. an organisation or an item) and one column per
        rater. At least 2 targets and 2 raters.
    confidence : float
        Level of the confidence intervals (default 0.95).
    nan_policy : {"raise", "omit"}
        A target with a missing rating raises a ``ValueError`` naming it (``"raise"``, the
        default, as psych and pingouin) or is dropped (``"omit"``).

    Returns
    -------
    pandas.DataFrame
        Indexed ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k`` (psych's labels; pingouin 0.7 calls
        them ``ICC(1,1), ICC(A,1), ICC(C,1), ICC(1,k), ICC(A,k), ICC(C,k)``) with columns
        ``ICC``, ``F``, ``df1``, ``df2``, ``pval``, ``ci_low``, ``ci_high``.

    Notes
    -----
    With :math:`n` targets and :math:`k` raters, the two-way ANOVA gives the mean squares of
    targets :math:`MS_R`, raters :math:`MS_C`, residual :math:`MS_E` and within targets
    :math:`MS_W` (one-way). Then

    * ICC1 :math:`= (MS_R - MS_W) / (MS_R + (k-1) MS_W)`, one-way random, single rater;
    * ICC2 :math:`= (MS_R - MS_E) / (MS_R + (k-1) MS_E + k (MS_C - MS_E)/n)`, two-way random,
      absolute agreement;
    * ICC3 :math:`= (MS_R - MS_E) / (MS_R + (k-1) MS_E)`, two-way mixed, consistency;
    * ICC1k :math:`= (MS_R - MS_W)/MS_R`, ICC2k :math:`= (MS_R - MS_E)/(MS_R + (MS_C-MS_E)/n)`,
      ICC3k :math:`= (MS_R - MS_E)/MS_R`: the reliability of the mean of the k raters.

    F tests are :math:`MS_R/MS_W` (ICC1, ICC1k) and :math:`MS_R/MS_E` (the others); the
    confidence intervals are those of Shrout & Fleiss (1979), with Satterthwaite's degrees of
    freedom for ICC2, as in ``psych::ICC`` (``lmer = FALSE``). Unlike pingouin, the bounds are
    not rounded.

    References
    ----------
    1. Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
       reliability. Psychological Bulletin, 86(2), 420-428.
    2. McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
       correlation coefficients. Psychological Methods, 1(1), 30-46.

    Examples
    --------
    Shrout & Fleiss's table: 6 targets rated by 4 judges.

    >>> import pandas as pd
    >>> sf = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6],
    ...                    [10, 5, 6, 9], [6, 2, 4, 7]], columns=["J1", "J2", "J3", "J4"])
    >>> icc(sf)[["ICC", "F", "df1", "df2"]].round(3)
             ICC       F  df1  df2
    ICC1   0.166   1.795    5   18
    ICC2   0.290  11.027    5   15
    ICC3   0.715  11.027    5   15
    ICC1k  0.443   1.795    5   18
    ICC2k  0.620  11.027    5   15
    ICC3k  0.909  11.027    5   15
    """
    if not isinstance(ratings, pd.DataFrame):
        raise ValueError(
            "ratings must be a DataFrame with one row per target, one column per rater"
        )
    _check_confidence(confidence)
    values = ratings.apply(pd.to_numeric, errors="coerce")
    bad = ratings.notna() & values.isna()
    if bad.any().any():
        row, col = next((r, c) for c in bad.columns for r in bad.index[bad[c]])
        raise ValueError(
            f"ratings has a non-numeric value {ratings.loc[row, col]!r} in row {row!r}, "
            f"column {col!r}: give numbers only"
        )
    incomplete = values.index[values.isna().any(axis=1)]
    if len(incomplete):
        if nan_policy == "raise":
            shown = ", ".join(repr(t) for t in list(incomplete)[:5])
            raise ValueError(
                f"{len(incomplete)} target(s) have missing ratings ({shown}): "
                "drop them or pass nan_policy='omit'"
            )
        if nan_policy != "omit":
            raise ValueError(f"nan_policy must be 'raise' or 'omit', not {nan_policy!r}")
        values = values.drop(index=incomplete)
    n, k = values.shape
    if n < 2 or k < 2:
        raise ValueError(f"ICC needs at least 2 targets and 2 raters; got {n} x {k}")

    # Degenerate data (no variance between or within targets) give inf/NaN, not warnings.
    with np.errstate(divide="ignore", invalid="ignore"):
        table = _icc_table(values.to_numpy(dtype=float), confidence)
    return table.astype({"df1": int, "df2": int})


def _icc_table(x: np.ndarray, confidence: float) -> pd.DataFrame:
    n, k = x.shape
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ms_r = ss_rows / (n - 1)
    ms_c = ss_cols / (k - 1)
    ms_e = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    ms_w = (ss_total - ss_rows) / (n * (k - 1))

    icc1 = (ms_r - ms_w) / (ms_r + (k - 1) * ms_w)
    icc2 = (ms_r - ms_e) / (ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n)
    icc3 = (ms_r - ms_e) / (ms_r + (k - 1) * ms_e)
    icc1k = (ms_r - ms_w) / ms_r
    icc2k = (ms_r - ms_e) / (ms_r + (ms_c - ms_e) / n)
    icc3k = (ms_r - ms_e) / ms_r

    f1, df1_1, df2_1 = ms_r / ms_w, n - 1, n * (k - 1)
    f3, df1_3, df2_3 = ms_r / ms_e, n - 1, (n - 1) * (k - 1)
    p1 = stats.f.sf(f1, df1_1, df2_1)
    p3 = stats.f.sf(f3, df1_3, df2_3)

    q = 1 - (1 - confidence) / 2
    f1_low = f1 / stats.f.ppf(q, df1_1, df2_1)
    f1_high = f1 * stats.f.ppf(q, df2_1, df1_1)
    f3_low = f3 / stats.f.ppf(q, df1_3, df2_3)
    f3_high = f3 * stats.f.ppf(q, df2_3, df1_3)

    # ICC2: Satterthwaite's approximate degrees of freedom (McGraw & Wong 1996, table 7).
    fj = ms_c / ms_e
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    fu = stats.f.ppf(q, n - 1, v)
    fl = stats.f.ppf(q, v, n - 1)
    low2 = n * (ms_r - fu * ms_e) / (fu * (k * ms_c + (k * n - k - n) * ms_e) + n * ms_r)
    high2 = n * (fl * ms_r - ms_e) / (k * ms_c + (k * n - k - n) * ms_e + n * fl * ms_r)

    table = pd.DataFrame(
        {
            "ICC": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
            "F": [f1, f3, f3, f1, f3, f3],
            "df1": [df1_1, df1_3, df1_3, df1_1, df1_3, df1_3],
            "df2": [df2_1, df2_3, df2_3, df2_1, df2_3, df2_3],
            "pval": [p1, p3, p3, p1, p3, p3],
            "ci_low": [
                (f1_low - 1) / (f1_low + k - 1),
                low2,
                (f3_low - 1) / (f3_low + k - 1),
                1 - 1 / f1_low,
                low2 * k / (1 + low2 * (k - 1)),
                1 - 1 / f3_low,
            ],
            "ci_high": [
                (f1_high - 1) / (f1_high + k - 1),
                high2,
                (f3_high - 1) / (f3_high + k - 1),
                1 - 1 / f1_high,
                high2 * k / (1 + high2 * (k - 1)),
                1 - 1 / f3_high,
            ],
        },
        index=pd.Index(ICC_TYPES, name=None),
    )
    return table


def null_variance(n_options: int) -> float:
    """Variance of a uniform ("no agreement") answer distribution over ``n_options`` points.

    Parameters
    ----------
    n_options : int
        Number of response options A (5 for a 1-5 Likert item).

    Returns
    -------
    float
        :math:`\\sigma_{EU}^2 = (A^2 - 1) / 12`.

    Notes
    -----
    The variance of a discrete uniform distribution on A equally spaced points one unit apart.

    References
    ----------
    1. James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.

    Examples
    --------
    >>> null_variance(5)
    2.0
    >>> null_variance(7)
    4.0
    """
    if isinstance(n_options, bool) or not isinstance(n_options, (int, np.integer)):
        raise ValueError(f"n_options must be a whole number of response options, not {n_options!r}")
    if n_options < 2:
        raise ValueError(f"n_options must be at least 2 (got {n_options})")
    return (n_options**2 - 1) / 12


def rwg(values: Sequence[float] | pd.Series | np.ndarray, *, n_options: int) -> float:
    """Within-group agreement on one item, r_wg (James, Demaree & Wolf 1984).

    Parameters
    ----------
    values : array-like
        The answers of one group's members to one item; missing answers are ignored.
    n_options : int
        Number of response options A; the null distribution is uniform over them.

    Returns
    -------
    float
        r_wg in [0, 1]; ``nan`` when fewer than 2 answers are present.

    Notes
    -----
    :math:`r_{wg} = 1 - s_x^2 / \\sigma_{EU}^2` with :math:`s_x^2` the sample variance
    (denominator :math:`n-1`) and :math:`\\sigma_{EU}^2 = (A^2-1)/12`. When the observed variance
    exceeds the null variance (answers more spread than random, e.g. a split group) the ratio
    is truncated to 1 and r_wg to 0, the convention of ``multilevel::rwg`` (Bliese 2000) and of
    James et al. (1984).

    References
    ----------
    1. James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    2. Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
       implications for data aggregation and analysis. In K. J. Klein & S. W. Kozlowski (Eds.),
       Multilevel theory, research, and methods in organizations (pp. 349-381). Jossey-Bass.

    Examples
    --------
    Five raters on a 5-point item: variance 0.5 against the null variance 2.

    >>> rwg([4, 4, 5, 3, 4], n_options=5)
    0.75
    >>> rwg([1, 5, 1, 5], n_options=5)  # more spread than random: truncated
    0.0
    """
    s2_null = null_variance(n_options)
    x = _numeric_vector(values, "values")
    x = x[~np.isnan(x)]
    if x.size < 2:
        return float("nan")
    ratio = min(float(np.var(x, ddof=1)) / s2_null, 1.0)
    return 1.0 - ratio


def rwg_j(items: pd.DataFrame, *, n_options: int) -> float:
    """Within-group agreement on a scale of J parallel items, r_wg(J) (James et al. 1984).

    Parameters
    ----------
    items : pandas.DataFrame
        The answers of one group's members (rows) to the items of one scale (columns). Rows
        with a missing answer are dropped (listwise, as ``multilevel::rwg.j``). Reverse keying
        does not matter: it leaves variances unchanged.
    n_options : int
        Number of response options A of the items.

    Returns
    -------
    float
        r_wg(J) in [0, 1]; ``nan`` when fewer than 2 complete rows remain.

    Notes
    -----
    With :math:`\\bar{s}^2` the mean of the J item variances and
    :math:`\\sigma_{EU}^2 = (A^2-1)/12`,

    .. math:: r_{wg(J)} = \\frac{J (1 - \\bar{s}^2/\\sigma_{EU}^2)}
                                {J (1 - \\bar{s}^2/\\sigma_{EU}^2) + \\bar{s}^2/\\sigma_{EU}^2}

    The ratio :math:`\\bar{s}^2/\\sigma_{EU}^2` is truncated to 1 (r_wg(J) = 0) when the
    observed variance exceeds the null, as in ``multilevel::rwg.j``. With J = 1 it equals
    :func:`rwg`.

    References
    ----------
    1. James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    2. Lindell, M. K., & Brandt, C. J. (1999). Assessing interrater agreement on the job
       relevance of a test. Journal of Applied Psychology, 84(4), 640-647.

    Examples
    --------
    Mean item variance 0.5 on 5-point items: ratio 0.25, J = 3.

    >>> import pandas as pd
    >>> team = pd.DataFrame({"A": [4, 4, 5, 3, 4], "B": [4, 4, 5, 3, 4], "C": [4, 4, 5, 3, 4]})
    >>> round(rwg_j(team, n_options=5), 4)
    0.9
    """
    s2_null = null_variance(n_options)
    if not isinstance(items, pd.DataFrame):
        raise ValueError("items must be a DataFrame with one column per item of the scale")
    if items.shape[1] == 0:
        raise ValueError("items has no columns: give the answers to the scale's items")
    x = _numeric_frame(items, "items").to_numpy(dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 2:
        return float("nan")
    mean_var = float(x.var(axis=0, ddof=1).mean())
    ratio = min(mean_var / s2_null, 1.0)
    j = x.shape[1]
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def icc_membership(
    scores: pd.DataFrame | pd.Series, groups: Sequence[Hashable] | pd.Series | np.ndarray
) -> pd.DataFrame:
    """How much group membership explains of a score: ICC(1) and ICC(2) (Bliese 2000).

    Parameters
    ----------
    scores : pandas.DataFrame or pandas.Series
        Respondent-level scores, one column per scale (a Series is one scale).
    groups : array-like
        The group (organisation) of each respondent, aligned with the rows of ``scores``.

    Returns
    -------
    pandas.DataFrame
        One row per scale with columns ``scale``, ``n`` (respondents with a score),
        ``n_groups``, ``group_size`` (mean size N/G), ``F``, ``df1``, ``df2``, ``pval``,
        ``ICC1``, ``ICC2``.

    Notes
    -----
    From the one-way ANOVA of the score on group, with mean squares :math:`MS_B` (between)
    and :math:`MS_W` (within) and mean group size :math:`k = N/G`:

    * ICC(1) :math:`= (MS_B - MS_W) / (MS_B + (k - 1) MS_W)`, the share of variance due to
      membership (the reliability of one member's answer as a measure of the group);
    * ICC(2) :math:`= (MS_B - MS_W) / MS_B`, the reliability of the group means.

    ``k = N/G`` for unbalanced groups follows ``multilevel::ICC1``. Respondents without a
    score for a scale are left out of that scale. ICC(1) may be negative.

    References
    ----------
    1. Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
       implications for data aggregation and analysis. In K. J. Klein & S. W. Kozlowski (Eds.),
       Multilevel theory, research, and methods in organizations (pp. 349-381). Jossey-Bass.
    2. Bartko, J. J. (1976). On various intraclass correlation reliability coefficients.
       Psychological Bulletin, 83(5), 762-765.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"co-design": [4.0, 4.5, 4.2, 2.0, 2.5, 2.2, 3.0, 3.5, 3.1]})
    >>> orgs = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]
    >>> icc_membership(scores, orgs)[["scale", "n", "n_groups", "ICC1", "ICC2"]].round(3)
           scale  n  n_groups   ICC1   ICC2
    0  co-design  9         3  0.937  0.978
    """
    frame = scores.to_frame() if isinstance(scores, pd.Series) else scores
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("scores must be a DataFrame (respondents x scales) or a Series")
    group_labels = _aligned_groups(groups, frame, "groups")
    rows = []
    for scale in frame.columns:
        y = pd.to_numeric(frame[scale], errors="coerce")
        keep = y.notna() & group_labels.notna()
        values, g = y[keep].to_numpy(dtype=float), group_labels[keep]
        n = values.size
        codes, uniques = pd.factorize(g)
        n_groups = len(uniques)
        row: dict[str, object] = {"scale": scale, "n": n, "n_groups": n_groups}
        if n_groups < 2 or n - n_groups < 1:
            row.update(_no_anova(n, n_groups))
            rows.append(row)
            continue
        sizes = np.bincount(codes)
        means = np.bincount(codes, weights=values) / sizes
        ss_within = float(((values - means[codes]) ** 2).sum())
        row.update(_membership_anova(sizes, means, ss_within))
        rows.append(row)
    return pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)


def _no_anova(n: int, n_groups: int) -> dict[str, float]:
    """The row of a scale with fewer than two groups or no within-group variance to test."""
    return {
        "group_size": n / n_groups if n_groups else np.nan,
        **dict.fromkeys(["F", "df1", "df2", "pval", "ICC1", "ICC2"], np.nan),
    }


def _membership_anova(sizes: np.ndarray, means: np.ndarray, ss_within: float) -> dict[str, float]:
    """ICC(1), ICC(2) and the F test from group sizes, group means and the within-group sum
    of squares (at least two groups and one within-group degree of freedom)."""
    n, n_groups = float(sizes.sum()), len(sizes)
    grand = float((sizes * means).sum() / n)
    df1, df2 = n_groups - 1, n - n_groups
    ms_b = float((sizes * (means - grand) ** 2).sum()) / df1
    ms_w = ss_within / df2
    k = n / n_groups
    f = ms_b / ms_w if ms_w > 0 else np.inf
    return {
        "group_size": k,
        "F": f,
        "df1": df1,
        "df2": df2,
        "pval": float(stats.f.sf(f, df1, df2)),
        "ICC1": (ms_b - ms_w) / (ms_b + (k - 1) * ms_w),
        "ICC2": (ms_b - ms_w) / ms_b if ms_b > 0 else np.nan,
    }


MEMBERSHIP_COLUMNS = [
    "scale",
    "n",
    "n_groups",
    "group_size",
    "F",
    "df1",
    "df2",
    "pval",
    "ICC1",
    "ICC2",
]


def icc_membership_from_sums(sums: pd.DataFrame) -> pd.DataFrame:
    """:func:`icc_membership` from per-group counts and sums instead of respondents' scores.

    Parameters
    ----------
    sums : pandas.DataFrame
        One row per scale and group with columns ``scale``, ``group``, ``n`` (respondents
        with a score), ``total`` (sum of their scores) and ``squares`` (sum of squared
        scores).

    Returns
    -------
    pandas.DataFrame
        The table of :func:`icc_membership`, one row per scale in order of appearance.

    Notes
    -----
    The one-way ANOVA needs only per group :math:`n_g`, :math:`T_g = \\sum y` and
    :math:`Q_g = \\sum y^2`: the group mean is :math:`T_g / n_g` and the within-group sum of
    squares :math:`\\sum_g (Q_g - T_g^2 / n_g)`. ICC(1) and ICC(2) are invariant to a linear
    rescaling of the score, so sums of 0-100 indices give the ICCs of the scale scores.

    Examples
    --------
    >>> y = pd.Series([4.0, 4.5, 4.2, 2.0, 2.5, 2.2, 3.0, 3.5, 3.1])
    >>> g = pd.Series(list("aaabbbccc"))
    >>> per_group = y.groupby(g).agg(["count", "sum"]).set_axis(["n", "total"], axis=1)
    >>> per_group["squares"] = (y ** 2).groupby(g).sum()
    >>> sums = per_group.reset_index(names="group").assign(scale="co-design")
    >>> icc_membership_from_sums(sums)[["scale", "n", "n_groups", "ICC1", "ICC2"]].round(3)
           scale  n  n_groups   ICC1   ICC2
    0  co-design  9         3  0.937  0.978
    """
    if not isinstance(sums, pd.DataFrame):
        raise ValueError("sums must be a DataFrame with columns scale, group, n, total, squares")
    needed = ["scale", "group", "n", "total", "squares"]
    absent = [c for c in needed if c not in sums.columns]
    if absent:
        raise ValueError(
            f"sums lacks the column(s) {absent}; give per scale and group n, total and squares"
        )
    rows = []
    for scale, frame in sums[sums["n"] > 0].groupby("scale", sort=False):
        sizes = frame["n"].to_numpy(dtype=float)
        totals = frame["total"].to_numpy(dtype=float)
        squares = frame["squares"].to_numpy(dtype=float)
        n, n_groups = int(sizes.sum()), len(sizes)
        row: dict[str, object] = {"scale": scale, "n": n, "n_groups": n_groups}
        if n_groups < 2 or n - n_groups < 1:
            row.update(_no_anova(n, n_groups))
        else:
            means = totals / sizes
            ss_within = float(np.clip(squares - totals**2 / sizes, 0.0, None).sum())
            row.update(_membership_anova(sizes, means, ss_within))
        rows.append(row)
    return pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)


AGGREGATE_COLUMNS = ["organisation", "scale", "n", "mean", "sd", "rwg_j", "agreement_low"]


def aggregate_organisations(
    scores: pd.DataFrame,
    organisations: Sequence[Hashable] | pd.Series | np.ndarray,
    *,
    item_data: pd.DataFrame | None = None,
    keys: Mapping[str, Sequence[str]] | None = None,
    n_options: int | Mapping[str, int] | None = None,
    min_rwg: float = MIN_RWG,
) -> pd.DataFrame:
    """Organisation-level scale scores with the agreement behind each mean.

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent-level scale scores (respondents x scales), e.g. ``score_items(...).scores``.
    organisations : array-like
        The organisation of each respondent, aligned with the rows of ``scores``.
    item_data : pandas.DataFrame, optional
        The raw item answers (same rows as ``scores``), needed for r_wg(J). Without it the
        ``rwg_j`` column is missing (NaN) and ``agreement_low`` is ``<NA>``.
    keys : mapping, optional
        Scale id -> item ids (a ``-`` prefix for reverse-keyed items is allowed and ignored,
        since reversal does not change a variance), as :meth:`Instrument.keys` returns. Needed
        with ``item_data``.
    n_options : int or mapping, optional
        Number of response options A, one for all scales or per scale id. Needed with
        ``item_data``.
    min_rwg : float
        Agreement threshold; ``agreement_low`` is true where r_wg(J) < ``min_rwg`` (default
        0.70, the conventional cut-off of Lance, Butts & Michels 2006).

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``organisation``, ``scale``, ``n`` (respondents with a scale
        score), ``mean``, ``sd`` (denominator n-1), ``rwg_j``, ``agreement_low`` (nullable
        boolean), one row per organisation and scale, in order of first appearance.

    Notes
    -----
    ``mean`` and ``sd`` are over the organisation's respondents' scale scores.
    ``rwg_j`` is :func:`rwg_j` over the organisation's answers to the scale's items (listwise
    within the organisation); an organisation with fewer than 2 complete answer rows has
    ``rwg_j`` NaN and ``agreement_low`` ``<NA>``: agreement cannot be judged, so it is not
    flagged either way.

    References
    ----------
    1. James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    2. Lance, C. E., Butts, M. M., & Michels, L. C. (2006). The sources of four commonly
       reported cutoff criteria: what did they really say? Organizational Research Methods,
       9(2), 202-220.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"A1": [4, 4, 5, 1, 5], "A2": [4, 5, 5, 5, 1],
    ...                         "A3": [2, 2, 1, 5, 1]})
    >>> keys = {"a": ["A1", "A2", "-A3"]}
    >>> scores = pd.DataFrame({"a": [4.0, 13 / 3, 5.0, 7 / 3, 3.0]})
    >>> out = aggregate_organisations(scores, ["x", "x", "x", "y", "y"],
    ...                               item_data=answers, keys=keys, n_options=5)
    >>> out.round(2)
      organisation scale  n  mean    sd  rwg_j  agreement_low
    0            x     a  3  4.44  0.51   0.94          False
    1            y     a  2  2.67  0.47   0.00           True
    """
    if not isinstance(scores, pd.DataFrame):
        raise ValueError("scores must be a DataFrame of respondents x scales")
    if not 0 <= min_rwg <= 1:
        raise ValueError(f"min_rwg must be between 0 and 1 (got {min_rwg})")
    orgs = _aligned_groups(organisations, scores, "organisations")
    item_frame: pd.DataFrame | None = None
    if item_data is not None:
        if keys is None or n_options is None:
            raise ValueError("item_data needs keys (scale -> items) and n_options for r_wg(J)")
        if len(item_data) != len(scores):
            raise ValueError(
                f"item_data has {len(item_data)} rows but scores has {len(scores)}: "
                "give the answers of the same respondents, in the same order"
            )
        item_frame = item_data.set_axis(scores.index, axis=0)
        missing_scales = [s for s in scores.columns if s not in keys]
        if missing_scales:
            raise ValueError(f"keys has no items for scale(s) {missing_scales}")

    # Grouped computations (one pass per scale) rather than a loop over organisations: a
    # cohort has hundreds of them.
    keep = orgs.notna()
    order = pd.unique(orgs[keep])
    labels = orgs[keep]
    parts = []
    for scale in scores.columns:
        values = pd.to_numeric(scores.loc[keep, scale], errors="coerce")
        grouped = values.groupby(labels, sort=False)
        part = pd.DataFrame(
            {"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std(ddof=1)}
        ).reindex(order)
        part["rwg_j"] = np.nan
        if item_frame is not None and keys is not None and n_options is not None:
            item_ids = [str(i).lstrip("-") for i in keys[scale]]
            unknown = [i for i in item_ids if i not in item_frame.columns]
            if unknown:
                raise ValueError(f"item_data lacks column(s) {unknown} of scale {scale!r}")
            a = n_options if not isinstance(n_options, Mapping) else n_options.get(scale)
            if a is None:
                raise ValueError(f"n_options has no entry for scale {scale!r}")
            part["rwg_j"] = _grouped_rwg_j(
                _numeric_frame(item_frame.loc[keep, item_ids], "item_data"), labels, a
            ).reindex(order)
        part.insert(0, "scale", scale)
        parts.append(part.rename_axis("organisation").reset_index())
    if not parts or not len(order):
        return pd.DataFrame(columns=AGGREGATE_COLUMNS).astype(
            {"n": int, "agreement_low": "boolean"}
        )
    out = pd.concat(parts, ignore_index=True)
    # Organisation-major order (each organisation's scales together), first appearance first.
    out["_org"] = pd.Categorical(out["organisation"], categories=order).codes
    out = out.sort_values("_org", kind="mergesort").drop(columns="_org")
    out["n"] = out["n"].fillna(0).astype(int)
    out["mean"] = out["mean"].where(out["n"] > 0)
    out["agreement_low"] = pd.array(
        [pd.NA if np.isnan(v) else bool(v < min_rwg) for v in out["rwg_j"]], dtype="boolean"
    )
    return out[AGGREGATE_COLUMNS].reset_index(drop=True)


def _grouped_rwg_j(items: pd.DataFrame, groups: pd.Series, n_options: int) -> pd.Series:
    """:func:`rwg_j` for every group at once (listwise within the scale's items)."""
    s2_null = null_variance(n_options)
    complete = items.notna().all(axis=1)
    block = items[complete]
    grouped = block.groupby(groups[complete], sort=False)
    size = grouped.size()
    mean_var = grouped.var(ddof=1).mean(axis=1)
    ratio = (mean_var / s2_null).clip(upper=1.0)
    j = items.shape[1]
    value = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    return value.where(size >= 2)


# -- helpers ------------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, e.g. 0.95 (got {confidence})")


def _numeric_vector(values: object, name: str) -> np.ndarray:
    series = pd.Series(np.asarray(values, dtype=object).ravel())
    numeric = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & numeric.isna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{name} has a non-numeric value {series.iloc[position]!r} at position {position}"
        )
    return numeric.to_numpy(dtype=float)


def _numeric_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        return frame.astype(float)
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = frame.notna() & numeric.isna()
    if bad.any().any():
        col = next(c for c in bad.columns if bad[c].any())
        row = bad.index[bad[col]][0]
        raise ValueError(
            f"{name} has a non-numeric value {frame.loc[row, col]!r} in row {row!r}, column {col!r}"
        )
    return numeric.astype(float)


def _aligned_groups(groups: object, frame: pd.DataFrame, name: str) -> pd.Series:
    if isinstance(groups, pd.Series):
        if len(groups) != len(frame):
            raise ValueError(f"{name} has {len(groups)} entries for {len(frame)} rows of scores")
        return pd.Series(groups.to_numpy(), index=frame.index)
    labels = list(groups)  # type: ignore[call-overload]
    if len(labels) != len(frame):
        raise ValueError(f"{name} has {len(labels)} entries for {len(frame)} rows of scores")
    return pd.Series(labels, index=frame.index, dtype=object)

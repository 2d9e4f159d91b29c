"""Reliability of a multi-item scale: Cronbach's alpha, standardised alpha, omega total.

Definitions follow R psych (``alpha``, ``omega``) [1]_:

* raw alpha from the item covariance matrix (pairwise or listwise), as ``psych::alpha`` and
  :func:`pingouin.cronbach_alpha` compute it;
* standardised alpha and the average inter-item correlation from the same covariance matrix
  rescaled to correlations (``cov2cor``), as ``psych::alpha``;
* omega total from a one-factor minimum-residual (minres) solution fitted to the (pairwise)
  correlation matrix, as ``psych::omega(nfactors = 1)`` reports ``omega.tot``;
* item statistics ``r_drop`` and ``alpha_if_deleted`` from the covariance matrix, as
  ``psych::alpha``'s ``item.stats$r.drop`` and ``alpha.drop$raw_alpha``.

The single-statistic functions take a DataFrame of one scale's items; :func:`scale_reliability`
returns all of them at once; :func:`scoring.score_items` computes them for many scales in one
pass over the data with the same formulas.

References
----------
.. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and Personality
       Research. Northwestern University. R package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from scoring.keys import ScaleKey
from scoring.moments import ScaleMoments, cov2cor, numeric_columns, scan_scales

__all__ = [
    "MIN_ALPHA",
    "ScaleReliability",
    "alpha_ci",
    "average_r",
    "cronbach_alpha",
    "item_statistics",
    "omega_total",
    "one_factor_loadings",
    "scale_reliability",
    "standardized_alpha",
]

MISSING_POLICIES = ("pairwise", "listwise")

#: Cronbach's alpha (and omega) below which a scale's reliability is too low for research use:
#: the conventional .70 of Nunnally (1978), *Psychometric Theory*, 2nd ed., McGraw-Hill, p. 245.
#: :class:`scoring.items.FlagThresholds` flags below it and the Research page highlights it.
MIN_ALPHA = 0.70

#: Bounds on the uniquenesses in the minres fit, as psych's ``fa`` (Heywood cases stop here).
_MIN_UNIQUENESS = 0.005
_MAX_ITERATIONS = 2000


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one scale (see :func:`scale_reliability`)."""

    alpha: float
    std_alpha: float
    alpha_ci: tuple[float, float]
    omega_total: float
    average_r: float
    n: int
    k: int
    items: pd.DataFrame


# ------------------------------------------------------------------------------------------
# Statistics of matrices (shared by the functions below and by scoring.items)
# ------------------------------------------------------------------------------------------
def _alpha_of(cov: np.ndarray) -> float:
    k = cov.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def _std_alpha_of(corr: np.ndarray) -> float:
    k = corr.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(k / (k - 1) * (1 - k / corr.sum()))


def _average_r_of(corr: np.ndarray) -> float:
    k = corr.shape[0]
    return float((corr.sum() - k) / (k * (k - 1)))


def _drop_statistics(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``r_drop`` and ``alpha_if_deleted`` for every item, from the covariance matrix alone."""
    k = cov.shape[0]
    var = np.diag(cov)
    total = cov.sum()
    col = cov.sum(axis=0)
    rest_total = total - 2 * col + var  # sum of the covariance matrix without item i
    with np.errstate(divide="ignore", invalid="ignore"):
        r_drop = (col - var) / np.sqrt(var * rest_total)
        if k > 2:
            alpha_del = (k - 1) / (k - 2) * (1 - (np.trace(cov) - var) / rest_total)
        else:
            alpha_del = np.full(k, np.nan)
    return r_drop, alpha_del


def _smc(corr: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1 / diag(R^-1)`` (pseudo-inverse if singular)."""
    try:
        inverse = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(corr)
    with np.errstate(divide="ignore", invalid="ignore"):
        smc = 1 - 1 / np.diag(inverse)
    return np.clip(np.nan_to_num(smc, nan=1.0), 0.0, 1.0)


def _minres_loadings(corr: np.ndarray) -> np.ndarray:
    """One-factor minres loadings: Newton's method, projected coordinate sweeps as fallback."""
    bound = np.sqrt(1 - _MIN_UNIQUENESS)
    off = corr - np.diag(np.diag(corr))
    reduced = corr.copy()
    np.fill_diagonal(reduced, _smc(corr))
    values, vectors = np.linalg.eigh(reduced)
    loading = np.clip(vectors[:, -1] * np.sqrt(max(values[-1], 1e-6)), -bound, bound)

    def loss(lam: np.ndarray) -> float:
        resid = off - np.outer(lam, lam)
        np.fill_diagonal(resid, 0.0)
        return 0.25 * float(np.sum(resid * resid))  # = 1/2 sum over pairs i < j

    def sweep(lam: np.ndarray) -> np.ndarray:
        # Gauss-Seidel: each loading set to its exact (bounded) minimiser given the others;
        # the loss is a convex quadratic in one loading, so the loss never rises.
        lam = lam.copy()
        total = float(lam @ lam)
        for i in range(lam.size):
            rest = total - lam[i] ** 2
            new = float(off[i] @ lam) / rest if rest > 0 else lam[i]
            new = min(max(new, -bound), bound)
            total += new * new - lam[i] ** 2
            lam[i] = new
        return lam

    current = loss(loading)
    for _ in range(_MAX_ITERATIONS):
        sq = loading * loading
        resid = off - np.outer(loading, loading)
        np.fill_diagonal(resid, 0.0)
        grad = -(resid @ loading)
        hess = -off + 2 * np.outer(loading, loading)
        np.fill_diagonal(hess, sq.sum() - sq)
        try:
            trial = loading - np.linalg.solve(hess, grad)
            value = loss(trial)
        except np.linalg.LinAlgError:
            trial, value = loading, np.inf
        if not (value <= current and np.all(np.abs(trial) <= bound)):
            # Outside Newton's basin, or the solution sits on the bound (a Heywood case).
            trial = sweep(loading)
            value = loss(trial)
        converged = np.max(np.abs(trial - loading)) < 1e-13 or current - value <= 1e-17
        loading, current = (trial, value) if value <= current else (loading, current)
        if converged:
            break
    return loading if loading.sum() >= 0 else -loading


def _omega_total_of(corr: np.ndarray) -> float:
    k = corr.shape[0]
    if k < 3 or not np.all(np.isfinite(corr)):
        return float("nan")
    loading = _minres_loadings(corr)
    # As psych::omega (flip = TRUE): items loading negatively are reflected before summing.
    sign = np.where(loading < 0, -1.0, 1.0)
    total = float((corr * np.outer(sign, sign)).sum())
    uniqueness = float(np.sum(1 - loading**2))
    return (total - uniqueness) / total


def reliability_from_moments(moments: ScaleMoments, ci: float = 0.95) -> ScaleReliability:
    """All reliability statistics of one scale from its :class:`~scoring.moments.ScaleMoments`.

    :func:`scale_reliability` and :func:`scoring.score_items` both end here, so one scale
    and many scales get the same numbers.

    Examples
    --------
    >>> cov = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    >>> m = ScaleMoments(items=("a", "b", "c"), cov=cov, corr=cov, mean=np.zeros(3),
    ...                  sd=np.ones(3), answered=np.full(3, 50.0), n_rows=50, n=50,
    ...                  n_complete=50)
    >>> rel = reliability_from_moments(m)
    >>> round(rel.alpha, 4), round(rel.average_r, 4), rel.items["r_drop"].round(3).tolist()
    (0.6667, 0.4, [0.558, 0.478, 0.404])
    """
    cov, k, n = moments.cov, len(moments.items), moments.n
    finite = bool(np.all(np.isfinite(cov)))
    alpha = _alpha_of(cov) if finite else float("nan")
    std_corr = cov2cor(cov)
    r_drop, alpha_del = _drop_statistics(cov)
    missing_share = 1 - moments.answered / max(moments.n_rows, 1)
    items = pd.DataFrame(
        {
            "mean": moments.mean,
            "sd": moments.sd,
            "missing_share": missing_share,
            "r_drop": r_drop,
            "alpha_if_deleted": alpha_del,
        },
        index=pd.Index(moments.items, name="item"),
    )
    return ScaleReliability(
        alpha=alpha,
        std_alpha=_std_alpha_of(std_corr) if finite else float("nan"),
        alpha_ci=alpha_ci(alpha, n, k, ci=ci),
        omega_total=_omega_total_of(moments.corr) if finite else float("nan"),
        average_r=_average_r_of(std_corr) if finite else float("nan"),
        n=n,
        k=k,
        items=items,
    )


# ------------------------------------------------------------------------------------------
# One scale's items
# ------------------------------------------------------------------------------------------
def _scale_moments(
    items: pd.DataFrame,
    reverse: Sequence[str],
    scale_min: float | None,
    scale_max: float | None,
    missing: str,
) -> ScaleMoments:
    if not isinstance(items, pd.DataFrame):
        raise ValueError(
            f"items must be a pandas DataFrame (rows respondents, columns items), "
            f"got {type(items).__name__}"
        )
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    if isinstance(reverse, str):
        reverse = [reverse]
    reverse = list(reverse)
    if reverse and (scale_min is None or scale_max is None):
        raise ValueError(
            f"reverse keying {', '.join(map(str, reverse))} needs the response range: pass "
            "scale_min and scale_max (e.g. scale_min=1, scale_max=5), since a reversed "
            "answer is scale_min + scale_max - x"
        )
    if (scale_min is None) != (scale_max is None):
        raise ValueError("give both scale_min and scale_max, or neither")
    if scale_min is not None and scale_max is not None and not scale_min < scale_max:
        raise ValueError(
            f"scale_min ({scale_min}) must be smaller than scale_max ({scale_max}); "
            "give the lowest and highest point of the response scale"
        )
    columns = [str(c) for c in items.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("items has duplicate column names; give every item its own column")
    unknown = [r for r in reverse if r not in columns]
    if unknown:
        raise ValueError(
            f"reverse names {', '.join(map(repr, unknown))}, not a column of items "
            f"({', '.join(columns)}); name reverse-keyed items by their column"
        )
    if items.shape[1] < 2:
        raise ValueError(
            f"items has {items.shape[1]} column{'s' if items.shape[1] != 1 else ''}; "
            "reliability needs at least 2 items: pass all items of the scale"
        )
    if items.shape[0] == 0:
        raise ValueError("items has no rows; reliability needs answers from respondents")
    numeric_columns(items, list(items.columns), "items")
    frame = items.set_axis(columns, axis=1)
    key = ScaleKey("scale", tuple(columns), frozenset(reverse))
    scan = scan_scales(frame, [key], scale_min=scale_min, scale_max=scale_max, missing=missing)
    return scan.moments["scale"]


def _check_ci(ci: float) -> None:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), got {ci!r}")


def scale_reliability(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
    ci: float = 0.95,
) -> ScaleReliability:
    """Reliability of one scale: alpha, standardised alpha, Feldt CI, omega total, item stats.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items; NaN marks a missing answer.
    reverse : sequence of str
        Reverse-keyed item columns, scored ``scale_min + scale_max - x``.
    scale_min, scale_max : float, optional
        The response range; required with ``reverse``, and answers outside it are rejected.
    missing : {"pairwise", "listwise"}
        Pairwise: every covariance from the rows answering both items. Listwise: only rows
        answering every item.
    ci : float
        Confidence level of Feldt's interval for alpha.

    Returns
    -------
    ScaleReliability
        ``alpha``, ``std_alpha``, ``alpha_ci`` (low, high), ``omega_total``, ``average_r``,
        ``n`` (respondents used), ``k`` (items) and ``items``, a DataFrame indexed by item with
        ``mean``, ``sd``, ``missing_share``, ``r_drop`` and ``alpha_if_deleted``.

    Notes
    -----
    With :math:`C` the item covariance matrix (reverse-keyed items reversed) and :math:`R`
    the same matrix rescaled to correlations:

    * :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum C}\\right)`
      and :math:`\\alpha_{std} = \\frac{k}{k-1}\\left(1 - \\frac{k}{\\sum R}\\right)`;
    * :math:`\\bar r = (\\sum R - k) / (k(k-1))`;
    * :math:`r_{drop,i} = (\\sum_j C_{ij} - C_{ii}) / \\sqrt{C_{ii} \\sum C_{-i,-i}}`, and
      ``alpha_if_deleted`` is alpha of :math:`C_{-i,-i}` (NaN for a two-item scale);
    * ``omega_total``: see :func:`omega_total`; the interval: see :func:`alpha_ci`.

    ``n`` is the number of respondents who answered at least one item (pairwise) or every
    item (listwise). Item ``mean`` and ``sd`` use every answer to the item (pairwise) or the
    complete rows (listwise); ``missing_share`` always counts all rows.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
           Psychometrika, 16(3), 297-334.
    .. [2] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``alpha`` and ``omega``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [5, 4, 2, 1, 2, 4], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, 1], "A4": [1, 3, 5, 4, 5, 2]})
    >>> rel = scale_reliability(df, reverse=["A1"], scale_min=1, scale_max=5)
    >>> round(rel.alpha, 4), round(rel.omega_total, 4), rel.n, rel.k
    (0.9588, 0.9616, 6, 4)
    >>> rel.items[["r_drop", "alpha_if_deleted"]].round(3)
          r_drop  alpha_if_deleted
    item
    A1     0.967             0.925
    A2     0.962             0.928
    A3     0.829             0.966
    A4     0.847             0.963
    """
    _check_ci(ci)
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    return reliability_from_moments(moments, ci=ci)


def cronbach_alpha(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
) -> float:
    """Cronbach's alpha of one scale from its item covariance matrix.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items; NaN marks a missing answer.
    reverse : sequence of str
        Reverse-keyed item columns (need ``scale_min`` and ``scale_max``).
    scale_min, scale_max : float, optional
        The response range.
    missing : {"pairwise", "listwise"}
        How missing answers enter the covariance matrix.

    Returns
    -------
    float
        Raw (covariance-based) alpha.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum C}\\right)

    with :math:`C` the :math:`k \\times k` item covariance matrix (pairwise-complete or
    listwise, ddof 1). Equal to ``psych::alpha(x)$total$raw_alpha`` and to the first value of
    :func:`pingouin.cronbach_alpha` [1]_ [2]_.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
           Psychometrika, 16(3), 297-334.
    .. [2] Vallat, R. (2018). Pingouin: statistics in Python. JOSS, 3(31), 1026.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [1, 2, 4, 5, 4, 2], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, np.nan]})
    >>> round(cronbach_alpha(df), 4)
    0.9739
    """
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    return _alpha_of(moments.cov) if np.all(np.isfinite(moments.cov)) else float("nan")


def standardized_alpha(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
) -> float:
    """Standardised alpha: alpha of the items rescaled to unit variance.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items.
    reverse, scale_min, scale_max, missing
        As in :func:`cronbach_alpha`.

    Returns
    -------
    float

    Notes
    -----
    .. math:: \\alpha_{std} = \\frac{k}{k-1}\\left(1 - \\frac{k}{\\sum R}\\right)
              = \\frac{k \\bar r}{1 + (k-1) \\bar r}

    with :math:`R` the covariance matrix rescaled to correlations (R's ``cov2cor``), as
    ``psych::alpha(x)$total$std.alpha`` [1]_.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [1, 2, 4, 5, 4, 2], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, 1]})
    >>> round(standardized_alpha(df), 4)
    0.9627
    """
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    if not np.all(np.isfinite(moments.cov)):
        return float("nan")
    return _std_alpha_of(cov2cor(moments.cov))


def average_r(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
) -> float:
    """Average inter-item correlation of one scale.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items.
    reverse, scale_min, scale_max, missing
        As in :func:`cronbach_alpha`.

    Returns
    -------
    float

    Notes
    -----
    .. math:: \\bar r = \\frac{\\sum R - k}{k (k - 1)}

    the mean off-diagonal element of :math:`R`, the covariance matrix rescaled to
    correlations, as ``psych::alpha(x)$total$average_r`` [1]_.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [1, 2, 4, 5, 4, 2], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, 1]})
    >>> round(average_r(df), 4)
    0.896
    """
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    if not np.all(np.isfinite(moments.cov)):
        return float("nan")
    return _average_r_of(cov2cor(moments.cov))


def one_factor_loadings(corr: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Loadings of a one-factor minimum-residual (minres) solution of a correlation matrix.

    Parameters
    ----------
    corr : pandas.DataFrame or numpy.ndarray
        A :math:`k \\times k` correlation matrix, :math:`k \\ge 3`.

    Returns
    -------
    numpy.ndarray
        The :math:`k` loadings, signed so that they sum to a positive number.

    Notes
    -----
    Minres minimises the squared off-diagonal residuals :math:`\\sum_{i<j}(r_{ij} -
    \\lambda_i \\lambda_j)^2`, the solution psych's ``fa(fm = "minres")`` reaches by
    optimising the uniquenesses [1]_ (both agree to about 1e-8 on psych's ``bfi`` scales).
    Here the loadings are fitted directly: started at the principal-axis solution with squared
    multiple correlations as communalities, improved by Newton steps on the exact gradient and
    Hessian, with a Gauss-Seidel sweep (each loading set to its exact minimiser given the others,
    so the residual sum never rises) whenever a Newton step would not lower it. Like psych,
    which keeps every uniqueness at or above 0.005, loadings are bounded by
    :math:`\\sqrt{0.995}`; in such Heywood cases the two solutions can differ.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``fa``.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam)
    >>> np.fill_diagonal(r, 1.0)
    >>> one_factor_loadings(r).round(4)
    array([0.8, 0.7, 0.6, 0.5])
    """
    matrix = np.asarray(corr, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"corr must be a square matrix, got shape {matrix.shape}")
    if matrix.shape[0] < 3:
        raise ValueError(
            f"a one-factor model needs at least 3 items, got {matrix.shape[0]}: with fewer it "
            "is not identified; add items"
        )
    if not np.all(np.isfinite(matrix)):
        raise ValueError("corr holds NaN or infinite values; compute it from more answers")
    return _minres_loadings(matrix)


def omega_total(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
) -> float:
    """McDonald's omega total of one scale from a one-factor minres solution.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items (at least 3).
    reverse, scale_min, scale_max, missing
        As in :func:`cronbach_alpha`.

    Returns
    -------
    float
        NaN for fewer than three items (one factor is not identified).

    Notes
    -----
    With :math:`R` the (pairwise-complete or listwise) correlation matrix and
    :math:`\\lambda` the loadings of :func:`one_factor_loadings`,

    .. math:: \\omega_t = \\frac{\\sum R - \\sum_i (1 - \\lambda_i^2)}{\\sum R}

    after reflecting items with negative loadings, which is ``omega.tot`` of
    ``psych::omega(x, nfactors = 1)`` [1]_ [2]_. Because of that reflection omega does not
    reveal a wrongly keyed item (alpha and ``r_drop`` do).

    References
    ----------
    .. [1] McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    .. [2] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``omega``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [1, 2, 4, 5, 4, 2], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, 1]})
    >>> round(omega_total(df), 4)
    0.964
    """
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    return _omega_total_of(moments.corr)


def alpha_ci(alpha: float, n: int, k: int, *, ci: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for coefficient alpha.

    Parameters
    ----------
    alpha : float
        Cronbach's alpha.
    n : int
        Number of respondents.
    k : int
        Number of items.
    ci : float
        Confidence level.

    Returns
    -------
    tuple of float
        (low, high); NaN when ``n < 2``, ``k < 2`` or alpha is NaN.

    Notes
    -----
    With :math:`F_p(d_1, d_2)` the :math:`p` quantile of the F distribution,
    :math:`d_1 = n - 1`, :math:`d_2 = (n - 1)(k - 1)` and :math:`a = 1 - ci`:

    .. math::

        low = 1 - (1 - \\alpha) F_{1 - a/2}(d_1, d_2), \\quad
        high = 1 - (1 - \\alpha) F_{a/2}(d_1, d_2)

    as ``psych::alpha.ci`` and :func:`pingouin.cronbach_alpha` (which rounds to 3 decimals)
    [1]_. Convention for ``n`` in this package: the respondents who answered at least one
    item of the scale under pairwise deletion, those who answered every item under listwise
    deletion. psych uses all rows of the data and pingouin the rows before listwise deletion;
    on complete data the three agree.

    References
    ----------
    .. [1] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
           coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

    Examples
    --------
    >>> low, high = alpha_ci(0.8, n=100, k=6)
    >>> round(low, 4), round(high, 4)
    (0.7325, 0.8551)
    """
    _check_ci(ci)
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return (float("nan"), float("nan"))
    d1, d2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - ci) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, d1, d2)
    high = 1 - (1 - alpha) * stats.f.ppf(tail, d1, d2)
    return (float(low), float(high))


def item_statistics(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing: str = "pairwise",
) -> pd.DataFrame:
    """Item statistics of one scale: mean, sd, missing share, r_drop and alpha if deleted.

    Parameters
    ----------
    items : pandas.DataFrame
        One scale: rows respondents, columns items.
    reverse, scale_min, scale_max, missing
        As in :func:`cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        Indexed by item, columns ``mean``, ``sd``, ``missing_share``, ``r_drop`` and
        ``alpha_if_deleted`` (reverse-keyed items reversed).

    Notes
    -----
    The corrected item-total correlation and alpha if deleted come from the covariance
    matrix :math:`C`, as ``psych::alpha``'s ``r.drop`` and ``alpha.drop`` [1]_:

    .. math:: r_{drop,i} = \\frac{\\sum_j C_{ij} - C_{ii}}{\\sqrt{C_{ii} \\sum C_{-i,-i}}}

    With missing answers this differs from correlating item :math:`i` with row sums of the
    other items.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({"A1": [1, 2, 4, 5, 4, 2], "A2": [1, 3, 4, 5, 4, 2],
    ...                    "A3": [2, 2, 4, 5, 3, 1]})
    >>> item_statistics(df).round(3)
           mean     sd  missing_share  r_drop  alpha_if_deleted
    item
    A1    3.000  1.549            0.0   0.959             0.917
    A2    3.167  1.472            0.0   0.936             0.934
    A3    2.833  1.472            0.0   0.870             0.981
    """
    moments = _scale_moments(items, reverse, scale_min, scale_max, missing)
    return reliability_from_moments(moments).items

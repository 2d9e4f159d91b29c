"""Pairwise moments of many items in one pass: counts, means, covariances, correlations.

Everything the reliability statistics need comes from four cross-product matrices accumulated
over row chunks with matrix products and a missing-value mask, never with a loop over
respondents. With ``X`` the answers shifted by a constant (zero where missing) and ``M`` the
0/1 mask of answered cells::

    N = M'M      pairs answered by both items
    S = X'M      S[i, j]: sum of item i over the rows where item j is answered
    P = X'X      cross-products over the rows where both are answered
    Q = (X*X)'M  sums of squares of item i over the rows where item j is answered

The pairwise-complete covariance of items ``i`` and ``j`` (what :meth:`pandas.DataFrame.cov` and
R's ``cov(use = "pairwise")`` compute) is then ``(P - S * S' / N) / (N - 1)`` and the
pairwise-complete correlation (:meth:`pandas.DataFrame.corr`, R's ``cor(use = "pairwise")``)
divides the same numerator by ``sqrt((Q - S**2 / N) * (Q' - S'**2 / N))``. Shifting the data by
a constant per column before accumulating keeps the one-pass sums well conditioned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.keys import ScaleKey

__all__ = ["pairwise_correlation", "pairwise_covariance"]

#: Rows per chunk: large enough for efficient matrix products, small enough to keep the
#: working copies (a few arrays of CHUNK_ROWS x items float64) to tens of megabytes.
CHUNK_ROWS = 32_768


@dataclass
class CrossProducts:
    """Running sums ``N, S, P, Q`` (see the module docstring) for ``k`` items."""

    k: int
    n: np.ndarray = field(init=False)
    s: np.ndarray = field(init=False)
    p: np.ndarray = field(init=False)
    q: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.n = np.zeros((self.k, self.k))
        self.s = np.zeros((self.k, self.k))
        self.p = np.zeros((self.k, self.k))
        self.q = np.zeros((self.k, self.k))

    def add(self, x: np.ndarray, m: np.ndarray) -> None:
        """Add a chunk: ``x`` shifted answers with zeros where missing, ``m`` the 0/1 mask."""
        self.n += m.T @ m
        self.s += x.T @ m
        self.p += x.T @ x
        self.q += (x * x).T @ m

    def add_complete(self, x: np.ndarray) -> None:
        """Add a chunk without missing values (listwise samples)."""
        rows = float(x.shape[0])
        col = x.sum(axis=0)
        self.n += rows
        self.s += col[:, None]
        self.p += x.T @ x
        self.q += (x * x).sum(axis=0)[:, None]

    def covariance(self) -> np.ndarray:
        """Pairwise-complete covariances (ddof 1); NaN where fewer than two rows overlap."""
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = (self.p - self.s * self.s.T / self.n) / (self.n - 1)
        cov[self.n < 2] = np.nan
        return cov

    def correlation(self) -> np.ndarray:
        """Pairwise-complete correlations; NaN where undefined (no variance, too few rows)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            num = self.p - self.s * self.s.T / self.n
            ss = self.q - self.s * self.s / self.n
            corr = num / np.sqrt(ss * ss.T)
        corr[(self.n < 2) | ~np.isfinite(corr)] = np.nan
        # Rounding can push |r| a hair above 1; pandas clips the same way.
        np.clip(corr, -1.0, 1.0, out=corr)
        diag = np.diag(corr).copy()
        diag[np.isfinite(diag)] = 1.0
        np.fill_diagonal(corr, diag)
        return corr

    def means(self, shift: np.ndarray) -> np.ndarray:
        """Per-item means over every row where the item is answered."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.diag(self.s) / np.diag(self.n) + shift


def numeric_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise a ValueError naming the first column of ``columns`` that is not numeric."""
    for column in columns:
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise ValueError(
                f"column {column!r} of {what} is not numeric (dtype {dtype}); convert it, e.g. "
                f"data[{column!r}] = pd.to_numeric(data[{column!r}], errors='coerce') turns "
                "answers that are not numbers into missing values"
            )


def chunk_values(frame: pd.DataFrame, positions: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the columns at ``positions`` as float64 with NaN for missing."""
    block = frame.iloc[start:stop, positions]
    return block.to_numpy(dtype=np.float64, na_value=np.nan)


def check_values(
    values: np.ndarray,
    frame: pd.DataFrame,
    positions: np.ndarray,
    start: int,
    scale_min: float | None,
    scale_max: float | None,
) -> None:
    """Raise a ValueError naming the column, row and value of the first bad cell in a chunk."""
    if scale_min is None or scale_max is None:
        bad = np.isinf(values)
    else:
        with np.errstate(invalid="ignore"):
            bad = (values < scale_min) | (values > scale_max)
    if not bad.any():
        return
    row, col = np.argwhere(bad)[0]
    column = frame.columns[positions[col]]
    label = frame.index[start + row]
    value = values[row, col]
    count = int(bad[:, col].sum())
    if scale_min is None or scale_max is None:
        raise ValueError(
            f"column {column!r} holds an infinite value at row {label!r}; "
            "replace it with a valid answer or NaN"
        )
    raise ValueError(
        f"column {column!r} holds {value:g} at row {label!r} (and {count - 1} more such "
        f"value{'s' if count != 2 else ''} in rows {start}..{start + len(values) - 1}), "
        f"outside the response scale {scale_min:g}..{scale_max:g}; recode it, set it to NaN "
        "(missing), or pass the scale's real scale_min and scale_max"
    )


def _frame_for_moments(data: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    numeric_columns(data, list(data.columns), "data")
    return data


def cross_products(
    data: pd.DataFrame, shift: np.ndarray | None = None, chunk_rows: int = CHUNK_ROWS
) -> tuple[CrossProducts, np.ndarray]:
    """Accumulate :class:`CrossProducts` of every column of ``data`` and return the shift used.

    Without ``shift`` the data are shifted by the column means of the first chunk.
    """
    positions = np.arange(data.shape[1])
    acc = CrossProducts(data.shape[1])
    used = np.zeros(data.shape[1]) if shift is None else np.asarray(shift, dtype=np.float64)
    for start in range(0, len(data), chunk_rows):
        stop = min(start + chunk_rows, len(data))
        values = chunk_values(data, positions, start, stop)
        check_values(values, data, positions, start, None, None)
        mask = ~np.isnan(values)
        if shift is None and start == 0:
            answered = mask.sum(axis=0)
            used = np.where(answered > 0, np.where(mask, values, 0.0).sum(axis=0), 0.0)
            used = used / np.maximum(answered, 1)
        x = np.where(mask, values - used, 0.0)
        acc.add(x, mask.astype(np.float64))
    return acc, used


def pairwise_covariance(data: pd.DataFrame) -> pd.DataFrame:
    """Covariance matrix from pairwise-complete observations, computed with matrix products.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric columns; NaN marks a missing value.

    Returns
    -------
    pandas.DataFrame
        Items x items covariances (ddof = 1), equal to ``data.cov()``; NaN where two columns
        share fewer than two answered rows.

    Notes
    -----
    For items :math:`i, j` and the :math:`n_{ij}` rows where both are answered,

    .. math:: c_{ij} = \\frac{\\sum x_i x_j - \\sum x_i \\sum x_j / n_{ij}}{n_{ij} - 1},

    with every sum over those rows, taken for all pairs at once as ``X'X``, ``X'M`` and
    ``M'M`` (``M`` the answered mask, ``X`` the data shifted by a constant and zero where
    missing). This is the definition of :meth:`pandas.DataFrame.cov` and of R's
    ``cov(x, use = "pairwise")`` [1]_.

    References
    ----------
    .. [1] R Core Team. ``cor`` {stats}: Correlation, Variance and Covariance (Matrices).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, np.nan], "b": [2, 1, 4, np.nan, 5]})
    >>> pairwise_covariance(df).round(4)
            a       b
    a  1.6667  1.0000
    b  1.0000  3.3333
    """
    frame = _frame_for_moments(data)
    acc, _ = cross_products(frame)
    return pd.DataFrame(acc.covariance(), index=frame.columns, columns=frame.columns)


def pairwise_correlation(data: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlations from pairwise-complete observations, computed with matrix products.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric columns; NaN marks a missing value.

    Returns
    -------
    pandas.DataFrame
        Items x items correlations, equal to ``data.corr()`` (each pair's means and standard
        deviations taken over the rows where both items are answered).

    Notes
    -----
    .. math:: r_{ij} = \\frac{\\sum x_i x_j - \\sum x_i \\sum x_j / n_{ij}}
              {\\sqrt{(\\sum x_i^2 - (\\sum x_i)^2 / n_{ij})(\\sum x_j^2 - (\\sum x_j)^2 / n_{ij})}}

    with every sum over the :math:`n_{ij}` rows where both items are answered. This differs
    from rescaling the pairwise covariance matrix by the items' own standard deviations
    (``cov2cor``) when values are missing; R psych's ``omega`` uses this matrix [1]_.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
           Personality Research. R package, ``omega``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, np.nan], "b": [2, 1, 4, np.nan, 5]})
    >>> pairwise_correlation(df).round(4)
            a       b
    a  1.0000  0.6547
    b  0.6547  1.0000
    """
    frame = _frame_for_moments(data)
    acc, _ = cross_products(frame)
    return pd.DataFrame(acc.correlation(), index=frame.columns, columns=frame.columns)


@dataclass(frozen=True)
class ScaleMoments:
    """What the reliability statistics of one scale need, with reverse-keyed items reversed.

    ``cov`` is the (pairwise or listwise) covariance matrix, ``corr`` the matching correlation
    matrix (pairwise-complete correlations under pairwise deletion), ``mean`` and ``sd`` the
    item means and standard deviations, ``answered`` the number of rows answering each item,
    ``n_rows`` all rows, ``n`` the respondents the statistics rest on (pairwise: answered at
    least one item; listwise: answered all) and ``n_complete`` those who answered all items.
    """

    items: tuple[str, ...]
    cov: np.ndarray
    corr: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    answered: np.ndarray
    n_rows: int
    n: int
    n_complete: int


@dataclass
class ScaleScan:
    """The result of :func:`scan_scales`: moments per scale and per-row counts and sums."""

    moments: dict[str, ScaleMoments]
    counts: np.ndarray
    sums: np.ndarray | None
    shift: float | None


def scan_scales(
    frame: pd.DataFrame,
    scales: Sequence[ScaleKey],
    *,
    scale_min: float | None,
    scale_max: float | None,
    missing: str,
    chunk_rows: int = CHUNK_ROWS,
) -> ScaleScan:
    """One pass over ``frame`` for every scale at once.

    Returns per-scale :class:`ScaleMoments` and, per row and scale, the number of answered
    items (``counts``) and, when the response range is known, the sum of keyed answers minus
    the scale midpoint (``sums``), so that a scale score is ``midpoint + sums / counts``.
    Reverse keying ``min + max - x`` is the sign flip ``-(x - midpoint)`` around the midpoint,
    which is why the data are shifted by the midpoint.
    """
    columns = list(dict.fromkeys(item for key in scales for item in key.items))
    positions = frame.columns.get_indexer(pd.Index(columns))
    where = {column: pos for pos, column in enumerate(columns)}
    n_items, n_scales, n_rows = len(columns), len(scales), len(frame)
    member = np.zeros((n_items, n_scales))
    signed = np.zeros((n_items, n_scales))
    index = [np.array([where[item] for item in key.items]) for key in scales]
    signs = [np.array(key.signs, dtype=np.float64) for key in scales]
    for s, (idx, sign) in enumerate(zip(index, signs, strict=True)):
        member[idx, s] = 1.0
        signed[idx, s] = sign
    known = scale_min is not None and scale_max is not None
    midpoint = (scale_min + scale_max) / 2 if scale_min is not None and scale_max is not None else 0
    shift: np.ndarray | None = np.full(n_items, midpoint, dtype=np.float64) if known else None
    counts = np.empty((n_rows, n_scales))
    sums = np.empty((n_rows, n_scales)) if known else None
    answered = np.zeros(n_items)
    pairwise = CrossProducts(n_items) if missing == "pairwise" else None
    listwise = [CrossProducts(len(idx)) for idx in index] if pairwise is None else []
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        values = chunk_values(frame, positions, start, stop)
        check_values(values, frame, positions, start, scale_min, scale_max)
        mask = ~np.isnan(values)
        if shift is None:
            # Range unknown: shift by this first chunk's means to keep the sums well conditioned.
            got = mask.sum(axis=0)
            shift = np.where(mask, values, 0.0).sum(axis=0) / np.maximum(got, 1)
        x = np.where(mask, values - shift, 0.0)
        m = mask.astype(np.float64)
        chunk_counts = m @ member
        counts[start:stop] = chunk_counts
        if sums is not None:
            sums[start:stop] = x @ signed
        answered += m.sum(axis=0)
        if pairwise is not None:
            pairwise.add(x, m)
        else:
            for s, idx in enumerate(index):
                complete = chunk_counts[:, s] == len(idx)
                listwise[s].add_complete(x[complete][:, idx])
    if shift is None:
        shift = np.zeros(n_items)
    moments: dict[str, ScaleMoments] = {}
    if pairwise is not None:
        cov_all, corr_all = pairwise.covariance(), pairwise.correlation()
        mean_all = pairwise.means(shift)
    for s, (key, idx, sign) in enumerate(zip(scales, index, signs, strict=True)):
        flip = np.outer(sign, sign)
        n_complete = int((counts[:, s] == len(idx)).sum())
        if pairwise is not None:
            cov = cov_all[np.ix_(idx, idx)] * flip
            corr = corr_all[np.ix_(idx, idx)] * flip
            mean = mean_all[idx]
            n = int((counts[:, s] > 0).sum())
        else:
            acc = listwise[s]
            cov = acc.covariance() * flip
            corr = cov2cor(cov)
            mean = acc.means(shift[idx])
            n = n_complete
        if known:
            mean = np.where(sign < 0, scale_min + scale_max - mean, mean)  # type: ignore[operator]
        with np.errstate(invalid="ignore"):
            sd = np.sqrt(np.diag(cov))
        moments[key.scale] = ScaleMoments(
            items=key.items,
            cov=cov,
            corr=corr,
            mean=mean,
            sd=sd,
            answered=answered[idx],
            n_rows=n_rows,
            n=n,
            n_complete=n_complete,
        )
    return ScaleScan(moments=moments, counts=counts, sums=sums, shift=midpoint if known else None)


def cov2cor(cov: np.ndarray) -> np.ndarray:
    """Rescale a covariance matrix to correlations (R's ``cov2cor``); NaN for zero variance."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 / np.sqrt(np.diag(cov))
        return cov * np.outer(scale, scale)

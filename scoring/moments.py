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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.keys import ScaleKey

__all__ = ["pairwise_correlation", "pairwise_covariance"]

try:  # pragma: no cover - depends on the environment
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run BLAS on one thread: the products here are skinny (items x many rows), which
    multi-threaded OpenBLAS splits badly, several times slower, worst on a busy machine."""
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


#: Rows per chunk: large enough for efficient matrix products, small enough to keep the
#: working copies (a few arrays of CHUNK_ROWS x items float64) to tens of megabytes.
CHUNK_ROWS = 32_768


@dataclass
class CrossProducts:
    """Running sums ``N, S, P, Q`` (see the module docstring) for ``k`` items.

    Examples
    --------
    >>> acc = CrossProducts(2)
    >>> x = np.array([[1.0, 2.0, 0.0], [1.0, 0.0, 3.0]])  # items x rows, 0 where missing
    >>> m = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    >>> acc.add(x, m)
    >>> acc.n
    array([[2., 1.],
           [1., 2.]])
    """

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
        """Add a chunk, item-major (items x rows): ``x`` shifted answers with zeros where
        missing, ``m`` the 0/1 answered mask."""
        self.n += m @ m.T
        self.s += x @ m.T
        self.p += x @ x.T
        self.q += (x * x) @ m.T

    def add_complete(self, x: np.ndarray) -> None:
        """Add a chunk without missing values (listwise samples), item-major."""
        rows = float(x.shape[1])
        col = x.sum(axis=1)
        self.n += rows
        self.s += col[:, None]
        self.p += x @ x.T
        self.q += (x * x).sum(axis=1)[:, None]

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
            # A variance that is zero up to rounding of the one-pass sums is zero (pandas'
            # two-pass sums give exactly zero there, and a correlation is undefined).
            ss[ss <= 1e-12 * np.abs(self.q)] = 0.0
            corr = num / np.sqrt(ss * ss.T)
        corr[(self.n < 2) | ~np.isfinite(corr)] = np.nan
        # Rounding can push |r| a hair above 1.
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
    """Raise a ValueError naming the first column of ``columns`` that is not numeric.

    Booleans count as not numeric: a True/False column is rarely a rating.

    Examples
    --------
    >>> numeric_columns(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), ["a", "b"], "data")
    Traceback (most recent call last):
    ...
    ValueError: column 'b' of data is not numeric (dtype ...); convert it, ...
    """
    for column in columns:
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise ValueError(
                f"column {column!r} of {what} is not numeric (dtype {dtype}); convert it, e.g. "
                f"data[{column!r}] = pd.to_numeric(data[{column!r}], errors='coerce') turns "
                "answers that are not numbers into missing values"
            )


def _chunk_values(frame: pd.DataFrame, positions: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the columns at ``positions`` as float64 with NaN for missing."""
    block = frame.iloc[start:stop, positions]
    return block.to_numpy(dtype=np.float64, na_value=np.nan)


def _check_values(
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
            # |x - midpoint| > half-range is one pass less than two comparisons; NaN is False.
            bad = np.abs(values - (scale_min + scale_max) / 2) > (scale_max - scale_min) / 2
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


def _cross_products(
    data: pd.DataFrame, shift: np.ndarray | None = None, chunk_rows: int = CHUNK_ROWS
) -> tuple[CrossProducts, np.ndarray]:
    """Accumulate :class:`CrossProducts` of every column of ``data`` and return the shift used.

    Without ``shift`` the data are shifted by the column means of the first chunk.
    """
    positions = np.arange(data.shape[1])
    acc = CrossProducts(data.shape[1])
    used = np.zeros(data.shape[1]) if shift is None else np.asarray(shift, dtype=np.float64)
    with _single_threaded_blas():
        for start in range(0, len(data), chunk_rows):
            stop = min(start + chunk_rows, len(data))
            values = _chunk_values(data, positions, start, stop)
            _check_values(values, data, positions, start, None, None)
            mask = ~np.isnan(values)
            if shift is None and start == 0:
                answered = mask.sum(axis=0)
                used = np.where(answered > 0, np.where(mask, values, 0.0).sum(axis=0), 0.0)
                used = used / np.maximum(answered, 1)
            x = np.where(mask, values - used, 0.0)
            acc.add(np.ascontiguousarray(x.T), np.ascontiguousarray(mask.T, dtype=np.float64))
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
    acc, _ = _cross_products(frame)
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
    acc, _ = _cross_products(frame)
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
    """The result of :func:`scan_scales`: moments and, with a known range, scores per scale."""

    moments: dict[str, ScaleMoments]
    scores: np.ndarray | None


def scan_scales(
    frame: pd.DataFrame,
    scales: Sequence[ScaleKey],
    *,
    scale_min: float | None,
    scale_max: float | None,
    missing: str,
    min_answered: Sequence[int] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ScaleScan:
    """One pass over ``frame`` for every scale at once.

    Returns per-scale :class:`ScaleMoments` and, when the response range is known, the scores
    (rows x scales): the mean keyed answer, NaN where a row answered fewer than
    ``min_answered[s]`` items (default 1). Per chunk a score is ``midpoint + sum / count`` with
    ``sum`` the signed sum of the answers minus the midpoint: reverse keying
    ``min + max - x`` is the sign flip ``-(x - midpoint)`` around the midpoint, which is why
    the data are shifted by the midpoint. Only per-scale totals of the counts are kept, so the
    extra memory is the scores plus one chunk.

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1.0, 2.0, 5.0, np.nan], "B": [2.0, 2.0, 4.0, 3.0]})
    >>> scan = scan_scales(df, [ScaleKey("s", ("A", "B"), frozenset({"A"}))],
    ...                    scale_min=1, scale_max=5, missing="pairwise")
    >>> scan.scores[:, 0].tolist()
    [3.5, 3.0, 2.5, 3.0]
    >>> scan.moments["s"].cov.round(3)
    array([[ 4.333, -2.333],
           [-2.333,  0.917]])
    """
    columns = list(dict.fromkeys(item for key in scales for item in key.items))
    positions = frame.columns.get_indexer(pd.Index(columns))
    where = {column: pos for pos, column in enumerate(columns)}
    n_scales, n_rows = len(scales), len(frame)
    # Every scale's items side by side (an item in two scales appears twice): each scale is
    # then a contiguous block of rows in the item-major chunk, and only within-scale
    # cross-products are formed, which is far less work than all items x all items.
    order = np.array([where[item] for key in scales for item in key.items])
    stops = np.cumsum([key.k for key in scales])
    blocks = [slice(int(stop) - key.k, int(stop)) for key, stop in zip(scales, stops, strict=True)]
    signs = [np.array(key.signs, dtype=np.float64) for key in scales]
    known = scale_min is not None and scale_max is not None
    midpoint = (scale_min + scale_max) / 2 if scale_min is not None and scale_max is not None else 0
    shift: np.ndarray | None = np.full(len(order), midpoint) if known else None
    scores = np.empty((n_scales, n_rows)) if known else None
    needed = np.ones(n_scales) if min_answered is None else np.asarray(min_answered, float)
    n_any = np.zeros(n_scales, dtype=np.int64)
    n_complete = np.zeros(n_scales, dtype=np.int64)
    answered = np.zeros(len(order))
    accs = [CrossProducts(key.k) for key in scales]
    with _single_threaded_blas():
        for start in range(0, n_rows, chunk_rows):
            stop = min(start + chunk_rows, n_rows)
            values = _chunk_values(frame, positions, start, stop)
            _check_values(values, frame, positions, start, scale_min, scale_max)
            x = values.T[order]  # an item-major copy
            missing_cells = np.isnan(x)
            if shift is None:
                # Range unknown: shift by the first chunk's means (keeps the sums well conditioned).
                got = x.shape[1] - missing_cells.sum(axis=1)
                shift = np.nansum(x, axis=1) / np.maximum(got, 1)
            x -= shift[:, None]
            x[missing_cells] = 0.0
            m = np.subtract(1.0, missing_cells, dtype=np.float64)
            answered += m.sum(axis=1)
            for s, (block, sign) in enumerate(zip(blocks, signs, strict=True)):
                xb, mb = x[block], m[block]
                chunk_counts = mb.sum(axis=0)
                n_any[s] += np.count_nonzero(chunk_counts)
                n_complete[s] += np.count_nonzero(chunk_counts == block.stop - block.start)
                if scores is not None:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        score = midpoint + (sign @ xb) / chunk_counts
                    score[chunk_counts < needed[s]] = np.nan
                    scores[s, start:stop] = score
                if missing == "pairwise":
                    accs[s].add(xb, mb)
                else:
                    accs[s].add_complete(xb[:, chunk_counts == block.stop - block.start])
    if shift is None:
        shift = np.zeros(len(order))
    moments: dict[str, ScaleMoments] = {}
    for s, (key, block, sign) in enumerate(zip(scales, blocks, signs, strict=True)):
        acc = accs[s]
        flip = np.outer(sign, sign)
        cov = acc.covariance() * flip
        if missing == "pairwise":
            corr = acc.correlation() * flip
            n = int(n_any[s])
        else:
            corr = cov2cor(cov)
            n = int(n_complete[s])
        mean = acc.means(shift[block])
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
            answered=answered[block],
            n_rows=n_rows,
            n=n,
            n_complete=int(n_complete[s]),
        )
    return ScaleScan(moments=moments, scores=None if scores is None else scores.T)


def cov2cor(cov: np.ndarray) -> np.ndarray:
    """Rescale a covariance matrix to correlations (R's ``cov2cor``); NaN for zero variance.

    Examples
    --------
    >>> cov2cor(np.array([[4.0, 2.0], [2.0, 9.0]])).round(4)
    array([[1.    , 0.3333],
           [0.3333, 1.    ]])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 / np.sqrt(np.diag(cov))
        return cov * np.outer(scale, scale)

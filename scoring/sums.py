"""Running sums over an instrument's responses: added, subtracted and kept between runs.

Every reliability statistic of :func:`scoring.instrument_scoring.score_instrument` and the
factor model of :func:`scoring.validity.instrument_cfa` depend on the responses only through
a few sums of products (see :mod:`scoring.moments`). :class:`InstrumentSums` holds them for
one instrument version:

* the pairwise sums ``N, S, P, Q`` of every item pair (what pairwise reliability needs);
* the sums over rows that answered every item (the listwise covariance the CFA fits);
* per scale, the rows that answered at least one and all of its items.

Sums of two sets of responses add up to the sums of their union, and subtracting a set's
sums removes it again. With whole-number answers shifted by the midpoint of their response
scale (a whole or half number), every product is a multiple of 1/4, which binary floating
point holds exactly: adding and subtracting responses one at a time gives the same bits as
summing them all at once, so stored sums never drift. That is what lets a database keep
them up to date at each submission and answer a cohort's reliability without reading its
answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.keys import ScaleKey
from scoring.moments import CrossProducts, ScaleMoments
from survey.instrument.model import Instrument

__all__ = ["InstrumentSums", "empty_sums", "response_sums"]

#: Names of the arrays of :meth:`InstrumentSums.arrays`, in a stable order.
ARRAY_NAMES = (
    "pair_n",
    "pair_s",
    "pair_p",
    "pair_q",
    "complete_s",
    "complete_p",
    "counts",
)


@dataclass
class InstrumentSums:
    """Sums over a set of responses to one instrument version (see the module docstring).

    Build it with :func:`response_sums`; combine with ``+`` and ``-``.

    Attributes
    ----------
    items : tuple of str
        The instrument's item ids, in its order.
    shift : numpy.ndarray
        Per item, the midpoint of its response scale, subtracted before summing.
    scales : tuple of ScaleKey
        The instrument's scales (items and reverse keying).
    rows : int
        Responses summed.
    complete : int
        Responses that answered every item.
    pair_n, pair_s, pair_p, pair_q : numpy.ndarray
        Items x items pairwise sums (:class:`scoring.moments.CrossProducts`).
    complete_s, complete_p : numpy.ndarray
        Sums and cross-products of the shifted answers over the complete responses.
    scale_any, scale_complete : numpy.ndarray
        Per scale, the responses that answered at least one and every item of it.
    """

    items: tuple[str, ...]
    shift: np.ndarray
    scales: tuple[ScaleKey, ...]
    rows: int = 0
    complete: int = 0
    # Empty until __post_init__ sizes them from the items and scales.
    pair_n: np.ndarray = field(default_factory=lambda: np.empty(0))
    pair_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    pair_p: np.ndarray = field(default_factory=lambda: np.empty(0))
    pair_q: np.ndarray = field(default_factory=lambda: np.empty(0))
    complete_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    complete_p: np.ndarray = field(default_factory=lambda: np.empty(0))
    scale_any: np.ndarray = field(default_factory=lambda: np.empty(0))
    scale_complete: np.ndarray = field(default_factory=lambda: np.empty(0))

    def _shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of each array field, from the numbers of items and scales."""
        k, s = len(self.items), len(self.scales)
        return {
            "pair_n": (k, k),
            "pair_s": (k, k),
            "pair_p": (k, k),
            "pair_q": (k, k),
            "complete_s": (k,),
            "complete_p": (k, k),
            "scale_any": (s,),
            "scale_complete": (s,),
        }

    def __post_init__(self) -> None:
        k, s = len(self.items), len(self.scales)
        for name, shape in self._shapes().items():
            value = getattr(self, name)
            if np.size(value) == 0:
                setattr(self, name, np.zeros(shape))
            elif np.shape(value) != shape:
                raise ValueError(
                    f"{name} has shape {np.shape(value)}, expected {shape} for "
                    f"{k} items and {s} scales"
                )

    # -- combining -------------------------------------------------------------------------
    def _check_same(self, other: object) -> InstrumentSums:
        if not isinstance(other, InstrumentSums):
            raise ValueError(f"can only combine InstrumentSums, got {type(other).__name__}")
        if other.items != self.items or not np.array_equal(other.shift, self.shift):
            raise ValueError(
                "these sums belong to different instrument versions (their items or response "
                "scales differ); combine sums of one version only"
            )
        return other

    def _combined(self, other: InstrumentSums, sign: float) -> InstrumentSums:
        return InstrumentSums(
            items=self.items,
            shift=self.shift,
            scales=self.scales,
            rows=self.rows + int(sign) * other.rows,
            complete=self.complete + int(sign) * other.complete,
            **{name: getattr(self, name) + sign * getattr(other, name) for name in self._shapes()},
        )

    def __add__(self, other: object) -> InstrumentSums:
        return self._combined(self._check_same(other), 1.0)

    def __sub__(self, other: object) -> InstrumentSums:
        other = self._check_same(other)
        if other.rows > self.rows:
            raise ValueError(
                f"cannot remove {other.rows} responses from sums over {self.rows}: the sums "
                "removed must have been added before"
            )
        return self._combined(other, -1.0)

    # -- storing ---------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """The sums as named float arrays (``counts`` holds rows, complete and the per-scale
        counts), for storage; :meth:`from_arrays` reads them back."""
        counts = np.concatenate(
            [[float(self.rows), float(self.complete)], self.scale_any, self.scale_complete]
        )
        return {
            "pair_n": self.pair_n,
            "pair_s": self.pair_s,
            "pair_p": self.pair_p,
            "pair_q": self.pair_q,
            "complete_s": self.complete_s,
            "complete_p": self.complete_p,
            "counts": counts,
        }

    @classmethod
    def from_arrays(cls, instrument: Instrument, arrays: dict[str, np.ndarray]) -> InstrumentSums:
        """Sums of ``instrument`` from :meth:`arrays` (``ValueError`` when they do not fit)."""
        return empty_sums(instrument)._filled(arrays, instrument.key)

    def to_bytes(self) -> bytes:
        """The arrays of :meth:`arrays` back to back, float64 little-endian (their shapes
        follow from the instrument version); :meth:`from_bytes` reads them back."""
        arrays = self.arrays()
        return b"".join(
            np.ascontiguousarray(arrays[name], dtype="<f8").tobytes() for name in ARRAY_NAMES
        )

    @classmethod
    def from_bytes(cls, instrument: Instrument, data: bytes) -> InstrumentSums:
        """Sums of ``instrument`` from :meth:`to_bytes` (``ValueError`` when they do not fit).

        Examples
        --------
        >>> from survey.instrument.examples import example_instrument
        >>> inst = example_instrument()
        >>> answers = pd.DataFrame([[5.0] * 9, [1.0] * 9], columns=inst.item_ids)
        >>> sums = response_sums(answers, inst)
        >>> back = InstrumentSums.from_bytes(inst, sums.to_bytes())
        >>> back.rows, bool(np.array_equal(back.pair_p, sums.pair_p))
        (2, True)
        """
        empty = empty_sums(instrument)
        shapes = {name: np.shape(array) for name, array in empty.arrays().items()}
        flat = np.frombuffer(data, dtype="<f8")
        expected = sum(int(np.prod(shape)) for shape in shapes.values())
        if flat.size != expected:
            raise ValueError(
                f"stored sums of {instrument.key} hold {flat.size} numbers, {expected} "
                "expected: rebuild them (Store.rebuild_totals())"
            )
        arrays, start = {}, 0
        for name in ARRAY_NAMES:
            size = int(np.prod(shapes[name]))
            arrays[name] = flat[start : start + size].reshape(shapes[name])
            start += size
        return empty._filled(arrays, instrument.key)

    def _filled(self, arrays: dict[str, np.ndarray], key: str) -> InstrumentSums:
        """These (empty) sums' layout with the values of :meth:`arrays`."""
        missing = [name for name in ARRAY_NAMES if name not in arrays]
        if missing:
            raise ValueError(f"stored sums lack the array(s) {missing}")
        s = len(self.scales)
        counts = np.asarray(arrays["counts"], dtype=float)
        if counts.shape != (2 + 2 * s,):
            raise ValueError(
                f"stored counts have shape {counts.shape}; {key} has {s} scales, "
                f"so {2 + 2 * s} counts are expected"
            )
        return InstrumentSums(
            items=self.items,
            shift=self.shift,
            scales=self.scales,
            rows=int(counts[0]),
            complete=int(counts[1]),
            pair_n=np.asarray(arrays["pair_n"], dtype=float),
            pair_s=np.asarray(arrays["pair_s"], dtype=float),
            pair_p=np.asarray(arrays["pair_p"], dtype=float),
            pair_q=np.asarray(arrays["pair_q"], dtype=float),
            complete_s=np.asarray(arrays["complete_s"], dtype=float),
            complete_p=np.asarray(arrays["complete_p"], dtype=float),
            scale_any=counts[2 : 2 + s],
            scale_complete=counts[2 + s :],
        )

    # -- statistics ------------------------------------------------------------------------
    def scale_moments(self) -> Iterator[ScaleMoments]:
        """Per scale, the pairwise :class:`~scoring.moments.ScaleMoments` (reverse-keyed
        items reversed), as :func:`scoring.moments.scan_scales` gives them for the data."""
        position = {item: i for i, item in enumerate(self.items)}
        for s, key in enumerate(self.scales):
            block = np.array([position[item] for item in key.items])
            grid = np.ix_(block, block)
            acc = CrossProducts(key.k)
            acc.n, acc.s = self.pair_n[grid].copy(), self.pair_s[grid].copy()
            acc.p, acc.q = self.pair_p[grid].copy(), self.pair_q[grid].copy()
            sign = np.array(key.signs, dtype=float)
            flip = np.outer(sign, sign)
            cov = acc.covariance() * flip
            shift = self.shift[block]
            mean = acc.means(shift)
            # Reversed around the midpoint: min + max - x = 2 * shift - x.
            mean = np.where(sign < 0, 2 * shift - mean, mean)
            with np.errstate(invalid="ignore"):
                sd = np.sqrt(np.diag(cov))
            yield ScaleMoments(
                items=key.items,
                cov=cov,
                corr=acc.correlation() * flip,
                mean=mean,
                sd=sd,
                answered=np.diag(acc.n).copy(),
                n_rows=self.rows,
                n=int(self.scale_any[s]),
                n_complete=int(self.scale_complete[s]),
            )

    def complete_covariance(self, *, reverse: bool = True, ddof: int = 1) -> pd.DataFrame:
        """Covariances of the items over the responses that answered every item (listwise),
        reverse-keyed items reversed unless ``reverse=False``; ``ddof=0`` divides by n (the
        maximum-likelihood estimate that semopy fits)."""
        n = self.complete
        if n - ddof <= 0:
            values = np.full((len(self.items), len(self.items)), np.nan)
        else:
            s = self.complete_s
            values = (self.complete_p - np.outer(s, s) / n) / (n - ddof)
        if reverse:
            reversed_items = {item for key in self.scales for item in key.reverse}
            sign = np.array([-1.0 if item in reversed_items else 1.0 for item in self.items])
            values = values * np.outer(sign, sign)
        return pd.DataFrame(values, index=list(self.items), columns=list(self.items))


def response_sums(responses: pd.DataFrame, instrument: Instrument) -> InstrumentSums:
    """The :class:`InstrumentSums` of a set of responses to one instrument version.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x item ids of ``instrument`` (other columns are ignored); NaN is a missing
        or "not applicable" answer.
    instrument : Instrument
        The version the responses were given under.

    Returns
    -------
    InstrumentSums

    Raises
    ------
    ValueError
        When a column is missing or not numeric, or an answer lies outside its item's
        response scale (the message names the column).

    Notes
    -----
    With :math:`x` an answer minus its scale's midpoint (0 where missing) and :math:`m` the
    0/1 answered mask, the pairwise sums are :math:`N = M^TM`, :math:`S = X^TM`,
    :math:`P = X^TX` and :math:`Q = (X \\circ X)^TM` (:mod:`scoring.moments`); the listwise
    sums are :math:`\\sum x` and :math:`\\sum x x^T` over the rows without a missing answer.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()  # scales a, b, c of three items each, answers 1..5
    >>> answers = pd.DataFrame({"A-1": [5, 2, 4], "A-2": [4, 2, 4], "A-3": [5, 1, None],
    ...                         "B-1": [3, 1, 2], "B-2": [3, 1, 2], "B-3": [3, 2, 2],
    ...                         "C-1": [1, 5, 4], "C-2": [2, 5, 4], "C-3": [None, 4, 4]})
    >>> whole = response_sums(answers, inst)
    >>> parts = response_sums(answers.iloc[:1], inst) + response_sums(answers.iloc[1:], inst)
    >>> whole.rows, whole.complete, bool(np.array_equal(whole.pair_p, parts.pair_p))
    (3, 1, True)
    >>> (whole - response_sums(answers.iloc[:1], inst)).rows
    2
    """
    from scoring.instrument_scoring import _check_columns, _scales_by_range

    _check_columns(responses, instrument.item_ids, instrument.key)
    sums = empty_sums(instrument)
    if len(responses) == 0:
        return sums
    items, shift, scales = sums.items, sums.shift, sums.scales
    values = _checked_values(responses, instrument, _scales_by_range(instrument))
    missing = np.isnan(values)
    x = values - shift
    x[missing] = 0.0
    m = (~missing).astype(float)
    xt, mt = x.T, m.T
    sums.pair_n = mt @ m
    sums.pair_s = xt @ m
    sums.pair_p = xt @ x
    sums.pair_q = (xt * xt) @ m
    complete = ~missing.any(axis=1)
    xc = x[complete]
    sums.complete_s = xc.sum(axis=0)
    sums.complete_p = xc.T @ xc
    sums.rows, sums.complete = len(values), int(complete.sum())
    position = {item: i for i, item in enumerate(items)}
    answered = np.empty((len(values), len(scales)))
    for s, key in enumerate(scales):
        answered[:, s] = m[:, [position[item] for item in key.items]].sum(axis=1)
    sums.scale_any = (answered > 0).sum(axis=0).astype(float)
    sums.scale_complete = (answered == np.array([key.k for key in scales])).sum(axis=0)
    sums.scale_complete = sums.scale_complete.astype(float)
    return sums


def empty_sums(instrument: Instrument) -> InstrumentSums:
    """The sums over no response: the instrument's items, their shifts and its scales.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> sums = empty_sums(example_instrument())
    >>> sums.rows, len(sums.items), sums.shift[:3].tolist()
    (0, 9, [3.0, 3.0, 3.0])
    """
    from scoring.instrument_scoring import _scales_by_range

    ranges = _scales_by_range(instrument)
    midpoint = {
        item.id: (ranges[scale.id][0] + ranges[scale.id][1]) / 2
        for scale in instrument.scales
        for item in scale.items
    }
    items = tuple(instrument.item_ids)
    scales = tuple(
        ScaleKey(
            scale.id,
            tuple(item.id for item in scale.items),
            frozenset(item.id for item in scale.items if item.reverse),
        )
        for scale in instrument.scales
    )
    return InstrumentSums(
        items=items, shift=np.array([midpoint[item] for item in items]), scales=scales
    )


def _checked_values(
    responses: pd.DataFrame, instrument: Instrument, ranges: dict[str, tuple[int, int]]
) -> np.ndarray:
    """The answers as floats (rows x items in the instrument's order), checked against their
    response scales."""
    frame = responses[instrument.item_ids]
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        for column in frame.columns:
            converted = pd.to_numeric(frame[column], errors="coerce")
            bad = frame[column].notna() & converted.isna()
            if bad.any():
                row = frame.index[bad][0]
                raise ValueError(
                    f"column {column!r} has a non-numeric value {frame.loc[row, column]!r} "
                    f"in row {row!r}; answers must be numbers on the item's response scale"
                ) from None
        raise
    for scale in instrument.scales:
        lo, hi = ranges[scale.id]
        for item in scale.items:
            answers = values[:, instrument.item_ids.index(item.id)]
            outside = ~np.isnan(answers) & ((answers < lo) | (answers > hi))
            if outside.any():
                row = frame.index[int(np.argmax(outside))]
                raise ValueError(
                    f"column {item.id!r} has {answers[outside][0]:g} in row {row!r}, outside "
                    f"its response scale {lo}..{hi}"
                )
    return values

"""Scoring responses the way an instrument file says: keys, ranges, the min-valid rule, indices.

:func:`score_instrument` derives everything :func:`scoring.items.score_items` needs from an
:class:`~survey.instrument.model.Instrument` and adds dimension scores and 0-100 indices.
:func:`score_versions` pools responses collected under several versions of one instrument, on
the items the versions declare comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.items import reliability_tables, score_items
from scoring.sums import InstrumentSums
from survey.instrument.model import Instrument, parse_version

__all__ = [
    "InstrumentReliability",
    "InstrumentScores",
    "comparable_items",
    "instrument_reliability",
    "score_instrument",
    "score_versions",
]


@dataclass(frozen=True)
class InstrumentScores:
    """Respondent-level results of scoring an instrument.

    Attributes
    ----------
    scores : pandas.DataFrame
        Respondents x scales: mean keyed answer (NaN below the min-valid share).
    dimension_scores : pandas.DataFrame
        Respondents x dimensions: mean of the respondent's scale scores in the dimension
        (NaN where the dimension's scales use different response ranges).
    index : pandas.DataFrame
        Respondents x scales: POMP index 0-100.
    dimension_index : pandas.DataFrame
        Respondents x dimensions: mean of the scale indices in the dimension.
    overall_index : pandas.Series
        Per respondent: mean of all scale indices.
    reliability, items, flags : pandas.DataFrame
        As :class:`scoring.items.ScoreResult`, for all scales.
    """

    scores: pd.DataFrame
    dimension_scores: pd.DataFrame
    index: pd.DataFrame
    dimension_index: pd.DataFrame
    overall_index: pd.Series
    reliability: pd.DataFrame
    items: pd.DataFrame
    flags: pd.DataFrame


def score_instrument(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    min_valid: float | None = None,
    missing: str = "pairwise",
    reliability: bool = True,
) -> InstrumentScores:
    """Score responses to an instrument: scale and dimension scores, 0-100 indices.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x item ids (other columns are ignored); NaN for an unanswered or "not
        applicable" item.
    instrument : Instrument
        The version the responses were given under.
    min_valid : float, optional
        Share of a scale's items a respondent must have answered for a score; default the
        instrument's ``scoring.min_valid_share``.
    missing : {"pairwise", "listwise"}
        Passed to :func:`scoring.items.score_items` for the reliability statistics.
    reliability : bool
        False skips the reliability and item statistics (scores and indices only, as
        :func:`scoring.items.score_items` with ``reliability=False``).

    Returns
    -------
    InstrumentScores

    Notes
    -----
    Keys come from :meth:`Instrument.keys` (reverse items scored ``min + max - x``), and each
    scale's range from its items' response scale; scales with different ranges are scored
    separately. For a respondent,

    * scale index :math:`= 100 (score - min) / (max - min)` (POMP);
    * dimension score = mean of the dimension's scale scores, dimension index = mean of its
      scale indices;
    * overall index = mean of all scale indices (every scale weighs the same, whatever its
      number of items or dimension).

    Missing scale scores are skipped in these means; a mean over no scale is NaN. A
    ``min_valid_share`` of 0 in the instrument means "at least one answered item".

    References
    ----------
    1. Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
       circumstance for POMP. Multivariate Behavioral Research, 34(3), 315-346.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()  # scales a, b (dimension "two"), c; items 1..5
    >>> answers = pd.DataFrame({"A-1": [5, 2], "A-2": [4, 2], "A-3": [5, 1],
    ...                         "B-1": [3, 1], "B-2": [3, 1], "B-3": [3, 2],
    ...                         "C-1": [1, 5], "C-2": [2, 5], "C-3": [None, 4]})
    >>> res = score_instrument(answers, inst)
    >>> res.index.round(1)
    scale     a     b     c
    0      91.7  50.0  12.5
    1      16.7   8.3  91.7
    >>> res.overall_index.round(2).tolist()
    [51.39, 38.89]
    """
    scales = _scales_by_range(instrument)
    _check_columns(responses, instrument.item_ids, instrument.key)
    share = instrument.scoring.min_valid_share if min_valid is None else min_valid
    keys = instrument.keys()
    return _score(responses, instrument, keys, scales, share, missing, reliability)


@dataclass(frozen=True)
class InstrumentReliability:
    """The reliability part of :class:`InstrumentScores`: ``reliability``, ``items`` and
    ``flags`` with the same rows and columns."""

    reliability: pd.DataFrame
    items: pd.DataFrame
    flags: pd.DataFrame


def instrument_reliability(sums: InstrumentSums) -> InstrumentReliability:
    """Reliability, item statistics and flags of every scale from stored response sums.

    Parameters
    ----------
    sums : scoring.sums.InstrumentSums
        Sums over the responses (:func:`scoring.sums.response_sums`, possibly added up over
        many submissions).

    Returns
    -------
    InstrumentReliability
        The ``reliability``, ``items`` and ``flags`` tables that :func:`score_instrument`
        gives for the same responses with pairwise deletion.

    Notes
    -----
    Every statistic of :func:`scoring.reliability.scale_reliability` is a function of the
    pairwise covariance and correlation matrices, the item means and the answered counts,
    which the sums hold (:meth:`scoring.sums.InstrumentSums.scale_moments`); the answers
    themselves are not needed.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> from scoring.sums import response_sums
    >>> inst = example_instrument()
    >>> rng = np.random.default_rng(0)
    >>> answers = pd.DataFrame(rng.integers(1, 6, size=(40, 9)).astype(float),
    ...                        columns=inst.item_ids)
    >>> from_sums = instrument_reliability(response_sums(answers, inst)).reliability
    >>> from_data = score_instrument(answers, inst).reliability
    >>> bool(np.allclose(from_sums["alpha"], from_data["alpha"]))
    True
    """
    moments = {
        key.scale: scale for key, scale in zip(sums.scales, sums.scale_moments(), strict=True)
    }
    table, items, flags = reliability_tables(moments)
    return InstrumentReliability(reliability=table, items=items, flags=flags)


def comparable_items(
    instruments: Sequence[Instrument],
) -> dict[str, dict[str, str | None]]:
    """For each older version, the current item each of its items stands for.

    Parameters
    ----------
    instruments : sequence of Instrument
        Versions of one instrument; the newest is the current one.

    Returns
    -------
    dict
        ``{version: {current item id: item id in that version, or None}}`` for every version
        (the current one maps each item to itself).

    Notes
    -----
    Mappings chain through ``comparability.previous_version`` from the newest version back;
    a version whose lineage passes through a version not given raises a ``ValueError`` (pass
    that version too, with no responses). A version without a ``comparability`` block
    declares no item comparable with earlier versions.

    References
    ----------
    1. Meade, A. W., & Wright, N. A. (2012). Solving the measurement invariance anchor item
       problem in item response theory. Journal of Applied Psychology, 97(5), 1016-1031.

    Examples
    --------
    See :func:`score_versions`.
    """
    ordered = _ordered_versions(instruments)
    current = ordered[-1]
    by_version = {inst.version: inst for inst in ordered}
    chain: dict[str, dict[str, str | None]] = {current.version: {i: i for i in current.item_ids}}
    walker = current
    mapping: dict[str, str | None] = {i: i for i in current.item_ids}
    while len(chain) < len(ordered):
        older = [v for v in by_version if v not in chain]
        if walker.comparability is None:
            for version in older:
                chain[version] = dict.fromkeys(current.item_ids)
            break
        previous = walker.comparability.previous_version
        if previous not in by_version:
            raise ValueError(
                f"{walker.key} declares comparability with version {previous}, which was not "
                f"given; pass {current.id}@{previous} too (with no responses) so that "
                f"version(s) {sorted(older, key=parse_version)} can be linked"
            )
        step = walker.comparability.items
        mapping = {
            cur: (step.get(old) if old is not None else None) for cur, old in mapping.items()
        }
        chain[previous] = dict(mapping)
        walker = by_version[previous]
    return chain


def score_versions(
    responses: Sequence[tuple[Instrument, pd.DataFrame]],
    *,
    comparable_only: bool = False,
    min_valid: float | None = None,
    missing: str = "pairwise",
) -> InstrumentScores:
    """Score responses given under several versions of one instrument together.

    Parameters
    ----------
    responses : sequence of (Instrument, DataFrame)
        Each version with the responses collected under it (respondents x that version's
        item ids). The newest version is the current one: results use its scales and ids.
    comparable_only : bool
        If false (default), a scale whose items are not all declared comparable across the
        versions raises a ``ValueError`` naming the items. If true, such a scale is scored on
        its comparable items only (the same subset for every respondent).
    min_valid : float, optional
        As in :func:`score_instrument`; default the current version's rule.
    missing : {"pairwise", "listwise"}
        As in :func:`score_instrument`.

    Returns
    -------
    InstrumentScores
        Rows indexed by ``(version, original row label)``.

    Notes
    -----
    Older columns are renamed to current ids through the chained comparability mappings
    (:func:`comparable_items`). If an older item was keyed the other way round from the
    current one, its answers are first turned round (``min + max - x``) so that they mean the
    same as the current item's. Items must keep their response range to be pooled. A scale
    left with fewer than 2 comparable items cannot be scored and raises a ``ValueError``.

    References
    ----------
    1. Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the measurement
       invariance literature. Organizational Research Methods, 3(1), 4-70.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> old = example_instrument()
    >>> data = old.model_dump()
    >>> data["version"] = "1.1.0"
    >>> data["scales"][0]["items"][2]["id"] = "A-3B"  # item A-3 reworded as A-3B
    >>> data["comparability"] = {"previous_version": "1.0.0", "items": {
    ...     i: i for i in ["A-1", "A-2", "B-1", "B-2", "B-3", "C-1", "C-2", "C-3"]}}
    >>> data["changelog"].append({"version": "1.1.0", "date": "2026-06-01",
    ...                           "changes": ["A-3 reworded"]})
    >>> new = Instrument.model_validate(data)
    >>> comparable_items([old, new])["1.0.0"]["A-3B"] is None
    True
    >>> old_answers = pd.DataFrame({i: [4] for i in old.item_ids})
    >>> new_answers = pd.DataFrame({i: [2] for i in new.item_ids})
    >>> score_versions([(old, old_answers), (new, new_answers)])
    Traceback (most recent call last):
    ...
    ValueError: scale 'a' cannot be pooled across versions: item(s) ['A-3B'] of 1.1.0 ...
    >>> res = score_versions([(old, old_answers), (new, new_answers)], comparable_only=True)
    >>> res.scores
    scale        a    b    c
    version
    1.0.0   0  4.0  4.0  4.0
    1.1.0   0  2.0  2.0  2.0
    """
    if not responses:
        raise ValueError("responses is empty: give (instrument, DataFrame) pairs")
    for pair in responses:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], Instrument)
            and isinstance(pair[1], pd.DataFrame)
        ):
            raise ValueError("responses must be a sequence of (Instrument, DataFrame) pairs")
    instruments = [inst for inst, _ in responses]
    chain = comparable_items(instruments)
    current = _ordered_versions(instruments)[-1]
    by_version = {inst.version: inst for inst in instruments}

    keys = {}
    for scale in current.scales:
        not_comparable: dict[str, list[str]] = {}
        for version, mapping in chain.items():
            lost = [item.id for item in scale.items if mapping[item.id] is None]
            if lost:
                not_comparable[version] = lost
        if not_comparable and not comparable_only:
            detail = "; ".join(
                f"item(s) {items} of {current.version} have no comparable item in {version}"
                for version, items in sorted(
                    not_comparable.items(), key=lambda kv: parse_version(kv[0])
                )
            )
            raise ValueError(
                f"scale {scale.id!r} cannot be pooled across versions: {detail}. Score the "
                "versions separately, or pass comparable_only=True to score the scale on its "
                "comparable items only"
            )
        dropped = {i for items in not_comparable.values() for i in items}
        kept = [
            ("-" if item.reverse else "") + item.id
            for item in scale.items
            if item.id not in dropped
        ]
        if len(kept) < 2:
            raise ValueError(
                f"scale {scale.id!r} keeps {len(kept)} comparable item(s) across versions "
                f"(not comparable: {sorted(dropped)}); at least 2 are needed to score it"
            )
        keys[scale.id] = kept

    used = [k.lstrip("-") for scale_keys in keys.values() for k in scale_keys]
    frames = {}
    for version in sorted(chain, key=parse_version):
        inst = by_version[version]
        data = next(frame for i, frame in responses if i.version == version)
        mapping = chain[version]
        _check_columns(data, [str(mapping[cur]) for cur in used], inst.key)
        pooled = {}
        for cur in used:
            old = str(mapping[cur])
            cur_scale, old_scale = current.scale_of_item(cur), inst.scale_of_item(old)
            cur_item = next(i for i in cur_scale.items if i.id == cur)
            old_item = next(i for i in old_scale.items if i.id == old)
            cur_rs = current.item_response_scale(cur_item, cur_scale)
            old_rs = inst.item_response_scale(old_item, old_scale)
            if (cur_rs.min, cur_rs.max) != (old_rs.min, old_rs.max):
                raise ValueError(
                    f"item {old!r} of {inst.version} uses {old_rs.min}..{old_rs.max} but its "
                    f"comparable item {cur!r} of {current.version} uses "
                    f"{cur_rs.min}..{cur_rs.max}: answers on different ranges cannot be pooled"
                )
            values = data[old]
            if old_item.reverse != cur_item.reverse:
                # The item was turned round between versions: align the answers' direction.
                values = old_rs.min + old_rs.max - pd.to_numeric(values, errors="coerce")
            pooled[cur] = values
        frames[version] = pd.DataFrame(pooled, index=data.index)
    combined = pd.concat(frames, names=["version", None])
    combined = combined.reindex(columns=current.item_ids)
    share = current.scoring.min_valid_share if min_valid is None else min_valid
    return _score(combined, current, keys, _scales_by_range(current), share, missing)


# -- helpers ------------------------------------------------------------------------------------


def _ordered_versions(instruments: Sequence[Instrument]) -> list[Instrument]:
    ids = sorted({inst.id for inst in instruments})
    if len(ids) != 1:
        raise ValueError(f"versions of one instrument are needed; got instruments {ids}")
    versions = [inst.version for inst in instruments]
    repeated = sorted({v for v in versions if versions.count(v) > 1})
    if repeated:
        raise ValueError(f"version(s) {repeated} given more than once: concatenate their rows")
    return sorted(instruments, key=lambda inst: parse_version(inst.version))


def _scales_by_range(instrument: Instrument) -> dict[str, tuple[int, int]]:
    ranges = {}
    for scale in instrument.scales:
        found = {
            item.id: (rs.min, rs.max)
            for item in scale.items
            for rs in [instrument.item_response_scale(item, scale)]
        }
        distinct = set(found.values())
        if len(distinct) > 1:
            raise ValueError(
                f"scale {scale.id!r} of {instrument.key} mixes response ranges "
                f"({ {k: f'{lo}..{hi}' for k, (lo, hi) in found.items()} }): a mean of its "
                "items would mix units; give its items one response scale"
            )
        ranges[scale.id] = distinct.pop()
    return ranges


def _check_columns(responses: pd.DataFrame, item_ids: Sequence[str], key: str) -> None:
    if not isinstance(responses, pd.DataFrame):
        raise ValueError("responses must be a DataFrame of respondents x item ids")
    missing = [i for i in item_ids if i not in responses.columns]
    if missing:
        raise ValueError(f"responses to {key} lack the item column(s) {missing}")


def _row_means(values: np.ndarray) -> np.ndarray:
    """Per row the mean of the values that are not NaN (NaN where none is), as
    :meth:`pandas.DataFrame.mean` with ``axis=1``."""
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    total = np.where(present, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _score(
    responses: pd.DataFrame,
    instrument: Instrument,
    keys: Mapping[str, list[str]],
    ranges: Mapping[str, tuple[int, int]],
    share: float,
    missing: str,
    reliability: bool = True,
) -> InstrumentScores:
    if not 0 <= share <= 1:
        raise ValueError(f"min_valid must be a share between 0 and 1 (got {share})")
    # score_items wants a share in (0, 1]; ceil(tiny * k) = 1 keeps "at least one answer".
    share = max(share, 1e-9)
    groups: dict[tuple[int, int], dict[str, list[str]]] = {}
    for scale_id, scale_keys in keys.items():
        groups.setdefault(ranges[scale_id], {})[scale_id] = list(scale_keys)
    results = [
        score_items(
            responses,
            group,
            scale_min=lo,
            scale_max=hi,
            min_valid=share,
            missing=missing,
            reliability=reliability,
        )
        for (lo, hi), group in groups.items()
    ]
    order = [s for s in keys]
    scores = pd.concat([r.scores for r in results], axis=1)[order]
    scores.columns.name = "scale"
    reliability_table = pd.concat([r.reliability for r in results]).loc[order]
    items = pd.concat([r.items for r in results])
    flags = pd.concat([r.flags for r in results], ignore_index=True)

    lo_s = pd.Series({s: ranges[s][0] for s in order}, dtype=float)
    hi_s = pd.Series({s: ranges[s][1] for s in order}, dtype=float)
    index = (100 * (scores - lo_s) / (hi_s - lo_s)).clip(0, 100)
    index.columns.name = "scale"

    # Row means that skip missing values, on arrays: pandas' per-call cost would dominate
    # when one response is scored at submission.
    score_values, index_values = scores.to_numpy(dtype=float), index.to_numpy(dtype=float)
    position = {scale_id: k for k, scale_id in enumerate(order)}
    dimension_ids = [dimension.id for dimension in instrument.dimensions]
    dim_scores = np.full((len(scores), len(dimension_ids)), np.nan)
    dim_index = np.full((len(scores), len(dimension_ids)), np.nan)
    for d, dimension in enumerate(instrument.dimensions):
        members = [position[s] for s in dimension.scales if s in position]
        if not members:
            continue
        dim_index[:, d] = _row_means(index_values[:, members])
        if len({ranges[order[k]] for k in members}) == 1:
            dim_scores[:, d] = _row_means(score_values[:, members])
    columns = pd.Index(dimension_ids, name="dimension")
    dimension_scores = pd.DataFrame(dim_scores, index=scores.index, columns=columns)
    dimension_index = pd.DataFrame(dim_index, index=scores.index, columns=columns.copy())
    overall = pd.Series(_row_means(index_values), index=scores.index, name="overall_index")
    return InstrumentScores(
        scores=scores,
        dimension_scores=dimension_scores,
        index=index,
        dimension_index=dimension_index,
        overall_index=overall,
        reliability=reliability_table,
        items=items,
        flags=flags,
    )

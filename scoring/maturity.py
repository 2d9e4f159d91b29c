"""From scale scores to a maturity profile: indices, stages, strengths, gaps, archetype, moves.

Scores on different response scales are made comparable as POMP indices (0-100,
:func:`index_scores`). An instrument defines its maturity stages as lower thresholds on that
index (:func:`stage_of`). :func:`profile` reads a firm's indices: its stage overall and per
dimension, its strongest and weakest scales, the capabilities that explain why a weak practice
stalls (the "cartwheel" links of ``Scale.supported_by``), the archetype of its dimension
profile, and the instrument's recommendations for its weakest scales at its stage
(:func:`recommendations`).

All narratives, names and recommendation texts come from the instrument file, in the language
asked for; this module holds no content.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from survey.instrument.model import Instrument, Stage

__all__ = [
    "Profile",
    "archetype",
    "index_scores",
    "profile",
    "recommendations",
    "stage_of",
]

#: Default spread (index points) under which a dimension profile counts as balanced.
BALANCE_MARGIN = 10.0
#: Default threshold under which a scale counts as weak: the midpoint of the 0-100 index.
WEAK_BELOW = 50.0

SCALE_COLUMNS = ["scale", "name", "dimension", "index"]
STAGE_COLUMNS = ["level", "name", "index", "stage", "stage_id", "stage_name", "narrative"]
CARTWHEEL_COLUMNS = ["scale", "index", "supported_by", "supporting_index", "supporting_weak"]
RECOMMENDATION_COLUMNS = ["scale", "index", "stage", "recommendation", "text"]


def index_scores(
    scores: pd.DataFrame | pd.Series | float,
    scale_min: float | Mapping[str, float],
    scale_max: float | Mapping[str, float],
) -> pd.DataFrame | pd.Series | float:
    """Percent of maximum possible (POMP) index, 0-100, of scores on a ``min..max`` scale.

    Parameters
    ----------
    scores : DataFrame, Series or float
        Scale scores (means of items on the response scale). Missing values stay missing.
    scale_min, scale_max : float or mapping
        Lowest and highest point of the response scale; for a DataFrame either one value for
        all columns or a mapping column -> value.

    Returns
    -------
    Same type as ``scores``
        :math:`100 (x - min) / (max - min)`.

    Notes
    -----
    A score outside ``min..max`` raises a ``ValueError`` (it cannot come from the scale).

    References
    ----------
    1. Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
       circumstance for POMP. Multivariate Behavioral Research, 34(3), 315-346.

    Examples
    --------
    >>> index_scores(4.0, 1, 5)
    75.0
    >>> import pandas as pd
    >>> index_scores(pd.Series([1.0, 2.5, None]), 1, 7).round(1).tolist()
    [0.0, 25.0, nan]
    """
    if isinstance(scores, pd.DataFrame):
        out = {}
        for column in scores.columns:
            for bound, given in (("scale_min", scale_min), ("scale_max", scale_max)):
                if isinstance(given, Mapping) and column not in given:
                    raise ValueError(f"{bound} has no value for column {column!r}")
            lo = scale_min[column] if isinstance(scale_min, Mapping) else scale_min
            hi = scale_max[column] if isinstance(scale_max, Mapping) else scale_max
            out[column] = _pomp(scores[column], lo, hi, str(column))
        return pd.DataFrame(out, index=scores.index)
    if isinstance(scale_min, Mapping) or isinstance(scale_max, Mapping):
        raise ValueError("per-column scale_min / scale_max need a DataFrame of scores")
    if isinstance(scores, pd.Series):
        return _pomp(scores, scale_min, scale_max, str(scores.name or "scores"))
    return float(_pomp(pd.Series([scores], dtype=float), scale_min, scale_max, "score").iloc[0])


def _pomp(values: pd.Series, lo: float, hi: float, name: str) -> pd.Series:
    if not hi > lo:
        raise ValueError(f"scale_max ({hi}) must be greater than scale_min ({lo}) for {name!r}")
    x = pd.to_numeric(values, errors="coerce")
    if (values.notna() & x.isna()).any():
        raise ValueError(f"{name!r} holds non-numeric scores")
    # A tiny tolerance: means of reverse-keyed items may carry floating-point noise.
    eps = 1e-9 * (hi - lo)
    outside = x.notna() & ((x < lo - eps) | (x > hi + eps))
    if outside.any():
        row = x.index[outside][0]
        raise ValueError(
            f"{name!r} has the score {x.loc[row]:g} in row {row!r}, outside the scale {lo}..{hi}"
        )
    return (100 * (x - lo) / (hi - lo)).clip(0, 100).astype(float)


def stage_of(index: float, stages: Sequence[Stage]) -> Stage | None:
    """The maturity stage an index falls in: the stage with the highest ``min_index`` <= index.

    Parameters
    ----------
    index : float
        A 0-100 index.
    stages : sequence of Stage
        The instrument's stages (``instrument.stages``); each holds from its ``min_index`` up
        to the next stage's.

    Returns
    -------
    Stage or None
        ``None`` for a missing index (NaN) or an index below every threshold.

    Notes
    -----
    Thresholds are lower bounds: an index exactly on a threshold belongs to the higher stage.

    References
    ----------
    1. Paulk, M. C., Curtis, B., Chrissis, M. B., & Weber, C. V. (1993). Capability maturity
       model, version 1.1. IEEE Software, 10(4), 18-27.

    Examples
    --------
    >>> from survey.instrument.model import Stage
    >>> stages = [Stage(stage=n, id=f"s{n}", name={"en": f"S{n}"}, min_index=t,
    ...                 narrative={"en": "."}) for n, t in [(1, 0), (2, 40), (3, 70)]]
    >>> stage_of(39.9, stages).stage, stage_of(40.0, stages).stage, stage_of(95, stages).stage
    (1, 2, 3)
    >>> stage_of(float("nan"), stages) is None
    True
    """
    if not stages:
        raise ValueError("stages is empty: the instrument defines no maturity stages")
    if index is None or (isinstance(index, float) and math.isnan(index)):
        return None
    value = float(index)
    if not -1e-9 <= value <= 100 + 1e-9:
        raise ValueError(f"index must be within 0..100 (got {value:g})")
    found: Stage | None = None
    for stage in sorted(stages, key=lambda s: s.min_index):
        if value >= stage.min_index:
            found = stage
    return found


def archetype(
    dimension_index: Mapping[str, float], *, balance_margin: float = BALANCE_MARGIN
) -> str | None:
    """The archetype of a dimension profile: ``"<dimension>-led"`` or ``"balanced"``.

    Parameters
    ----------
    dimension_index : mapping
        Dimension id -> 0-100 index, in the instrument's dimension order. Missing (NaN)
        dimensions are left out.
    balance_margin : float
        Spread (highest minus lowest index) below which the profile is ``"balanced"``
        (default 10 index points).

    Returns
    -------
    str or None
        ``"balanced"`` when max - min < ``balance_margin``; otherwise ``"<id>-led"`` for the
        dimension with the highest index (the first in order on a tie). ``None`` with fewer
        than two dimensions with an index.

    Notes
    -----
    For the co-creation practices this yields linking-led, materializing-led,
    institutionalizing-led or balanced. The rule is stated in ``docs/scoring.md``.

    References
    ----------
    1. Frow, P., Nenonen, S., Payne, A., & Storbacka, K. (2015). Managing co-creation design:
       a strategic approach to innovation. British Journal of Management, 26(3), 463-483.

    Examples
    --------
    >>> archetype({"linking": 72, "materializing": 55, "institutionalizing": 40})
    'linking-led'
    >>> archetype({"linking": 52, "materializing": 55, "institutionalizing": 48})
    'balanced'
    """
    if balance_margin < 0:
        raise ValueError(f"balance_margin must be >= 0 (got {balance_margin})")
    known = {k: float(v) for k, v in dimension_index.items() if not _missing(v)}
    if len(known) < 2:
        return None
    values = list(known.values())
    if max(values) - min(values) < balance_margin:
        return "balanced"
    leader = max(known, key=lambda k: known[k])  # max keeps the first on a tie
    return f"{leader}-led"


def recommendations(
    scale_index: Mapping[str, float] | pd.Series,
    instrument: Instrument,
    *,
    stage: int | None = None,
    n_scales: int = 3,
    language: str | None = None,
) -> pd.DataFrame:
    """The instrument's recommendations for a firm's weakest scales at its stage.

    Parameters
    ----------
    scale_index : mapping or Series
        Scale id -> 0-100 index of the firm on ``instrument``.
    instrument : Instrument
        Holds the recommendations (scale, stages, text).
    stage : int, optional
        The firm's stage number; default: the stage of its overall index (mean of the scale
        indices).
    n_scales : int
        How many of the weakest scales to recommend for (default 3).
    language : str, optional
        Language of the texts; default the instrument's first language.

    Returns
    -------
    pandas.DataFrame
        Columns ``scale``, ``index``, ``stage``, ``recommendation`` (id), ``text``; weakest
        scale first, recommendations in file order. Empty when the instrument has none for
        those scales at that stage.

    Notes
    -----
    The weakest scales are the ``n_scales`` with the lowest index (ties in instrument order);
    scales without an index are skipped. A recommendation applies when its ``scale`` is one of
    them and its ``stages`` include ``stage``.

    References
    ----------
    1. Ranjan, K. R., & Read, S. (2016). Value co-creation: concept and measurement. Journal of
       the Academy of Marketing Science, 44(3), 290-315.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> recommendations({"a": 30, "b": 80, "c": 45}, inst, n_scales=1)
       scale  index  stage recommendation              text
    0      a   30.0      2          a-low  Start with A.
    """
    _check_language(instrument, language)
    indices = _scale_series(scale_index, instrument)
    if stage is None:
        found = stage_of(_mean(indices), instrument.stages)
        stage = found.stage if found is not None else None
    if n_scales < 1:
        raise ValueError(f"n_scales must be at least 1 (got {n_scales})")
    weakest = _ranked(indices, ascending=True)[:n_scales]
    rows = []
    for scale_id in weakest:
        for rec in instrument.recommendations:
            if rec.scale == scale_id and stage is not None and stage in rec.stages:
                rows.append(
                    {
                        "scale": scale_id,
                        "index": float(indices[scale_id]),
                        "stage": stage,
                        "recommendation": rec.id,
                        "text": instrument.text(rec.text, language),
                    }
                )
    return pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)


@dataclass(frozen=True)
class Profile:
    """A firm's maturity profile on one instrument.

    ``overall_index``: mean of the scale indices. ``stages``: the stage overall (first row,
    ``level == "overall"``) and per dimension, with the stage's name and narrative from the
    instrument. ``strengths`` / ``gaps``: the highest / lowest scales. ``cartwheel``: for each
    weak scale, its ``supported_by`` scales and whether each is weak. ``archetype``: see
    :func:`archetype`. ``recommendations``: see :func:`recommendations`.
    """

    overall_index: float
    stage: int | None
    stages: pd.DataFrame
    strengths: pd.DataFrame
    gaps: pd.DataFrame
    cartwheel: pd.DataFrame
    archetype: str | None
    recommendations: pd.DataFrame


def profile(
    scale_index: Mapping[str, float] | pd.Series,
    instrument: Instrument,
    *,
    linked_index: Mapping[str, float] | None = None,
    n_strengths: int = 3,
    n_gaps: int = 3,
    weak_below: float = WEAK_BELOW,
    balance_margin: float = BALANCE_MARGIN,
    archetype_dimensions: Sequence[str] | None = None,
    language: str | None = None,
) -> Profile:
    """Read a firm's 0-100 scale indices on an instrument as a maturity profile.

    Parameters
    ----------
    scale_index : mapping or Series
        Scale id -> the firm's 0-100 index (e.g. an organisation's mean POMP index). Every
        key must be a scale of ``instrument``; scales left out count as missing.
    instrument : Instrument
        Stages, dimensions, links and recommendations come from it.
    linked_index : mapping, optional
        ``"instrument-id/scale-id"`` -> index, for the scales that ``supported_by`` points at
        (typically the firm's capability indices). The firm's own scales on ``instrument`` are
        available under their ``"<instrument.id>/<scale>"`` name without being passed.
    n_strengths, n_gaps : int
        How many highest and lowest scales to list (default 3 each).
    weak_below : float
        A scale (or a supporting scale) is weak when its index is below this (default 50, the
        middle of the index).
    balance_margin : float
        Passed to :func:`archetype`.
    archetype_dimensions : sequence of str, optional
        The dimensions the archetype is read from (default: the instrument's dimensions with
        ``archetype: true``, which is every dimension unless the file says otherwise; the
        practices' ``orchestrating`` runs across the others and says ``archetype: false``).
    language : str, optional
        Language of names and narratives; default the instrument's first language.

    Returns
    -------
    Profile

    Notes
    -----
    Dimension indices are the mean of their scales' indices (missing scales skipped), the
    overall index the mean of all scale indices; each is placed on a stage with
    :func:`stage_of`. The cartwheel lists, for every weak scale with links, each linked scale
    with its index (NaN when not given) and ``supporting_weak`` (``<NA>`` when unknown).
    Recommendations are for the ``n_gaps`` weakest scales at the overall stage.

    References
    ----------
    1. Karpen, I. O., Bove, L. L., & Lukas, B. A. (2012). Linking service-dominant logic and
       strategic business practice: a conceptual model of a service-dominant orientation.
       Journal of Service Research, 15(1), 21-38.

    Examples
    --------
    >>> from survey.instrument.examples import example_instrument
    >>> inst = example_instrument()
    >>> p = profile({"a": 30, "b": 80, "c": 45}, inst, linked_index={"caps/trust": 20})
    >>> round(p.overall_index, 2), p.stage, p.archetype
    (51.67, 2, 'two-led')
    >>> p.stages[["level", "index", "stage", "stage_name"]]
         level      index  stage stage_name
    0  overall  51.666667      2       Some
    1      one  37.500000      1     Little
    2      two  80.000000      3       Much
    >>> p.cartwheel
      scale  index supported_by  supporting_index  supporting_weak
    0     a   30.0   caps/trust              20.0             True
    1     a   30.0      demo/b              80.0            False
    """
    _check_language(instrument, language)
    if n_strengths < 0 or n_gaps < 0:
        raise ValueError("n_strengths and n_gaps must be >= 0")
    indices = _scale_series(scale_index, instrument)
    overall = _mean(indices)

    dimension_index = {
        dimension.id: _mean(indices[[s for s in dimension.scales if s in indices.index]])
        for dimension in instrument.dimensions
    }
    stage_rows = [
        _stage_row(
            "overall", instrument.text(instrument.title, language), overall, instrument, language
        )
    ]
    for dimension in instrument.dimensions:
        stage_rows.append(
            _stage_row(
                dimension.id,
                instrument.text(dimension.name, language),
                dimension_index[dimension.id],
                instrument,
                language,
            )
        )
    stages = pd.DataFrame(stage_rows, columns=STAGE_COLUMNS).astype({"stage": "Int64"})
    overall_stage = stage_of(overall, instrument.stages)

    def scale_table(order: list[str]) -> pd.DataFrame:
        rows = []
        for scale_id in order:
            dimension = instrument.dimension_of_scale(scale_id)
            rows.append(
                {
                    "scale": scale_id,
                    "name": instrument.text(instrument.scale(scale_id).name, language),
                    "dimension": dimension.id if dimension is not None else None,
                    "index": float(indices[scale_id]),
                }
            )
        return pd.DataFrame(rows, columns=SCALE_COLUMNS)

    strengths = scale_table(_ranked(indices, ascending=False)[:n_strengths])
    gaps = scale_table(_ranked(indices, ascending=True)[:n_gaps])

    linked = {f"{instrument.id}/{s}": float(v) for s, v in indices.items()}
    linked.update({k: float(v) for k, v in (linked_index or {}).items()})
    cartwheel_rows = []
    for scale in instrument.scales:
        value = indices.get(scale.id, np.nan)
        if _missing(value) or value >= weak_below:
            continue
        for link in scale.supported_by:
            support = linked.get(link, np.nan)
            cartwheel_rows.append(
                {
                    "scale": scale.id,
                    "index": float(value),
                    "supported_by": link,
                    "supporting_index": support,
                    "supporting_weak": pd.NA if _missing(support) else bool(support < weak_below),
                }
            )
    cartwheel = pd.DataFrame(cartwheel_rows, columns=CARTWHEEL_COLUMNS).astype(
        {"supporting_index": float, "supporting_weak": "boolean"}
    )

    recs = recommendations(
        indices,
        instrument,
        stage=overall_stage.stage if overall_stage is not None else None,
        n_scales=max(n_gaps, 1),
        language=language,
    )
    if archetype_dimensions is None:
        # Content decides which dimensions make an archetype (Dimension.archetype in the file).
        counted = {d.id for d in instrument.dimensions if d.archetype}
        archetype_input = {d: v for d, v in dimension_index.items() if d in counted}
    else:
        unknown = [d for d in archetype_dimensions if d not in dimension_index]
        if unknown:
            raise ValueError(
                f"{instrument.key} has no dimension(s) {unknown}; its dimensions are "
                f"{list(dimension_index)}"
            )
        archetype_input = {
            d: dimension_index[d] for d in dimension_index if d in archetype_dimensions
        }
    return Profile(
        overall_index=overall,
        stage=overall_stage.stage if overall_stage is not None else None,
        stages=stages,
        strengths=strengths,
        gaps=gaps,
        cartwheel=cartwheel,
        archetype=archetype(archetype_input, balance_margin=balance_margin),
        recommendations=recs,
    )


# -- helpers ------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _mean(values: pd.Series) -> float:
    clean = pd.to_numeric(values, errors="coerce").dropna()
    return float(clean.mean()) if len(clean) else float("nan")


def _ranked(indices: pd.Series, *, ascending: bool) -> list[str]:
    clean = indices.dropna()
    # A stable sort keeps the instrument's order among equal indices.
    return list(clean.sort_values(ascending=ascending, kind="mergesort").index)


def _scale_series(
    scale_index: Mapping[str, float] | pd.Series, instrument: Instrument
) -> pd.Series:
    given = pd.Series(scale_index, dtype=object)
    known = [scale.id for scale in instrument.scales]
    unknown = [str(k) for k in given.index if k not in known]
    if unknown:
        raise ValueError(f"{instrument.key} has no scale(s) {unknown}; its scales are {known}")
    values = pd.to_numeric(given.reindex(known), errors="coerce").astype(float)
    outside = values.notna() & ((values < 0) | (values > 100))
    if outside.any():
        name = values.index[outside][0]
        raise ValueError(
            f"index of scale {name!r} is {values[name]:g}; indices run from 0 to 100 "
            "(use index_scores on mean scores first)"
        )
    return values


def _stage_row(
    level: str, name: str, index: float, instrument: Instrument, language: str | None
) -> dict[str, object]:
    stage = stage_of(index, instrument.stages)
    return {
        "level": level,
        "name": name,
        "index": index,
        "stage": stage.stage if stage is not None else pd.NA,
        "stage_id": stage.id if stage is not None else None,
        "stage_name": instrument.text(stage.name, language) if stage is not None else None,
        "narrative": instrument.text(stage.narrative, language) if stage is not None else None,
    }


def _check_language(instrument: Instrument, language: str | None) -> None:
    if language is not None and language not in instrument.languages:
        raise ValueError(
            f"{instrument.key} has no texts in {language!r}; its languages are "
            f"{instrument.languages}"
        )

"""A firm's results: the view model behind the app's Results page and the firm report.

:func:`firm_results` reads one organisation's campaign from the store and computes, per
instrument version the campaign pinned, everything the page and the report show: scale scores
and 0-100 indices, stage and narrative, dimension stages, strengths and gaps, recommendations,
agreement per scale with low-agreement warnings, the self view against the customers' (or
partners') view, the change since the previous campaign with the reliable change index, and the
position in the cohort. All statistics come from :mod:`scoring`; all texts from the instrument
files and :mod:`survey.i18n.report_text`. The charts both the page and the report
draw are built from these results by :mod:`survey.presentation.results_charts`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from scoring.agreement import MIN_RWG, rwg_j
from scoring.benchmark import benchmark, reliable_change, view_gap
from scoring.instrument_scoring import InstrumentScores, instrument_reliability, score_instrument
from scoring.maturity import profile, stage_of
from survey import settings
from survey.ingest.table import ResponseTable
from survey.instrument.model import Instrument, parse_version
from survey.instrument.registry import Registry, check_pinned

if TYPE_CHECKING:
    from survey.storage.records import Campaign
    from survey.storage.store import Store

#: Sides compared with the firm's own view, in order of preference.
OTHER_SIDES = ("customer", "partner")


@dataclass
class InstrumentResults:
    """A firm's results on one instrument version.

    ``scales`` has one row per scale: ``scale``, ``name``, ``dimension``, ``dimension_name``,
    ``n`` (own respondents with a score), ``score`` (mean on the response scale), ``sd``,
    ``index`` (mean 0-100 index), ``rwg_j`` and ``agreement_low``. The other tables are those of
    :func:`scoring.maturity.profile` (``stages``, ``strengths``, ``gaps``, ``recommendations``,
    ``cartwheel``), :func:`scoring.benchmark.view_gap` (``view_gap``),
    :func:`scoring.benchmark.reliable_change` (``change``) and
    :func:`scoring.benchmark.benchmark` (``benchmark``), each with a ``name`` column added.
    """

    instrument: Instrument
    title: str
    chart_kind: str  # "radar", "dimension_bars" or "score_bars"
    n_self: int
    scales: pd.DataFrame
    overall_index: float
    stage: int | None
    stage_name: str
    narrative: str
    stages: pd.DataFrame
    strengths: pd.DataFrame
    gaps: pd.DataFrame
    recommendations: pd.DataFrame
    cartwheel: pd.DataFrame
    archetype: str | None
    low_agreement: list[str]
    other_side: str | None = None
    view_gap: pd.DataFrame | None = None
    other_index: pd.Series | None = None
    change: pd.DataFrame | None = None
    benchmark: pd.DataFrame | None = None
    cohort_overall: pd.Series | None = None
    cohort_size: int = 0

    @property
    def thresholds(self) -> pd.DataFrame:
        """Stage thresholds for charts: ``min_index``, ``stage_name``."""
        language = self.scales.attrs.get("language")
        return pd.DataFrame(
            {
                "min_index": [s.min_index for s in self.instrument.stages],
                "stage_name": [
                    self.instrument.text(s.name, language) for s in self.instrument.stages
                ],
            }
        )


@dataclass
class FirmResults:
    """One organisation's results in one campaign, ready to show."""

    organisation: str
    organisation_id: int
    campaign: str
    campaign_id: int
    language: str
    respondents: pd.DataFrame  # side, role, count
    sections: list[InstrumentResults]
    min_cohort: int  # the smallest cohort the benchmark used (survey.settings.min_cohort)
    previous_campaign: str | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def instrument_keys(self) -> list[str]:
        return [section.instrument.key for section in self.sections]


# ---------------------------------------------------------------------------------------------
# Reading the store
# ---------------------------------------------------------------------------------------------
def _pick_campaign(
    store: Store, campaigns: list[Campaign], wanted: int | str | None, organisation: str
) -> Campaign:
    if not campaigns:
        raise ValueError(
            f"organisation {organisation!r} has no campaign yet; create one and collect "
            "responses before asking for results"
        )
    if wanted is None:
        # The latest campaign the firm's own people answered; a campaign just opened would
        # otherwise hide the results of the previous one.
        for campaign in reversed(campaigns):
            if len(store.responses(campaign_id=campaign.id, side="self")):
                return campaign
        return campaigns[-1]
    for campaign in campaigns:
        if str(campaign.id) == str(wanted) or campaign.name == str(wanted):
            return campaign
    names = ", ".join(repr(c.name) for c in campaigns)
    raise ValueError(
        f"organisation {organisation!r} has no campaign {wanted!r}; its campaigns: {names}"
    )


def _self_rows(table: ResponseTable, instrument: Instrument, side: str = "self") -> pd.Index:
    who = table.respondents
    mask = (who["instrument"] == instrument.id) & (who["version"] == instrument.version)
    return who.index[mask & (who["side"] == side)]


def _answers(table: ResponseTable, rows: pd.Index, instrument: Instrument) -> pd.DataFrame:
    return table.answers.loc[rows, instrument.item_ids].astype(float)


def check_response_pins(registry: Registry, table: ResponseTable) -> None:
    """Refuse a response table whose responses were given under other instrument content.

    Every response records the content hash its campaign pinned; each (instrument version,
    hash) pair of ``table`` goes through :func:`survey.instrument.registry.check_pinned`, the
    check exports make, so results are never shown with texts, scales or stages the
    respondents did not see.

    Parameters
    ----------
    registry : survey.instrument.registry.Registry
        The instruments the results are computed with.
    table : survey.ingest.table.ResponseTable
        Stored responses (:meth:`survey.storage.Store.responses`).

    Raises
    ------
    survey.instrument.registry.PinnedContentChanged
        When a version's file no longer has the pinned hash (the message names the version,
        both hashes and the fix).
    """
    who = table.respondents
    if who.empty or "sha256" not in who.columns:
        return
    rows = who.dropna(subset=["sha256"])
    pinned = Counter(
        zip(
            rows["instrument"].astype(str),
            rows["version"].astype(str),
            rows["sha256"].astype(str),
            strict=True,
        )
    )
    for (instrument_id, version, sha256), count in sorted(pinned.items()):
        check_pinned(registry, f"{instrument_id}@{version}", sha256, responses=count)


def _is_capability_instrument(instrument: Instrument, registry: Registry) -> bool:
    """Whether other instruments' scales name this one's scales as their support (cartwheel)."""
    prefix = f"{instrument.id}/"
    return any(
        link.startswith(prefix)
        for other in registry.latest()
        for scale in other.scales
        for link in scale.supported_by
    )


def _linked_name(registry: Registry, link: str, language: str) -> str:
    """The name of a linked scale ``instrument-id/scale-id`` in its newest version."""
    instrument_id, _, scale_id = link.partition("/")
    try:
        instrument = registry.get(instrument_id)
        return instrument.text(instrument.scale(scale_id).name, language)
    except (KeyError, ValueError):
        return link


def _chart_kind(instrument: Instrument, registry: Registry) -> str:
    if len(instrument.scales) >= 3 and _is_capability_instrument(instrument, registry):
        return "radar"
    if len(instrument.dimensions) >= 2 and any(s.supported_by for s in instrument.scales):
        return "dimension_bars"
    return "score_bars"


def _cohort(store: Store, instrument: Instrument) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every organisation's mean self index per scale in its latest campaign on this version,
    and per scale the n, mean and SD of those respondents' indices, from the scores stored at
    submission (one grouped query)."""
    result: tuple[pd.DataFrame, pd.DataFrame] = store.cohort_summary(instrument)
    return result


def _cohort_alpha(store: Store, instrument: Instrument) -> pd.Series:
    """Cronbach's alpha per scale over every submitted response to this version from the
    firms' own people, from the running sums kept at submission (no answers are read)."""
    sums = store.instrument_sums(instrument)
    if sums.rows == 0:
        return pd.Series(dtype=float)
    alpha = instrument_reliability(sums).reliability["alpha"]
    alpha.index = [str(s) for s in alpha.index]
    return alpha


def firm_results(
    store: Store,
    organisation: int | str,
    campaign: int | str | None = None,
    language: str = "en",
    *,
    min_cohort: int | None = None,
    only: Collection[str] | None = None,
    compare: bool = True,
) -> FirmResults:
    """Compute an organisation's results in one campaign.

    Parameters
    ----------
    store : survey.storage.Store
        Where responses are read from.
    organisation : int or str
        Organisation id or name.
    campaign : int or str, optional
        Campaign id or name; default the organisation's latest campaign with submitted
        responses from its own people (else its latest campaign).
    language : str
        Language of names, narratives and recommendations.
    min_cohort : int, optional
        Smallest cohort for the benchmark; default the ``min_cohort`` setting
        (:func:`survey.settings.min_cohort`, never below 3).
    only : collection of str, optional
        Instrument keys (``id@version``) to make sections for; default every instrument of
        the campaign. The instruments their scales name as support (``supported_by``) are
        scored too, for the cartwheel.
    compare : bool
        False leaves out what needs other data than the campaign's own (the benchmark
        against the cohort and the change since the previous campaign): an overview then
        costs the scoring of the firm's own responses only.

    Returns
    -------
    FirmResults

    Raises
    ------
    survey.instrument.registry.PinnedContentChanged
        When an instrument file no longer has the content hash the campaign's (or the
        previous campaign's) responses were given under (:func:`check_response_pins`).

    Notes
    -----
    Only the firm's own respondents (side ``self``) make its scores; customers' and partners'
    answers feed the view gap (Welch's t on the respondents' indices). The organisation's
    index on a scale is the mean of its respondents' 0-100 indices. The change since the
    previous campaign compares scales with the same id (indices are comparable across
    versions); its reliable change index uses the SD of respondents' indices in the cohort and
    the scale's Cronbach alpha over every submitted response to the version from firms' own
    people, the norm sample the Research page reports (Jacobson & Truax), which is
    conservative for a mean of several respondents. The benchmark compares the organisation
    with the other organisations' latest campaigns on the same instrument version, when at
    least ``min_cohort`` of them exist.
    """
    cohort_floor = int(min_cohort if min_cohort is not None else settings.min_cohort())
    org = store.organisation(organisation)
    campaigns = sorted(store.campaigns(org.id), key=lambda c: (c.created_at, c.id))
    chosen = _pick_campaign(store, campaigns, campaign, org.name)
    earlier = [c for c in campaigns if (c.created_at, c.id) < (chosen.created_at, chosen.id)]
    table = store.responses(campaign_id=chosen.id)
    registry: Registry = store.registry
    check_response_pins(registry, table)
    instruments = [store.instrument(ref) for ref in chosen.instruments]

    # Indices of every instrument first: the cartwheel of one reads the others' capabilities.
    # With ``only``, the instruments shown and those their scales name as support suffice.
    needed = {instrument.key for instrument in instruments}
    if only is not None:
        supports = {
            link.partition("/")[0]
            for instrument in instruments
            if instrument.key in only
            for scale in instrument.scales
            for link in scale.supported_by
        }
        needed = {i.key for i in instruments if i.key in only or i.id in supports}
    scored: dict[str, tuple[pd.DataFrame, Any]] = {}
    linked: dict[str, float] = {}
    for instrument in instruments:
        if instrument.key not in needed:
            continue
        rows = _self_rows(table, instrument)
        if len(rows) == 0:
            continue
        answers = _answers(table, rows, instrument)
        result = score_instrument(answers, instrument, reliability=False)
        result.index.columns = [str(c) for c in result.index.columns]
        result.scores.columns = [str(c) for c in result.scores.columns]
        scored[instrument.key] = (answers, result)
        for scale_id, value in result.index.mean().items():
            linked[f"{instrument.id}/{scale_id}"] = float(value)

    previous_table = None
    previous = None
    for candidate in reversed(earlier if compare else []):
        candidate_table = store.responses(campaign_id=candidate.id, side="self")
        if len(candidate_table):
            check_response_pins(registry, candidate_table)
            previous, previous_table = candidate, candidate_table
            break

    sections = []
    for instrument in instruments:
        if instrument.key not in scored or (only is not None and instrument.key not in only):
            continue
        answers, result = scored[instrument.key]
        sections.append(
            _section(
                store,
                registry,
                instrument,
                table,
                answers,
                result,
                org.id,
                language,
                linked,
                previous_table,
                cohort_floor if compare else None,
            )
        )

    who = table.respondents
    counts = (
        who.drop_duplicates("invitation_id")
        .groupby(["side", "role"])
        .size()
        .rename("count")
        .reset_index()
    )
    return FirmResults(
        organisation=org.name,
        organisation_id=org.id,
        campaign=chosen.name,
        campaign_id=chosen.id,
        language=language,
        respondents=counts,
        sections=sections,
        previous_campaign=previous.name if previous is not None else None,
        min_cohort=cohort_floor,
    )


def _named(frame: pd.DataFrame, instrument: Instrument, language: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(
        1, "name", [instrument.text(instrument.scale(s).name, language) for s in out["scale"]]
    )
    return out


def _section(
    store: Store,
    registry: Registry,
    instrument: Instrument,
    table: ResponseTable,
    answers: pd.DataFrame,
    result: InstrumentScores,
    organisation_id: int,
    language: str,
    linked: dict[str, float],
    previous_table: ResponseTable | None,
    min_cohort: int | None,
) -> InstrumentResults:
    """One instrument's section; ``min_cohort`` None leaves out the cohort comparison."""
    text_of = instrument.text
    index = result.index
    n_options = {
        scale.id: instrument.response_scale(scale.response_scale).max
        - instrument.response_scale(scale.response_scale).min
        + 1
        for scale in instrument.scales
    }
    # One organisation: r_wg(J) per scale directly (aggregate_organisations groups many).
    agreement = {
        scale.id: rwg_j(answers[[item.id for item in scale.items]], n_options=n_options[scale.id])
        for scale in instrument.scales
    }
    scale_rows = []
    for scale in instrument.scales:
        dimension = instrument.dimension_of_scale(scale.id)
        rwg = agreement[scale.id]
        scale_rows.append(
            {
                "scale": scale.id,
                "name": text_of(scale.name, language),
                "dimension": dimension.id if dimension else None,
                "dimension_name": text_of(dimension.name, language) if dimension else None,
                "n": int(index[scale.id].notna().sum()),
                "score": float(result.scores[scale.id].mean()),
                "sd": float(result.scores[scale.id].std()),
                "index": float(index[scale.id].mean()),
                "rwg_j": rwg,
                # Unknown agreement (fewer than 2 complete answers) is not flagged either way.
                "agreement_low": bool(rwg < MIN_RWG) if not math.isnan(rwg) else False,
            }
        )
    scales = pd.DataFrame(scale_rows)
    scales.attrs["language"] = language
    means = scales.set_index("scale")["index"]
    firm = profile(means, instrument, linked_index=linked, language=language)
    stage = (
        stage_of(firm.overall_index, instrument.stages) if pd.notna(firm.overall_index) else None
    )

    section = InstrumentResults(
        instrument=instrument,
        title=text_of(instrument.title, language),
        chart_kind=_chart_kind(instrument, registry),
        n_self=len(answers),
        scales=scales,
        overall_index=float(firm.overall_index),
        stage=firm.stage,
        stage_name=text_of(stage.name, language) if stage else "",
        narrative=text_of(stage.narrative, language) if stage else "",
        stages=firm.stages,
        strengths=firm.strengths,
        gaps=firm.gaps,
        recommendations=firm.recommendations,
        cartwheel=firm.cartwheel,
        archetype=firm.archetype,
        low_agreement=scales.loc[scales["agreement_low"], "name"].tolist(),
    )
    section.cartwheel = section.cartwheel.assign(
        supported_by_name=[
            _linked_name(registry, link, language) for link in section.cartwheel["supported_by"]
        ]
    )

    for side in OTHER_SIDES:
        rows = _self_rows(table, instrument, side)
        if len(rows):
            other = score_instrument(
                _answers(table, rows, instrument), instrument, reliability=False
            ).index
            other.columns = [str(c) for c in other.columns]
            section.other_side = side
            section.other_index = other.mean()
            section.view_gap = _named(view_gap(index, other), instrument, language)
            break

    if min_cohort is None:
        return section
    cohort, spread = _cohort(store, instrument)
    others = cohort.drop(index=organisation_id, errors="ignore")
    section.cohort_size = len(others)
    if len(others) >= min_cohort:
        section.benchmark = _named(
            benchmark(means, others, min_cohort=min_cohort), instrument, language
        )
        section.cohort_overall = others.mean(axis=1)

    if previous_table is not None:
        section.change = _change(
            store, previous_table, instrument, registry, means, spread, language
        )
    return section


def _change(
    store: Store,
    previous_table: ResponseTable,
    instrument: Instrument,
    registry: Registry,
    now: pd.Series,
    spread: pd.DataFrame,
    language: str,
) -> pd.DataFrame | None:
    """Change of the firm's scale indices since its previous campaign, with the RCI."""
    who = previous_table.respondents
    mask = who["instrument"] == instrument.id
    if not mask.any():
        return None
    if spread["n"].sum() == 0:
        return None
    version = max(who.loc[mask, "version"].unique(), key=parse_version)
    before_instrument = registry.get(f"{instrument.id}@{version}")
    rows = who.index[mask & (who["version"] == version)]
    before = score_instrument(
        _answers(previous_table, rows, before_instrument), before_instrument, reliability=False
    )
    before_index = before.index.mean()
    before_index.index = [str(s) for s in before_index.index]
    sd = spread["sd"]
    candidates = [
        s
        for s in now.index
        if s in before_index.index
        and pd.notna(before_index[s])
        and pd.notna(now[s])
        and pd.notna(sd.get(s))
    ]
    if not candidates:
        return None
    alpha = _cohort_alpha(store, instrument)
    usable = [s for s in candidates if pd.notna(alpha.get(s)) and 0 <= alpha[s] < 1]
    if not usable:
        return None
    change = reliable_change(
        before_index[usable],
        now[usable],
        sd={s: float(sd[s]) for s in usable},
        reliability={s: float(alpha[s]) for s in usable},
    )
    return _named(change, instrument, language)

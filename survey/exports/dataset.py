"""The export dataset: responses made safe to share, before any file format is chosen.

:func:`prepare_dataset` takes a response table (the shape :meth:`survey.storage.Store.responses`
returns), applies the filters, replaces every identifier by a keyed pseudonym, coarsens industry,
size and region cells that hold too few organisations, drops names and timestamps, and splits the
answers into one wide table per instrument version (columns are that version's items) and one
long table. The writers in :mod:`survey.exports.formats` only encode what this module decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
from tqdm import tqdm

from survey.exports.pseudonyms import pseudonym
from survey.ingest.table import RESPONDENT_COLUMNS
from survey.instrument.model import Instrument
from survey.instrument.registry import Registry, check_pinned
from survey.settings import MIN_COHORT_FLOOR

#: Respondent columns a response table must carry: the storage contract's, less the start
#: times, which exports never read.
REQUIRED_COLUMNS = tuple(c for c in RESPONDENT_COLUMNS if c != "started_at")

#: Organisation attributes coarsened when a value has fewer than ``min_cohort`` organisations.
COARSENED = ("industry", "size_band", "region")

#: The value that replaces a rare industry, size band or region.
OTHER = "other"

#: Descriptions of the respondent columns of every export, in output order.
META_COLUMNS: dict[str, str] = {
    "response": "Pseudonym of the response (one respondent's answers to one instrument version).",
    "respondent": "Pseudonym of the respondent (the invitation); joins a person's responses to "
    "several instruments.",
    "organisation": "Pseudonym of the organisation assessed.",
    "campaign": "Pseudonym of the campaign (one assessment round of one organisation).",
    "role": "Respondent's role: sales, rnd, operations, service, management, customer, partner, "
    "other.",
    "side": "Whose view the answers give: self (the firm), customer or partner.",
    "language": "Language the respondent answered in (ISO 639-1).",
    "instrument": "Instrument id.",
    "version": "Instrument version (semantic version).",
    "sha256": "SHA-256 of the instrument version's canonical content the answers were given under.",
    "status": "Response status (submitted, or draft when drafts were included).",
    "submitted": "Date of submission (YYYY-MM-DD, UTC); times are dropped.",
    "industry": "Organisation's industry; rare values coarsened (see suppression).",
    "size_band": "Organisation's size band; rare values coarsened (see suppression).",
    "region": "Organisation's region; rare values coarsened (see suppression).",
}

#: Extra columns written only when the exporter includes personal data explicitly.
PERSONAL_COLUMNS: dict[str, str] = {
    "organisation_name": "Organisation name (personal data: included on request).",
    "campaign_name": "Campaign name (personal data: included on request).",
}


class ResponseTableLike(Protocol):
    """What an export reads: :class:`survey.storage.ResponseTable` or any object shaped like it."""

    answers: pd.DataFrame
    not_applicable: pd.DataFrame
    respondents: pd.DataFrame


@dataclass(frozen=True)
class ExportFilters:
    """Which responses to export; ``None`` means no restriction.

    ``campaign`` and ``organisation`` match an id or a name; ``instrument`` is ``id`` or
    ``id@version``; dates are inclusive and compare with the submission date (UTC).
    """

    campaign: str | None = None
    organisation: str | None = None
    instrument: str | None = None
    side: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The filters as given (dates in ISO form)."""
        out: dict[str, str | None] = {}
        for name in ("campaign", "organisation", "instrument", "side"):
            out[name] = getattr(self, name)
        out["submitted_from"] = self.submitted_from.isoformat() if self.submitted_from else None
        out["submitted_to"] = self.submitted_to.isoformat() if self.submitted_to else None
        return out

    def recorded(
        self, respondents: pd.DataFrame, secret: bytes, *, include_personal: bool = False
    ) -> dict[str, str | None]:
        """The filters for the codebook: an organisation or campaign named by the exporter is
        written as its pseudonym (a name in the codebook would undo the pseudonyms), unless
        personal data is included."""
        out = self.as_dict()
        if include_personal:
            return out
        for name, id_col, name_col in (
            ("campaign", "campaign_id", "campaign"),
            ("organisation", "organisation_id", "organisation"),
        ):
            wanted = getattr(self, name)
            if wanted is None:
                continue
            hit = (respondents[id_col].astype(str) == str(wanted)) | (
                respondents[name_col].astype(str) == str(wanted)
            )
            ids = sorted({str(i) for i in respondents.loc[hit, id_col]})
            out[name] = ", ".join(pseudonym(i, name, secret) for i in ids) or "(no match)"
        return out

    def mask(self, respondents: pd.DataFrame) -> pd.Series:
        """Rows of ``respondents`` that pass every filter."""
        keep = pd.Series(True, index=respondents.index)
        for name, id_col, name_col in (
            ("campaign", "campaign_id", "campaign"),
            ("organisation", "organisation_id", "organisation"),
        ):
            wanted = getattr(self, name)
            if wanted is not None:
                keep &= (respondents[id_col].astype(str) == str(wanted)) | (
                    respondents[name_col].astype(str) == str(wanted)
                )
        if self.instrument is not None:
            instrument_id, _, version = self.instrument.partition("@")
            keep &= respondents["instrument"] == instrument_id
            if version:
                keep &= respondents["version"] == version
        if self.side is not None:
            keep &= respondents["side"] == self.side
        if self.submitted_from is not None or self.submitted_to is not None:
            days = _submission_dates(respondents["submitted_at"])
            if self.submitted_from is not None:
                keep &= days.notna() & (days >= self.submitted_from)
            if self.submitted_to is not None:
                keep &= days.notna() & (days <= self.submitted_to)
        return keep


def _submission_dates(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    return pd.Series(
        [stamp.date() if not pd.isna(stamp) else None for stamp in stamps],
        index=values.index,
        dtype=object,
    )


@dataclass(frozen=True)
class Suppression:
    """How one organisation attribute was coarsened for the export."""

    variable: str
    values_coarsened: int
    organisations_coarsened: int
    action: str


@dataclass
class WideTable:
    """The answers to one instrument version: one row per response, one column per item."""

    instrument: Instrument
    meta: pd.DataFrame  # respondent columns, index = response pseudonym
    values: pd.DataFrame  # float answers, NaN when unanswered or not applicable
    not_applicable: pd.DataFrame  # bool, same shape as values
    scores: pd.DataFrame  # scale scores, one column per scale id

    @property
    def name(self) -> str:
        """``<instrument>-<version>``, used in file and resource names."""
        return f"{self.instrument.id}-{self.instrument.version}"


@dataclass
class Dataset:
    """Everything an export writes, pseudonymised and coarsened."""

    wide: list[WideTable]
    long: pd.DataFrame
    language: str
    filters: ExportFilters
    min_cohort: int
    suppression: list[Suppression]
    include_personal: bool
    counts: dict[str, int] = field(default_factory=dict)
    #: The filters as the codebook states them (organisation and campaign as pseudonyms).
    recorded_filters: dict[str, str | None] = field(default_factory=dict)


def variable_name(identifier: str) -> str:
    """The SPSS/Stata variable name of an item id or scale id: hyphens become underscores.

    Item ids are upper case (``IC-IND-1`` -> ``IC_IND_1``) and scale ids lower case
    (``co-design`` -> ``co_design``), so the two never collide; names longer than 32 characters
    (Stata's limit) are refused rather than silently cut.

    Examples
    --------
    >>> variable_name("IC-IND-1")
    'IC_IND_1'
    >>> variable_name("co-design")
    'co_design'
    """
    name = identifier.replace("-", "_")
    if len(name) > 32:
        raise ValueError(
            f"id {identifier!r} gives the variable name {name!r}, longer than the 32 characters "
            "Stata allows; shorten the id in a new instrument version"
        )
    return name


def _coarsen(meta: pd.DataFrame, min_cohort: int) -> tuple[pd.DataFrame, list[Suppression]]:
    """Replace attribute values held by fewer than ``min_cohort`` organisations.

    Rare values become ``other``; when ``other`` itself still holds fewer than ``min_cohort``
    organisations, those cells are blanked (suppressed) instead.
    """
    meta = meta.copy()
    records: list[Suppression] = []
    for column in COARSENED:
        per_value = meta.dropna(subset=[column]).groupby(column)["organisation"].nunique()
        rare = [value for value, n in per_value.items() if n < min_cohort]
        if not rare:
            continue
        hit = meta[column].isin(rare)
        organisations = int(meta.loc[hit, "organisation"].nunique())
        if organisations >= min_cohort:
            meta.loc[hit, column] = OTHER
            action = f"merged into '{OTHER}'"
        else:
            meta.loc[hit, column] = None
            action = "suppressed (left empty)"
        records.append(Suppression(column, len(rare), organisations, action))
    return meta, records


def _check_table(table: ResponseTableLike) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in table.respondents.columns]
    if missing:
        raise ValueError(
            f"the response table's respondents frame lacks the column(s) {', '.join(missing)}; "
            "build it with survey.storage.Store.responses()"
        )
    if not table.answers.index.equals(table.respondents.index):
        raise ValueError(
            "the response table's answers and respondents frames have different indexes; "
            "both must be indexed by response_id in the same order"
        )
    if table.not_applicable.shape != table.answers.shape:
        raise ValueError(
            "the response table's not_applicable frame does not have the shape of answers "
            f"({table.not_applicable.shape} vs {table.answers.shape})"
        )


def prepare_dataset(
    table: ResponseTableLike,
    registry: Registry,
    *,
    secret: bytes,
    language: str = "en",
    filters: ExportFilters | None = None,
    include_personal: bool = False,
    min_cohort: int = 5,
    scorer: Any = None,
    progress: bool = False,
) -> Dataset:
    """Filter, pseudonymise and coarsen a response table, and split it by instrument version.

    Parameters
    ----------
    table : ResponseTableLike
        Answers, not-applicable flags and respondent columns indexed by response id.
    registry : survey.instrument.registry.Registry
        The instruments the responses were given under.
    secret : bytes
        The pseudonym secret (:func:`survey.exports.pseudonyms.pseudonym_secret`).
    language : str
        Language of item texts and labels in the export.
    filters : ExportFilters, optional
        Which responses to keep.
    include_personal : bool
        Add organisation and campaign names (off by default).
    min_cohort : int
        Smallest number of organisations an industry, size band or region value may have.
    scorer : callable, optional
        ``scorer(values, instrument) -> DataFrame`` of scale scores; default
        :func:`survey.exports.scores.scale_scores`.
    progress : bool
        Show a tqdm progress bar over the instrument versions (on a terminal only).

    Returns
    -------
    Dataset
    """
    from survey.exports.scores import scale_scores

    if min_cohort < MIN_COHORT_FLOOR:
        raise ValueError(f"min_cohort is {min_cohort}; it may not be below {MIN_COHORT_FLOOR}")
    _check_table(table)
    filters = filters or ExportFilters()
    score = scorer or scale_scores
    respondents = table.respondents.loc[filters.mask(table.respondents)]

    meta = pd.DataFrame(index=respondents.index)
    meta["response"] = [pseudonym(i, "response", secret) for i in respondents.index]
    meta["respondent"] = [pseudonym(i, "respondent", secret) for i in respondents.invitation_id]
    meta["organisation"] = [
        pseudonym(i, "organisation", secret) for i in respondents.organisation_id
    ]
    meta["campaign"] = [pseudonym(i, "campaign", secret) for i in respondents.campaign_id]
    for column in ("role", "side", "language", "instrument", "version", "sha256", "status"):
        meta[column] = respondents[column].astype(object)
    meta["submitted"] = [
        d.isoformat() if isinstance(d, date) else None
        for d in _submission_dates(respondents["submitted_at"])
    ]
    for column in COARSENED:
        meta[column] = respondents[column].astype(object).where(respondents[column].notna(), None)
    meta, suppression = _coarsen(meta, min_cohort)
    if include_personal:
        meta["organisation_name"] = respondents["organisation"].astype(object)
        meta["campaign_name"] = respondents["campaign"].astype(object)

    wide: list[WideTable] = []
    long_parts: list[pd.DataFrame] = []
    versions = sorted(meta[["instrument", "version"]].drop_duplicates().itertuples(index=False))
    for instrument_id, version in tqdm(
        versions, desc="exporting", unit="version", disable=None if progress else True
    ):
        instrument = _instrument(registry, str(instrument_id), str(version))
        if language not in instrument.languages:
            raise ValueError(
                f"{instrument.key} has no texts in language {language!r}; choose one of "
                f"{', '.join(instrument.languages)}"
            )
        rows = meta.index[(meta.instrument == instrument_id) & (meta.version == version)]
        _check_hashes(meta.loc[rows], instrument, registry)
        items = instrument.item_ids
        absent = [i for i in items if i not in table.answers.columns]
        if absent:
            raise ValueError(
                f"the response table has no column for item(s) {', '.join(absent)} of "
                f"{instrument.key}; read the responses with Store.responses()"
            )
        values = table.answers.loc[rows, items].astype(float)
        not_applicable = table.not_applicable.loc[rows, items].astype(bool)
        if (values.notna() & not_applicable).any().any():
            raise ValueError(
                f"{instrument.key}: some answers are both a value and 'not applicable'; "
                "the answers frame must hold NaN where not_applicable is True"
            )
        _check_ranges(values, instrument)
        scores = score(values, instrument)
        sub_meta = meta.loc[rows].set_index("response", drop=False)
        sub_meta.index.name = None
        values.index = not_applicable.index = scores.index = sub_meta.index
        wide.append(WideTable(instrument, sub_meta, values, not_applicable, scores))
        long_parts.append(_long(instrument, sub_meta, values, not_applicable))

    long = pd.concat(long_parts, ignore_index=True) if long_parts else _long_empty()
    counts = {
        "responses": len(meta),
        "respondents": int(meta["respondent"].nunique()),
        "organisations": int(meta["organisation"].nunique()),
        "campaigns": int(meta["campaign"].nunique()),
        "answers": len(long),
    }
    return Dataset(
        wide=wide,
        long=long,
        language=language,
        filters=filters,
        min_cohort=min_cohort,
        suppression=suppression,
        include_personal=include_personal,
        counts=counts,
        recorded_filters=filters.recorded(
            table.respondents, secret, include_personal=include_personal
        ),
    )


def _instrument(registry: Registry, instrument_id: str, version: str) -> Instrument:
    try:
        return registry.get(f"{instrument_id}@{version}")
    except ValueError as exc:
        raise ValueError(
            f"responses were given under {instrument_id}@{version}, which the instrument "
            f"registry does not hold ({exc}); export with the instruments folder that has it"
        ) from None


def _check_hashes(meta: pd.DataFrame, instrument: Instrument, registry: Registry) -> None:
    """Refuse responses whose pinned content hash is not the file's (:func:`check_pinned`)."""
    wrong = meta.loc[meta["sha256"].notna() & (meta["sha256"] != instrument.sha256), "sha256"]
    if len(wrong):
        check_pinned(registry, instrument.key, str(wrong.iloc[0]), responses=len(wrong))


def _check_ranges(values: pd.DataFrame, instrument: Instrument) -> None:
    for scale in instrument.scales:
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            column = values[item.id]
            bad = column.notna() & ((column < rs.min) | (column > rs.max) | (column % 1 != 0))
            if bad.any():
                raise ValueError(
                    f"item {item.id} of {instrument.key} has value {column[bad].iloc[0]!r}, "
                    f"outside its response scale {rs.min}..{rs.max}"
                )


LONG_COLUMNS = [*META_COLUMNS, "item", "variable", "scale", "value", "not_applicable"]


def _long_empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in LONG_COLUMNS})


def _long(
    instrument: Instrument,
    meta: pd.DataFrame,
    values: pd.DataFrame,
    not_applicable: pd.DataFrame,
) -> pd.DataFrame:
    """One row per answer (a value or 'not applicable'); unanswered items have no row."""
    scale_of = {item.id: scale.id for scale in instrument.scales for item in scale.items}
    stacked = pd.Series(values.stack(future_stack=True))
    flags = pd.Series(not_applicable.stack(future_stack=True)).astype(bool)
    keep = stacked.notna() | flags
    stacked, flags = stacked[keep], flags[keep]
    responses = stacked.index.get_level_values(0)
    items = stacked.index.get_level_values(1)
    out = meta.loc[responses].reset_index(drop=True)
    out["item"] = list(items)
    out["variable"] = [variable_name(i) for i in items]
    out["scale"] = [scale_of[i] for i in items]
    out["value"] = pd.array(
        [None if np.isnan(v) else int(v) for v in stacked.to_numpy()], dtype="Int16"
    )
    out["not_applicable"] = flags.to_numpy(dtype=bool)
    return out


def iso_now() -> str:
    """The export time, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()

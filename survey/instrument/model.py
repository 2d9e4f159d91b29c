"""The instrument format: a versioned questionnaire described as data.

These pydantic models are the single description of what an instrument file may contain. They check
structure and types; the content rules that need the whole file (translations complete, thresholds
increasing, references resolvable, ...) live in :mod:`survey.instrument.checks`, which reports
coded, located issues. The JSON Schema that editors use (``cocreate schema``) is generated from
these models.

This module imports nothing else from the project, so that :mod:`scoring` may read an
:class:`Instrument` without pulling in storage or the app.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: Instrument, scale, dimension and response-scale ids: ``co-design``, ``agreement-5``.
SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
#: Item ids: ``IC-IND-1``. Upper case so that they read as variable names in SPSS and Stata.
ITEM_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"
#: Semantic versions without pre-release tags: published instruments are final.
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
#: ISO 639-1 language codes.
LANGUAGE_PATTERN = r"^[a-z]{2}$"

#: Most points a response scale may have (``max - min + 1``): 0..100 is the widest scale that
#: is still answered as a scale; wider ranges are refused (I313) before any point is listed.
MAX_SCALE_POINTS = 101
#: Most items one instrument may hold (I314); the shipped instruments have fewer than 100.
MAX_ITEMS = 1000

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
ItemId = Annotated[str, StringConstraints(pattern=ITEM_ID_PATTERN)]
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]

#: Text in several languages, keyed by language code: ``{"en": "...", "de": "..."}``.
LocalizedText = dict[Language, str]


class _Model(BaseModel):
    # Unknown keys are errors (with a did-you-mean suggestion from survey.instrument.checks), and
    # models are frozen because a loaded instrument is a published, immutable thing.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseScale(_Model):
    """The answer format shared by items: a Likert range with a label for every point."""

    id: Slug
    min: int = Field(description="Lowest point of the scale (e.g. 1).")
    max: int = Field(description="Highest point of the scale (e.g. 5).")
    labels: dict[int, LocalizedText] = Field(description="A label for every point min..max.")
    not_applicable: bool = Field(
        default=False, description="Whether 'not applicable' may be chosen instead of a point."
    )
    not_applicable_label: LocalizedText | None = None
    kind: Literal["agreement", "frequency", "extent"] = Field(
        default="agreement", description="What the points express, for reports and exports."
    )

    @property
    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))


class Item(_Model):
    """One question: a stable id, its text per language, and how it is keyed."""

    id: ItemId
    text: LocalizedText
    reverse: bool = Field(default=False, description="Reverse keyed: scored as min + max - answer.")
    response_scale: Slug | None = Field(
        default=None, description="Overrides the scale's response scale for this item."
    )
    required: bool = Field(
        default=True,
        description="Whether a submitted response must answer it (a 'not applicable' counts).",
    )


class Scale(_Model):
    """A construct measured by several items and scored as their mean."""

    id: Slug
    name: LocalizedText
    definition: LocalizedText
    source: list[str] = Field(
        default_factory=list, description="Ids of entries under references that ground the scale."
    )
    response_scale: Slug
    items: list[Item]
    supported_by: list[str] = Field(
        default_factory=list,
        description=(
            "Scales ('instrument-id/scale-id') whose weakness explains why this one stalls: "
            "the capability-to-practice links of the source's cartwheel."
        ),
    )


class Dimension(_Model):
    """A group of scales reported together (e.g. linking practices)."""

    id: Slug
    name: LocalizedText
    description: LocalizedText | None = None
    scales: list[Slug]
    archetype: bool = Field(
        default=True,
        description="Whether the dimension counts for the profile's archetype ('<id>-led'); "
        "false for a dimension that runs across the others.",
    )


class Scoring(_Model):
    """How scale scores are formed."""

    method: Literal["mean"] = "mean"
    min_valid_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A scale score needs at least this share of its items answered.",
    )


class Stage(_Model):
    """A maturity stage: from ``min_index`` (0-100) up to the next stage's threshold."""

    stage: int = Field(ge=1, description="1 for the first stage, then 2, 3, ...")
    id: Slug
    name: LocalizedText
    min_index: float = Field(ge=0, le=100, description="Lower threshold on the 0-100 index.")
    narrative: LocalizedText


class Recommendation(_Model):
    """A concrete move for a firm whose scale is weak at a given stage."""

    id: Slug
    scale: Slug
    stages: list[int] = Field(description="Stage numbers at which the recommendation applies.")
    text: LocalizedText


class Reference(_Model):
    id: Slug
    citation: str
    note: str | None = None


class ChangelogEntry(_Model):
    version: Version
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO date, YYYY-MM-DD.")
    changes: list[str]


class Comparability(_Model):
    """Which items of this version can be pooled with which items of an earlier version."""

    previous_version: Version
    items: dict[ItemId, ItemId] = Field(
        description="Item id in this version -> comparable item id in the previous version."
    )


class Instrument(_Model):
    """A published version of a questionnaire."""

    id: Slug
    version: Version
    title: LocalizedText
    description: LocalizedText
    instructions: LocalizedText | None = Field(
        default=None, description="The lead-in shown to respondents above the items."
    )
    languages: list[Language] = Field(description="Every language all texts are given in.")
    response_scales: list[ResponseScale]
    scoring: Scoring = Field(default_factory=Scoring)
    scales: list[Scale]
    dimensions: list[Dimension] = Field(default_factory=list)
    stages: list[Stage]
    recommendations: list[Recommendation] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    comparability: Comparability | None = None
    changelog: list[ChangelogEntry]

    # -- navigation -------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """``id@version``, the way the CLI and the database name a version."""
        return f"{self.id}@{self.version}"

    @property
    def items(self) -> list[Item]:
        return [item for scale in self.scales for item in scale.items]

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"{self.key} has no scale {scale_id!r}")

    def response_scale(self, scale_id: str) -> ResponseScale:
        for rs in self.response_scales:
            if rs.id == scale_id:
                return rs
        raise KeyError(f"{self.key} has no response scale {scale_id!r}")

    def item_response_scale(self, item: Item, scale: Scale) -> ResponseScale:
        return self.response_scale(item.response_scale or scale.response_scale)

    def scale_of_item(self, item_id: str) -> Scale:
        for scale in self.scales:
            if any(item.id == item_id for item in scale.items):
                return scale
        raise KeyError(f"{self.key} has no item {item_id!r}")

    def keys(self) -> dict[str, list[str]]:
        """Scoring keys: scale id -> item ids, reverse-keyed items prefixed with ``-``."""
        return {
            scale.id: [("-" if item.reverse else "") + item.id for item in scale.items]
            for scale in self.scales
        }

    def dimension_of_scale(self, scale_id: str) -> Dimension | None:
        for dimension in self.dimensions:
            if scale_id in dimension.scales:
                return dimension
        return None

    def text(self, texts: LocalizedText | None, language: str | None = None) -> str:
        """Pick ``language`` from a localized text, falling back to the first declared one."""
        if not texts:
            return ""
        if language and language in texts:
            return texts[language]
        return texts.get(self.languages[0], next(iter(texts.values())))

    # -- identity ---------------------------------------------------------------------------
    def canonical_json(self) -> str:
        """The canonical form that the content hash and the lock file are computed from.

        Formatting, comments and key order in the YAML do not change it; any change of
        content does. Values equal to the model's defaults are left out, so that an optional key
        added to the format later does not change the hash of versions already published, and
        writing ``reverse: false`` hashes the same as leaving it out.
        """
        return json.dumps(
            self.model_dump(mode="json", exclude_defaults=True),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of :meth:`canonical_json`; stored with every response."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def parse_version(version: str) -> tuple[int, int, int]:
    """Split a semantic version into a sortable tuple.

    >>> parse_version("1.10.0") > parse_version("1.9.3")
    True
    """
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch

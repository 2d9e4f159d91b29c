"""The shape of responses read for analysis, shared by storage (which builds it) and exports,
the app and scoring glue (which read it). Kept free of database imports so that readers need
not load SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class ResponseTable:
    """Responses in the wide form scoring needs.

    ``answers``: index ``response_id``, one float column per item id (NaN: missing or not
    applicable). ``not_applicable``: booleans of the same shape, True where "not applicable"
    was chosen. ``respondents``: who answered, index ``response_id``.
    """

    answers: pd.DataFrame
    not_applicable: pd.DataFrame
    respondents: pd.DataFrame

    def __len__(self) -> int:
        return len(self.answers)


RESPONDENT_COLUMNS = [
    "organisation_id",
    "organisation",
    "campaign_id",
    "campaign",
    "invitation_id",
    "role",
    "side",
    "language",
    "instrument",
    "version",
    "sha256",
    "status",
    "started_at",
    "submitted_at",
    "industry",
    "size_band",
    "region",
]

"""A hand-built response table shaped like ``survey.storage.ResponseTable`` for export tests.

Seven organisations (one in a rare industry, two in a rare region), two campaigns for one of
them, self and customer sides, some "not applicable" and unanswered items, and organisation and
campaign names that must never appear in an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from survey.instrument.registry import Registry, load_registry

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "instruments"

ORGANISATIONS = [
    # id, name, industry, size_band, region
    (11, "Acme Widgets GmbH", "manufacturing", "50-249", "DACH"),
    (12, "Borealis Pumps AB", "manufacturing", "250+", "Nordics"),
    (13, "Cobalt Freight Ltd", "logistics", "50-249", "DACH"),
    (14, "Delta Valves SpA", "manufacturing", "250+", "DACH"),
    (15, "Ember Robotics Oy", "logistics", "50-249", "Nordics"),
    (16, "Fjord Analytics AS", "logistics", "250+", "DACH"),
    (17, "Gamma Nuclear Services", "nuclear", "10-49", "Iberia"),
]


@dataclass
class Table:
    answers: pd.DataFrame
    not_applicable: pd.DataFrame
    respondents: pd.DataFrame


def registry() -> Registry:
    return load_registry([FIXTURES])


def response_table(seed: int = 7) -> Table:
    instrument = registry().get("mini-capabilities@1.0.0")
    rng = np.random.default_rng(seed)
    rows, answers, flags = [], [], []
    response_id = 1000
    invitation_id = 500
    for org_id, name, industry, size, region in ORGANISATIONS:
        campaigns = [(org_id * 10, f"{name} spring 2026", "2026-03-02T09:15:00+00:00")]
        if org_id == 11:
            campaigns.append((org_id * 10 + 1, f"{name} autumn 2026", "2026-10-05T14:40:00+00:00"))
        for campaign_id, campaign, submitted in campaigns:
            for role, side in [
                ("sales", "self"),
                ("rnd", "self"),
                ("management", "self"),
                ("customer", "customer"),
            ]:
                response_id += 1
                invitation_id += 1
                rows.append(
                    {
                        "response_id": response_id,
                        "organisation_id": org_id,
                        "organisation": name,
                        "campaign_id": campaign_id,
                        "campaign": campaign,
                        "invitation_id": invitation_id,
                        "role": role,
                        "side": side,
                        "language": "en" if org_id % 2 else "de",
                        "instrument": instrument.id,
                        "version": instrument.version,
                        "sha256": instrument.sha256,
                        "status": "submitted",
                        "started_at": pd.Timestamp(submitted) - pd.Timedelta(minutes=12),
                        "submitted_at": pd.Timestamp(submitted),
                        "industry": industry,
                        "size_band": size,
                        "region": region,
                    }
                )
                row, na = [], []
                for scale in instrument.scales:
                    for item in scale.items:
                        rs = instrument.item_response_scale(item, scale)
                        draw = rng.random()
                        if rs.not_applicable and draw < 0.08:
                            row.append(np.nan)
                            na.append(True)
                        elif draw > 0.95:
                            row.append(np.nan)
                            na.append(False)
                        else:
                            row.append(float(rng.integers(rs.min, rs.max + 1)))
                            na.append(False)
                answers.append(row)
                flags.append(na)
    respondents = pd.DataFrame(rows).set_index("response_id")
    answers_frame = pd.DataFrame(answers, index=respondents.index, columns=instrument.item_ids)
    flags_frame = pd.DataFrame(flags, index=respondents.index, columns=instrument.item_ids)
    # Make sure both kinds of gap occur in every run of the tests.
    first, second = respondents.index[:2]
    answers_frame.loc[first, "MC-IND-2"] = np.nan
    flags_frame.loc[first, "MC-IND-2"] = True
    answers_frame.loc[second, "MC-REL-3"] = np.nan
    flags_frame.loc[second, "MC-REL-3"] = False
    return Table(answers_frame, flags_frame, respondents)

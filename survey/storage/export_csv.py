"""A plain wide CSV of submitted responses, one file per instrument version.

Columns: ``response_id``, ``organisation`` (pseudonym), ``campaign`` (pseudonym), ``role``,
``side``, ``instrument``, ``version``, then one column per item id. Cells hold the point chosen,
``na`` for "not applicable", and nothing for an unanswered item. The richer research exports
(codebook, SPSS, Stata, Parquet) live in :mod:`survey.exports`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.storage.pseudonyms import pseudonym, pseudonym_secret
from survey.storage.store import Store

ID_COLUMNS = ["response_id", "organisation", "campaign", "role", "side", "instrument", "version"]


def wide_frame(store: Store, instrument: str, *, secret: bytes | None = None) -> pd.DataFrame:
    """Submitted responses to ``instrument`` (``id@version``) as the exported table."""
    key = secret if secret is not None else pseudonym_secret()
    table = store.responses(instrument=instrument)
    resp = table.respondents
    out = pd.DataFrame(
        {
            "response_id": resp.index.astype(int),
            "organisation": [
                pseudonym("organisation", i, secret=key) for i in resp["organisation_id"]
            ],
            "campaign": [pseudonym("campaign", i, secret=key) for i in resp["campaign_id"]],
            "role": resp["role"].to_numpy(),
            "side": resp["side"].to_numpy(),
            "instrument": resp["instrument"].to_numpy(),
            "version": resp["version"].to_numpy(),
        }
    )
    items = table.answers.astype("Int64").astype(object)
    items = items.where(table.answers.notna(), "")
    items = items.mask(table.not_applicable, "na")
    items = items.reset_index(drop=True)
    items.columns = list(table.answers.columns)
    return pd.concat([out, items], axis=1)


def export_csv(
    store: Store, out_dir: Path, *, instrument: str | None = None, secret: bytes | None = None
) -> list[Path]:
    """Write ``responses-<id>-<version>.csv`` per instrument version into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = store.responses(instrument=instrument).respondents[["instrument", "version"]]
    written = []
    for instrument_id, version in sorted(set(map(tuple, versions.to_numpy()))):
        ref = f"{instrument_id}@{version}"
        frame = wide_frame(store, ref, secret=secret)
        path = out_dir / f"responses-{instrument_id}-{version}.csv"
        frame.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    return written

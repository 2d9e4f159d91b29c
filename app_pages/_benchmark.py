"""The benchmark part of the Consultant page: a client against a filtered cohort.

Not a page; imported by ``consultant.py``. The cohort table is cached per instrument version
and keyed by the store's data version, so a new submission shows at once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages._common import plain, registry, show_chart
from scoring.benchmark import benchmark, check_cohort_size, filter_cohort
from survey import charts, settings
from survey.cohorts import filter_options, organisation_indices

FILTERS = {"industry": "Industry", "size_band": "Size band", "region": "Region"}


@st.cache_data(show_spinner="Scoring the cohort…", max_entries=16)
def cohort_table(_store: Any, database: str, version: int, ref: str) -> pd.DataFrame:
    """Every organisation's indices on ``ref`` (self views of submitted responses)."""
    table = _store.responses(instrument=ref, side="self")
    return organisation_indices(table.answers, table.respondents, registry().get(ref))


def min_cohort() -> int:
    return max(3, int(settings.get("min_cohort")))


def render(store: Any, user: Any, organisations: dict[int, str], version: int) -> None:
    if not organisations:
        st.info("Create a client first.")
        return
    ids = list(organisations)
    chosen = st.session_state.get("consultant.org")
    client_id = st.selectbox(
        "Client",
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func=organisations.__getitem__,
        key="bench.client",
    )
    refs = [instrument.key for instrument in registry()]
    used = [ref for c in store.campaigns(client_id) for ref in c.instruments]
    default = used[0] if used else (refs[0] if refs else None)
    if default is None:
        st.info("No instruments are installed.")
        return
    ref = st.selectbox(
        "Instrument version",
        refs,
        index=refs.index(default) if default in refs else 0,
        key="bench.instrument",
    )
    instrument = registry().get(ref)
    table = cohort_table(store, str(store.engine.url), version, ref)
    client_rows = table[table["organisation_id"] == client_id]
    if client_rows.empty:
        st.info(f"{plain(organisations[client_id])} has no submitted answers on {ref} yet.")
        return
    client = client_rows.iloc[0]
    others = table[table["organisation_id"] != client_id]
    options = filter_options(others)
    limit = min_cohort()
    # Start from the client's industry when that alone makes a large enough cohort, else from
    # everyone; the consultant narrows or widens from there.
    same_industry = int((others["industry"] == client["industry"]).sum())
    starts = {"industry": [str(client["industry"])]} if same_industry >= limit else {}
    columns = st.columns(len(FILTERS))
    filters: dict[str, list[str] | None] = {}
    for column, (name, label) in zip(columns, FILTERS.items(), strict=True):
        picked = column.multiselect(
            label,
            options[name],
            default=[v for v in starts.get(name, []) if v in options[name]],
            key=f"bench.{name}.{client_id}.{ref}",
            placeholder="Any",
        )
        filters[name] = picked or None
    cohort = filter_cohort(others, **filters)
    st.caption(
        f"Cohort: {len(cohort)} organisation(s) on {ref}, the client excluded; "
        f"benchmarks need at least {limit}."
    )
    try:
        check_cohort_size(len(cohort), limit)
    except ValueError as exc:
        st.warning(
            f"Too few organisations to compare with: {exc}. Benchmarks on so few firms could "
            "disclose their answers.",
            icon=":material/group_off:",
        )
        return
    scales = [scale.id for scale in instrument.scales]
    names = {scale.id: instrument.text(scale.name) for scale in instrument.scales}
    result = benchmark(client[scales], cohort, scales=scales, min_cohort=limit)
    result["name"] = result["scale"].map(names)
    left, right = st.columns(2)
    with left:
        show_chart(
            charts.percentile_bars(
                result,
                title=f"Percentile in the cohort (n = {len(cohort)})",
            )
        )
    with right:
        scale_id = st.selectbox(
            "Distribution of", scales, format_func=names.__getitem__, key="bench.scale"
        )
        show_chart(
            charts.cohort_distribution(
                cohort[scale_id], float(client[scale_id]), title=names[scale_id]
            )
        )
    shown = result[["name", "score", "cohort_mean", "cohort_sd", "z", "percentile", "n"]]
    st.dataframe(
        shown.rename(
            columns={
                "name": "Scale",
                "score": "Client index",
                "cohort_mean": "Cohort mean",
                "cohort_sd": "Cohort SD",
                "z": "z",
                "percentile": "Percentile",
                "n": "Cohort n",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.1f")
            for c in ("Client index", "Cohort mean", "Cohort SD", "Percentile")
        }
        | {"z": st.column_config.NumberColumn(format="%.2f")},
    )

"""The benchmark part of the Consultant page: a client against a filtered cohort.

Not a page; imported by ``consultant.py``. The cohort table is cached per instrument version
and keyed by the store's data version, so a new submission shows at once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages._common import (
    app_language,
    plain,
    registry,
    show_chart,
    show_instrument_changed,
    t,
)
from scoring.benchmark import benchmark, check_cohort_size, filter_cohort
from survey import settings
from survey.instrument.registry import PinnedContentChanged
from survey.presentation import charts
from survey.services.cohorts import filter_options, organisation_indices

FILTERS = {
    "industry": "consultant.col.industry",
    "size_band": "bench.size_band",
    "region": "consultant.col.region",
}


# The spinner is shown by the caller, in the app's language.
@st.cache_data(show_spinner=False, max_entries=16)
def cohort_table(_store: Any, database: str, version: int, ref: str) -> pd.DataFrame:
    """Every organisation's indices on ``ref`` (self views of submitted responses), from the
    scale scores stored at submission (as the Results page's cohort)."""
    return organisation_indices(_store, registry().get(ref))


def render(store: Any, user: Any, organisations: dict[int, str], version: int) -> None:
    if not organisations:
        st.info(t("consultant.client_first"))
        return
    ids = list(organisations)
    chosen = st.session_state.get("consultant.org")
    client_id = st.selectbox(
        t("consultant.client"),
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func=organisations.__getitem__,
        key="bench.client",
    )
    refs = [instrument.key for instrument in registry()]
    used = [ref for c in store.campaigns(client_id) for ref in c.instruments]
    default = used[0] if used else (refs[0] if refs else None)
    if default is None:
        st.info(t("bench.no_instruments"))
        return
    ref = st.selectbox(
        t("bench.instrument"),
        refs,
        index=refs.index(default) if default in refs else 0,
        key="bench.instrument",
    )
    instrument = registry().get(ref)
    language = app_language()
    try:
        with st.spinner(t("bench.scoring")):
            table = cohort_table(store, str(store.engine.url), version, ref)
    except PinnedContentChanged as changed:  # an edited published instrument under the answers
        show_instrument_changed(changed)
        return
    client_rows = table[table["organisation_id"] == client_id]
    if client_rows.empty:
        st.info(t("bench.no_answers", client=plain(organisations[client_id]), ref=ref))
        return
    client = client_rows.iloc[0]
    others = table[table["organisation_id"] != client_id]
    options = filter_options(others)
    limit = settings.min_cohort()
    # Start from the client's industry when that alone makes a large enough cohort, else from
    # everyone; the consultant narrows or widens from there.
    same_industry = int((others["industry"] == client["industry"]).sum())
    starts = {"industry": [str(client["industry"])]} if same_industry >= limit else {}
    columns = st.columns(len(FILTERS))
    filters: dict[str, list[str] | None] = {}
    for column, (name, label) in zip(columns, FILTERS.items(), strict=True):
        picked = column.multiselect(
            t(label),
            options[name],
            default=[v for v in starts.get(name, []) if v in options[name]],
            key=f"bench.{name}.{client_id}.{ref}",
            placeholder=t("bench.any"),
        )
        filters[name] = picked or None
    cohort = filter_cohort(others, **filters)
    st.caption(t("bench.cohort", n=len(cohort), ref=ref, limit=limit))
    try:
        check_cohort_size(len(cohort), limit)
    except ValueError:
        st.warning(
            t("bench.too_few", n=len(cohort), limit=limit),
            icon=":material/group_off:",
        )
        return
    scales = [scale.id for scale in instrument.scales]
    names = {scale.id: instrument.text(scale.name, language) for scale in instrument.scales}
    result = benchmark(client[scales], cohort, scales=scales, min_cohort=limit)
    result["name"] = result["scale"].map(names)
    left, right = st.columns(2)
    with left:
        show_chart(
            charts.chart_spec(
                charts.percentile_bars(
                    result,
                    title=t("bench.percentile_chart", n=len(cohort)),
                    language=language,
                )
            )
        )
    with right:
        scale_id = st.selectbox(
            t("bench.distribution"), scales, format_func=names.__getitem__, key="bench.scale"
        )
        show_chart(
            charts.chart_spec(
                charts.cohort_distribution(
                    cohort[scale_id],
                    float(client[scale_id]),
                    title=names[scale_id],
                    language=language,
                )
            )
        )
    shown = result[["name", "score", "cohort_mean", "cohort_sd", "z", "percentile", "n"]]
    # The table keeps English column names (tests and downloads read them); the reader sees
    # the labels in the app's language.
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
            "Scale": t("bench.col.scale"),
            "Cohort n": t("bench.col.cohort_n"),
        }
        | {
            column: st.column_config.NumberColumn(t(key), format="%.1f")
            for column, key in (
                ("Client index", "bench.col.client_index"),
                ("Cohort mean", "bench.col.cohort_mean"),
                ("Cohort SD", "bench.col.cohort_sd"),
                ("Percentile", "bench.col.percentile"),
            )
        }
        | {"z": st.column_config.NumberColumn(format="%.2f")},
    )

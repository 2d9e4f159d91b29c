"""Research: psychometrics of each instrument version on pooled, pseudonymised responses, and
dataset exports (researchers and admins). No organisation is named on this page."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages._common import (
    app_language,
    data_version,
    database_url,
    get_store,
    option_labels,
    plain,
    registry,
    require_page,
    show_instrument_changed,
    t,
)
from scoring.reliability import MIN_ALPHA
from survey.exports.formats import FORMATS
from survey.i18n.messages import number
from survey.i18n.ui_text import language_name
from survey.instrument.registry import PinnedContentChanged
from survey.services.downloads import export_archive
from survey.services.psychometrics import instrument_factor_model, instrument_psychometrics

require_page("research")
store = get_store()

st.title(t("research.title"))
st.caption(t("research.intro"))


@st.cache_data(show_spinner=False, max_entries=16)
def _psychometrics(database: str, version: int, ref: str, side: str) -> dict[str, Any]:
    # From the aggregates kept at each submission: no answer is read, whatever the cohort size.
    found = instrument_psychometrics(store, registry().get(ref), side)
    out: dict[str, Any] = {"n": found.responses, "organisations": found.organisations}
    for name in ("reliability", "items", "flags", "agreement"):
        value = getattr(found, name)
        if value is not None:
            out[name] = value
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def _factor_model(database: str, version: int, ref: str, side: str) -> dict[str, Any]:
    try:
        return {"cfa": instrument_factor_model(store, registry().get(ref), side)}
    except ValueError as exc:  # too few complete cases, or a model that cannot be identified
        return {"cfa_error": str(exc)}


refs = [instrument.key for instrument in registry()]
if not refs:
    st.info(t("bench.no_instruments"))
    st.stop()
# Default to the newest version a campaign has used: that is where the answers are.
pinned = set(store.instruments_in_use())
latest = next((r for r in reversed(refs) if r in pinned), refs[-1])
left, right = st.columns([3, 1])
ref = left.selectbox(
    t("bench.instrument"), refs, index=refs.index(latest), key="research.instrument"
)
side = right.selectbox(
    t("research.respondents"),
    ["self", "customer", "partner"],
    format_func=option_labels("research.side."),
    key="research.side",
)
instrument = registry().get(ref)
language = app_language()
names = {scale.id: instrument.text(scale.name, language) for scale in instrument.scales}
version = data_version()
try:
    with st.spinner(t("research.scoring")):
        stats = _psychometrics(database_url(), version, ref, side)
except PinnedContentChanged as changed:  # an edited published instrument under the answers
    show_instrument_changed(changed)
    st.stop()

counts = st.columns(3)
counts[0].metric(t("research.responses"), number(stats["n"], app_language()))
counts[1].metric(t("research.organisations"), number(stats["organisations"], app_language()))
counts[2].metric(t("research.items"), len(instrument.items))
if stats["n"] == 0:
    st.info(t("research.no_responses", ref=ref))

reliability_tab, items_tab, cfa_tab, agreement_tab, export_tab = st.tabs(
    [
        t("research.tab.reliability"),
        t("research.tab.items"),
        t("research.tab.cfa"),
        t("research.tab.agreement"),
        t("research.tab.export"),
    ]
)

with reliability_tab:
    if "reliability" in stats:
        table = stats["reliability"].copy()
        flags = stats["flags"]
        scale_flags = flags[flags["item"].isna()] if len(flags) else flags
        table.insert(1, "name", table["scale"].map(names))
        table["flags"] = table["scale"].map(
            lambda s: (
                "; ".join(scale_flags.loc[scale_flags["scale"] == s, "code"])
                if len(scale_flags)
                else ""
            )
        )
        shown = table[
            [
                "name",
                "alpha",
                "alpha_ci_low",
                "alpha_ci_high",
                "omega_total",
                "average_r",
                "n",
                "k",
                "flags",
            ]
        ]
        low = shown["alpha"] < MIN_ALPHA
        st.dataframe(
            shown.style.apply(
                lambda row: ["background-color: #FCE8D5" if low[row.name] else "" for _ in row],
                axis=1,
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "name": t("research.col.scale"),
                "alpha": st.column_config.NumberColumn("α", format="%.3f"),
                "alpha_ci_low": st.column_config.NumberColumn(
                    t("research.col.alpha_ci_low"), format="%.3f"
                ),
                "alpha_ci_high": st.column_config.NumberColumn(
                    t("research.col.alpha_ci_high"), format="%.3f"
                ),
                "omega_total": st.column_config.NumberColumn(
                    t("research.col.omega_total"), format="%.3f"
                ),
                "average_r": st.column_config.NumberColumn(
                    t("research.col.average_r"), format="%.3f"
                ),
                "flags": t("research.col.flags"),
            },
        )
        st.caption(t("research.reliability_note", min_alpha=f"{MIN_ALPHA:.2f}".lstrip("0")))

with items_tab:
    if "items" in stats:
        items = stats["items"].copy()
        flags = stats["flags"]
        item_flags = flags[flags["item"].notna()] if len(flags) else flags
        problems = (
            item_flags.groupby("item")["message"].apply("; ".join)
            if len(item_flags)
            else pd.Series(dtype=str)
        )
        items.insert(1, "name", items["scale"].map(names))
        texts = {item.id: instrument.text(item.text, language) for item in instrument.items}
        items.insert(3, "statement", items["item"].map(texts))
        items["problem"] = [str(problems.get(item, "")) for item in items["item"]]
        only = st.toggle(t("research.only_problems"), key="research.only_problems")
        if only:
            items = items[items["problem"] != ""]
        flagged = items["problem"] != ""
        st.dataframe(
            items.drop(columns="scale").style.apply(
                lambda row: ["background-color: #FCE8D5" if flagged[row.name] else "" for _ in row],
                axis=1,
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "name": t("research.col.scale"),
                "item": t("research.col.item"),
                "statement": t("research.col.statement"),
                "mean": st.column_config.NumberColumn(t("research.col.mean"), format="%.2f"),
                "sd": st.column_config.NumberColumn("SD", format="%.2f"),
                "missing_share": st.column_config.NumberColumn(
                    t("research.col.missing"), format="percent"
                ),
                "r_drop": st.column_config.NumberColumn("r drop", format="%.3f"),
                "alpha_if_deleted": st.column_config.NumberColumn(
                    t("research.col.alpha_if_deleted"), format="%.3f"
                ),
                "problem": t("research.col.problem"),
            },
        )

with cfa_tab:
    # The fit takes seconds on a large instrument (an optimisation, whatever the number of
    # responses), so it runs when asked for, then stays for this instrument and side.
    fit_key = f"research.fit.{ref}.{side}"
    if stats["n"] and not st.session_state.get(fit_key):
        st.caption(t("research.fit_note"))
        if st.button(t("research.fit"), icon=":material/hub:", key=f"{fit_key}.button"):
            st.session_state[fit_key] = True
    if st.session_state.get(fit_key):
        with st.spinner(t("research.fitting")):
            stats = {**stats, **_factor_model(database_url(), version, ref, side)}
    if "cfa" in stats:
        cfa = stats["cfa"]
        fit = st.columns(5)
        fit[0].metric("CFI", f"{cfa.cfi:.3f}")
        fit[1].metric("TLI", f"{cfa.tli:.3f}")
        fit[2].metric("RMSEA", f"{cfa.rmsea:.3f}")
        fit[3].metric("SRMR", f"{cfa.srmr:.3f}")
        fit[4].metric("χ² (df)", f"{cfa.chi2:.1f} ({cfa.dof})")
        st.caption(t("research.cfa_note", n=cfa.n))
        loadings = cfa.loadings.copy()
        loadings["factor"] = loadings["factor"].map(lambda f: names.get(f, f))
        st.dataframe(
            loadings,
            hide_index=True,
            width="stretch",
            column_config={
                "factor": t("research.col.scale"),
                "item": t("research.col.item"),
                "estimate": st.column_config.NumberColumn(t("research.col.loading"), format="%.3f"),
                "std_estimate": st.column_config.NumberColumn(
                    t("research.col.standardised"), format="%.3f"
                ),
                "se": st.column_config.NumberColumn("SE", format="%.3f"),
                "pval": st.column_config.NumberColumn("p", format="%.3f"),
            },
        )
    elif "cfa_error" in stats:
        st.info(t("research.cfa_error", error=stats["cfa_error"]))

with agreement_tab:
    if "agreement" in stats:
        agreement = stats["agreement"].copy()
        agreement.insert(1, "name", agreement["scale"].map(names))
        st.dataframe(
            agreement.drop(columns="scale"),
            hide_index=True,
            width="stretch",
            column_config={"name": t("research.col.scale")}
            | {
                c: st.column_config.NumberColumn(format="%.3f")
                for c in ("group_size", "F", "pval", "ICC1", "ICC2")
            },
        )
        st.caption(t("research.agreement_note"))
    elif stats["n"]:
        st.info(t("research.agreement_needs"))

with export_tab:
    formats = {fmt.name: fmt for fmt in FORMATS}
    with st.form("research.export"):
        fmt = st.selectbox(
            t("research.format"),
            list(formats),
            format_func=lambda f: f"{formats[f].title}: {formats[f].description}",
        )
        scope = st.radio(
            t("research.responses"),
            ["this version", "every instrument"],
            format_func=option_labels(
                "research.scope.",
                {"this version": "this_version", "every instrument": "every_instrument"},
            ),
            horizontal=True,
        )
        labels_language = st.selectbox(
            t("research.labels_in"),
            instrument.languages,
            index=instrument.languages.index(language) if language in instrument.languages else 0,
            format_func=language_name,
        )
        go = st.form_submit_button(t("research.prepare"), type="primary", icon=":material/dataset:")
    if go:
        with st.spinner(t("research.writing")):
            chosen = ref if scope == "this version" else None
            try:
                archive = export_archive(
                    store.responses(instrument=chosen),
                    registry(),
                    fmt,
                    instrument=chosen,
                    language=labels_language,
                )
            except ValueError as exc:
                st.error(t("research.export_failed", error=plain(exc)))
            else:
                st.session_state["research.export_zip"] = (
                    archive.name,
                    archive.data,
                    archive.files,
                )
    prepared = st.session_state.get("research.export_zip")
    if prepared:
        name, payload, files = prepared
        st.success(t("research.ready", count=len(files), files=", ".join(files)))
        st.download_button(
            t("research.download"),
            payload,
            file_name=name,
            mime="application/zip",
            icon=":material/download:",
        )

"""Instruments: browse every instrument and version, read it in any language, compare versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._common import language_picker, registry
from survey.diff import diff_instruments
from survey.instrument import Instrument
from survey.ui_text import language_name

st.title("Instruments")
st.caption(
    "Every published version of every questionnaire, as respondents see it. Published versions "
    "never change; a new version carries a changelog and a mapping of comparable items."
)

reg = registry()
latest = reg.latest()
if not latest:
    st.info("No instruments are installed yet.")
    st.stop()

ids = [instrument.id for instrument in latest]
titles = {instrument.id: instrument.text(instrument.title) for instrument in latest}
pick, version_box, lang_box = st.columns([3, 1, 1])
with pick:
    instrument_id = st.selectbox(
        "Instrument", ids, format_func=titles.__getitem__, key="instruments.id"
    )
versions = [instrument.version for instrument in reg.versions(instrument_id)]
with version_box:
    version = st.selectbox("Version", versions[::-1], key=f"instruments.version.{instrument_id}")
instrument: Instrument = reg.get(f"{instrument_id}@{version}")
with lang_box:
    language = language_picker(instrument.languages, key="instruments.language")


def text(value: dict[str, str] | None) -> str:
    return instrument.text(value, language)


read, compare = st.tabs(["Read", "Compare versions"])

with read:
    st.header(text(instrument.title))
    st.caption(
        f"{instrument.key} · {len(instrument.scales)} scales · {len(instrument.items)} items · "
        f"languages: {', '.join(language_name(code) for code in instrument.languages)} · "
        f"sha256 {instrument.sha256[:12]}…"
    )
    st.write(text(instrument.description))

    for dimension in instrument.dimensions or []:
        st.markdown(
            f"**{text(dimension.name)}**: "
            + ", ".join(text(instrument.scale(s).name) for s in dimension.scales)
        )

    st.subheader("Scales and items")
    for scale in instrument.scales:
        rs = instrument.response_scale(scale.response_scale)
        with st.expander(f"{text(scale.name)} ({len(scale.items)} items)"):
            st.write(text(scale.definition))
            rows = [
                {
                    "Item": item.id,
                    "Statement": text(item.text),
                    "Reverse keyed": item.reverse,
                    "Required": item.required,
                }
                for item in scale.items
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            labels = " · ".join(f"{point} = {text(rs.labels[point])}" for point in rs.points)
            if rs.not_applicable:
                labels += f" · {text(rs.not_applicable_label)}"
            st.caption(f"Answer scale: {labels}")
            if scale.source:
                st.caption("Grounded in: " + ", ".join(scale.source))

    st.subheader("Maturity stages")
    stages = pd.DataFrame(
        [
            {
                "Stage": stage.stage,
                "Name": text(stage.name),
                "From index": stage.min_index,
                "What it looks like": text(stage.narrative),
            }
            for stage in instrument.stages
        ]
    )
    st.dataframe(stages, hide_index=True, width="stretch")

    if instrument.recommendations:
        st.subheader("Recommendations")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Scale": text(instrument.scale(rec.scale).name),
                        "At stages": ", ".join(str(s) for s in rec.stages),
                        "Recommendation": text(rec.text),
                    }
                    for rec in instrument.recommendations
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if instrument.references:
        st.subheader("References")
        for number, reference in enumerate(instrument.references, start=1):
            st.text(f"[{number}] {reference.citation}")

    st.subheader("Changelog")
    for entry in reversed(instrument.changelog):
        st.markdown(f"**{entry.version}** ({entry.date})")
        for change in entry.changes:
            st.text(f"• {change}")

with compare:
    if len(versions) < 2:
        st.info(
            f"{titles[instrument_id]} has one version so far ({versions[0]}); "
            "there is nothing to compare yet."
        )
    else:
        left, right = st.columns(2)
        with left:
            old = st.selectbox(
                "From version",
                versions,
                index=len(versions) - 2,
                key=f"instruments.old.{instrument_id}",
            )
        with right:
            new = st.selectbox(
                "To version",
                versions,
                index=len(versions) - 1,
                key=f"instruments.new.{instrument_id}",
            )
        diff = diff_instruments(
            reg.get(f"{instrument_id}@{old}"), reg.get(f"{instrument_id}@{new}")
        )
        if diff.empty:
            st.success(f"{old} and {new} ask the same items with the same thresholds.")
        counts = st.columns(5)
        for column, (label, found) in zip(
            counts,
            [
                ("Added", diff.added),
                ("Removed", diff.removed),
                ("Reworded", diff.reworded),
                ("Moved", diff.moved),
                ("Thresholds", diff.thresholds),
            ],
            strict=True,
        ):
            column.metric(label, len(found))

        scale_ids = {scale.id for scale in instrument.scales}

        def change_table(changes: list, before: str, after: str) -> pd.DataFrame:
            return pd.DataFrame(
                [
                    {
                        "Item": c.item,
                        "Scale": text(instrument.scale(c.scale).name)
                        if c.scale in scale_ids
                        else c.scale,
                        before: c.before,
                        after: c.after,
                    }
                    for c in changes
                ]
            )

        if diff.added:
            st.markdown("**Added items**")
            st.dataframe(
                change_table(diff.added, "Before", "Text").drop(columns="Before"),
                hide_index=True,
                width="stretch",
            )
        if diff.removed:
            st.markdown("**Removed items**")
            st.dataframe(
                change_table(diff.removed, "Text", "After").drop(columns="After"),
                hide_index=True,
                width="stretch",
            )
        if diff.reworded:
            st.markdown(f"**Reworded items** ({language_name(language)})")
            # Long sentences read better one above the other than side by side in a grid.
            shown = [c for c in diff.reworded if c.language == language] or diff.reworded
            for change in shown:
                with st.container(border=True):
                    st.caption(f"{change.item} · {change.language}")
                    st.text(f"Before: {change.before}")
                    st.text(f"After:  {change.after}")
        if diff.moved:
            st.markdown("**Items moved to another scale**")
            st.dataframe(
                change_table(diff.moved, "From scale", "To scale"),
                hide_index=True,
                width="stretch",
            )
        if getattr(diff, "rekeyed", None):
            st.markdown("**Items keyed the other way**")
            st.dataframe(
                change_table(diff.rekeyed, "Reverse before", "Reverse after"),
                hide_index=True,
                width="stretch",
            )
        if diff.scales_added or diff.scales_removed:
            st.write(
                f"Scales added: {', '.join(diff.scales_added) or 'none'}; "
                f"removed: {', '.join(diff.scales_removed) or 'none'}."
            )
        if diff.thresholds:
            st.markdown("**Stage thresholds**")
            st.dataframe(pd.DataFrame(diff.thresholds), hide_index=True, width="stretch")
        if diff.comparable:
            st.caption(
                f"{len(diff.comparable)} items of {new} are declared comparable with "
                f"{old} and can be pooled with its answers."
            )

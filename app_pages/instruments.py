"""Instruments: browse every instrument and version, read it in any language, compare versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._common import app_language, language_picker, registry, t
from survey.i18n.ui_text import language_name
from survey.instrument.diff import diff_instruments
from survey.instrument.model import Instrument

st.title(t("instruments.title"))
st.caption(t("instruments.intro"))

reg = registry()
latest = reg.latest()
if not latest:
    st.info(t("home.no_instruments"))
    st.stop()

ids = [instrument.id for instrument in latest]
titles = {instrument.id: instrument.text(instrument.title, app_language()) for instrument in latest}
pick, version_box, lang_box = st.columns([3, 1, 1])
with pick:
    instrument_id = st.selectbox(
        t("home.col.instrument"), ids, format_func=titles.__getitem__, key="instruments.id"
    )
versions = [instrument.version for instrument in reg.versions(instrument_id)]
with version_box:
    version = st.selectbox(
        t("home.col.version"), versions[::-1], key=f"instruments.version.{instrument_id}"
    )
instrument: Instrument = reg.get(f"{instrument_id}@{version}")
with lang_box:
    # The instrument's own language, apart from the app's: a consultant may read the German
    # items with English menus.
    language = language_picker(
        instrument.languages,
        key="instruments.language",
        default=app_language(),
        label=t("instruments.language"),
    )


def text(value: dict[str, str] | None) -> str:
    return instrument.text(value, language)


read, compare = st.tabs([t("instruments.tab.read"), t("instruments.tab.compare")])

with read:
    st.header(text(instrument.title))
    st.caption(
        t(
            "instruments.summary",
            ref=instrument.key,
            scales=len(instrument.scales),
            items=len(instrument.items),
            languages=", ".join(language_name(code) for code in instrument.languages),
            sha=instrument.sha256[:12],
        )
    )
    st.write(text(instrument.description))

    for dimension in instrument.dimensions or []:
        st.markdown(
            f"**{text(dimension.name)}**: "
            + ", ".join(text(instrument.scale(s).name) for s in dimension.scales)
        )

    st.subheader(t("instruments.scales_items"))
    for scale in instrument.scales:
        rs = instrument.response_scale(scale.response_scale)
        with st.expander(t("instruments.scale_items", scale=text(scale.name), n=len(scale.items))):
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
            st.dataframe(
                pd.DataFrame(rows),
                hide_index=True,
                width="stretch",
                column_config={
                    "Item": t("research.col.item"),
                    "Statement": t("research.col.statement"),
                    "Reverse keyed": t("instruments.col.reverse"),
                    "Required": t("instruments.col.required"),
                },
            )
            labels = " · ".join(f"{point} = {text(rs.labels[point])}" for point in rs.points)
            if rs.not_applicable:
                labels += f" · {text(rs.not_applicable_label)}"
            st.caption(t("instruments.answer_scale", labels=labels))
            if scale.source:
                st.caption(t("instruments.grounded_in", sources=", ".join(scale.source)))

    st.subheader(t("instruments.stages"))
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
    st.dataframe(
        stages,
        hide_index=True,
        width="stretch",
        column_config={
            "Stage": t("instruments.col.stage"),
            "Name": t("consultant.name"),
            "From index": t("instruments.col.from_index"),
            "What it looks like": t("instruments.col.narrative"),
        },
    )

    if instrument.recommendations:
        st.subheader(t("instruments.recommendations"))
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
            column_config={
                "Scale": t("research.col.scale"),
                "At stages": t("instruments.col.at_stages"),
                "Recommendation": t("instruments.col.recommendation"),
            },
        )
    if instrument.references:
        st.subheader(t("instruments.references"))
        for number, reference in enumerate(instrument.references, start=1):
            st.text(f"[{number}] {reference.citation}")

    st.subheader(t("instruments.changelog"))
    for entry in reversed(instrument.changelog):
        st.markdown(f"**{entry.version}** ({entry.date})")
        for change in entry.changes:
            st.text(f"• {change}")

with compare:
    if len(versions) < 2:
        st.info(t("instruments.one_version", title=titles[instrument_id], version=versions[0]))
    else:
        left, right = st.columns(2)
        with left:
            old = st.selectbox(
                t("instruments.from_version"),
                versions,
                index=len(versions) - 2,
                key=f"instruments.old.{instrument_id}",
            )
        with right:
            new = st.selectbox(
                t("instruments.to_version"),
                versions,
                index=len(versions) - 1,
                key=f"instruments.new.{instrument_id}",
            )
        diff = diff_instruments(
            reg.get(f"{instrument_id}@{old}"), reg.get(f"{instrument_id}@{new}")
        )
        if diff.empty:
            st.success(t("instruments.same", old=old, new=new))
        counts = st.columns(5)
        for column, (label, found) in zip(
            counts,
            [
                (t("instruments.added"), diff.added),
                (t("instruments.removed"), diff.removed),
                (t("instruments.reworded"), diff.reworded),
                (t("instruments.moved"), diff.moved),
                (t("instruments.thresholds"), diff.thresholds),
            ],
            strict=True,
        ):
            column.metric(label, len(found))

        scale_ids = {scale.id for scale in instrument.scales}

        def change_table(changes: list, before: str, after: str) -> pd.DataFrame:
            return pd.DataFrame(
                [
                    {
                        t("research.col.item"): c.item,
                        t("research.col.scale"): text(instrument.scale(c.scale).name)
                        if c.scale in scale_ids
                        else c.scale,
                        before: c.before,
                        after: c.after,
                    }
                    for c in changes
                ]
            )

        if diff.added:
            st.markdown(f"**{t('instruments.added_items')}**")
            before, wording = t("instruments.before"), t("instruments.text")
            st.dataframe(
                change_table(diff.added, before, wording).drop(columns=before),
                hide_index=True,
                width="stretch",
            )
        if diff.removed:
            st.markdown(f"**{t('instruments.removed_items')}**")
            wording, after = t("instruments.text"), t("instruments.after")
            st.dataframe(
                change_table(diff.removed, wording, after).drop(columns=after),
                hide_index=True,
                width="stretch",
            )
        if diff.reworded:
            st.markdown(f"**{t('instruments.reworded_items', language=language_name(language))}**")
            # Long sentences read better one above the other than side by side in a grid.
            shown = [c for c in diff.reworded if c.language == language] or diff.reworded
            before_label, after_label = t("instruments.before") + ":", t("instruments.after") + ":"
            width = max(len(before_label), len(after_label))
            for change in shown:
                with st.container(border=True):
                    st.caption(f"{change.item} · {change.language}")
                    # Padded labels keep the two sentences aligned in a fixed-width font.
                    st.text(f"{before_label.ljust(width)} {change.before}")
                    st.text(f"{after_label.ljust(width)} {change.after}")
        if diff.moved:
            st.markdown(f"**{t('instruments.moved_items')}**")
            st.dataframe(
                change_table(diff.moved, t("instruments.from_scale"), t("instruments.to_scale")),
                hide_index=True,
                width="stretch",
            )
        if getattr(diff, "rekeyed", None):
            st.markdown(f"**{t('instruments.rekeyed_items')}**")
            st.dataframe(
                change_table(
                    diff.rekeyed, t("instruments.reverse_before"), t("instruments.reverse_after")
                ),
                hide_index=True,
                width="stretch",
            )
        if diff.scales_added or diff.scales_removed:
            st.write(
                t(
                    "instruments.scales_changed",
                    added=", ".join(diff.scales_added) or t("instruments.none"),
                    removed=", ".join(diff.scales_removed) or t("instruments.none"),
                )
            )
        if diff.thresholds:
            st.markdown(f"**{t('instruments.stage_thresholds')}**")
            st.dataframe(pd.DataFrame(diff.thresholds), hide_index=True, width="stretch")
        if diff.comparable:
            st.caption(t("instruments.comparable", n=len(diff.comparable), old=old, new=new))

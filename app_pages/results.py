"""Results: an organisation's profile in one campaign (firm admins, their consultant, admins).

All numbers come from :func:`survey.services.results.firm_results` (scoring lives in ``scoring``),
the charts from :func:`survey.presentation.results_charts.section_charts` (the same the PDF report
draws), the words from the instrument files and :mod:`survey.i18n.report_text`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages._common import (
    app_language,
    data_version,
    database_url,
    get_store,
    language_picker,
    plain,
    registry,
    require_page,
    show_chart,
    show_instrument_changed,
    t,
)
from survey.i18n.report_text import side_word, text
from survey.i18n.ui_text import ui_text
from survey.instrument.registry import PinnedContentChanged
from survey.presentation.charts import chart_spec
from survey.presentation.results_charts import overview_chart, section_charts
from survey.services.access import visible_organisations
from survey.services.results import FirmResults, InstrumentResults, firm_results

user = require_page("results")
store = get_store()


@st.cache_data(show_spinner=t("results.computing"), max_entries=32)
def _results(
    database: str,
    version: int,
    organisation_id: int,
    campaign_id: int,
    language: str,
    only: tuple[str, ...] | None = None,
    compare: bool = True,
) -> FirmResults:
    # Keyed by the data version: a new submission changes the key, so nothing stale is shown.
    # The page asks for one section at a time (or the overview without the cohort), so a
    # first run after a submission computes only what it shows.
    return firm_results(store, organisation_id, campaign_id, language, only=only, compare=compare)


@st.cache_resource(show_spinner=False, max_entries=32)
def _charts(
    database: str,
    version: int,
    organisation_id: int,
    campaign_id: int,
    language: str,
    view: str | None,
) -> dict[str, Any]:
    # Built once per data version and view, not on every rerun (a click in an expander):
    # building an Altair chart costs more than drawing it. Charts are never changed after
    # this, so one shared object per key is safe.
    if view is None:
        overview = _results(database, version, organisation_id, campaign_id, language, None, False)
        return {"overview": chart_spec(overview_chart(overview))}
    one = _results(database, version, organisation_id, campaign_id, language, (view,), True)
    return {
        name: chart_spec(chart) for name, chart in section_charts(one.sections[0], language).items()
    }


@st.cache_data(show_spinner=t("results.preparing"), max_entries=8)
def _report(
    database: str, version: int, organisation_id: int, campaign_id: int, language: str, kind: str
) -> bytes:
    from survey.presentation import report

    results = _results(database, version, organisation_id, campaign_id, language)
    if kind == "pdf":
        return bytes(report.render_pdf(results))
    return report.render_html(results).encode("utf-8")


organisations = visible_organisations(user, store.organisations(user=user))
if not organisations:
    st.title(t("results.title"))
    st.info(t("results.no_organisation"))
    st.stop()

by_id = {org.id: org for org in organisations}
header = st.container()  # filled once the organisation and campaign are chosen
pick_org, pick_campaign, pick_language = st.columns([2, 2, 1])
with pick_org:
    if len(organisations) == 1:
        organisation_id = organisations[0].id
    else:
        organisation_id = st.selectbox(
            t("consultant.col.organisation"),
            list(by_id),
            format_func=lambda i: by_id[i].name,
            key="results.organisation",
        )
organisation = by_id[organisation_id]
campaigns = sorted(store.campaigns(organisation_id), key=lambda c: (c.created_at, c.id))
if not campaigns:
    with header:
        st.title(t("results.title_for", organisation=plain(organisation.name)))
    st.info(t("results.no_campaign"))
    st.stop()
campaign_ids = [c.id for c in campaigns][::-1]
names = {c.id: c.name for c in campaigns}
with pick_campaign:
    campaign_id = st.selectbox(
        t("consultant.campaign"),
        campaign_ids,
        format_func=names.__getitem__,
        key=f"results.campaign.{organisation_id}",
    )
campaign = next(c for c in campaigns if c.id == campaign_id)
languages = [lang for lang in registry().get(campaign.instruments[0]).languages]
with pick_language:
    # The report's language starts as the app's (when the instrument has it); after that it is
    # the reader's choice, since a report may be needed in another language than the menus.
    language = language_picker(languages, key="results.language", default=app_language())

with header:
    st.title(t("results.title_for", organisation=plain(organisation.name)))
    st.caption(
        f"{text('report.campaign', language, campaign=plain(campaign.name))} · "
        f"{plain(organisation.industry)} · "
        f"{t('results.employees', size=plain(organisation.size_band))} · "
        f"{plain(organisation.region)}"
    )

version = data_version()
pinned = [registry().get(ref) for ref in campaign.instruments]
titles = {instrument.key: instrument.text(instrument.title, language) for instrument in pinned}

TABLE = {"width": "stretch", "hide_index": True}
INDEX = st.column_config.NumberColumn(format="%.0f")


def _respondents(results: FirmResults) -> None:
    """Who answered, in one line per side (roles in the chosen language)."""
    frame = results.respondents
    for side, group in frame.groupby("side", sort=False):
        roles = ", ".join(
            f"{ui_text(f'take.role.{row.role}', language)} {row.count}"
            for row in group.itertuples()
        )
        label = (
            text("report.self", language)
            if side == "self"
            else text(f"report.{side}", language)
            if side in ("customer", "partner")
            else str(side)
        )
        st.markdown(f"{label}: {int(group['count'].sum())} ({roles})")


def _stage_block(section: InstrumentResults) -> None:
    left, right = st.columns([1, 3])
    with left:
        st.metric(
            text("report.overall_index", language, index="").split(":")[0],
            f"{section.overall_index:.0f}",
            help=t("results.index_help"),
        )
        if section.stage is not None:
            st.metric(
                t("instruments.col.stage"),
                t("results.stage_of", stage=section.stage, n=len(section.instrument.stages)),
            )
    with right:
        if section.stage is not None:
            stage = text("report.stage", language, stage=section.stage, name=section.stage_name)
            st.markdown(f"##### {stage}")
        st.write(section.narrative)


def _list(frame: pd.DataFrame, title: str) -> None:
    st.markdown(f"**{title}**")
    for row in frame.itertuples():
        st.markdown(f"- {row.name}: **{row.index:.0f}**")


def _section(section: InstrumentResults, results: FirmResults) -> None:
    _stage_block(section)
    if section.low_agreement:
        st.warning(
            text("report.low_agreement", language, scales=", ".join(section.low_agreement)),
            icon=":material/warning:",
        )
    charts = _charts(
        database_url(), version, organisation_id, campaign_id, language, section.instrument.key
    )
    chart_left, chart_right = st.columns([3, 2])
    with chart_left:
        show_chart(charts["profile"], stretch=section.chart_kind != "radar")
    with chart_right:
        _list(section.strengths, text("report.strengths", language))
        _list(section.gaps, text("report.gaps", language))
    st.subheader(text("report.recommendations", language))
    if section.recommendations.empty:
        st.write(text("report.no_recommendations", language))
    for row in section.recommendations.itertuples():
        name = section.instrument.text(section.instrument.scale(row.scale).name, language)
        st.markdown(f"- **{name}** ({row.index:.0f}): {row.text}")
    if not section.cartwheel.empty:
        with st.expander(text("report.cartwheel", language)):
            st.dataframe(section.cartwheel, **TABLE)

    st.subheader(text("report.scales", language))
    scales = section.scales[
        ["name", "dimension_name", "n", "score", "sd", "index", "rwg_j", "agreement_low"]
    ].rename(
        columns={
            "name": text("report.scale", language),
            "dimension_name": text("report.dimension", language),
            "score": text("report.score", language),
            "sd": "SD",
            "index": text("report.index", language),
            "rwg_j": text("report.agreement", language),
            "agreement_low": t("results.low_agreement"),
        }
    )
    st.dataframe(
        scales,
        **TABLE,
        column_config={
            text("report.score", language): st.column_config.NumberColumn(format="%.2f"),
            "SD": st.column_config.NumberColumn(format="%.2f"),
            text("report.index", language): INDEX,
            text("report.agreement", language): st.column_config.NumberColumn(format="%.2f"),
        },
    )

    if section.view_gap is not None and section.other_side is not None:
        st.subheader(
            text("report.view_gap", language, side=side_word(section.other_side, language))
        )
        gap_left, gap_right = st.columns([3, 2])
        with gap_left:
            show_chart(charts["view_gap"])
        with gap_right:
            gap = section.view_gap[["name", "mean_self", "mean_other", "gap"]]
            st.dataframe(
                gap.rename(
                    columns={
                        "name": text("report.scale", language),
                        "mean_self": text("report.self", language),
                        "mean_other": text(
                            "report.customer"
                            if section.other_side == "customer"
                            else "report.partner",
                            language,
                        ),
                        "gap": text("report.gap", language),
                    }
                ),
                **TABLE,
                column_config={
                    "mean_self": INDEX,
                    text("report.self", language): INDEX,
                    text("report.customer", language): INDEX,
                    text("report.partner", language): INDEX,
                    text("report.gap", language): INDEX,
                },
            )

    if section.change is not None and results.previous_campaign:
        st.subheader(text("report.change", language, campaign=plain(results.previous_campaign)))
        change = section.change[["name", "before", "after", "change", "rci", "reliable"]]
        st.dataframe(
            change.rename(
                columns={
                    "name": text("report.scale", language),
                    "before": text("report.before", language),
                    "after": text("report.after", language),
                    "change": "Δ",
                    "rci": "RCI",
                    "reliable": text("report.reliable", language),
                }
            ),
            **TABLE,
            column_config={
                text("report.before", language): INDEX,
                text("report.after", language): INDEX,
                "Δ": st.column_config.NumberColumn(format="%+.1f"),
                "RCI": st.column_config.NumberColumn(format="%+.2f"),
            },
        )
        st.caption(t("results.rci_note"))

    st.subheader(text("report.benchmark", language, n=section.cohort_size))
    if section.benchmark is None:
        st.info(text("report.no_benchmark", language, n=results.min_cohort))
    else:
        bench_left, bench_right = st.columns(2)
        with bench_left:
            show_chart(charts["percentiles"])
        if "cohort" in charts:
            with bench_right:
                show_chart(charts["cohort"])


summary_box = st.container()  # filled once the results of the chosen view are known
OVERVIEW = "overview"
if len(titles) == 1:
    view = next(iter(titles))  # one instrument: its section is the overview
else:
    view = (
        st.segmented_control(
            t("results.view"),
            [OVERVIEW, *titles],
            format_func=lambda key: (
                text("report.overview", language) if key == OVERVIEW else titles[key]
            ),
            default=OVERVIEW,
            key=f"results.view.{organisation_id}.{campaign_id}",
            label_visibility="collapsed",
        )
        or OVERVIEW
    )
# Only what the view shows is computed: the overview leaves out the cohort comparisons, and
# one instrument's section leaves out the other sections.
try:
    results = (
        _results(database_url(), version, organisation_id, campaign_id, language, None, False)
        if view == OVERVIEW
        else _results(
            database_url(), version, organisation_id, campaign_id, language, (view,), True
        )
    )
except PinnedContentChanged as changed:
    # An edited published instrument: its texts no longer match the answers (see docs/report.md).
    show_instrument_changed(changed)
    st.stop()
if results.respondents.empty or (view == OVERVIEW and not results.sections):
    st.info(text("report.no_responses", language))
    st.stop()

with summary_box, st.container(border=True):
    summary, downloads = st.columns([3, 1])
    with summary:
        st.markdown(
            f"**{text('report.respondents', language)}**: {int(results.respondents['count'].sum())}"
        )
        _respondents(results)
    with downloads:
        for kind, label, mime, icon in (
            ("pdf", t("results.report_pdf"), "application/pdf", ":material/picture_as_pdf:"),
            ("html", t("results.report_html"), "text/html", ":material/download:"),
        ):
            st.download_button(
                label,
                # Rendered only when clicked: the report computes every section in full.
                data=lambda kind=kind: _report(
                    database_url(), version, organisation_id, campaign_id, language, kind
                ),
                file_name=f"cocreate-{organisation_id}-{campaign_id}.{kind}",
                mime=mime,
                icon=icon,
                width="stretch",
                key=f"results.{kind}",
            )

if view == OVERVIEW:
    show_chart(
        _charts(database_url(), version, organisation_id, campaign_id, language, None)["overview"]
    )
    for section in results.sections:
        line = f"**{section.title}**: {round(section.overall_index)} / 100"
        if section.stage is not None:
            line += (
                f" · {text('report.stage', language, stage=section.stage, name=section.stage_name)}"
            )
        st.markdown(line)
    st.caption(text("report.method", language))
elif not results.sections:
    st.info(text("report.no_responses", language))
else:
    _section(results.sections[0], results)

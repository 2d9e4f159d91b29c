"""Consultant: clients, new organisations and campaigns, invitation links, response progress,
and benchmarks of a client against a cohort."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _benchmark
from app_pages._common import (
    app_language,
    data_version,
    flash,
    get_store,
    option_labels,
    plain,
    registry,
    require_page,
    show_flash,
    t,
)
from survey.i18n.ui_text import language_name, ui_text
from survey.services.access import visible_organisations
from survey.services.invitations import (
    check_public_url,
    explicit_setting,
    link_for,
)
from survey.services.refusals import refusal_text
from survey.storage.errors import StorageError
from survey.storage.reads import progress_totals
from survey.vocab import RESPONDENT_ROLES, SIDES, SIZE_BANDS

user = require_page("consultant")
store = get_store()

st.title(t("consultant.title"))
show_flash()


@st.cache_data(show_spinner=False, max_entries=32)
def _clients(version: int, user_key: tuple[Any, ...]) -> pd.DataFrame:
    organisations = visible_organisations(user, store.organisations(user=user))
    progress = store.organisation_progress([org.id for org in organisations]).set_index(
        "organisation_id"
    )
    rows = [
        {
            "id": org.id,
            "Organisation": org.name,
            "Industry": org.industry,
            "Size": org.size_band,
            "Region": org.region,
            "Campaigns": int(progress.at[org.id, "campaigns"]),
            "Invited": int(progress.at[org.id, "invited"]),
            "Submitted": int(progress.at[org.id, "submitted"]),
        }
        for org in organisations
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "Organisation",
            "Industry",
            "Size",
            "Region",
            "Campaigns",
            "Invited",
            "Submitted",
        ],
    )


app_lang = app_language()
version = data_version()
clients = _clients(version, (user.id, user.role))
SECTIONS = {
    "Clients": "clients",
    "New client": "new_client",
    "Campaigns": "campaigns",
    "Invitation links": "links",
    "Benchmark": "benchmark",
}
# A section picker rather than tabs: only the chosen section runs (the benchmark scores a
# whole cohort, which the other sections should not wait for). The options stay English
# identifiers; only their labels follow the language.
section = (
    st.segmented_control(
        t("consultant.section"),
        list(SECTIONS),
        default="Clients",
        format_func=option_labels("consultant.section.", SECTIONS),
        key="consultant.section",
    )
    or "Clients"
)
CLIENT_COLUMNS = {
    "Organisation": "consultant.col.organisation",
    "Industry": "consultant.col.industry",
    "Size": "consultant.col.size",
    "Region": "consultant.col.region",
    "Campaigns": "consultant.col.campaigns",
    "Invited": "consultant.col.invited",
    "Submitted": "consultant.col.submitted",
}

if section == "Clients":
    if clients.empty:
        st.info(t("consultant.no_clients"))
    else:
        left, right = st.columns(2)
        left.metric(t("consultant.section.clients"), len(clients))
        right.metric(t("consultant.responses_submitted"), int(clients["Submitted"].sum()))
        st.dataframe(
            clients.drop(columns="id"),
            hide_index=True,
            width="stretch",
            column_config={column: t(key) for column, key in CLIENT_COLUMNS.items()},
        )

if section == "New client":
    with st.form("consultant.new_org", clear_on_submit=True):
        st.subheader(t("consultant.new_org"))
        known = store.organisations(user=None) if user.role == "admin" else []
        name = st.text_input(t("consultant.name"), max_chars=200)
        industries = sorted({o.industry for o in known} | set(clients["Industry"]))
        regions = sorted({o.region for o in known} | set(clients["Region"]))
        industry = st.selectbox(
            t("consultant.col.industry"),
            industries,
            index=None,
            accept_new_options=True,
            placeholder=t("consultant.industry_placeholder"),
        )
        size_band = st.selectbox(t("consultant.size_band"), SIZE_BANDS, index=1)
        region = st.selectbox(
            t("consultant.col.region"),
            regions,
            index=None,
            accept_new_options=True,
            placeholder=t("consultant.region_placeholder"),
        )
        if st.form_submit_button(t("consultant.create_org"), type="primary"):
            missing = [
                t(f"consultant.missing.{label}")
                for label, value in (("name", name), ("industry", industry), ("region", region))
                if not value
            ]
            if missing:
                st.error(t("consultant.missing", fields=", ".join(missing)))
            else:
                try:
                    created = store.create_organisation(
                        name.strip(),
                        industry=str(industry),
                        size_band=str(size_band),
                        region=str(region),
                        consultant_id=user.id if user.role == "consultant" else None,
                    )
                except (StorageError, ValueError) as exc:
                    # A field rule's or the database's refusal, never its SQL.
                    st.error(
                        t("consultant.org_failed", error=plain(refusal_text(exc, app_language())))
                    )
                else:
                    st.session_state["consultant.org"] = created.id
                    flash(t("consultant.org_created", name=plain(created.name)))
                    st.rerun()

organisations = {int(row.id): row.Organisation for row in clients.itertuples()}


def _pick_organisation(key: str) -> int | None:
    if not organisations:
        st.info(t("consultant.client_first"))
        return None
    ids = list(organisations)
    chosen = st.session_state.get("consultant.org")
    index = ids.index(chosen) if chosen in ids else 0
    picked = st.selectbox(
        t("consultant.client"), ids, index=index, format_func=organisations.__getitem__, key=key
    )
    st.session_state["consultant.org"] = picked
    return int(picked)


if section == "Campaigns":
    organisation_id = _pick_organisation("consultant.org.campaigns")
    if organisation_id is not None:
        with (
            st.expander(t("consultant.new_campaign"), icon=":material/add:"),
            st.form("consultant.new_campaign", clear_on_submit=True),
        ):
            campaign_name = st.text_input(
                t("consultant.campaign_name"),
                max_chars=200,
                placeholder=t("consultant.campaign_placeholder"),
            )
            refs = [i.key for i in registry()]
            latest = [i.key for i in registry().latest()]
            chosen_refs = st.multiselect(t("consultant.instruments"), refs, default=latest)
            sides = st.multiselect(
                t("consultant.sides"),
                SIDES,
                default=["self"],
                format_func=option_labels("consultant.side."),
                help=t("consultant.sides_help"),
            )
            closes = st.date_input(t("consultant.closes"), value=None)
            if st.form_submit_button(t("consultant.create_campaign"), type="primary"):
                try:
                    created = store.create_campaign(
                        organisation_id,
                        campaign_name.strip(),
                        instruments=chosen_refs,
                        sides=sides,
                        closes_at=datetime.combine(closes, time(23, 59), tzinfo=UTC)
                        if closes
                        else None,
                    )
                except (StorageError, ValueError) as exc:
                    st.error(
                        t(
                            "consultant.campaign_failed",
                            error=plain(refusal_text(exc, app_language())),
                        )
                    )
                else:
                    st.success(t("consultant.campaign_created", name=plain(created.name)))
        campaigns = store.campaigns(organisation_id)
        if not campaigns:
            st.info(t("consultant.no_campaign"))
        for campaign in campaigns:
            progress = store.campaign_progress(campaign.id)
            totals = progress_totals(progress)
            with st.container(border=True):
                st.markdown(f"**{plain(campaign.name)}**")
                views = ", ".join(t(f"consultant.side.{side}") for side in campaign.sides)
                st.caption(
                    f"{', '.join(campaign.instruments)} · {t('consultant.views', sides=views)}"
                    + (
                        f" · {t('consultant.closes_on', date=f'{campaign.closes_at:%Y-%m-%d}')}"
                        if campaign.closes_at
                        else ""
                    )
                )
                st.progress(
                    float(totals["rate"]),
                    text=t(
                        "consultant.progress",
                        submitted=totals["submitted"],
                        invited=totals["invited"],
                        started=totals["started"],
                    ),
                )
                if len(progress):
                    st.dataframe(
                        progress.assign(
                            role=progress["role"].map(
                                lambda r: ui_text(f"take.role.{r}", app_lang)
                            ),
                            side=progress["side"].map(lambda s: t(f"consultant.side.{s}")),
                        ),
                        hide_index=True,
                        width="stretch",
                        column_config={
                            column: t(f"consultant.col.{column}")
                            for column in ("role", "side", "invited", "started", "submitted")
                        },
                    )

if section == "Invitation links":
    organisation_id = _pick_organisation("consultant.org.links")
    if organisation_id is not None:
        campaigns = store.campaigns(organisation_id)
        if not campaigns:
            st.info(t("consultant.campaign_first"))
        else:
            by_id = {c.id: c for c in campaigns}
            with st.form("consultant.links"):
                campaign_id = st.selectbox(
                    t("consultant.campaign"), list(by_id), format_func=lambda c: by_id[c].name
                )
                role_box, side_box, lang_box, count_box = st.columns(4)
                role = role_box.selectbox(
                    t("consultant.col.role"),
                    RESPONDENT_ROLES,
                    format_func=option_labels("take.role."),
                )
                side = side_box.selectbox(
                    t("consultant.col.side"),
                    SIDES,
                    format_func=option_labels("consultant.side."),
                )
                languages = sorted(
                    {
                        lang
                        for c in campaigns
                        for ref in c.instruments
                        for lang in registry().get(ref).languages
                    }
                )
                language = lang_box.selectbox(
                    t("consultant.link_language"), languages or ["en"], format_func=language_name
                )
                count = count_box.number_input(
                    t("consultant.how_many"), min_value=1, max_value=200, value=5
                )
                make = st.form_submit_button(t("consultant.generate"), type="primary")
            if make:
                # A configured public address wins over the browser's (which may be an
                # internal one behind a proxy).
                public_url = explicit_setting("public_url")
                links = []
                try:
                    if public_url:
                        check_public_url(public_url)  # before any invitation is created
                except ValueError:
                    st.error(t("consultant.bad_public_url", url=plain(public_url)))
                    count = 0
                try:
                    for _ in range(int(count)):
                        invitation, token = store.create_invitation(
                            campaign_id, role=role, side=side, language=language
                        )
                        links.append(
                            {
                                "invitation": invitation.id,
                                "role": role,
                                "side": side,
                                "language": language,
                                "link": link_for(
                                    token, public_url=public_url, browser_url=st.context.url
                                ),
                            }
                        )
                except (StorageError, ValueError) as exc:
                    st.error(
                        t("consultant.links_failed", error=plain(refusal_text(exc, app_language())))
                    )
                st.session_state["consultant.new_links"] = links
            links = st.session_state.get("consultant.new_links") or []
            if links:
                st.success(t("consultant.links_ready", count=len(links)))
                st.code("\n".join(link["link"] for link in links), language=None)
                st.download_button(
                    t("consultant.download_links"),
                    pd.DataFrame(links).to_csv(index=False).encode("utf-8"),
                    file_name="invitation-links.csv",
                    mime="text/csv",
                    icon=":material/download:",
                )

if section == "Benchmark":
    _benchmark.render(store, user, organisations, version)

"""Consultant: clients, new organisations and campaigns, invitation links, response progress,
and benchmarks of a client against a cohort."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _benchmark
from app_pages._common import (
    data_version,
    flash,
    get_store,
    plain,
    registry,
    require_page,
    show_flash,
)
from survey.access import visible_organisations
from survey.invitations import (
    RESPONDENT_ROLES,
    SIDES,
    SIZE_BANDS,
    invitation_link,
    progress_totals,
)
from survey.progress import organisation_progress
from survey.ui_text import language_name, ui_text

user = require_page("consultant")
store = get_store()

st.title("Consultant")
show_flash()


@st.cache_data(show_spinner=False, max_entries=32)
def _clients(version: int, user_key: tuple[Any, ...]) -> pd.DataFrame:
    organisations = visible_organisations(user, store.organisations(user=user))
    progress = organisation_progress(store, [org.id for org in organisations]).set_index(
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


version = data_version()
clients = _clients(version, (user.id, user.role))
SECTIONS = ["Clients", "New client", "Campaigns", "Invitation links", "Benchmark"]
# A section picker rather than tabs: only the chosen section runs (the benchmark scores a
# whole cohort, which the other sections should not wait for).
section = (
    st.segmented_control("Section", SECTIONS, default="Clients", key="consultant.section")
    or "Clients"
)

if section == "Clients":
    if clients.empty:
        st.info("You have no clients yet. Create one under “New client”.")
    else:
        left, right = st.columns(2)
        left.metric("Clients", len(clients))
        right.metric("Responses submitted", int(clients["Submitted"].sum()))
        st.dataframe(clients.drop(columns="id"), hide_index=True, width="stretch")

if section == "New client":
    with st.form("consultant.new_org", clear_on_submit=True):
        st.subheader("Create an organisation")
        known = store.organisations(user=None) if user.role == "admin" else []
        name = st.text_input("Name", max_chars=200)
        industries = sorted({o.industry for o in known} | set(clients["Industry"]))
        regions = sorted({o.region for o in known} | set(clients["Region"]))
        industry = st.selectbox(
            "Industry",
            industries,
            index=None,
            accept_new_options=True,
            placeholder="Choose or type an industry",
        )
        size_band = st.selectbox("Size (employees)", SIZE_BANDS, index=1)
        region = st.selectbox(
            "Region",
            regions,
            index=None,
            accept_new_options=True,
            placeholder="Choose or type a region",
        )
        if st.form_submit_button("Create organisation", type="primary"):
            missing = [
                label
                for label, value in (("name", name), ("industry", industry), ("region", region))
                if not value
            ]
            if missing:
                st.error(f"Give the organisation's {', '.join(missing)}.")
            else:
                try:
                    created = store.create_organisation(
                        name.strip(),
                        industry=str(industry),
                        size_band=str(size_band),
                        region=str(region),
                        consultant_id=user.id if user.role == "consultant" else None,
                    )
                except ValueError as exc:
                    st.error(f"Could not create the organisation: {plain(exc)}")
                else:
                    st.session_state["consultant.org"] = created.id
                    flash(f"Created the organisation {plain(created.name)}.")
                    st.rerun()

organisations = {int(row.id): row.Organisation for row in clients.itertuples()}


def _pick_organisation(key: str) -> int | None:
    if not organisations:
        st.info("Create a client first.")
        return None
    ids = list(organisations)
    chosen = st.session_state.get("consultant.org")
    index = ids.index(chosen) if chosen in ids else 0
    picked = st.selectbox(
        "Client", ids, index=index, format_func=organisations.__getitem__, key=key
    )
    st.session_state["consultant.org"] = picked
    return int(picked)


if section == "Campaigns":
    organisation_id = _pick_organisation("consultant.org.campaigns")
    if organisation_id is not None:
        with (
            st.expander("New campaign", icon=":material/add:"),
            st.form("consultant.new_campaign", clear_on_submit=True),
        ):
            campaign_name = st.text_input(
                "Campaign name", max_chars=200, placeholder="e.g. Spring 2027"
            )
            refs = [i.key for i in registry()]
            latest = [i.key for i in registry().latest()]
            chosen_refs = st.multiselect("Instruments (one version each)", refs, default=latest)
            sides = st.multiselect(
                "Whose views",
                SIDES,
                default=["self"],
                help="self: the firm's staff; customer and partner: "
                "the other side of the relationship.",
            )
            closes = st.date_input("Closes on (optional)", value=None)
            if st.form_submit_button("Create campaign", type="primary"):
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
                except ValueError as exc:
                    st.error(f"Could not create the campaign: {plain(exc)}")
                else:
                    st.success(f"Created the campaign {plain(created.name)}.")
        campaigns = store.campaigns(organisation_id)
        if not campaigns:
            st.info("This client has no campaign yet.")
        for campaign in campaigns:
            progress = store.campaign_progress(campaign.id)
            totals = progress_totals(progress)
            with st.container(border=True):
                st.markdown(f"**{plain(campaign.name)}**")
                st.caption(
                    f"{', '.join(campaign.instruments)} · views: {', '.join(campaign.sides)}"
                    + (f" · closes {campaign.closes_at:%Y-%m-%d}" if campaign.closes_at else "")
                )
                st.progress(
                    float(totals["rate"]),
                    text=f"{totals['submitted']} of {totals['invited']} invited have submitted "
                    f"({totals['started']} started)",
                )
                if len(progress):
                    st.dataframe(
                        progress.rename(columns=str.capitalize), hide_index=True, width="stretch"
                    )

if section == "Invitation links":
    organisation_id = _pick_organisation("consultant.org.links")
    if organisation_id is not None:
        campaigns = store.campaigns(organisation_id)
        if not campaigns:
            st.info("Create a campaign first.")
        else:
            by_id = {c.id: c for c in campaigns}
            with st.form("consultant.links"):
                campaign_id = st.selectbox(
                    "Campaign", list(by_id), format_func=lambda c: by_id[c].name
                )
                role_box, side_box, lang_box, count_box = st.columns(4)
                role = role_box.selectbox(
                    "Role", RESPONDENT_ROLES, format_func=lambda r: ui_text(f"take.role.{r}")
                )
                side = side_box.selectbox("Side", SIDES)
                languages = sorted(
                    {
                        lang
                        for c in campaigns
                        for ref in c.instruments
                        for lang in registry().get(ref).languages
                    }
                )
                language = lang_box.selectbox(
                    "Language", languages or ["en"], format_func=language_name
                )
                count = count_box.number_input("How many", min_value=1, max_value=200, value=5)
                make = st.form_submit_button("Generate links", type="primary")
            if make:
                base = st.context.url or "http://127.0.0.1:8501/"
                links = []
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
                                "link": invitation_link(base, token),
                            }
                        )
                except ValueError as exc:
                    st.error(plain(exc))
                st.session_state["consultant.new_links"] = links
            links = st.session_state.get("consultant.new_links") or []
            if links:
                st.success(
                    f"{len(links)} new link(s). Copy them now: only a hash of each link is "
                    "stored, so they cannot be shown again."
                )
                st.code("\n".join(link["link"] for link in links), language=None)
                st.download_button(
                    "Download the links (CSV)",
                    pd.DataFrame(links).to_csv(index=False).encode("utf-8"),
                    file_name="invitation-links.csv",
                    mime="text/csv",
                    icon=":material/download:",
                )

if section == "Benchmark":
    _benchmark.render(store, user, organisations, version)

"""The landing page: what cocreate measures and where each kind of user goes."""

from __future__ import annotations

import streamlit as st

from app_pages._common import current_user, registry

st.title("cocreate")
st.markdown("#### How ready is your firm to create value *with* its customers and partners?")
st.write(
    "cocreate measures a B2B firm's interaction capabilities, its co-creation practices, its "
    "readiness and its sustained purposeful engagement. Several people of the firm answer (and, "
    "where invited, its customers and partners); the firm receives a profile, a maturity stage, "
    "strengths, gaps and concrete recommendations."
)

left, middle, right = st.columns(3)
with left, st.container(border=True):
    st.markdown("**Respondents**")
    st.write("Open the link in your invitation, or enter its code.")
    st.page_link(
        "app_pages/assessment.py", label="Take the assessment", icon=":material/edit_note:"
    )
with middle, st.container(border=True):
    st.markdown("**Firms and consultants**")
    st.write("See the profile of an organisation, run campaigns, compare against a cohort.")
    if current_user() is None:
        st.page_link("app_pages/sign_in.py", label="Sign in", icon=":material/login:")
    else:
        st.caption("Use the menu to open your pages.")
with right, st.container(border=True):
    st.markdown("**Everyone**")
    st.write("Read every instrument, in every language and version.")
    st.page_link(
        "app_pages/instruments.py", label="Browse the instruments", icon=":material/library_books:"
    )

st.subheader("Instruments")
rows = [
    {
        "Instrument": instrument.text(instrument.title),
        "Version": instrument.version,
        "Scales": len(instrument.scales),
        "Items": len(instrument.items),
        "Languages": ", ".join(instrument.languages),
    }
    for instrument in registry().latest()
]
if rows:
    st.dataframe(rows, hide_index=True, width="stretch")
else:
    st.info("No instruments are installed yet.")

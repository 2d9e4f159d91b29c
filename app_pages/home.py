"""The landing page: what cocreate measures and where each kind of user goes."""

from __future__ import annotations

import streamlit as st

from app_pages._common import app_language, current_user, registry, t

st.title("cocreate")
st.markdown(f"#### {t('home.question')}")
st.write(t("home.intro"))

left, middle, right = st.columns(3)
with left, st.container(border=True):
    st.markdown(f"**{t('home.respondents')}**")
    st.write(t("home.respondents_text"))
    st.page_link("app_pages/assessment.py", label=t("nav.assessment"), icon=":material/edit_note:")
with middle, st.container(border=True):
    st.markdown(f"**{t('home.firms')}**")
    st.write(t("home.firms_text"))
    if current_user() is None:
        st.page_link("app_pages/sign_in.py", label=t("nav.sign_in"), icon=":material/login:")
    else:
        st.caption(t("home.use_menu"))
with right, st.container(border=True):
    st.markdown(f"**{t('home.everyone')}**")
    st.write(t("home.everyone_text"))
    st.page_link(
        "app_pages/instruments.py", label=t("home.browse"), icon=":material/library_books:"
    )

st.subheader(t("nav.instruments"))
language = app_language()
rows = [
    {
        "Instrument": instrument.text(instrument.title, language),
        "Version": instrument.version,
        "Scales": len(instrument.scales),
        "Items": len(instrument.items),
        "Languages": ", ".join(instrument.languages),
    }
    for instrument in registry().latest()
]
if rows:
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "Instrument": t("home.col.instrument"),
            "Version": t("home.col.version"),
            "Scales": t("home.col.scales"),
            "Items": t("home.col.items"),
            "Languages": t("home.col.languages"),
        },
    )
else:
    st.info(t("home.no_instruments"))

"""Sign in: the accounts of admins, consultants, firm admins and researchers live in the store."""

from __future__ import annotations

import streamlit as st

from app_pages._common import current_user, get_store, plain, role_name, sign_in, t

st.title(t("sign_in.title"))
user = current_user()
if user is not None:
    st.success(t("sign_in.already", email=plain(user.email), role=role_name(user.role)))
else:
    st.write(t("sign_in.intro"))
    with st.form("sign_in", border=True):
        email = st.text_input(t("sign_in.email"), autocomplete="username")
        password = st.text_input(
            t("sign_in.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("sign_in.submit"), type="primary")
    if submitted:
        if not email or not password:
            st.error(t("sign_in.missing"))
        else:
            found = get_store().authenticate(email.strip(), password)
            if found is None:
                st.error(t("sign_in.wrong"))
            else:
                sign_in(found)
                st.rerun()

"""Sign in: the accounts of admins, consultants, firm admins and researchers live in the store."""

from __future__ import annotations

import streamlit as st

from app_pages._common import (
    current_user,
    get_store,
    plain,
    role_name,
    sign_in,
    sso_providers,
    sso_refusal,
    t,
)

st.title(t("sign_in.title"))
user = current_user()
if user is not None:
    st.success(t("sign_in.already", email=plain(user.email), role=role_name(user.role)))
else:
    st.write(t("sign_in.intro"))
    providers = sso_providers()
    # An identity the provider vouched for but no account matches: say so, offer the way out.
    if not sso_refusal(key="auth.sso_logout") and providers:
        for provider in providers:
            if st.button(
                t("sso.sign_in_with", provider=provider.title),
                key=f"auth.sso.{provider.name or 'default'}",
                icon=":material/key:",
                type="primary",
            ):
                # Streamlit redirects to the provider and back to the app's root.
                st.login(provider.name) if provider.name else st.login()
    if providers:
        st.caption(t("sso.or_password"))
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

"""Sign in: the accounts of admins, consultants, firm admins and researchers live in the store."""

from __future__ import annotations

import streamlit as st

from app_pages._common import current_user, get_store, plain, sign_in
from survey.access import ROLE_NAMES

st.title("Sign in")
user = current_user()
if user is not None:
    st.success(
        f"You are signed in as {plain(user.email)} ({ROLE_NAMES.get(user.role, user.role)})."
    )
else:
    st.write(
        "Consultants, firm administrators and researchers sign in here. "
        "Respondents do not need an account: they open the link in their invitation."
    )
    with st.form("sign_in", border=True):
        email = st.text_input("E-mail", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if not email or not password:
            st.error("Enter your e-mail address and your password.")
        else:
            found = get_store().authenticate(email.strip(), password)
            if found is None:
                st.error("E-mail or password is wrong.")
            else:
                sign_in(found)
                st.rerun()

"""The cocreate app: this file only registers the pages (they live in app_pages/).

Which pages appear depends on who is signed in (:func:`survey.services.access.pages_for`). An
invitation link (``?t=TOKEN``) opens the assessment alone, without the menu, so a respondent sees
nothing but their questionnaire (in the language they pick there). Everyone else picks the app's
language in the sidebar; page titles and the pages' own words follow it.
"""

import streamlit as st

from app_pages._common import (
    account_box,
    app_language_picker,
    current_user,
    sign_in_from_identity,
    t,
)
from survey.services.access import pages_for

st.set_page_config(page_title="cocreate", page_icon=":material/handshake:", layout="wide")


def page(name: str, title: str, icon: str, **options: object) -> st.Page:
    return st.Page(f"app_pages/{name}.py", title=title, icon=f":material/{icon}:", **options)


if not st.query_params.get("t"):
    sign_in_from_identity()  # single sign-on, when configured: a no-op otherwise
user = current_user()
if st.query_params.get("t") and user is None:
    st.navigation([page("assessment", t("nav.assessment"), "edit_note")], position="hidden").run()
else:
    # Signed in, a user lands on their first workspace page (also right after signing in,
    # when the sign-in page is no longer in the menu); everyone else on the home page.
    app_language_picker()
    mine = pages_for(user)
    sections = {
        "": [
            page("home", t("nav.home"), "home", default=not mine),
            page("assessment", t("nav.assessment"), "edit_note"),
            page("instruments", t("nav.instruments"), "library_books"),
        ]
    }
    icons = {"results": "insights", "consultant": "groups", "research": "science"}
    if user is None:
        sections[t("nav.account")] = [page("sign_in", t("nav.sign_in"), "login")]
    else:
        sections[t("nav.workspace")] = [
            page(name, t(f"nav.{name}"), icons[name], default=index == 0)
            for index, name in enumerate(mine)
        ]
    navigation = st.navigation(sections)
    account_box(show_refusal=navigation.url_path != "sign_in")
    navigation.run()

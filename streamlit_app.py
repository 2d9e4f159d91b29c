"""The cocreate app: this file only registers the pages (they live in app_pages/).

Which pages appear depends on who is signed in (:func:`survey.access.pages_for`). An invitation
link (``?t=TOKEN``) opens the assessment alone, without the menu, so a respondent sees nothing but
their questionnaire.
"""

import streamlit as st

from app_pages._common import account_box, current_user
from survey.access import pages_for

st.set_page_config(page_title="cocreate", page_icon=":material/handshake:", layout="wide")


def page(name: str, title: str, icon: str, **options: object) -> st.Page:
    return st.Page(f"app_pages/{name}.py", title=title, icon=f":material/{icon}:", **options)


user = current_user()
if st.query_params.get("t") and user is None:
    st.navigation([page("assessment", "Take the assessment", "edit_note")], position="hidden").run()
else:
    # Signed in, a user lands on their first workspace page (also right after signing in,
    # when the sign-in page is no longer in the menu); everyone else on the home page.
    mine = pages_for(user)
    sections = {
        "": [
            page("home", "Home", "home", default=not mine),
            page("assessment", "Take the assessment", "edit_note"),
            page("instruments", "Instruments", "library_books"),
        ]
    }
    titles = {
        "results": ("Results", "insights"),
        "consultant": ("Consultant", "groups"),
        "research": ("Research", "science"),
    }
    if user is None:
        sections["Account"] = [page("sign_in", "Sign in", "login")]
    else:
        sections["Workspace"] = [
            page(name, *titles[name], default=index == 0) for index, name in enumerate(mine)
        ]
    navigation = st.navigation(sections)
    account_box()
    navigation.run()

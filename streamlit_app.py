"""The cocreate app: this file only registers the pages (they live in app_pages/).

Which pages appear depends on who is signed in (:func:`survey.access.pages_for`). An invitation
link (``?t=TOKEN``) opens the assessment alone, without the menu, so a respondent sees nothing but
their questionnaire.
"""

import streamlit as st

from app_pages._common import account_box, current_user
from survey.access import pages_for

st.set_page_config(page_title="cocreate", page_icon=":material/handshake:", layout="wide")

take = st.Page(
    "app_pages/take_assessment.py",
    title="Take the assessment",
    icon=":material/edit_note:",
    url_path="assessment",
)
if st.query_params.get("t") and current_user() is None:
    st.navigation([take], position="hidden").run()
else:
    home = st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)
    instruments = st.Page(
        "app_pages/instruments.py",
        title="Instruments",
        icon=":material/library_books:",
        url_path="instruments",
    )
    account_pages = {
        "results": st.Page(
            "app_pages/results.py", title="Results", icon=":material/insights:", url_path="results"
        ),
        "consultant": st.Page(
            "app_pages/consultant.py",
            title="Consultant",
            icon=":material/groups:",
            url_path="consultant",
        ),
        "research": st.Page(
            "app_pages/research.py",
            title="Research",
            icon=":material/science:",
            url_path="research",
        ),
    }
    user = current_user()
    sections = {"": [home, take, instruments]}
    mine = [account_pages[name] for name in pages_for(user)]
    if mine:
        sections["Workspace"] = mine
    if user is None:
        sections["Account"] = [
            st.Page(
                "app_pages/sign_in.py", title="Sign in", icon=":material/login:", url_path="sign-in"
            )
        ]
    navigation = st.navigation(sections)
    account_box()
    navigation.run()

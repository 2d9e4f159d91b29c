"""The cocreate app: this file only registers the pages (see pages/)."""

import streamlit as st

st.set_page_config(page_title="cocreate", layout="wide")
navigation = st.navigation([st.Page("pages/home.py", title="Home", default=True)])
navigation.run()

"""Research page (being built)."""

import streamlit as st

from app_pages._common import require_page

require_page("research")
st.title("Research")

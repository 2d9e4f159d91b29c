"""Placeholder home page until the app issue lands."""

import streamlit as st

from survey.registry import default_registry

st.title("cocreate")
st.write("Measure how ready a B2B firm is to co-create value with customers and partners.")
for instrument in default_registry().latest():
    st.write(f"- {instrument.text(instrument.title)} ({instrument.key})")

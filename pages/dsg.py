"""DSG & high needs."""

import streamlit as st

from ui.common import not_built_yet

st.title("DSG & high needs")
not_built_yet("This page", "issue 3")

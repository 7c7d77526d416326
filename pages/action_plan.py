"""Action plan."""

import streamlit as st

from ui.common import not_built_yet

st.title("Action plan")
not_built_yet("This page", "issue 4")

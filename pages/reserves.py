"""Reserves."""

import streamlit as st

from ui.common import not_built_yet

st.title("Reserves")
not_built_yet("This page", "issue 3")

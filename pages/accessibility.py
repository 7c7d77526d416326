"""Accessibility statement (Public Sector Bodies Accessibility Regulations 2018)."""

import streamlit as st

from ui.frame import require_frame

require_frame()

st.title("Accessibility statement")

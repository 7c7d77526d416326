"""Directorates."""

import streamlit as st

from ui.common import not_built_yet
from ui.frame import require_frame

require_frame()

st.title("Directorates")
not_built_yet("This page", "issue 5")

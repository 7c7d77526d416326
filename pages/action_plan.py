"""Action plan."""

import streamlit as st

from ui.common import not_built_yet
from ui.frame import require_frame

require_frame()

st.title("Action plan")
not_built_yet("This page", "issue 4")

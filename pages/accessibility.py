"""Accessibility statement, as the Public Sector Bodies Accessibility Regulations 2018 ask of a council service."""

import streamlit as st

from ui.frame import require_frame

require_frame()

st.title("Accessibility statement")
st.markdown(
    "This statement is for the Dorset Council financial position dashboard: the pages listed in the sidebar, "
    "the files it exports (chart images, CSV and Excel data, the briefing pack and the committee report) and "
    "its sign-in page. The council wants as many people as possible to be able to use it: you should be able to "
    "use it on a phone-sized screen without scrolling sideways, move through it with the keyboard alone, and "
    "use it with a screen reader."
)

st.header("How accessible the dashboard is")
st.markdown(
    "The dashboard is **partially compliant** with the Web Content Accessibility Guidelines (WCAG) version 2.2, "
    "level AA: automated checks find no failures on any page, but the problems listed under *Known issues* "
    "remain, and it has not yet been tested by people who use assistive technology."
)

st.header("What was tested and how")
st.markdown(
    """
Every time the dashboard's test suite runs (`make test`), it checks:

- **Every page with axe-core 4.14.1**, the accessibility engine by Deque Systems, using its rules for
  WCAG 2.0, 2.1 and 2.2 at levels A and AA. Each page is checked at 1400 pixels wide and at 390 pixels (a
  phone), on the computer that runs it (local mode) and signed in, plus the sign-in page and the sidebar
  opened on a phone-sized screen. The test fails on any violation.
- **The page language** (British English), **one main heading per page and no skipped heading levels**,
  and **no sideways scrolling at 390 pixels**.
- **The keyboard alone**: a test loads a file, chooses a directorate, changes the year and the period,
  downloads a chart as PNG and its data as CSV, opens a recommendation and records progress, and builds a
  briefing pack, pressing only keys; every control it reaches shows a visible focus ring.
- **Text in charts**: text printed inside coloured bars and every note on a chart has a contrast of at
  least 4.5 to 1.
- **Exported PDFs** are tagged: a structure tree, a title, the language, and alternative text for every image.
"""
)

st.header("Known issues")
st.markdown(
    """
- **Large tables** (the action plan tracker, the load history, the briefing pack's chooser and tables of more
  than 60 rows) are interactive data grids, and so is every table in a phone-narrow window, where a table
  wider than the screen scrolls sideways inside its grid (the page itself does not). Move within them with
  the arrow keys; a screen reader reads one cell at a time. The action plan also offers a list to open any
  recommendation, and every chart's numbers are in a plain table under **Show the data**.
- **Charts** are pictures to a screen reader. Each chart is announced with its title and a description, and
  its numbers follow it under **Show the data**, after its **Download** menu (in a phone-narrow window, a
  data grid that scrolls sideways). Values shown when you hover over a chart cannot be
  reached with the keyboard; the same values are in that table.
- **The sidebar** marks the page you are on with bold text and shading, which a screen reader does not
  announce.
- **Help for each figure** (the sentence a figure comes from) opens from the small question-mark button
  beside it, with the keyboard or the mouse.
- **Two small controls** on every page (in the sidebar, at desktop width) are smaller than the 24 by 24
  pixel target WCAG 2.2 asks for (success criterion 2.5.8).
- **Dark mode** and other colour themes of the operating system are not followed: the dashboard keeps its
  light theme so that its colours meet the contrast rules.
"""
)

st.header("Reporting a problem, or asking for another format")
st.markdown(
    "If you find a problem that is not listed here, or need the information in another format, tell the "
    "dashboard's administrator (the team that gave you access). Say which page, what you were trying to do, "
    "and which browser and any assistive technology you use. If something went wrong on screen, the message "
    "gives a short reference to quote."
)
st.markdown(
    "The Equality and Human Rights Commission is responsible for enforcing the accessibility regulations. If "
    "you are not happy with how the council responds to your complaint, contact the Equality Advisory and "
    "Support Service (EASS)."
)
st.caption("This statement was prepared on 29 November 2026 and is checked each time the test suite runs.")

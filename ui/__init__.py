"""Streamlit helpers shared by the pages: opening the database, provenance, errors."""

"""One function per chart, each returning a `Chart` (a Plotly figure with its data and provenance)."""

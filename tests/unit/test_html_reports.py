"""The HTML reports come from Jinja2 templates with autoescape: text people typed is shown, never run."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest
from jinja2 import UndefinedError

from charts.spec import Chart
from exports import briefing, templating
from exports.committee import ReportMeta, html_document

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert("  # then the quote, as &#39; or &#x27;: either shows as typed


def test_a_script_in_a_note_is_escaped_in_the_committee_report():
    report = pd.DataFrame(
        {"Theme": ["Governance"], "Rec": [5], "Recommendation": ["Agree a plan"], "RAG": ["Amber"],
         "Latest note": [SCRIPT], "Last update": [date(2026, 2, 20)]}
    )  # fmt: skip
    meta = ReportMeta(
        title=f"Progress {SCRIPT}", as_at=date(2026, 2, 20), previous=date(2021, 10, 5), source=SCRIPT,
        rules=[SCRIPT], summary={SCRIPT: 1}, generated_by=SCRIPT, generated_at=datetime(2026, 2, 20, 9, 30),
    )  # fmt: skip
    page = html_document(report, meta)
    assert "<script" not in page
    assert page.count(ESCAPED) == 7  # title twice, the note, the source, a rule, a summary line, who made it
    assert '<td class="rag-Amber">Amber</td>' in page and "<td>20 Feb 2026</td>" in page


def test_a_script_in_a_note_or_a_source_is_escaped_in_the_briefing_pack():
    chart = Chart(
        chart_id="test", figure=go.Figure(), data=pd.DataFrame(), title=SCRIPT, subtitle=SCRIPT,
        source=f"Source: {SCRIPT}", alt_text=f"Bars' \"heights\" {SCRIPT}",
    )  # fmt: skip
    figure = briefing.HeadlineFigure(label=SCRIPT, value="£1m", basis="derived", source=SCRIPT)
    info = briefing.PackInfo(title=SCRIPT, as_at=None, source=SCRIPT, produced_on=date(2026, 2, 20))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="300"></svg>'
    page = briefing.pdf_document([chart, briefing.HeadlineSlide((figure,))], info, [svg])
    assert "<script" not in page
    assert "alt='Bars&#39; &#34;heights&#34; &lt;script&gt;" in page, "an attribute cannot be closed from inside"
    assert "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; (derived)</td>" in page
    assert "section.item > img" in page, "the package's own stylesheet is printed as it is"


def test_a_template_that_names_a_value_the_caller_did_not_give_fails():
    meta = ReportMeta("Progress", date(2026, 2, 20), date(2021, 10, 5), "source", [], {}, "me", datetime(2026, 2, 20))
    with pytest.raises(UndefinedError, match="'themes' is undefined"):
        templating.render("committee.html.j2", meta=meta, columns=[])

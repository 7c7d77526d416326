"""Briefing pack: tick charts and headline figures, order them, download PowerPoint or PDF."""

import pandas as pd
import streamlit as st

from charts.all import load_catalogue
from data import vocab
from exports import briefing, images
from exports.data import export_file_name
from metrics.figures import headline_position, source_documents
from ui import as_at as as_at_control
from ui.chart_panel import image_exporter
from ui.common import database
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

HEADLINE_ROW = "headline_figures"
FORMATS = {"PowerPoint (.pptx)": "pptx", "PDF": "pdf"}
MIMES = {"pptx": briefing.PPTX_MIME, "pdf": briefing.PDF_MIME}

st.title(vocab.BRIEFING.title)
directorate_notice("packs show the whole-council charts")
st.caption(
    "Tick what goes in the pack and number the order. The pack opens with a title slide giving the "
    "as-at date and source; each chart gets a slide with its title, the chart, its source line and alt text."
)

catalogue = load_catalogue()
as_at = as_at_control.current()
with database() as conn:
    headline = briefing.headline_figures(headline_position(conn, as_at=as_at))
    sources = source_documents(conn, as_at=as_at)
info = None if sources.empty else briefing.pack_info(sources, as_at=as_at)  # None: a date before every document

choices = pd.DataFrame(
    {
        "include": True,
        "order": range(1, len(catalogue) + 2),
        "item": ["Headline figures", *(entry.name for entry in catalogue.values())],
        "page": [vocab.OVERVIEW.title, *(entry.page for entry in catalogue.values())],
    },
    index=[HEADLINE_ROW, *catalogue],
)
edited = st.data_editor(
    choices,
    hide_index=True,
    width="stretch",
    disabled=["item", "page"],
    key="pack_items",
    column_config={
        "include": st.column_config.CheckboxColumn("Include", width="small"),
        "order": st.column_config.NumberColumn("Order", min_value=1, step=1, width="small", required=True),
        "item": st.column_config.TextColumn("Chart or figures"),
        "page": st.column_config.TextColumn("Shown on"),
    },
)
if not catalogue:
    st.caption("No charts are registered yet: the pack can hold the headline figures.")

labels = [figure.label for figure in headline]
chosen_labels = st.multiselect("Headline figures on their slide", labels, default=labels, key="pack_figures")

chosen = edited.assign(position=range(len(edited)))
chosen = chosen[chosen["include"]].sort_values(["order", "position"], kind="stable")
kind = FORMATS[st.radio("Format", list(FORMATS), horizontal=True, key="pack_format")]

exporter = image_exporter()
needs_images = kind == "pdf" or any(item_id != HEADLINE_ROW for item_id in chosen.index)
if needs_images and not exporter.available:
    st.warning(images.HOW_TO_ENABLE)
elif info is None:
    held = f"as at {as_at:%-d %B %Y}" if as_at else "yet"
    st.info(
        f"No source document is held {held}: a pack would have nothing to state. Choose a later date in the sidebar."
    )
elif chosen.empty:
    st.info("Tick at least one item to build a pack.")
elif st.button("Build the pack", type="primary", icon=":material/slideshow:", key="pack_build"):
    progress = st.progress(0.0, text="Gathering the charts")
    items: list[briefing.PackItem] = []
    with database() as conn:
        for item_id in chosen.index:
            if item_id == HEADLINE_ROW:
                figures = tuple(figure for figure in headline if figure.label in chosen_labels)
                if figures:
                    items.append(briefing.HeadlineSlide(figures))
            else:
                items.append(catalogue[item_id].chart(conn, as_at=as_at))
    try:
        content = briefing.build_pack(
            items, info, kind, exporter=exporter, progress=lambda share, text: progress.progress(share, text=text)
        )
    except (images.ExportUnavailable, images.ExportFailed, ValueError) as error:
        progress.empty()
        st.error(str(error))
    else:
        progress.progress(1.0, text=f"Built: a title slide and {len(items)} item(s)")
        file_name = export_file_name(f"{info.title} briefing", info.as_at, kind)
        st.session_state["briefing_pack"] = {"file_name": file_name, "kind": kind, "content": content}

pack = st.session_state.get("briefing_pack")
if pack:
    st.download_button(
        f"Download {pack['file_name']}",
        data=pack["content"],
        file_name=pack["file_name"],
        mime=MIMES[pack["kind"]],
        icon=":material/download:",
        key="pack_download",
        on_click="ignore",
    )

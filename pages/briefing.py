"""Briefing pack: the charts added from their menus, listed to reorder and remove; download PowerPoint or PDF."""

from datetime import date

import streamlit as st

from charts.all import load_catalogue
from data import vocab
from exports import briefing, images
from exports.data import export_file_name
from metrics.current import current_position
from metrics.figures import source_documents
from ui import as_at as as_at_control
from ui import briefing_pack
from ui.cache import cached
from ui.chart_panel import image_exporter
from ui.common import database
from ui.frame import require_frame
from ui.safe import plain

require_frame()

FORMATS = {"PowerPoint (.pptx)": "pptx", "PDF": "pdf"}
MIMES = {"pptx": briefing.PPTX_MIME, "pdf": briefing.PDF_MIME}
BUILT = "briefing_pack"  # the last pack built: its file, and the list it was built from


def as_at_words(as_at: date | None) -> str:
    return f"as at {as_at:%-d %B %Y}" if as_at else f"showing the {vocab.LATEST_FIGURES.lower()}"


def show_entry(number: int, entry: briefing_pack.PackEntry, last: int) -> None:
    """One item of the pack: its statement title, what it shows (year and period), and its buttons."""
    with st.container(border=True):
        st.markdown(f"**{number}. {plain(entry.title)}**")
        st.caption(f"{plain(entry.uses)}. {as_at_control.figures_phrase(entry.as_at)}.")
        with st.container(horizontal=True):  # a row of buttons on a phone too (columns would stack)
            for label, icon, step, disabled in (
                ("Up", ":material/arrow_upward:", -1, number == 1),
                ("Down", ":material/arrow_downward:", 1, number == last),
            ):
                st.button(
                    label,
                    key=f"pack_{label.lower()}_{entry.key}",
                    icon=icon,
                    disabled=disabled,
                    on_click=briefing_pack.move,
                    args=(entry.key, step),
                    help=f"Move item {number} {label.lower()}",
                )
            st.button(
                "Remove",
                key=f"pack_remove_{entry.key}",
                icon=":material/delete:",
                on_click=briefing_pack.remove,
                args=(entry.key,),
                help=f"Take item {number} out of the pack",
            )


st.title(vocab.BRIEFING.title)
st.caption(
    "Add a chart with **Add to briefing pack** in its **Download** menu, on any page: it comes here as it is "
    "shown, with its year and period. The pack keeps this order; it opens with a title slide giving the as-at "
    "date it was built for and the date it was built, and each chart gets one slide with its title, the chart, "
    "its source line and its description."
)

as_at = as_at_control.current()
catalogue = load_catalogue()
with database() as conn:
    headline = briefing.headline_figures(cached(conn, current_position, as_at=as_at))
    sources = cached(conn, source_documents, as_at=as_at)
    not_restored = briefing_pack.restore_from_link(
        lambda chart_id: catalogue[chart_id].chart(conn, as_at=as_at) if chart_id in catalogue else None, as_at
    )
if not_restored:
    charts = "a chart" if len(not_restored) == 1 else f"{len(not_restored)} charts"
    st.warning(f"The link names {charts} this dashboard does not have, left out: {plain(', '.join(not_restored))}.")
info = None if sources.empty else briefing.pack_info(sources, as_at=as_at)  # None: a date before every document
briefing_pack.keep_in_link()
entries = briefing_pack.entries()
if not briefing_pack.contains(briefing_pack.HEADLINE_KEY):
    st.button(
        "Add the headline figures",
        key="pack_add_headline",
        icon=":material/playlist_add:",
        on_click=briefing_pack.add_headline_figures,
        args=(as_at,),
        help="A slide of the council's headline figures, each with its source quote, at the top of the pack",
    )
if info is None:
    held = f"as at {as_at:%-d %B %Y}" if as_at else "yet"
    st.info(
        f"No source document is held {held}: a pack would have nothing to state. Choose a later date in the sidebar."
    )
elif not entries:
    st.info(
        "The pack is empty. Open a chart's **Download** menu on any page and choose **Add to briefing pack**.",
        icon=":material/playlist_add:",
    )


def show_pack(entries: list[briefing_pack.PackEntry]) -> None:
    """The items in the pack, the format and the build and download buttons."""
    st.header(f"In the pack: {briefing_pack.count_words()}")
    for number, entry in enumerate(entries, start=1):
        show_entry(number, entry, len(entries))
    elsewhere = sorted({as_at_words(entry.as_at) for entry in entries if entry.as_at != as_at})
    if elsewhere:
        st.warning(
            f"Some items were added with the dashboard {', '.join(elsewhere)}; the pack is built for "
            f"{as_at_words(as_at)}. Each slide keeps the figures it was added with.",
            icon=":material/event:",
        )

    chosen_labels = [figure.label for figure in headline]
    if briefing_pack.contains(briefing_pack.HEADLINE_KEY):
        chosen_labels = st.multiselect("Headline figures on their slide", chosen_labels, default=chosen_labels,
                                       key="pack_figures")  # fmt: skip
    st.button("Empty the pack", key="pack_clear", icon=":material/remove_done:", on_click=briefing_pack.clear)

    kind = FORMATS[st.radio("Format", list(FORMATS), horizontal=True, key="pack_format")]
    exporter = image_exporter()
    needs_images = kind == "pdf" or any(entry.chart is not None for entry in entries)
    wanted = (kind, tuple(entry.key for entry in entries), tuple(chosen_labels), as_at)
    if needs_images and not exporter.available:
        st.warning(images.HOW_TO_ENABLE)
    elif info is not None and st.button(
        "Build the pack", type="primary", icon=":material/slideshow:", key="pack_build"
    ):
        progress = st.progress(0.0, text="Gathering the charts")
        items: list[briefing.PackItem] = []
        for entry in entries:
            if entry.chart is not None:
                items.append(entry.chart)
            else:
                figures = tuple(figure for figure in headline if figure.label in chosen_labels)
                if figures:
                    items.append(briefing.HeadlineSlide(figures))
        try:
            content = briefing.build_pack(
                items, info, kind, exporter=exporter, progress=lambda share, text: progress.progress(share, text=text)
            )
        except (images.ExportUnavailable, images.ExportFailed, ValueError) as error:
            progress.empty()
            st.error(str(error))
        else:
            progress.progress(1.0, text=f"Built: a title slide and {briefing_pack.count_words()}")
            file_name = export_file_name(f"{info.title} briefing", info.view_date, kind)
            st.session_state[BUILT] = {"file_name": file_name, "kind": kind, "content": content, "built_from": wanted}

    pack = st.session_state.get(BUILT)
    if pack and pack["built_from"] == wanted:
        st.download_button(
            f"Download {pack['file_name']}",
            data=pack["content"],
            file_name=pack["file_name"],
            mime=MIMES[pack["kind"]],
            icon=":material/download:",
            key="pack_download",
            on_click="ignore",
        )
    elif pack:
        st.caption("The list has changed since the pack was built: build it again to download it.")


if entries:
    show_pack(entries)

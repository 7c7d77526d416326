"""Filters that live in the URL: directorate (sidebar, every page), year or period, drill-downs.

A copied link reopens the same view: each filter is read from `st.query_params` when the session
starts, and written back on every run. A parameter that does not fit (an unknown directorate, a year
with no lines, month 13) falls back to the default with a notice, never a traceback.

Pages where the directorate filter does not apply call `directorate_notice()` to say so.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.errors import StreamlitAPIException

from data.vocab import month_label, name_key, parse_fiscal_year, parse_period
from ui.document import last_full_run_ended
from ui.safe import plain

PARAM_DIRECTORATE = "directorate"
PARAM_YEAR = "year"
PARAM_PERIOD = "period"
PARAM_DRILL = "drill"
PARAM_SERVICE = "service"
PARAM_COST_CENTRE = "cost_centre"
PARAM_AUTHORITY = "authority"
DIRECTORATE_KEY = "filter_directorates"
# The key of the fragment that holds a page's directorate-dependent parts (at most one per page): a change in
# the sidebar reruns only it, not the frame and the rest of the page.
DIRECTORATE_FRAGMENT = "directorate_view"
ALL_SERVICES = "All services"
ALL_DIRECTORATES_DRILL = "No drill-down"
_SAVED = "_saved_filters"  # values kept while a page's widgets are not on screen
_UNKNOWN_DIRECTORATES = "_unknown_directorates"  # a link's names that are not directorates, until said
_CHOSEN_DIRECTORATES = "_chosen_directorates"  # the choice before the sidebar's box exists, and its last value


def parse_directorates(values: Sequence[str], names: Sequence[str], aliases: dict[str, str] | None = None):
    """(chosen directorates, values not recognised) from query-parameter values."""
    lookup = {name_key(n): n for n in names}
    lookup.update({name_key(k): v for k, v in (aliases or {}).items() if v in names})
    chosen: list[str] = []
    unknown: list[str] = []
    for value in values:
        for part in value.split(",") if value not in names else [value]:
            match = lookup.get(name_key(part))
            if match is None:
                if part.strip():
                    unknown.append(part.strip())
            elif match not in chosen:
                chosen.append(match)
    return [n for n in names if n in chosen], unknown


def parse_month(value: str | None) -> int | None:
    """1–12 from '6', 'P6' or 'p06'; None if it is not a month."""
    if value is None:
        return None
    return parse_period(value)


def parse_year(value: str | None, years: Sequence[str]) -> str | None:
    if value is None:
        return None
    year = parse_fiscal_year(value)
    return year if year in years else None


def _saved() -> dict:
    return st.session_state.setdefault(_SAVED, {})


def _write_param(name: str, value: str | list[str] | None) -> None:
    """Keep the URL in step with the filter without touching other parameters."""
    current = st.query_params.get_all(name)
    wanted = [] if value is None else ([value] if isinstance(value, str) else list(value))
    if current != wanted:
        if wanted:
            st.query_params[name] = wanted if len(wanted) > 1 else wanted[0]
        elif name in st.query_params:
            del st.query_params[name]


def current_directorates(names: Sequence[str], aliases: dict[str, str] | None = None) -> list[str]:
    """The chosen directorates (empty = all): the sidebar's choice, or the URL's when the session starts.

    Kept under its own key until the sidebar's box exists (pages read it before the sidebar is drawn),
    so the box takes it as its default rather than through the Session State API.
    """
    if DIRECTORATE_KEY not in st.session_state and _CHOSEN_DIRECTORATES not in st.session_state:
        chosen, unknown = parse_directorates(st.query_params.get_all(PARAM_DIRECTORATE), names, aliases)
        st.session_state[_CHOSEN_DIRECTORATES] = chosen
        if unknown:  # said in the sidebar, beside the filter (the page may be drawn first)
            st.session_state[_UNKNOWN_DIRECTORATES] = (
                f"The link asked for {', '.join(plain(repr(u)) for u in unknown)}, which is not a directorate; "
                f"showing {', '.join(chosen) if chosen else 'all directorates'} instead."
            )
        _write_param(PARAM_DIRECTORATE, chosen)
    return [d for d in selected_directorates() if d in names]


def sidebar_directorate_filter(names: Sequence[str], aliases: dict[str, str] | None = None) -> list[str]:
    """The sidebar's directorate multiselect, backed by ?directorate=...; returns the chosen names."""
    current = current_directorates(names, aliases)
    if _UNKNOWN_DIRECTORATES in st.session_state:
        st.warning(st.session_state.pop(_UNKNOWN_DIRECTORATES))
    chosen = st.multiselect(
        "Directorate",
        list(names),
        # Also as the default: a box the browser draws afresh (a phone's first visit reruns the page as it
        # reports its width) starts from the chosen directorates, not from none.
        default=current,
        key=DIRECTORATE_KEY,
        on_change=_rerun_directorate_view,
        placeholder="All directorates",
        help="Applies on every page that shows directorate figures; kept in the page's address so a copied "
        "link opens the same view.",
    )
    st.session_state[_CHOSEN_DIRECTORATES] = list(chosen)
    _write_param(PARAM_DIRECTORATE, chosen)
    return list(chosen)


def _rerun_directorate_view() -> None:
    """After a directorate change, rerun only the page's directorate fragment, if the page has one and its last full
    run drew it to the end. A change made while the page is being drawn (a date just changed) reruns the whole page:
    the run it cut short left the rest of the page as it was, and a run of the fragment alone would leave it so
    (figures at the old date beside a box showing the new one)."""
    if not last_full_run_ended():
        return
    try:
        st.rerun(DIRECTORATE_FRAGMENT)
    except StreamlitAPIException:
        return  # no such fragment on this page: the whole app reruns, as for any widget


def keep_directorates_in_url(chosen: Sequence[str]) -> None:
    """For a directorate fragment: the sidebar's own write to the URL does not run when only it reruns."""
    _write_param(PARAM_DIRECTORATE, list(chosen))


def selected_directorates() -> list[str]:
    """The sidebar's choice (empty = all directorates), for pages that have no database names to hand."""
    if DIRECTORATE_KEY in st.session_state:
        return list(st.session_state[DIRECTORATE_KEY])
    return list(st.session_state.get(_CHOSEN_DIRECTORATES, []))


@st.fragment(key=DIRECTORATE_FRAGMENT)
def directorate_notice(reason: str = "these figures are for the whole council") -> None:
    """For pages where the sidebar's directorate filter does not apply: say so, and why.

    A fragment: a directorate change on such a page reruns this notice only.
    """
    chosen = selected_directorates()
    keep_directorates_in_url(chosen)
    if chosen:
        st.info(
            f"The directorate filter ({plain(', '.join(chosen))}) does not apply on this page: {reason}.",
            icon=":material/filter_alt_off:",
        )
    else:
        st.caption(f"The sidebar's directorate filter does not apply on this page: {reason}.")


def _choose(
    label: str,
    param: str,
    options: list,
    default,
    parse,
    *,
    format_func=str,
    container=st,
    describe: str,
):
    """A selectbox whose value starts from the URL (if valid), else the value kept from before, else default."""
    key = f"filter_{param}"
    if key not in st.session_state:
        raw = st.query_params.get(param)
        from_url = parse(raw) if raw is not None else None
        if raw is not None and from_url not in options:
            container.warning(
                f"The link's {describe} {plain(repr(raw))} is not available; showing {plain(format_func(default))}."
            )
            from_url = None
        saved = _saved().get(param)
        value = from_url if from_url is not None else (saved if saved in options else default)
    elif st.session_state[key] not in options:
        del st.session_state[key]
        value = default
    else:
        value = st.session_state[key]
    # The value goes in as the index, not through st.session_state: a browser that draws the box afresh
    # (a phone's first visit reruns the page as it reports its width) starts from it, not from the first option.
    value = container.selectbox(label, options, index=options.index(value), key=key, format_func=format_func)
    _saved()[param] = value
    return value


def year_filter(years: list[str], *, container=st) -> str:
    """Financial year, backed by ?year=2020/21; default the newest year with lines."""
    year = _choose(
        "Financial year",
        PARAM_YEAR,
        years,
        years[0],
        lambda raw: parse_year(raw, years),
        container=container,
        describe="year",
    )
    _write_param(PARAM_YEAR, year)
    return year


def authority_filter(codes: list[str], default: str, names: dict[str, str], *, container=st) -> str:
    """An authority by ONS code, backed by ?authority=E06000059; default the dashboard's council."""
    code = _choose(
        "Authority",
        PARAM_AUTHORITY,
        codes,
        default,
        lambda raw: raw.strip().upper(),
        format_func=lambda c: f"{names.get(c, c)} ({c})",
        container=container,
        describe="authority",
    )
    _write_param(PARAM_AUTHORITY, code)
    return code


def period_filter(periods: list[int], *, container=st) -> int:
    """The period close shown (1 = P1, April), backed by ?period=P9; default the latest period held."""
    period = _choose(
        "Period close",
        PARAM_PERIOD,
        periods,
        periods[-1],
        parse_month,
        format_func=month_label,
        container=container,
        describe="period",
    )
    _write_param(PARAM_PERIOD, f"P{period}")
    return period


def drill_filter(label: str, param: str, options: list[str], everything: str, *, container=st) -> str | None:
    """Service or cost centre for the drill-down, backed by ?service=... / ?cost_centre=...; None = all."""
    choices = [everything, *options]
    value = _choose(
        label,
        param,
        choices,
        everything,
        lambda raw: raw if raw in options else None,
        container=container,
        describe=label.lower(),
    )
    chosen = None if value == everything else value
    _write_param(param, chosen)
    return chosen

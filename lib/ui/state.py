"""Session state, the shared sidebar and the URL: one call starts every page.

Streamlit forgets a widget's value when the user moves to a page that does not
draw it, and treats same-key widgets on different pages as different widgets.
So the lab's state lives under one non-widget key, ``st.session_state["lab_state"]``
(a frozen :class:`~lib.ui.params.LabState`). Before a widget is drawn its value
is copied in from there (key ``w_<field>``); its ``on_change`` callback copies
the new value back. On every run the state is written to ``st.query_params``
when they differ, so the address bar always holds a link to the current view, and
read from them on the first run of a session, so a copied link reopens that view.
Links between pages carry the target page's parameters (:func:`page_link`), so
that a page change is one entry in the browser's history, not two; a link may
override fields (the home page's "apply Tylenol" card), and the page it opens
applies what the link names (:func:`_follow_link`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from lib.errors import ScenarioError
from lib.teach.lessons import LESSON_DIR, list_lessons, load_lesson
from lib.text.escape import inert
from lib.ui import chart_code, css, registry, tables
from lib.ui.live import read_live_link
from lib.ui.pages import PAGES as REGISTRY
from lib.ui.pages.world import SEED_MAX
from lib.ui.params import (
    LabState,
    ScenarioInfo,
    changed,
    field_query,
    n_options,
    normalize,
    parse_query,
    switch_scenario,
    to_query,
    world_free,
)
from lib.ui.teach import TeachState, page_slug, parse_teach, teach_query
from lib.world.scenarios import (
    SCENARIO_DIR,
    Scenario,
    list_scenarios,
    load_scenario,
    scenario_problems,
)

__all__ = [
    "STATE_KEY",
    "Lab",
    "add_user_scenario",
    "add_notice",
    "go_to",
    "offered_slides",
    "view_query",
    "user_scenarios",
    "init_page",
    "lab_state",
    "page_link",
    "set_fields",
    "set_state",
    "synced",
    "widget_key",
]

STATE_KEY = "lab_state"
TEACH_KEY = "lab_teach"
_URL_READ_KEY = "lab_url_read"
_NOTICES_KEY = "lab_notices"
_USER_KEY = "lab_user_scenarios"
_PAGE_KEY = "lab_page"
#: Session-state key: the page a slide's Next or Back moves to (:func:`go_to`).
_GO_KEY = "lab_go_page"
#: Longest world or table name the sidebar's picker shows whole (at its usual width).
SIDEBAR_TITLE_CHARS = 28
APP_NAME = "Predict or Explain"

#: Pages and their files, for links (the home page is app.py); a test keeps this
#: menu and the pages/ folder the same. Declared in :mod:`lib.ui.pages`.
PAGES = {name: p.file for name, p in REGISTRY.items()}
#: How a page is named in the menu, where its name alone would not say it.
PAGE_LABELS = {name: p.label for name, p in REGISTRY.items() if p.label}
#: The browser tab's icon, served by the lab itself: a Material icon as the tab's
#: icon is fetched from a font server on the internet, which a lecture hall may not reach.
TAB_ICON = Path(__file__).with_name("assets") / "lab-icon.png"
#: Icons of the links between pages (drawn from the font bundled with Streamlit).
PAGE_ICONS = {name: p.icon for name, p in REGISTRY.items()}


@dataclass(frozen=True)
class Lab:
    """What a page needs after :func:`init_page`.

    Attributes
    ----------
    page : str
    state : LabState
        The current settings (already valid for the scenario).
    scenario : Scenario
    info : ScenarioInfo
    table : lib.ui.tables.TableChoice or None
        The table every page shows when the sidebar's source is a table
        (``scenario`` then still holds the last scenario, for the Builder).
    present : bool
        The presenter view is on: no sidebar, large type.
    """

    page: str
    state: LabState
    scenario: Scenario
    info: ScenarioInfo
    table: tables.TableChoice | None = None
    present: bool = False

    @property
    def key(self) -> tuple[str, int, int]:
        """(scenario id, n, seed): the key of every cached result."""
        return (self.state.scenario, self.state.n, self.state.seed)


# ----------------------------------------------------------------------------- scenarios


_seen_files: list[tuple[tuple[str, float], ...]] = []


def _scenario_files() -> tuple[tuple[str, float], ...]:
    """(name, modification time) of every scenario file: changes when one is edited."""
    return tuple(sorted((p.name, p.stat().st_mtime) for p in SCENARIO_DIR.glob("*.toml")))


def _drop_stale_caches() -> None:
    """Forget every cached fit, figure and catalog when a scenario file changed.

    Results are cached by scenario id; a teacher editing a scenario file while
    the lab runs must not see models fitted to the old equations.
    """
    files = _scenario_files()
    if _seen_files and _seen_files[-1] != files:
        st.cache_resource.clear()
        st.cache_data.clear()
    _seen_files[:] = [files]


@st.cache_resource(show_spinner=False)
def _catalog() -> tuple[dict[str, ScenarioInfo], tuple[str, ...]]:
    """Scenario id -> info, in picker order, and the errors of broken files.

    One broken scenario file must not take the lab down: it is skipped and
    its error is shown.
    """
    errors = list(scenario_problems().values())
    infos: dict[str, ScenarioInfo] = {}
    for sid in list_scenarios():
        try:
            infos[sid] = ScenarioInfo.from_scenario(load_scenario(sid))
        except ScenarioError as exc:
            errors.append(str(exc))
    return infos, tuple(errors)


def user_scenarios() -> dict[str, Scenario]:
    """This session's own scenarios (built or uploaded), by id, oldest first."""
    return st.session_state.setdefault(_USER_KEY, {})


def session_catalog() -> tuple[dict[str, ScenarioInfo], tuple[str, ...]]:
    """The built-in catalog followed by this session's own scenarios.

    A user's scenario is registered again on every run, so that the shared
    caches (keyed by its content id) can always find it.
    """
    catalog, errors = _catalog()
    mine = user_scenarios()
    if not mine:
        return catalog, errors
    merged = dict(catalog)
    for sid, sc in mine.items():
        registry.register(sc)
        merged[sid] = ScenarioInfo.from_scenario(sc)
    return merged, errors


def add_user_scenario(sc: Scenario) -> str:
    """Make a user's scenario available on every page of this session, and select it.

    Parameters
    ----------
    sc : Scenario
        A validated scenario (e.g. from the builder or an uploaded file).

    Returns
    -------
    str
        Its id in this session (made from its content: the same world gives the same id).
    """
    registered = registry.register(sc)
    mine = user_scenarios()
    mine.pop(registered.id, None)
    mine[registered.id] = registered
    state = lab_state() if STATE_KEY in st.session_state else None
    catalog, _ = session_catalog()
    info = catalog[registered.id]
    old = catalog.get(state.scenario) if state is not None else None
    if state is None:
        state, _ = parse_query({}, catalog, default_scenario=registered.id)
    set_state(switch_scenario(state, old, info))
    return registered.id


def is_users(scenario_id: str) -> bool:
    """Whether a scenario id is one of the user's own worlds."""
    return registry.is_user_scenario(scenario_id)


@st.cache_resource(show_spinner=False)
def _lesson_steps(files: tuple[tuple[str, float], ...]) -> dict[str, int]:
    """Each readable built-in lesson's id and number of steps (``files`` keys the cache)."""
    return {lid: len(load_lesson(lid).steps) for lid in list_lessons()}


def lesson_steps() -> dict[str, int]:
    """Each built-in lesson's id and number of steps, in the lessons' order."""
    files = tuple(sorted((p.name, p.stat().st_mtime) for p in LESSON_DIR.glob("*.toml")))
    return _lesson_steps(files)


def teach_state() -> TeachState:
    """The lesson, its step and the presenter view (call after :func:`init_page`)."""
    return st.session_state.get(TEACH_KEY, TeachState())


def set_teach(state: TeachState) -> None:
    """Replace the lesson state (for callbacks)."""
    st.session_state[TEACH_KEY] = state


def offered_slides() -> dict[str, tuple[str, ...]]:
    """Each page shown as slides, by :func:`lib.ui.teach.page_slug`, and its slides' keys
    (what a deck may name)."""
    return {page_slug(n): tuple(s.key for s in p.slides) for n, p in REGISTRY.items() if p.slides}


def go_to(page: str, section: str) -> None:
    """Show ``section`` of ``page`` (for the callbacks of a slide's Next and Back and of a
    talk's start): on another page, the next run opens it (:func:`init_page`)."""
    set_teach(replace(teach_state(), section=section, where=page))
    if st.session_state.get(_PAGE_KEY) != page:
        st.session_state[_GO_KEY] = page


def add_notice(message: str) -> None:
    """One more notice under the page's title (after :func:`init_page`)."""
    st.session_state.setdefault(_NOTICES_KEY, []).append(message)


# ----------------------------------------------------------------------------- state


def lab_state() -> LabState:
    """The current state (call after :func:`init_page`)."""
    return st.session_state[STATE_KEY]


def set_state(state: LabState) -> None:
    """Replace the state (for callbacks)."""
    st.session_state[STATE_KEY] = state


def widget_key(field: str) -> str:
    """The widget key that mirrors a :class:`LabState` field."""
    return f"w_{field}"


def load_widget(field: str, value: Any = None) -> str:
    """Copy a state field (or ``value``, when given) into its widget's key before the
    widget is drawn."""
    key = widget_key(field)
    st.session_state[key] = getattr(lab_state(), field) if value is None else value
    return key


def set_fields(**changes: Any) -> None:
    """Change fields of the state, keeping it valid (for callbacks of widgets that
    :func:`synced` cannot mirror, such as the environments composer)."""
    catalog, _ = session_catalog()
    new = replace(lab_state(), **changes)
    set_state(normalize(new, catalog[new.scenario]))


def _store(field: str) -> None:
    """``on_change``: copy a widget's new value into the state."""
    value = st.session_state[widget_key(field)]
    state = lab_state()
    catalog, _ = session_catalog()
    info = catalog[state.scenario]
    if field == "scenario":
        new = switch_scenario(state, info, catalog[value])
    else:  # the fields that follow it follow (lib.ui.pages declares which)
        new = changed(state, field, int(value) if field == "seed" else value, info)
    set_state(normalize(new, catalog[new.scenario]))


def synced(field: str, value: Any = None) -> dict[str, Any]:
    """Widget arguments that keep ``field`` of the state in sync.

    ``value`` is what the widget shows when the state leaves it to the page
    (a field that is None until the user moves its widget, such as where the
    Invariance page starts a slider).
    """
    return {"key": load_widget(field, value), "on_change": _store, "args": (field,)}


# ----------------------------------------------------------------------------- page setup


def _start_state(catalog: dict[str, ScenarioInfo], page: str = "") -> list[str]:
    """Make sure the session has a valid state; read the URL on its first run."""
    ss = st.session_state
    notices: list[str] = []
    if STATE_KEY not in ss:
        if not ss.get(_URL_READ_KEY):
            query = st.query_params.to_dict()
            linked = registry.find(str(query.get("scenario", "")))
            if linked is not None:  # a link to a world someone built on this server
                user_scenarios()[linked.id] = linked
                catalog[linked.id] = ScenarioInfo.from_scenario(linked)
            if str(query.get("source", "")) == tables.TABLE:
                notices = tables.start_from_link(query)
                # the fields a table's link keeps (the level, the pages with worlds of their own)
                free = {f for name in REGISTRY for f in world_free(name)}
                kept = {k: v for k, v in query.items() if k in free}
                state, more = parse_query(kept, catalog)
                notices += more
            else:
                state, notices = parse_query(query, catalog)
            teach, teach_notices = parse_teach(query, lesson_steps(), offered_slides(), page=page)
            ss[TEACH_KEY] = teach
            notices += teach_notices
            if 1 <= teach.step <= lesson_steps().get(teach.lesson, 0):
                # a link to a lesson's step opens the lab at that step's view
                lesson = load_lesson(teach.lesson)
                state, _ = parse_query(lesson.view(teach.step - 1), catalog)
            ss[_URL_READ_KEY] = True
        else:
            state, _ = parse_query({}, catalog)
        ss[STATE_KEY] = state
    state = ss[STATE_KEY]
    if state.scenario not in catalog:  # a scenario file went away
        first = next(iter(catalog))
        notices.append(f"The scenario `{state.scenario}` is gone; showing `{first}`.")
        state = switch_scenario(state, None, catalog[first])
    ss[STATE_KEY] = normalize(state, catalog[state.scenario])
    return notices


def _follow_link(page: str, catalog: dict[str, ScenarioInfo]) -> list[str]:
    """On a page change, apply what the link's parameters change in the state.

    A link between pages (:func:`page_link`) carries the target page's view,
    which is the session's state unless the link overrides fields (the home
    page's "apply Tylenol" card). Streamlit hands the link's query string to
    the new page's run, but the state was read from the URL on the session's
    first run only, so without this the state would win and overwrite the link.
    Only what the link names changes; a run on the same page, a link without a
    scenario (Streamlit's own navigation) and a table's view are left alone.
    """
    ss = st.session_state
    last = ss.get(_PAGE_KEY)
    ss[_PAGE_KEY] = page
    if last is None or last == page or tables.current_table() is not None:
        return []
    query = st.query_params.to_dict()
    if "scenario" not in query or str(query.get("source", "")) == tables.TABLE:
        return []
    if query == to_query(lab_state(), page):
        return []
    state, notices = parse_query(query, catalog, base=lab_state())
    set_state(state)
    return notices


def _page_query(page: str, state: LabState | None = None) -> dict[str, str]:
    """The URL of ``page`` showing ``state`` (the session's by default), or the table,
    with the lesson and the presenter view (:func:`lib.ui.teach.teach_query`)."""
    own = REGISTRY[page].own_link if page in REGISTRY else None
    if own is not None:  # a student's class and seat; the lab's view is the lesson's
        return own(page)
    choice = tables.current_table()
    state = state if state is not None else lab_state()
    if choice is None:
        out = to_query(state, page)
    else:
        out = tables.table_query(choice)
        # what does not belong to a world: the level, Attribution's neurons, the network
        out.update(field_query(state, world_free(page)))
    return {**out, **teach_query(teach_state(), page)}


def view_query(page: str) -> dict[str, str]:
    """The link parameters of ``page`` showing the session's view (its world or table,
    and the page's own fields), without the lesson or the presenter view."""
    out = _page_query(page)
    for name in ("lesson", "step", "present", "section", "deck"):
        out.pop(name, None)
    return out


def sync_url(page: str) -> None:
    """Write the view into the address bar, only when it is not there already.

    Each write adds an entry to the browser's history. Links between pages
    carry the target page's parameters (:func:`page_link`), so a page change
    needs no second write and the Back button goes back one page per press.
    """
    wanted = _page_query(page)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def page_link(
    page: str,
    label: str | None = None,
    icon: str | None = None,
    *,
    help: str | None = None,
    **fields: Any,
) -> None:
    """``st.page_link`` to one of :data:`PAGES` whose URL already holds the current view.

    Keyword arguments named after :class:`~lib.ui.params.LabState` fields
    override the view in the link only (``page_link("Interventions",
    preset="Tylenol", strength=1.0)``); the target page applies them when the
    link is followed (:func:`_follow_link`).
    """
    state = lab_state()
    if fields:
        catalog, _ = session_catalog()
        state = normalize(replace(state, **fields), catalog[state.scenario])
    st.page_link(
        PAGES[page],
        label=label or PAGE_LABELS.get(page, page),
        icon=icon or PAGE_ICONS[page],
        query_params=_page_query(page, state),
        help=help,
    )


def _sidebar(catalog: dict[str, ScenarioInfo]) -> None:
    state = lab_state()
    info = catalog[state.scenario]
    with st.sidebar:
        if not st.get_option("client.showSidebarNavigation"):
            for name in PAGES:
                page_link(name)
            st.divider()
        st.session_state["w_source"] = tables.source()
        st.segmented_control(
            "Data from",
            [tables.SCENARIO, tables.TABLE],
            format_func=lambda v: "A table" if v == tables.TABLE else "A simulated world",
            required=True,
            width="stretch",
            key="w_source",
            on_change=lambda: tables.set_source(st.session_state["w_source"]),
            help="A simulated world knows its causes, so every intervention can be tried. "
            "A table (a sample, a real dataset, or your own file) can only be shifted between "
            "its environments.",
        )
        if tables.source() == tables.TABLE:
            _table_sidebar()
            _presenter_toggle()
            return
        st.selectbox(
            "Scenario",
            list(catalog),
            format_func=lambda sid: catalog[sid].title + (" (yours)" if is_users(sid) else ""),
            help="The world the data comes from: its causal graph, story and interventions.",
            **synced("scenario"),
        )
        title = catalog[lab_state().scenario].title
        if len(title) > SIDEBAR_TITLE_CHARS:  # the picker cuts it with "…": say it whole
            st.caption(f"**{inert(title)}**")
        st.select_slider(
            "Rows (n)",
            options=list(n_options(info)),
            format_func=lambda v: f"{v:,}",
            help=f"Rows in the training sample and in each test sample "
            f"(this scenario's default: {info.default_n:,}).",
            **synced("n"),
        )
        st.number_input(
            "Seed",
            min_value=0,
            max_value=SEED_MAX,
            step=1,
            help="The same seed gives the same numbers, on every machine. "
            "Change it to draw a new sample.",
            **synced("seed"),
        )
        st.caption(
            "The address bar always links to this exact view: copy it to share or to come back."
        )
        _presenter_toggle()


def _presenter_toggle() -> None:
    """The presenter view's switch (the view hides the sidebar: its pages say how to leave)."""
    st.session_state["w_present"] = teach_state().present  # it may have been left elsewhere
    st.toggle(
        "Presenter view",
        key="w_present",
        on_change=lambda: set_teach(
            replace(teach_state(), present=bool(st.session_state["w_present"]))
        ),
        help="For a projector: no sidebar, large type, one idea per screen. "
        "Also in the link: add present=1.",
    )


def _table_sidebar() -> None:
    """The sidebar's table picker and a summary of the setup (changed on the Data page)."""
    choice = tables.current_table()
    assert choice is not None
    options = tables.table_options()
    st.session_state["w_table"] = choice.key
    st.selectbox(
        "Table",
        list(options),
        format_func=lambda key: options.get(key, key),
        key="w_table",
        on_change=lambda: tables.pick_table(st.session_state["w_table"]),
        help="Sample tables made from the lab's worlds, real datasets that ship with "
        "statsmodels, and the files you uploaded on the Data page.",
    )
    setup = choice.setup
    env = tables.code(setup.environment) if setup.environment else "none"
    st.caption(
        # the picker shows a long name cut with "…": the whole name comes first here
        f"**{inert(tables.table_label(choice))}**: "
        f"{len(choice.data):,} rows. Predicting {tables.code(setup.target)} from "
        f"{len(setup.features)} column{'s' if len(setup.features) != 1 else ''}; "
        f"environments: {env}. Change this on the Data page."
    )


def pop_notices() -> list[str]:
    """Notices of this run about the link (bad parameters); each is shown once."""
    return st.session_state.pop(_NOTICES_KEY, None) or []


def init_page(page: str) -> Lab:
    """Start a page: config, state, URL, shared sidebar. Call first on every page.

    Parameters
    ----------
    page : str
        A page of :data:`lib.ui.pages.PAGES`: its declaration gives the browser
        tab's title, the sidebar and which URL parameters the page keeps.
    """
    spec = REGISTRY[page]
    st.set_page_config(
        page_title=spec.tab or f"{page} · {APP_NAME}",
        page_icon=TAB_ICON,
        layout="wide",
        # "auto": open on a wide screen, closed on a phone (it would cover the page)
        initial_sidebar_state="collapsed" if spec.sidebar == "collapsed" else "auto",
    )
    css.style()
    chart_code.prepare()
    _drop_stale_caches()
    catalog, errors = session_catalog()
    if not catalog:
        st.error(
            "No scenario could be loaded. "
            + (" ".join(errors) if errors else "The scenario folder is empty.")
        )
        st.stop()
    notices = _start_state(catalog, page)
    target = st.session_state.pop(_GO_KEY, None)
    if target in PAGES and target != page:  # a slide's Next or Back, or a talk's start
        st.switch_page(PAGES[target], query_params=_page_query(target))
    teach = teach_state()
    if teach.section and teach.where != page:  # a section belongs to its own page
        set_teach(replace(teach, section="", where=""))
    notices += _follow_link(page, catalog)
    read_live_link(page)
    present = teach_state().present
    if present:
        css.presenter_style()
        if not spec.own_exit:  # the Lessons page has its own, beside next and previous
            st.button(
                "",
                key="leave_present",
                icon=":material/close_fullscreen:",
                help="Leave the presenter view",
                on_click=lambda: set_teach(replace(teach_state(), present=False)),
            )
    _sidebar(catalog)
    sync_url(page)
    for message in errors:
        st.error(f"A scenario file could not be read and is left out: {message}")
    st.session_state[_NOTICES_KEY] = notices  # shown under the page title
    state = lab_state()
    return Lab(
        page,
        state,
        registry.get_scenario(state.scenario),
        catalog[state.scenario],
        tables.current_table(),
        present,
    )

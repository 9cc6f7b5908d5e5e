"""What a page and a section are: the declarations :mod:`lib.ui.pages` is made of.

Pure at import time (no Streamlit): what draws is named by :class:`lazy` and
imported when first called, so the registry and :mod:`lib.ui.params` can read
the declarations without importing any view.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lib.ui.fields import Field

__all__ = [
    "HANDOUT",
    "Next",
    "Page",
    "Section",
    "bare",
    "everywhere",
    "for_table",
    "for_world",
    "header",
    "lazy",
    "on_data",
    "on_lab",
    "own_world",
    "references",
]


class lazy:  # noqa: N801 - used like a function: lazy("lib.ui.compute", "sample")
    """A function of ``module`` called by name, imported on its first call.

    Views import the state, which imports this registry: naming them keeps the
    circle out. ``module`` and ``name`` stay readable, so a test can check that
    every reference of the registry resolves; two references to one function are
    equal (sections that need the same computation share one call per run).
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def resolve(self) -> Callable[..., Any]:
        """The function itself (its module imported)."""
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.module!r}, {self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, lazy) and (self.module, self.name) == (other.module, other.name)

    def __hash__(self) -> int:
        return hash((self.module, self.name))


class on_data:  # noqa: N801 - used like a function
    """A section's ``draw(lab, data)`` from a view that takes only the data."""

    def __init__(self, draw: lazy) -> None:
        self.inner = draw

    def __call__(self, lab: Any, data: Any) -> Any:
        return self.inner(data)


class on_lab:  # noqa: N801 - used like a function
    """A section's ``draw(lab, data)`` from a view that takes only the lab."""

    def __init__(self, draw: lazy) -> None:
        self.inner = draw

    def __call__(self, lab: Any, data: Any) -> Any:
        return self.inner(lab)


class bare:  # noqa: N801 - used like a function
    """A section's ``draw(lab, data)`` from a view that reads the state itself."""

    def __init__(self, draw: lazy) -> None:
        self.inner = draw

    def __call__(self, lab: Any, data: Any) -> Any:
        return self.inner()


def references(thing: Any) -> list[lazy]:
    """The lazy references inside a section's or page's callable (for tests)."""
    if isinstance(thing, lazy):
        return [thing]
    inner = getattr(thing, "inner", None)
    return references(inner) if inner is not None else []


def everywhere(lab: Any) -> bool:
    """A section shown for a world and for a table alike."""
    return True


def for_world(lab: Any) -> bool:
    """A section shown when the sidebar's data is a simulated world."""
    return lab.table is None


def for_table(lab: Any) -> bool:
    """A section shown when the sidebar's data is a table."""
    return lab.table is not None


@dataclass(frozen=True)
class Section:
    """One section of a page: one idea, one screen.

    Attributes
    ----------
    key : str
        Its name within the page (and in a link to it).
    title : str
        What it is about, as its heading says.
    reads : tuple of str
        The fields it reads (``scenario`` and :data:`lib.ui.pages.FIELDS`): what
        must change for it to show something else.
    draw : callable
        ``draw(lab, data)``: draws the section (``data`` is what ``needs`` gave).
    needs : callable, str or None
        ``needs(lab)``: the cached computation it draws from; sections of one
        page that need the same computation share one call per run, and a
        section run alone computes only its own. A section's key instead: what
        that earlier section's ``draw`` returned (a table's rows are what the
        Data page's widgets above chose), so it runs after that one.
    when : callable
        ``when(lab)``: whether the page shows it (a world's section, a table's).
    claim : str
        The one thing it shows.
    alone : bool
        Its widgets rerun only this section (a Streamlit fragment), not the page:
        for a section whose widgets change only fields it alone reads. When one
        of them changed a field another section shows, the page runs again
        whole (:mod:`lib.ui.sections`), so a wrong ``alone`` costs a rerun,
        never a stale section.
    fold : bool
        It is drawn closed, under its title, and computed only when the reader
        opens it (below the first screen, costly): a new view then costs what
        is seen. Opened once, it stays open for the session. The presenter view,
        a lesson and a section asked for alone draw it open.
    """

    key: str
    title: str
    reads: tuple[str, ...]
    draw: Callable[[Any, Any], Any]
    needs: Callable[[Any], Any] | str | None = None
    when: Callable[[Any], bool] = everywhere
    claim: str = ""
    alone: bool = False
    fold: bool = False
    slide: bool = True


@dataclass(frozen=True)
class Page:
    """One page of the lab.

    Attributes
    ----------
    name : str
        Its name (the browser tab, lessons' ``page``).
    file : str
        Its file, for links (``app.py`` or ``pages/…``).
    icon : str
        Its icon in links and the menu.
    fields : tuple of Field
        The page's own fields, declared here (other pages may carry them too).
    link : tuple of str
        The fields its link carries besides ``scenario``, ``n`` and ``seed``,
        in order (a field declared by another page is named here).
    sections : tuple of Section
        Its sections, in order (a page still drawn by its own file has none yet).
    label : str
        How the menu names it, when its name alone would not say it.
    handout : callable or None
        ``handout(lab, environments)``: its handout's sections and the
        intervention they show (``(sections, choice)``).
    script : callable or None
        ``script(state, scenario, link, environments, alpha)``: a script that
        prints its numbers.
    words : callable or None
        ``words(state)``: what made the view, in a few words (a lesson's handout).
    numbers : callable or None
        ``numbers(state)``: the lab's numbers at this view that a lesson's answer
        reads (:class:`lib.teach.lessons.ViewNumbers` fields).
    step_figure : callable or None
        ``step_figure(step, state, present)``: what a lesson step at this view
        shows of the answer (also in the presenter view).
    step_plots : callable or None
        ``step_plots(step, state)``: the figures of a lesson's handout for a step here.
    wide_figure : bool
        Whether that figure needs a projector's whole width (so a live class's
        room is not drawn beside it in the presenter view).
    tab : str
        The browser tab's title ("" for ``"<name> · Predict or Explain"``).
    sidebar : str
        ``"expanded"`` (open on a wide screen, closed on a phone's first visit, where it
        would cover the page), or ``"collapsed"`` where every screen should see the page first.
    own_exit : bool
        The page draws its own way out of the presenter view (beside its controls).
    own_link : callable or None
        ``own_link(page)``: the page's link when it is not the lab's view (a
        student's class and seat).
    lead : str
        The key of the section whose one screen states the page's result: the
        first slide of the presenter view, the others following in page order.
        ``""``: the page is not shown as slides (one section, or stepping of
        its own: Lessons, Class, Builder).
    """

    name: str
    file: str
    icon: str
    fields: tuple[Field, ...] = ()
    link: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    label: str = ""
    handout: Callable[..., Any] | None = None
    script: Callable[..., str] | None = None
    words: Callable[[Any], str] | None = None
    numbers: Callable[[Any], dict[str, Any]] | None = None
    step_figure: Callable[[Any, Any, bool], None] | None = None
    step_plots: Callable[[Any, Any], list[Any]] | None = None
    wide_figure: bool = False
    tab: str = ""
    sidebar: str = "expanded"
    own_exit: bool = False
    own_link: Callable[[str], dict[str, str]] | None = None
    lead: str = ""

    @property
    def menu_label(self) -> str:
        """How the menu and links name the page."""
        return self.label or self.name

    def section(self, key: str) -> Section:
        """One section by key."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"{self.name} has no section {key!r}")

    @property
    def slides(self) -> tuple[Section, ...]:
        """Its sections that are slides in the presenter view, in page order (none
        when it declares no ``lead``)."""
        if not self.lead:
            return ()
        return tuple(s for s in self.sections if s.slide and s.key != "header")


@dataclass(frozen=True)
class Next:
    """Where a page sends a reader when it ends, and why (:data:`lib.ui.pages.WHAT_NEXT`).

    Attributes
    ----------
    page : str
        The page the link opens (a name of :data:`lib.ui.pages.PAGES`).
    label : str
        The link's text.
    why : str
        One or two sentences: why go there now.
    why_table : str
        The same when the sidebar's data is a table ("" when ``why`` says it).
    """

    page: str
    label: str
    why: str
    why_table: str = ""

    def reason(self, table: bool) -> str:
        """Why go on, for a world or for a table."""
        return self.why_table if table and self.why_table else self.why


class _Header:
    def __init__(self, title: str, lead: str, own_world: str = "") -> None:
        self.title, self.lead, self.own_world = title, lead, own_world
        self.inner = lazy("lib.ui.widgets", "page_header")

    def __call__(self, lab: Any, data: Any) -> None:
        self.inner(self.title, self.lead, own_world=self.own_world)


def header(title: str, lead: str, *, own_world: str = "") -> Section:
    """A page's first section: its title and what it is for.

    ``own_world``: for a page that does not use the sidebar's world, the one
    sentence that says what it uses instead (shown under the lead).
    """
    return Section("header", title, reads=(), draw=_Header(title, lead, own_world), claim=lead)


def own_world(page: Page) -> str:
    """What a page uses instead of the sidebar's world ("" when it follows the sidebar)."""
    for s in page.sections:
        if s.key == "header":
            return str(getattr(s.draw, "own_world", ""))
    return ""


#: The Handout popover that ends the world pages: the view as a web page and a script.
HANDOUT = Section(
    "handout",
    "Handout",
    reads=(),
    draw=lazy("lib.ui.handout_views", "handout_section"),
    claim="The view as a web page that works offline, and a script of its numbers.",
    slide=False,
)

"""The Builder page in headless Chromium, typed into as a person would.

The node table is an ``st.data_editor`` (a canvas grid): a cell is opened with a
double-click, its text replaced by typing, and committed with Enter, each commit
being one rerun of the page. A typo in an equation shows a "did you mean" error
under the table; fixing it clears the error and the graph draws the new edge.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import TWO_FRAMES_JS, wait_for_layout

ROW_HEIGHT = 35  # Streamlit's data grid: header and rows are 35 px high at the default size
NAME_X = 60  # inside the "Name" column, right of the row markers
EQUATION_X = 250  # inside the wide "Equation" column


def node_table(page: Any) -> Any:
    return page.locator('[data-testid="stDataFrame"]').first


def type_into_cell(page: Any, wait_for_app: Any, row: int, x: float, text: str) -> None:
    """Open the cell of ``row`` (0 = first data row) at ``x``, replace its text, commit."""
    box = node_table(page).bounding_box()
    assert box is not None
    y = box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
    # A first click selects the cell: after other widgets were used (e.g. a copy was
    # started), the grid ignores a double-click that is not preceded by one.
    page.mouse.click(box["x"] + x, y)
    page.evaluate(TWO_FRAMES_JS)  # the grid has drawn the selected cell
    page.mouse.dblclick(box["x"] + x, y)
    editor = page.locator("textarea.gdg-input")
    editor.wait_for(state="visible")
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=15)
    page.keyboard.press("Enter")
    wait_for_app(page)


def type_until(
    page: Any,
    wait_for_app: Any,
    row: int,
    x: float,
    text: str,
    done: Any,
    attempts: int = 3,
) -> None:
    """Type into a cell until ``done()`` holds (the page shows the edit took effect).

    The grid is a canvas: on a busy machine a double-click that lands while the
    page is redrawing after the previous edit is sometimes lost. A person would
    see the cell unchanged and type again; so does this.
    """
    for _ in range(attempts):
        type_into_cell(page, wait_for_app, row, x, text)
        wait_for_app(page)
        if done():
            return
    raise AssertionError(f"typing {text!r} into row {row} never took effect")


def error_text(page: Any) -> str:
    boxes = page.locator('[data-testid="stAlertContentError"]').all()
    return "\n".join(" ".join(b.inner_text().split()) for b in boxes)


def graph_text(page: Any) -> str:
    """The node labels of the drawn graph."""
    nodes = page.locator('[class*="st-key-lab_graph_builder"] svg g.node text')
    nodes.first.wait_for(state="attached")
    return " ".join(nodes.all_text_contents())


def graph_edges(page: Any) -> int:
    graph_text(page)  # drawn
    return page.locator('[class*="st-key-lab_graph_builder"] svg g.edge').count()


def stale_edges(page: Any) -> int:
    """Arrows drawn dashed (a broken equation's last valid arrows, or a latent node's)."""
    graph_text(page)
    return page.locator(
        '[class*="st-key-lab_graph_builder"] svg g.edge path[stroke-dasharray]'
    ).count()


def red_outlines(page: Any) -> int:
    """Nodes outlined in the error colour."""
    graph_text(page)
    return page.locator(
        '[class*="st-key-lab_graph_builder"] svg g.node [stroke="#c62828" i]'
    ).count()


def test_typing_a_world_with_a_typo_then_fixing_it(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Builder")
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("Variables and their equations", exact=True)).to_be_visible(
        timeout=30_000
    )
    assert graph_edges(page) == 1  # the starter world: x → y

    # a new variable, typed into the empty row at the bottom of the table
    type_until(page, wait_for_app, 2, NAME_X, "dopamine", lambda: "dopamine" in graph_text(page))
    type_until(page, wait_for_app, 2, EQUATION_X, "normal(5, 1)", lambda: not error_text(page))
    assert_no_errors(page)
    assert "dopamine" in graph_text(page)

    # y now reads dopamine, with a typo: a helpful error, and nothing breaks
    type_until(
        page,
        wait_for_app,
        1,
        EQUATION_X,
        "2 * dopmine + normal(0, 1)",
        lambda: "dopmine" in error_text(page),
    )
    errors = error_text(page)
    assert "Node row 2, y" in errors
    assert "unknown name dopmine; did you mean dopamine?" in errors
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("button", name="Use this world").is_disabled()
    # y keeps its last valid arrow (x → y), dashed, and is outlined in red
    assert graph_edges(page) == 1 and stale_edges(page) == 1 and red_outlines(page) >= 1
    expect(page.get_by_text("showing its last valid equation's arrows")).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "builder-typo")

    # fixed: no error, and the graph draws dopamine → y
    type_until(
        page,
        wait_for_app,
        1,
        EQUATION_X,
        "2 * dopamine + normal(0, 1)",
        lambda: not error_text(page),
    )
    assert_no_errors(page)
    assert graph_edges(page) == 1 and "dopamine" in graph_text(page)
    assert stale_edges(page) == 0 and red_outlines(page) == 0
    assert page.get_by_role("button", name="Use this world").is_enabled()
    screenshot(page, "builder-fixed")

    # and the world is used on every page
    page.get_by_role("button", name="Use this world").click()
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("is now the world on every page").first).to_be_visible(timeout=30_000)


_SCROLLERS_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stDataFrame"] .dvn-scroller')).map(e => [e.scrollWidth, e.clientWidth])"""


def start_a_copy(page: Any, wait_for_app: Any, title: str) -> None:
    page.get_by_text("Start from a blank world").click()
    choice = page.locator('[data-testid="stExpander"] [data-testid="stSelectbox"]').first
    choice.wait_for(state="visible")
    wait_for_layout(page)  # the expander's opening animation
    option = page.get_by_role("option").filter(has_text=title).first
    for _ in range(3):  # a busy machine may miss the click that opens the list
        choice.click()
        try:
            option.wait_for(state="visible", timeout=8_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    option.click()
    wait_for_app(page)
    page.get_by_role("button", name="Start").click()
    wait_for_app(page)
    page.mouse.move(0, 0)  # no tooltip in the screenshots


def test_the_tables_fit_at_1400_px_and_keep_their_first_columns_at_1024(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Builder")
    wait_for_app(page)
    start_a_copy(page, wait_for_app, "L-DOPA")
    assert_no_errors(page)
    tables = page.evaluate(_SCROLLERS_JS)
    assert len(tables) == 2
    for scroll_width, client_width in tables:  # every column in view: nothing to scroll
        assert scroll_width <= client_width + 1, tables
    screenshot(page, "builder-ldopa-1400")

    page.set_viewport_size({"width": 1024, "height": 900})
    wait_for_app(page)
    wait_for_layout(page)
    (nodes_width, nodes_client), (presets_width, presets_client) = page.evaluate(_SCROLLERS_JS)
    # row markers + name, equation and unit; row markers + preset, kind, node and amount
    assert nodes_client >= 34 + 116 + 352 + 96 and nodes_width > nodes_client
    assert presets_client >= 34 + 120 + 96 + 104 + 250
    screenshot(page, "builder-ldopa-1024")


def test_renaming_a_variable_carries_into_its_presets_and_keeps_the_world_usable(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    """Found by a student: renaming x to rain broke the preset "Set x to 1" without a
    word near the top, and its node cell went blank."""
    page.goto(server_url + "/Builder")
    wait_for_app(page)
    expect(page.get_by_text("Variables and their equations", exact=True)).to_be_visible(
        timeout=30_000
    )
    notice = page.get_by_text("Renamed x to rain everywhere it was used")
    type_until(page, wait_for_app, 0, NAME_X, "rain", lambda: notice.count() > 0)
    assert_no_errors(page)
    assert not error_text(page)
    assert "rain" in graph_text(page) and graph_edges(page) == 1
    assert "the preset “Set x to 1”" in notice.inner_text()
    expect(page.get_by_text("2 variables and 1 preset, every equation checked")).to_be_visible()
    assert page.get_by_role("button", name="Use this world").is_enabled()
    screenshot(page, "builder-renamed")

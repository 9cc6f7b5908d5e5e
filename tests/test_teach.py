"""Handouts and reproduction scripts (lib.teach).

The handout must open offline (plotly.js inlined once, no address to fetch),
show user text as typed, and hold each figure. The script must print the
numbers the page computes: it runs in a subprocess from the repository root and
its output is compared with the page's own cached computations (lib.ui.compute).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.fitting.experiments import OBSERVATIONAL
from lib.teach.handout import Graph, Plot, Section, Table, build_handout, plotly_js
from lib.teach.markdown import inline_html, markdown_html
from lib.teach.reproduce import reproduce_script, script_file_name
from lib.ui import compute, registry
from lib.ui import invariance_views as iv
from lib.ui.invariance_sections import state_environments
from lib.ui.lab import choose, clues, data_columns, interventions_key
from lib.ui.pages.interventions import CUSTOM
from lib.ui.pages.invariance import decode_envs
from lib.ui.params import LabState, ScenarioInfo
from lib.world.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script> & \"quotes\" 'x' <img src=https://example.org/x.png>"
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


# ----------------------------------------------------------------------------- markdown


def test_markdown_escapes_html_and_keeps_the_lab_s_formatting() -> None:
    out = markdown_html("# Title\n\nHi <b>there</b> & **bold** *it* `a<b`\n\n- one\n- two\n\n1. x")
    assert "<b>" not in out
    assert "&lt;b&gt;there&lt;/b&gt; &amp; <strong>bold</strong> <em>it</em>" in out
    assert "<code>a&lt;b</code>" in out
    assert "<h3>Title</h3>" in out
    assert "<ul><li>one</li><li>two</li></ul>" in out
    assert "<ol><li>x</li></ol>" in out


def test_markdown_links_only_to_safe_addresses() -> None:
    assert (
        inline_html("[a](https://x.org/?q=1&b=2)") == '<a href="https://x.org/?q=1&amp;b=2">a</a>'
    )
    for url in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "x.html"):
        out = inline_html(f"[click]({url})")
        assert "<a" not in out and "click" in out


def test_markdown_backslash_escapes_show_the_character() -> None:
    # lib.text.escape.inert writes user text this way
    assert inline_html(r"\<b\> \*\*x\*\* \`y\`") == "&lt;b&gt; **x** `y`"


def test_markdown_attribute_breakout_is_inert() -> None:
    out = inline_html('[x](https://a.org/"onmouseover="alert(1))')
    assert '"onmouseover' not in out
    assert "<script" not in markdown_html("<script>alert(1)</script>")


# ----------------------------------------------------------------------------- handout


def _figure(title: str = "f") -> go.Figure:
    return go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name=title), layout={"title": title})


def _handout(**kwargs) -> str:
    sections = [
        Section("One", "Some **text**.", figures=[Plot(_figure("a"), "caption a"), _figure("b")]),
        Section("Two", figures=[Plot(_figure("c"))], note="a note"),
    ]
    return build_handout(
        "A title",
        {"World": "L-DOPA", "Rows": "2,000", "Seed": "7", "Intervention": "Tylenol"},
        sections,
        link="http://localhost:8501/Interventions?scenario=ldopa&preset=Tylenol",
        **kwargs,
    )


def _plot_data(doc: str) -> list[dict]:
    blobs = re.findall(r"<script type='application/json'[^>]*>(.*?)</script>", doc, re.DOTALL)
    return [json.loads(b) for b in blobs]


def test_handout_holds_each_figure_and_plotly_js_once() -> None:
    doc = _handout()
    for i in (1, 2, 3):
        assert f"<div id='handout-plot-{i}' class='handout-plot'></div>" in doc
    assert "handout-plot-4" not in doc
    banner = plotly_js()[:60]
    assert doc.count(banner) == 1
    assert doc.count("Plotly.newPlot(") == 1  # one loop draws them all
    figures = _plot_data(doc)
    assert [f["layout"]["title"]["text"] for f in figures] == ["a", "b", "c"]
    assert figures[0]["data"][0]["y"] == [3, 1, 2]


def test_handout_fetches_nothing() -> None:
    doc = _handout()
    tags = re.findall(r"<(?:script|link|img|iframe|object|embed|source|video|audio)\b[^>]*>", doc)
    assert tags, "expected the handout's own script tags"
    for tag in tags:
        assert not re.search(r"\b(?:src|href|data)\s*=", tag), tag
    assert "@import" not in doc and "url(" not in doc.split("<script>")[0]
    # The only http(s) address outside plotly.js is the link back to the view.
    outside = doc.replace(plotly_js(), "")
    assert (
        re.findall(r"https?://[^\s'\"<]+", outside)
        == ["http://localhost:8501/Interventions?scenario=ldopa&amp;preset=Tylenol"] * 2
    )


def test_handout_without_plots_has_no_plotly() -> None:
    doc = build_handout("t", {}, [Section("s", "text", figures=[Table(pd.DataFrame({"a": [1]}))])])
    assert "Plotly" not in doc and "<script" not in doc


def test_handout_shows_settings_and_link() -> None:
    doc = _handout()
    for name, value in [("World", "L-DOPA"), ("Rows", "2,000"), ("Seed", "7")]:
        assert f"<th scope='row'>{name}</th><td>{value}</td>" in doc
    assert "href='http://localhost:8501/Interventions?scenario=ldopa&amp;preset=Tylenol'" in doc


def test_handout_escapes_user_text_everywhere() -> None:
    fig = _figure(HOSTILE)
    doc = build_handout(
        HOSTILE,
        {HOSTILE: HOSTILE},
        [
            Section(
                HOSTILE,
                HOSTILE,
                figures=[
                    Plot(fig, HOSTILE),
                    Graph(f'digraph {{ "{HOSTILE}" }}', HOSTILE),
                    Table(pd.DataFrame({HOSTILE: [HOSTILE], "x": [1.5]}), HOSTILE),
                ],
                note=HOSTILE,
                question=HOSTILE,
                answer=HOSTILE + "\nsecond line",
                reveal=HOSTILE,
            )
        ],
        link="javascript:alert(1)",
        lead=HOSTILE,
    )
    assert "<script>alert" not in doc
    assert "<img" not in doc
    assert "href='javascript" not in doc and 'href="javascript' not in doc
    assert doc.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
    # The figure's JSON cannot end its script element, and reads back as typed.
    assert _plot_data(doc)[0]["layout"]["title"]["text"] == HOSTILE
    assert "second line" in doc and "<br>second line" in doc


def test_a_lesson_step_has_question_answer_and_reveal_in_order() -> None:
    step = Section(
        "Step 1",
        "Look at the graph.",
        question="What happens to the **headache** model?",
        answer="It breaks",
        reveal="Its error grows four times.",
        figures=[Plot(_figure())],
    )
    doc = build_handout("Lesson", [("Lesson", "L-DOPA")], [step, Section("Step 2", question="?")])
    body = doc[doc.index("<main>") :]  # the style sheet names the same classes
    q, a, f, r = (
        body.index("handout-question"),
        body.index("handout-answer"),
        body.index("handout-plot-1"),
        body.index("handout-reveal"),
    )
    assert q < a < f < r
    assert "<strong>headache</strong>" in doc
    assert "(no answer)" in doc  # step 2 has a question and no answer


def test_graph_is_svg_or_dot_text() -> None:
    dot = 'digraph { "a" -> "b" }'
    doc = build_handout("g", {}, [Section("s", figures=[Graph(dot, "the graph")])])
    assert "<svg" in doc or "&quot;a&quot; -&gt; &quot;b&quot;" in doc
    assert "the graph" in doc


def test_handout_prints_one_section_a_page_without_widgets() -> None:
    doc = _handout()
    style = doc[doc.index("@media print") :]
    assert "break-before: page" in style
    assert ".modebar" in style and "display: none" in style
    assert "@page" in doc


def test_table_formats_numbers() -> None:
    frame = pd.DataFrame({"model": ["m"], "rmse": [1.234567], "ok": [True], "nan": [np.nan]})
    doc = build_handout("t", {}, [Section("s", figures=[Table(frame, digits=3)])])
    assert "<td>m</td><td class='num'>1.23</td>" in doc
    assert ">yes<" in doc


# ----------------------------------------------------------------------------- scripts


def run_script(tmp_path: Path, page: str, state: LabState, scenario=None) -> str:
    script = tmp_path / script_file_name(page, state)
    script.write_text(reproduce_script(page, state, scenario, link="http://x/y"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def row_numbers(output: str, name: str) -> list[float]:
    """The numbers on the first line of ``output`` that is ``name`` and then numbers."""
    start = re.compile(rf"^\s*{re.escape(name)}\s+(?:[a-z]+\s+)?(?:[-+.\d]|nan)")
    for line in output.splitlines():
        if start.match(line):
            rest = line.strip()[len(name) :]
            return [float(x) for x in NUMBER.findall(rest)]
    raise AssertionError(f"no line for {name!r} in:\n{output}")


def close(printed: list[float], expected: list[float]) -> None:
    assert printed == pytest.approx(expected, rel=2e-5, abs=1e-9), (printed, expected)


INTERVENTION_VIEWS = [
    LabState("ldopa", 2000, seed=0, preset="Tylenol"),
    LabState("ldopa", 1000, seed=7, preset="Tylenol", strength=0.5),
    LabState("ldopa", 500, seed=3, preset=CUSTOM, node="headache", kind="do", amount=2.0),
    LabState(
        "ldopa",
        500,
        seed=11,
        preset=CUSTOM,
        node="dopamine_scan",
        kind="replace",
        equation="0.5 * dose + normal(0, 1)",
        strength=0.75,
    ),
]


@pytest.mark.parametrize("state", INTERVENTION_VIEWS, ids=lambda s: f"{s.preset}-{s.seed}")
def test_interventions_script_prints_the_page_s_ratios(tmp_path: Path, state: LabState) -> None:
    sc = load_scenario(state.scenario)
    out = run_script(tmp_path, "Interventions", state)
    choice = choose(state, sc)
    key = interventions_key(choice.applied)
    table = compute.ratios(state.scenario, state.n, state.seed, choice.test, key, choice.applied)
    for row in table.itertuples(index=False):
        close(row_numbers(out, row.model), [row.before, row.after, row.ratio])


@pytest.mark.parametrize("scenario,seed", [("ldopa", 3), ("icecream", 0)])
def test_models_script_prints_the_page_s_scores(tmp_path: Path, scenario: str, seed: int) -> None:
    sc = load_scenario(scenario)
    state = LabState(scenario, sc.default_n, seed=seed)
    out = run_script(tmp_path, "Models", state)
    results = compute.evaluate(scenario, state.n, seed, OBSERVATIONAL, (), ())
    for row in results.itertuples(index=False):
        close(row_numbers(out, row.model), [row.rmse, row.r2])
    linear = next(m for m in compute.experiment(scenario, state.n, seed).models if m.features)
    coefs = linear.coef_table()
    block = out[out.index(f"{linear.name}: coefficients") :]
    for term in coefs.itertuples(index=False):
        close(row_numbers(block, term.term), [term.coef, term.ci_low, term.ci_high, term.p_value])


def test_data_script_prints_the_page_s_correlations(tmp_path: Path) -> None:
    state = LabState("mystery", 1000, seed=5)
    sc = load_scenario(state.scenario)
    out = run_script(tmp_path, "Data", state)
    observed, _ = data_columns(sc)
    heat = compute.heatmap_figure(state.scenario, state.n, state.seed, tuple(observed))
    z = np.asarray(heat["data"][0]["z"], dtype=float)
    matrix, clue_block = out.split("Clues to")
    for i, name in enumerate(observed):
        close(row_numbers(matrix, name), list(z[i]))
    df = compute.sample(state.scenario, state.n, state.seed)
    expected = clues(df, sc.target, observed[1:], sc.causal_features)
    names = [line.split()[0] for line in clue_block.strip().splitlines()[2:]]
    assert names == list(expected["variable"])  # strongest first, as on the page
    for row in expected.itertuples(index=False):
        close(row_numbers(clue_block, row.variable)[:1], [row.r])


def test_a_built_world_is_written_into_the_script(tmp_path: Path) -> None:
    base = load_scenario("ldopa")
    mine = registry.register(replace(base, title="My <own> world", default_n=500))
    state = LabState(mine.id, 500, seed=2)
    text = reproduce_script("Data", state, mine)
    assert "scenario_from_toml(WORLD)" in text and "load_scenario(" not in text
    out = run_script(tmp_path, "Data", state, mine)
    observed, _ = data_columns(mine)
    corr = compute.sample(mine.id, 500, 2)[observed].corr()
    close(row_numbers(out, observed[1]), list(corr.iloc[1]))


def test_a_built_in_world_is_loaded_by_id() -> None:
    text = reproduce_script("Models", LabState("ldopa", 2000))
    assert "sc = load_scenario('ldopa')" in text
    assert "from lib import load_scenario, run_experiment" in text


def test_hostile_view_text_stays_inside_strings(tmp_path: Path) -> None:
    state = LabState(
        "ldopa",
        200,
        preset=CUSTOM,
        node="headache",
        kind="replace",
        equation='0.1 * dopamine + normal(0, 1)"""\nimport os; os.system("x")',
    )
    text = reproduce_script("Interventions", state, link='http://x/"""\nprint("pwned")')
    compile(text, "script.py", "exec")  # one valid script: nothing escaped its string
    assert '\nprint("pwned")' not in text
    assert "\nimport os; os.system" not in text


def test_unknown_page_is_refused() -> None:
    with pytest.raises(ValueError, match="no script"):
        reproduce_script("Builder", LabState("ldopa", 2000))
    with pytest.raises(ValueError, match="two environments"):
        reproduce_script("Invariance", LabState("ldopa", 2000))


AGONIST = "clinic A: no Tylenol~none~1~1000;clinic E: agonist trial~preset:Dopamine agonist~1~1000"


@pytest.mark.parametrize(
    ("scenario", "seed", "envs", "alpha"),
    [("ldopa", 0, None, 0.05), ("mystery", 2, None, 0.1), ("ldopa", 1, AGONIST, 0.05)],
)
def test_invariance_script_prints_the_page_s_verdict(
    tmp_path: Path, scenario: str, seed: int, envs: str | None, alpha: float
) -> None:
    sc = load_scenario(scenario)
    info = ScenarioInfo.from_scenario(sc)
    rows = decode_envs(envs, info)[0] if envs else None
    state = LabState(scenario, sc.default_n, seed=seed, alpha=alpha, envs=rows)
    environments = state_environments(sc, scenario, state.n, rows)
    script = tmp_path / "invariance.py"
    script.write_text(
        reproduce_script("Invariance", state, environments=environments, alpha=alpha),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    res = iv.icp_fit(scenario, seed, iv.env_key(environments), alpha, environments)
    named = ", ".join(sorted(res.causal_predictors)) or "nothing"
    assert f"Named as causes: {named}\n" in done.stdout
    lines = done.stdout.splitlines()
    for row in res.set_pvalues.table(alpha).itertuples(index=False):
        line = re.compile(rf"^\s*{re.escape(str(row.set))}\s+{row.size}\s+(\S+)\s+(True|False)$")
        found = [m for m in map(line.match, lines) if m]
        assert len(found) == 1, row
        close([float(found[0].group(1))], [row.pvalue])

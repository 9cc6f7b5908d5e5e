"""SCM sampling against closed-form linear-Gaussian answers, and model invariants."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lib.errors import ScenarioError
from lib.world.expressions import compile_equation
from lib.world.interventions import Do, Replace, ScaleNoise, Shift
from lib.world.scenarios import scenario_from_toml
from lib.world.scm import MAX_ROWS, MAX_SAMPLE_WORK, SCM, NonFiniteError

# x1 -> x2 -> x4, x1 -> x3 -> x4, x2 -> x3 : a small linear-Gaussian SCM
NAMES = ["x1", "x2", "x3", "x4"]
WEIGHTS = {
    ("x1", "x2"): 0.8,
    ("x1", "x3"): -0.5,
    ("x2", "x3"): 1.2,
    ("x2", "x4"): 0.7,
    ("x3", "x4"): 0.4,
}
MU = {"x1": 1.0, "x2": -2.0, "x3": 0.5, "x4": 3.0}
SD = {"x1": 1.0, "x2": 0.5, "x3": 1.5, "x4": 0.8}


def linear_scm() -> SCM:
    nodes = {}
    for v in NAMES:
        terms = [f"{w} * {a}" for (a, b), w in WEIGHTS.items() if b == v]
        nodes[v] = " + ".join([*terms, f"normal({MU[v]}, {SD[v]})"])
    return SCM.from_dict({"nodes": nodes})


def analytic(do=None, shift=None, scale=None):
    """Mean and covariance of the linear-Gaussian SCM: x = B x + e (path method)."""
    do, shift, scale = do or {}, shift or {}, scale or {}
    p = len(NAMES)
    idx = {v: i for i, v in enumerate(NAMES)}
    B = np.zeros((p, p))
    for (a, b), w in WEIGHTS.items():
        if b not in do:
            B[idx[b], idx[a]] = w
    mu = np.array([do.get(v, MU[v] + shift.get(v, 0.0)) for v in NAMES])
    var = np.array([0.0 if v in do else (SD[v] * scale.get(v, 1.0)) ** 2 for v in NAMES])
    A = np.linalg.inv(np.eye(p) - B)
    return A @ mu, A @ np.diag(var) @ A.T


CASES = {
    "observational": ({}, [], {}),
    "do": ({"do": {"x2": 1.5}}, [Do("x2", 1.5)], {}),
    "shift": ({"shift": {"x1": 2.0, "x3": -1.0}}, [Shift("x1", 2.0), Shift("x3", -1.0)], {}),
    "scale_noise": ({"scale": {"x3": 3.0}}, [ScaleNoise("x3", 3.0)], {}),
    "do+scale": (
        {"do": {"x1": -1.0}, "scale": {"x4": 0.5}},
        [Do("x1", -1.0), ScaleNoise("x4", 0.5)],
        {},
    ),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_linear_gaussian_moments_match_closed_form(case: str, seed: int) -> None:
    kwargs, ivs, _ = CASES[case]
    n = 200_000
    df = linear_scm().sample(n, seed=seed, interventions=ivs)
    mean, cov = analytic(**kwargs)
    sd = np.sqrt(np.diag(cov))
    # means within 5 standard errors
    se_mean = sd / np.sqrt(n)
    assert np.all(np.abs(df[NAMES].mean().to_numpy() - mean) <= 5 * se_mean + 1e-12)
    # covariances within 5 standard errors (Var(xy) ≈ sx² sy² + cov², Gaussian)
    emp = np.cov(df[NAMES].to_numpy(), rowvar=False)
    se_cov = np.sqrt((np.outer(sd, sd) ** 2 + cov**2) / n)
    assert np.all(np.abs(emp - cov) <= 5 * se_cov + 1e-12)


def test_do_cuts_edges_and_intervene_leaves_original_untouched() -> None:
    scm = linear_scm()
    edges_before = set(scm.graph.edges)
    new = scm.intervene(Do("x3", 0.0))
    assert set(scm.graph.edges) == edges_before
    assert scm.interventions == ()
    assert set(new.cut_edges) == {("x1", "x3"), ("x2", "x3")}
    assert not new.graph.has_edge("x1", "x3")
    assert new.intervened_nodes == ("x3",)
    assert (new.sample(10, 0)["x3"] == 0).all()
    with pytest.raises(nx.NetworkXError):  # the graph is frozen
        new.graph.add_edge("x4", "x1")


def test_replace_changes_parents() -> None:
    scm = linear_scm()
    new = scm.intervene(Replace("x4", "2 * x1 + normal(0, 0.1)"))
    assert set(new.graph.predecessors("x4")) == {"x1"}
    assert set(new.cut_edges) == {("x2", "x4"), ("x3", "x4")}


def test_same_seed_same_numbers_and_streams_are_paired() -> None:
    scm = linear_scm()
    a = scm.sample(1000, seed=7)
    pd.testing.assert_frame_equal(a, scm.sample(1000, seed=7))
    assert not a.equals(scm.sample(1000, seed=8))
    # intervening on x4 leaves every other column identical (per-node streams)
    b = scm.sample(1000, seed=7, interventions=[Shift("x4", 5.0)])
    pd.testing.assert_frame_equal(a[["x1", "x2", "x3"]], b[["x1", "x2", "x3"]])
    np.testing.assert_allclose(b["x4"] - a["x4"], 5.0)


def test_partial_strength_interpolates() -> None:
    scm = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "2 * x + normal(0, 1)"}})
    base = scm.sample(500, 3)
    half = scm.sample(500, 3, [Replace("y", "-2 * x + normal(0, 1)", strength=0.5)])
    # shared noise: (0.5 * (2x + e) + 0.5 * (-2x + e)) = e
    noise = base["y"] - 2 * base["x"]
    np.testing.assert_allclose(half["y"], noise, atol=1e-12)
    do_half = scm.sample(500, 3, [Do("y", 10.0, strength=0.5)])
    np.testing.assert_allclose(do_half["y"], 0.5 * base["y"] + 5.0)
    zero = scm.sample(500, 3, [Do("y", 10.0, strength=0.0)])
    pd.testing.assert_frame_equal(zero, base)


def test_cycle_is_named() -> None:
    with pytest.raises(ScenarioError, match=r"cycle: (x → y → x|y → x → y)"):
        SCM.from_dict({"nodes": {"y": "x + 1", "x": "y * 2"}})
    with pytest.raises(ScenarioError, match="cycle"):
        linear_scm().intervene(Replace("x1", "x4 + 1"))


def test_nonfinite_values_are_reported_with_node_and_count() -> None:
    scm = SCM.from_dict({"nodes": {"x": "uniform(-1, 1)", "y": "log(x)"}})
    with pytest.raises(NonFiniteError) as info:
        scm.sample(1000, 0)
    assert info.value.node == "y"
    assert 400 < info.value.count < 600
    assert "`y`" in str(info.value) and "of 1,000 rows" in str(info.value)
    big = SCM.from_dict({"nodes": {"x": "uniform(0, 2000)", "y": "2 ** x"}})
    with pytest.raises(NonFiniteError, match="`y`"):
        big.sample(1000, 0)


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ({"x": "normal(0, 1)", "y": "2 * z"}, "unknown name `z`"),
        ({"x": "normal(0, 1)", "y": "2 * xx"}, "did you mean `x`"),
        ({"1x": "1"}, "not valid"),
        ({"exp": "1"}, "reserved"),
        ({"x": ""}, "empty"),
    ],
)
def test_bad_models_give_clear_errors(nodes: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        SCM.from_dict({"nodes": nodes})


def test_bad_sample_arguments() -> None:
    scm = linear_scm()
    for n in (0, -5, 1.5, "10"):
        with pytest.raises(ScenarioError):
            scm.sample(n)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="seed"):
        scm.sample(10, seed=-1)
    with pytest.raises(ScenarioError, match="did you mean `x1`"):
        scm.intervene(Do("x11", 0.0))


def test_output_is_float64_in_topological_order() -> None:
    df = linear_scm().sample(1000, 0)
    assert list(df.columns) == NAMES
    assert all(dt == np.float64 for dt in df.dtypes)


def test_from_toml_text_and_round_trip() -> None:
    text = """
[nodes.a]
equation = "normal(0, 1)"
unit = "cm"
[nodes.b]
equation = "a + normal(0, 1)"
observed = false
"""
    scm = SCM.from_toml(text)
    assert scm.units["a"] == "cm" and scm.latent == ("b",)
    again = SCM.from_dict(scm.to_dict())
    pd.testing.assert_frame_equal(scm.sample(100, 1), again.sample(100, 1))
    with pytest.raises(ScenarioError, match="not valid TOML"):
        SCM.from_toml("[nodes.a\nequation = 1")


def test_node_streams_do_not_collide_for_names_with_equal_crc32() -> None:
    import zlib

    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    scm = SCM.from_dict({"nodes": {"plumless": "normal(0, 1)", "buckeroo": "normal(0, 1)"}})
    df = scm.sample(2000, 0)
    assert abs(np.corrcoef(df["plumless"], df["buckeroo"])[0, 1]) < 0.1


def test_equation_that_copies_a_parent_gets_its_own_column() -> None:
    scm = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "x"}})
    df = scm.sample(100, 0, [Shift("y", 1.0)])
    np.testing.assert_allclose(df["y"] - df["x"], 1.0)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ([], {}),
        ([Do("x2", 1.5)], {"do_interventions": {1: (1.5, 0.0)}}),
        ([Shift("x1", 2.0)], {"shift_interventions": {0: (2.0, 0.0)}}),
        (
            [Do("x3", -1.0), Shift("x4", 0.5)],
            {"do_interventions": {2: (-1.0, 0.0)}, "shift_interventions": {3: (0.5, 0.0)}},
        ),
    ],
    ids=["observational", "do", "shift", "do+shift"],
)
def test_moments_agree_with_sempler_reference(ours, theirs, seed: int) -> None:
    """sempler (a reference SCM library) gives the population moments to compare with."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sempler warns about optional R bindings
        import sempler

    idx = {v: i for i, v in enumerate(NAMES)}
    W = np.zeros((len(NAMES), len(NAMES)))
    for (a, b), w in WEIGHTS.items():
        W[idx[a], idx[b]] = w
    ref = sempler.LGANM(W, np.array([MU[v] for v in NAMES]), np.array([SD[v] ** 2 for v in NAMES]))
    pop = ref.sample(population=True, **theirs)
    n = 200_000
    df = linear_scm().sample(n, seed=seed, interventions=ours)
    sd = np.sqrt(np.diag(pop.covariance))
    assert np.all(np.abs(df[NAMES].mean().to_numpy() - pop.mean) <= 5 * sd / np.sqrt(n) + 1e-12)
    emp = np.cov(df[NAMES].to_numpy(), rowvar=False)
    se = np.sqrt((np.outer(sd, sd) ** 2 + pop.covariance**2) / n)
    assert np.all(np.abs(emp - pop.covariance) <= 5 * se + 1e-12)


def test_a_whole_sample_has_a_time_limit(monkeypatch):
    import lib.world.scm as scm_module

    monkeypatch.setattr(scm_module, "MAX_SAMPLE_SECONDS", -1.0)
    scm = SCM.from_dict({"nodes": {"a": {"equation": "normal(0, 1)"}, "b": {"equation": "a"}}})
    with pytest.raises(ScenarioError, match="took longer than"):
        scm.sample(100, seed=0)


def test_huge_finite_values_do_not_warn_about_overflow():
    import warnings

    scm = SCM.from_dict({"nodes": {"a": {"equation": "1e308 + 0 * normal(0, 1)"}}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert scm.sample(10, seed=0)["a"].iloc[0] == 1e308


@pytest.mark.parametrize(
    "text",
    ["a=" + "[" * 5000 + "]" * 5000, "a=" + "{b=" * 2000 + "1" + "}" * 2000],
)
def test_deeply_nested_toml_is_a_scenario_error_not_a_recursion_error(text: str) -> None:
    with pytest.raises(ScenarioError, match="nested too deeply"):
        SCM.from_toml(text)
    with pytest.raises(ScenarioError, match="nested too deeply"):
        scenario_from_toml(text)


HEAVY = " + ".join(["student_t(1) * exp(sin(normal(0, 1)))"] * 8)


def test_cost_per_row_sums_the_equations_and_counts_interventions() -> None:
    scm = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "sin(x) + 2 * x"}})
    expected = (
        compile_equation("normal(0, 1)", []).cost + compile_equation("sin(x) + 2 * x", ["x"]).cost
    )
    assert scm.cost_per_row == pytest.approx(expected)
    cut = scm.intervene(Do("y", 1.0))
    assert cut.cost_per_row < scm.cost_per_row  # a constant is cheaper than sin
    assert scm.intervene(Shift("y", 1.0)).cost_per_row > scm.cost_per_row


def test_max_rows_keeps_one_sample_within_its_work_budget() -> None:
    light = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "2 * x + normal(0, 1)"}})
    assert light.max_rows() == MAX_ROWS
    heavy = SCM.from_dict({"nodes": {f"v{i}": HEAVY for i in range(60)}})
    most = heavy.max_rows()
    assert most == int(MAX_SAMPLE_WORK // heavy.cost_per_row)
    assert 1_000 < most < 10_000
    # the most rows fit the budget (the work counted per row, as the guard counts it);
    # one more row would not
    assert most * heavy.cost_per_row <= MAX_SAMPLE_WORK < (most + 1) * heavy.cost_per_row
    # and no equation's own limit refuses them: the sample runs
    assert heavy.sample(most, seed=0).shape == (most, 60)


def test_the_same_interventions_give_the_same_model_once_made() -> None:
    """An intervened model is made (compiled, checked for cycles) once per interventions:
    a sweep over strengths and a page's new seed reuse it; the rows are the same."""
    scm = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "2 * x + normal(0, 1)"}})
    shift = Shift("x", 3.0, 0.5)
    first = scm.intervene(shift)
    assert scm.intervene(Shift("x", 3.0, 0.5)) is first
    assert scm.intervene(Shift("x", 3.0, 1.0)) is not first
    fresh = SCM.from_dict({"nodes": {"x": "normal(0, 1)", "y": "2 * x + normal(0, 1)"}})
    pd.testing.assert_frame_equal(
        scm.sample(50, 4, [shift]), fresh.sample(50, 4, [shift]), check_exact=True
    )
    assert first.interventions == (shift,) and scm.interventions == ()

"""The lab's URL round trip and page helpers (pure functions, no Streamlit)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from lib.errors import ScenarioError
from lib.fitting.experiments import OBSERVATIONAL, ratio_table
from lib.ui.lab import (
    CUSTOM_TEST,
    KIND_LABELS,
    amount_label,
    build_intervention,
    choose,
    clue_sentence,
    clues,
    code_list,
    data_columns,
    family_models,
    interventions_key,
    mark_unobserved,
    negative_r2_note,
    node_table,
    split_error,
    takeaway,
)
from lib.ui.pages.interventions import CUSTOM, snap_strength
from lib.ui.pages.invariance import (
    ALPHAS,
    BEND_STRENGTHS,
    POWER_REPS,
    SWEEP_STRENGTHS,
    decode_envs,
    encode_envs,
)
from lib.ui.pages.world import N_OPTIONS
from lib.ui.params import (
    LabState,
    ScenarioInfo,
    default_state,
    n_options,
    normalize,
    parse_query,
    switch_scenario,
    to_query,
)
from lib.world.interventions import Do, Preset, Replace
from lib.world.scenarios import list_scenarios, load_scenario

A = ScenarioInfo(
    id="a",
    title="Scenario A",
    default_n=2000,
    presets=("Tylenol", "Aspirin"),
    nodes=("x", "headache", "y"),
    default_node="headache",
    equations={"x": "normal(0, 1)", "headache": "x + normal(0, 1)", "y": "2 * x"},
)
B = ScenarioInfo(
    id="b",
    title="Scenario B",
    default_n=3000,
    presets=(),
    nodes=("u", "v"),
    default_node="u",
    equations={"u": "normal(0, 1)", "v": "u"},
)
CATALOG = {"a": A, "b": B}


def parse(**params: object) -> tuple[LabState, list[str]]:
    return parse_query(params, CATALOG)


# ----------------------------------------------------------------------------- defaults


def test_no_parameters_give_the_first_scenarios_defaults() -> None:
    state, notices = parse()
    assert notices == []
    assert state == default_state(A)
    assert (state.scenario, state.n, state.seed, state.preset, state.strength) == (
        "a",
        2000,
        0,
        "Tylenol",
        1.0,
    )


def test_a_scenario_without_presets_starts_with_build_your_own() -> None:
    state, _ = parse(scenario="b")
    assert state.preset == CUSTOM
    assert state.n == 3000
    assert state.node == "u" and state.equation == "normal(0, 1)"


def test_rows_offered_include_the_scenarios_default() -> None:
    assert n_options(A) == N_OPTIONS
    assert 3000 in n_options(B)
    assert list(n_options(B)) == sorted(n_options(B))


def _heavy_world(default_n: int) -> object:
    """60 costly equations: one sample of 100,000 rows would take seconds."""
    from lib.world.builder import blank_meta, build_scenario, presets_frame

    eq = " + ".join(["student_t(1) * exp(sin(normal(0, 1)))"] * 8)
    nodes = pd.DataFrame([{"name": f"v{i}", "equation": eq} for i in range(60)])
    meta = {**blank_meta(), "target": "v59", "features": ["v0"], "default_n": default_n}
    return build_scenario(meta, nodes, presets_frame(None).iloc[:0]).scenario


def test_a_costly_world_offers_only_the_rows_it_can_sample_quickly() -> None:
    sc = _heavy_world(2000)
    info = ScenarioInfo.from_scenario(sc)
    assert info.max_n == sc.scm.max_rows() < 10_000
    assert n_options(info) == tuple(o for o in N_OPTIONS if o <= info.max_n)
    assert 2000 in n_options(info) and 20_000 not in n_options(info)
    # a link asking for more rows falls back to the default, with a notice
    state, notices = parse_query({"n": "20000"}, {info.id: info})
    assert state.n == 2000 and "`n=" in notices[0]


def test_a_default_above_the_worlds_limit_is_clamped_to_an_offered_count() -> None:
    sc = _heavy_world(2000)
    too_many = replace(sc, default_n=100_000)  # as if read from a file, not built
    info = ScenarioInfo.from_scenario(too_many)
    assert info.default_n == max(n_options(info)) <= info.max_n
    assert default_state(info).n in n_options(info)


def test_the_smallest_count_is_always_offered() -> None:
    tiny = replace(A, max_n=10, default_n=N_OPTIONS[0])
    assert n_options(tiny) == N_OPTIONS[:1]
    assert default_state(tiny).n == N_OPTIONS[0]


@pytest.mark.parametrize("sid", list_scenarios())
def test_builtin_scenarios_keep_every_row_option(sid: str) -> None:
    info = ScenarioInfo.from_scenario(load_scenario(sid))
    assert set(N_OPTIONS) <= set(n_options(info))
    assert info.default_n == load_scenario(sid).default_n


def test_parse_needs_a_scenario() -> None:
    with pytest.raises(ValueError):
        parse_query({}, {})


# ----------------------------------------------------------------------------- good links


def test_the_issues_deep_link() -> None:
    state, notices = parse(scenario="a", n="2000", seed="3", preset="Tylenol", strength="0.5")
    assert notices == []
    assert (state.n, state.seed, state.preset, state.strength) == (2000, 3, "Tylenol", 0.5)


def test_a_custom_intervention_link() -> None:
    state, notices = parse(preset="custom", node="x", kind="shift", amount="-2.5")
    assert notices == []
    assert (state.preset, state.node, state.kind, state.amount) == (CUSTOM, "x", "shift", -2.5)
    assert state.equation == "normal(0, 1)"  # follows the node


def test_a_replace_link_keeps_its_equation() -> None:
    state, notices = parse(preset="custom", node="headache", kind="replace", equation="0.2 * x")
    assert notices == []
    assert (state.kind, state.equation) == ("replace", "0.2 * x")


def test_repeated_parameters_take_the_last_value() -> None:
    state, notices = parse_query({"seed": ["1", "2"]}, CATALOG)
    assert notices == [] and state.seed == 2


def test_whole_floats_are_accepted_for_integers() -> None:
    state, notices = parse(n="500.0", seed="7.0")
    assert notices == [] and (state.n, state.seed) == (500, 7)


def test_a_strength_off_the_grid_is_rounded_with_a_notice() -> None:
    state, notices = parse(strength="0.33")
    assert state.strength == 0.35
    assert len(notices) == 1 and "strength" in notices[0] and "0.35" in notices[0]


def test_unknown_parameters_are_ignored() -> None:
    state, notices = parse(utm_source="mail")
    assert notices == [] and state == default_state(A)


# ----------------------------------------------------------------------------- bad links


@pytest.mark.parametrize(
    ("params", "name", "value", "field", "fallback"),
    [
        ({"scenario": "nope"}, "scenario", "nope", "scenario", "a"),
        ({"n": "abc"}, "n", "abc", "n", 2000),
        ({"n": "1234"}, "n", "1234", "n", 2000),
        ({"n": ""}, "n", "", "n", 2000),
        ({"seed": "-1"}, "seed", "-1", "seed", 0),
        ({"seed": "1000000"}, "seed", "1000000", "seed", 0),
        ({"seed": "x"}, "seed", "x", "seed", 0),
        ({"preset": "Ibuprofen"}, "preset", "Ibuprofen", "preset", "Tylenol"),
        ({"node": "z"}, "node", "z", "node", "headache"),
        ({"kind": "remove"}, "kind", "remove", "kind", "do"),
        ({"amount": "nan"}, "amount", "nan", "amount", 0.0),
        ({"amount": "inf"}, "amount", "inf", "amount", 0.0),
        ({"kind": "scale_noise", "amount": "-2"}, "amount", "-2", "amount", 3.0),
        ({"strength": "2"}, "strength", "2", "strength", 1.0),
        ({"strength": "-0.1"}, "strength", "-0.1", "strength", 1.0),
        ({"strength": "half"}, "strength", "half", "strength", 1.0),
        ({"family": "forest"}, "family", "forest", "family", "linear"),
        ({"equation": ""}, "equation", "", "equation", "x + normal(0, 1)"),
        ({"equation": "x" * 501}, "equation", "xxx", "equation", "x + normal(0, 1)"),
    ],
)
def test_a_bad_parameter_falls_back_and_says_so(
    params: dict, name: str, value: str, field: str, fallback: object
) -> None:
    state, notices = parse(**params)
    assert len(notices) == 1, notices
    assert f"`{name}=" in notices[0] and value in notices[0]
    assert getattr(state, field) == fallback


def test_several_bad_parameters_give_one_notice_each() -> None:
    state, notices = parse(scenario="nope", n="abc", seed="-4")
    assert len(notices) == 3
    assert state == default_state(A)


def test_a_preset_is_checked_against_the_linked_scenario() -> None:
    state, notices = parse(scenario="b", preset="Tylenol")
    assert state.scenario == "b" and state.preset == CUSTOM
    assert "`preset=" in notices[0]


def test_notices_do_not_echo_huge_values() -> None:
    _, notices = parse(scenario="z" * 5000)
    assert len(notices[0]) < 300


# ----------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    "state",
    [
        default_state(A),
        replace(default_state(A), seed=999_999, n=20_000, strength=0.05, family="trees"),
        replace(default_state(A), preset="Aspirin", strength=0.0),
        replace(default_state(A), preset=CUSTOM, node="x", kind="shift", amount=-1.25),
        replace(default_state(A), preset=CUSTOM, node="x", kind="scale_noise", amount=3.5),
        replace(default_state(A), preset=CUSTOM, kind="replace", equation="0.2 * x + 1"),
        replace(default_state(B), seed=12),
    ],
)
def test_a_link_reopens_the_same_interventions_view(state: LabState) -> None:
    back, notices = parse_query(to_query(state, "Interventions"), CATALOG)
    assert notices == []
    assert back.scenario == state.scenario
    assert (back.n, back.seed, back.preset, back.strength, back.family) == (
        state.n,
        state.seed,
        state.preset,
        state.strength,
        state.family,
    )
    if state.preset == CUSTOM:
        assert (back.node, back.kind) == (state.node, state.kind)
        if state.kind == "replace":
            assert back.equation == state.equation
        else:
            assert back.amount == state.amount


def test_each_page_keeps_only_what_it_shows() -> None:
    state = default_state(A)
    assert set(to_query(state, "Home")) == {"scenario", "n", "seed"}
    assert set(to_query(state, "Data")) == {"scenario", "n", "seed"}
    assert set(to_query(state, "Models")) == {"scenario", "n", "seed", "family"}
    assert set(to_query(state, "Interventions")) == {
        "scenario",
        "n",
        "seed",
        "preset",
        "strength",
        "family",
    }
    custom = to_query(replace(state, preset=CUSTOM, kind="do", amount=2.0), "Interventions")
    assert (custom["node"], custom["kind"], custom["amount"]) == ("headache", "do", "2")
    assert "equation" not in custom


# ----------------------------------------------------------------------------- state changes


def test_snap_strength() -> None:
    assert snap_strength(0.52) == 0.5
    assert snap_strength(1.7) == 1.0
    assert snap_strength(-3) == 0.0
    assert snap_strength(0.975) in (0.95, 1.0)


def test_normalize_repairs_every_field() -> None:
    broken = LabState(
        scenario="a",
        n=7,
        seed=-1,
        preset="nope",
        node="zz",
        kind="??",
        amount=float("nan"),
        equation="x" * 1000,
        strength=3.0,
        family="??",
    )
    fixed = normalize(broken, A)
    assert fixed == replace(default_state(A), amount=0.0)


def test_switching_scenario_moves_rows_to_the_new_default_unless_changed() -> None:
    state = default_state(A)
    moved = switch_scenario(state, A, B)
    assert (moved.scenario, moved.n, moved.preset) == ("b", 3000, CUSTOM)
    assert moved.node == "u"
    kept = switch_scenario(replace(state, n=500, seed=9, strength=0.5), A, B)
    assert (kept.n, kept.seed, kept.strength) == (500, 9, 0.5)
    back = switch_scenario(moved, B, A)
    assert (back.n, back.preset) == (2000, "Tylenol")


# ----------------------------------------------------------------------------- page helpers


def test_choose_a_preset_at_a_strength() -> None:
    sc = load_scenario("ldopa")
    state = replace(default_state(ScenarioInfo.from_scenario(sc)), preset="Tylenol", strength=0.5)
    choice = choose(state, sc)
    assert choice.test == "Tylenol at 50%"
    assert isinstance(choice.applied, Preset)
    assert all(iv.strength == 0.5 for iv in choice.applied)
    assert all(iv.strength == 1.0 for iv in choice.base)
    assert choice.nodes == ("headache",)
    assert choice.why == sc.preset_why["Tylenol"]
    assert "50%" in choice.description


def test_choose_a_custom_intervention() -> None:
    sc = load_scenario("ldopa")
    info = ScenarioInfo.from_scenario(sc)
    state = replace(default_state(info), preset=CUSTOM, node="headache", kind="do", amount=0.0)
    choice = choose(state, sc)
    assert choice.test == CUSTOM_TEST
    assert choice.base == (Do("headache", 0.0),)
    assert choice.why == ""


def test_build_intervention_errors_are_scenario_errors() -> None:
    with pytest.raises(ScenarioError):
        build_intervention("replace", "x", 0.0, "   ")
    with pytest.raises(ScenarioError):
        build_intervention("scale_noise", "x", -1.0, "")
    with pytest.raises(ScenarioError):
        build_intervention("teleport", "x", 0.0, "")
    assert build_intervention("replace", "x", 0.0, "2 * y") == Replace("x", "2 * y")


def test_interventions_key_tells_strengths_apart() -> None:
    a = interventions_key([Do("x", 1.0)])
    assert a == interventions_key([Do("x", 1.0)])
    assert a != interventions_key([Do("x", 1.0, strength=0.5)])
    hash(a)


@pytest.mark.parametrize("sid", list_scenarios())
def test_node_table_and_columns_cover_every_node(sid: str) -> None:
    sc = load_scenario(sid)
    table = node_table(sc)
    assert list(table["node"]) == list(sc.scm.nodes)
    assert (table.loc[table["node"] == sc.target, "role"] == "target").all()
    observed, latent = data_columns(sc)
    assert observed[0] == sc.target
    assert sorted(observed + latent) == sorted(sc.scm.nodes)


def test_clues_rank_by_strength_and_mark_causes() -> None:
    df = pd.DataFrame({"y": [1.0, 2, 3, 4], "a": [1.0, 2, 3, 5], "b": [4.0, 1, 3, 2]})
    table = clues(df, "y", ["b", "a"], ["b"])
    assert list(table["variable"]) == ["a", "b"]
    assert list(table["causal input"]) == [False, True]
    assert "**not**" in clue_sentence(table, "y")


def _results(pred_obs: float, caus_obs: float, pred_after: float) -> pd.DataFrame:
    rows = []
    for test, p in ((OBSERVATIONAL, pred_obs), ("T", pred_after)):
        rows.append({"model": "P", "kind": "predictive", "test": test, "rmse": p, "r2": 0.9})
        rows.append({"model": "C", "kind": "causal", "test": test, "rmse": caus_obs, "r2": 0.8})
    return pd.DataFrame(rows).assign(features="x")


def test_ratio_table_and_takeaway() -> None:
    results = _results(1.0, 2.0, 5.0)
    table = ratio_table(results, "T").set_index("model")
    assert table.loc["P", "ratio"] == 5.0 and table.loc["C", "ratio"] == 1.0
    assert "predictive model fits better" in takeaway(results, "y")
    assert "causal model fits as well" in takeaway(_results(2.0, 2.0, 5.0), "y")


def test_family_models_pick_one_of_each_kind() -> None:
    class M:
        def __init__(self, name: str, kind: str, family: str) -> None:
            self.name, self.kind, self.family = name, kind, family

    models = [
        M("Linear · all features", "predictive", "linear"),
        M("Trees · all features", "predictive", "trees"),
        M("Linear · causes only", "causal", "linear"),
        M("Trees · causes only", "causal", "trees"),
    ]
    pred, caus = family_models(models, "trees")
    assert (pred.name, caus.name) == ("Trees · all features", "Trees · causes only")
    # the family is a field: a name that says otherwise does not matter
    renamed = [M("Anything", "predictive", "linear"), M("Trees?", "causal", "mean")]
    pred, caus = family_models(renamed, "linear")
    assert (pred.name, caus.name) == ("Anything", "Trees?")
    pred, caus = family_models(renamed[:1] + [M("T", "causal", "mean")], "trees")
    assert caus.name == "T"  # no trees at all: every model is offered


def test_code_list() -> None:
    assert code_list(["a"]) == "`a`"
    assert code_list(["a", "b", "c"]) == "`a`, `b` and `c`"
    assert code_list([]) == "nothing"


def test_score_table_matches_the_engines_evaluate() -> None:
    from lib.fitting.evaluation import score_predictions
    from lib.fitting.experiments import run_experiment

    sc = load_scenario("ldopa")
    exp = run_experiment(sc, 300, 4)
    tylenol = sc.presets["Tylenol"].with_strength(0.5)

    def frame(ivs: tuple = ()) -> pd.DataFrame:
        test = exp.test_sample(ivs)
        return pd.DataFrame(
            {sc.target: test[sc.target], **{m.name: m.predict(test) for m in exp.models}}
        )

    mine = score_predictions(exp.models, {OBSERVATIONAL: frame(), "T": frame(tylenol)})
    pd.testing.assert_frame_equal(mine, exp.evaluate({"T": tylenol}))


def test_link_notices_cannot_inject_markdown() -> None:
    from lib.ui.fields import quote as _quote

    quoted = _quote("x`[Session expired](https://evil.example)`")
    assert "`" not in quoted


def test_amounts_round_trip_exactly_and_are_bounded() -> None:
    from lib.ui.fields import fmt_float as _fmt_float
    from lib.ui.pages.interventions import MAX_AMOUNT

    for x in (1234.5678, 0.1, 1 / 3, -2.5e-7, 1.0, 250.0):
        assert float(_fmt_float(x)) == x
    assert _fmt_float(1.0) == "1"
    assert MAX_AMOUNT == 1e6


def test_split_error_puts_the_allowed_list_apart() -> None:
    """From the error's fields: a real engine error, not a message taken apart."""
    from lib.world.scenarios import load_scenario

    sc = load_scenario("ldopa")
    with pytest.raises(ValueError) as info:
        sc.scm.intervene(Replace("headache", "foo(dopamine)"))
    head, allowed = split_error(info.value)
    assert head.startswith("new mechanism for `headache`: character 1: `foo(dopamine)`")
    assert "unknown function `foo`" in head and "did you mean `floor`?" in head
    assert "Allowed" not in head
    assert allowed.startswith("Allowed: numbers") and "`dopamine`" in allowed
    assert str(info.value) == f"{head} {allowed}"
    assert info.value.node == "headache" and info.value.column == 1
    assert split_error(ValueError("a missing operand.")) == ("a missing operand.", "")


def test_custom_form_labels_are_short_and_carry_units() -> None:
    assert all(len(text) <= 24 for text in KIND_LABELS.values())
    assert amount_label("do", "mg/day") == "Value (mg/day)"
    assert amount_label("shift", "°C") == "Amount to add (°C)"
    assert amount_label("scale_noise", "°C") == "Noise factor (×)"  # a factor has no unit
    assert amount_label("do") == "Value"
    assert CUSTOM_TEST[0].isupper()  # it starts the explanation's first sentence


def test_negative_r2_gets_a_note() -> None:
    ok = pd.DataFrame({"r2": [0.9, 0.2]})
    assert negative_r2_note(ok) == ""
    assert "worse than always predicting the average" in negative_r2_note(
        pd.DataFrame({"r2": [0.9, -1.5]})
    )


def test_unobserved_columns_are_marked() -> None:
    df = pd.DataFrame({"dose": [1.0], "dopamine": [2.0], "relief": [3.0]})
    out = mark_unobserved(df, ["dopamine"])
    assert list(out.columns) == ["dose", "dopamine (unobserved)", "relief"]
    assert list(df.columns) == ["dose", "dopamine", "relief"]  # the input is untouched


# ----------------------------------------------------------------------------- Invariance


W = replace(A, id="w", environments=("clinic B: 40% take Tylenol",), sweep_default="Aspirin")
ENV_ROWS = (
    ("clinic A", "none", 1.0, 1000),
    ("clinic B: 40% take Tylenol", "env:clinic B: 40% take Tylenol", 1.0, 1000),
    ("odd;name~with%signs", "preset:Tylenol", 0.35, 20),
    ("", "shift:x", None, None),  # a new row, its cells left empty
    ("noisy", "noise:headache", 0.0, 20_000),
)


def test_the_invariance_page_keeps_its_settings_in_the_link() -> None:
    state = default_state(W)
    assert state.sweep == "Aspirin"  # the world's own starting sweep
    assert set(to_query(state, "Invariance")) == {"scenario", "n", "seed", "alpha", "sweep", "reps"}
    assert set(to_query(state, "Interventions")).isdisjoint({"alpha", "envs", "sweep", "reps"})
    moved = replace(state, envs=ENV_ROWS, sweep_strength=0.075, bend=0.3)
    assert {"envs", "sweep_strength", "bend"} <= set(to_query(moved, "Invariance"))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"alpha": 0.01, "reps": 50},
        {"alpha": 0.2, "envs": ENV_ROWS, "sweep": "Tylenol", "sweep_strength": 0.075},
        {"bend": 0.05, "sweep_strength": 1.0, "seed": 17, "n": 500},
        {"envs": ENV_ROWS[:1]},  # one row: the page says what is wrong, the link keeps it
    ],
)
def test_a_link_reopens_the_same_invariance_view(changes: dict) -> None:
    state = replace(default_state(W), **changes)
    back, notices = parse_query(to_query(state, "Invariance"), {"w": W})
    assert notices == []
    assert back == state


def test_environment_rows_survive_their_text_exactly() -> None:
    text = encode_envs(ENV_ROWS)
    assert text.count(";") == len(ENV_ROWS) - 1  # the name's own ; is escaped
    assert decode_envs(text, W) == (ENV_ROWS, None)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "row 1 needs a name"),
        ("A~none~1", "row 1 needs a name"),
        ("A~none~1~1000;B~preset:Ibuprofen~1~1000", "row 2 has the intervention"),
        ("A~none~1~1000;B~env:clinic Z~1~1000", "no such environment of its own"),
        ("A~none~1~1000;B~shift:zz~1~1000", "no such node"),
        ("A~none~1~1000;B~remove:x~1~1000", "is not none, preset:"),
        ("A~none~2~1000", "strength outside 0 to 1"),
        ("A~none~half~1000", "strength that is not a number"),
        ("A~none~1~5", "rows outside 20 to 20,000"),
        ("A~none~1~many", "rows that are not a whole number"),
        ("A" * 41 + "~none~1~1000", "longer than 40 characters"),
        (";".join(["A~none~1~100"] * 21), "more than 20 environments"),
    ],
)
def test_bad_environments_in_a_link_fall_back_to_the_worlds_own(value: str, why: str) -> None:
    state, notices = parse_query({"scenario": "w", "envs": value}, {"w": W})
    assert state.envs is None
    assert len(notices) == 1 and "`envs=" in notices[0] and why in notices[0], notices
    assert "starting environments" in notices[0]


@pytest.mark.parametrize(
    ("params", "field", "fallback"),
    [
        ({"alpha": "0.5"}, "alpha", 0.05),
        ({"alpha": "x"}, "alpha", 0.05),
        ({"sweep": "Ibuprofen"}, "sweep", "Aspirin"),
        ({"sweep_strength": "0.04"}, "sweep_strength", None),
        ({"sweep_strength": "nan"}, "sweep_strength", None),
        ({"bend": "2"}, "bend", None),
        ({"reps": "11"}, "reps", 10),
        ({"reps": "ten"}, "reps", 10),
    ],
)
def test_a_bad_invariance_parameter_falls_back_and_says_so(
    params: dict, field: str, fallback: object
) -> None:
    state, notices = parse_query({"scenario": "w", **params}, {"w": W})
    assert len(notices) == 1, notices
    (name,) = params
    assert f"`{name}=" in notices[0]
    assert getattr(state, field) == fallback


def test_invariance_options_match_the_pages() -> None:
    from lib.ui import invariance_views as iv

    assert (iv.ALPHAS, iv.STRENGTHS, iv.BEND_STRENGTHS, iv.POWER_REPS) == (
        ALPHAS,
        SWEEP_STRENGTHS,
        BEND_STRENGTHS,
        POWER_REPS,
    )
    assert 0.05 in ALPHAS


def test_normalize_repairs_the_invariance_fields() -> None:
    broken = replace(
        default_state(W),
        alpha=0.5,
        envs=(("A", "preset:nope", 1.0, 100),),
        sweep="nope",
        sweep_strength=0.04,
        bend=7.0,
        reps=3,
    )
    assert normalize(broken, W) == default_state(W)


def test_another_world_starts_its_own_environments_and_sweep() -> None:
    state = replace(default_state(W), envs=ENV_ROWS, sweep="Tylenol", sweep_strength=0.5)
    moved = switch_scenario(replace(state, alpha=0.1, bend=0.3), W, B)
    assert (moved.envs, moved.sweep, moved.sweep_strength) == (None, "", None)
    assert (moved.alpha, moved.bend) == (0.1, 0.3)  # the level and the other world's slider stay


def test_a_link_between_pages_changes_only_what_it_names() -> None:
    """``base``: a page link applies its parameters to the session's state."""
    state = replace(default_state(A), preset="Aspirin", strength=0.3, seed=5, alpha=0.2)
    link = {"scenario": "a", "preset": "Tylenol", "strength": "1"}
    back, notices = parse_query(link, CATALOG, base=state)
    assert notices == []
    assert back == replace(state, preset="Tylenol", strength=1.0)
    other, _ = parse_query({"scenario": "b"}, CATALOG, base=state)
    assert (other.scenario, other.seed, other.alpha) == ("b", 5, 0.2)


def test_the_custom_forms_range_is_said_and_a_number_outside_it_refused() -> None:
    import pytest

    from lib.errors import ScenarioError
    from lib.ui.lab import amount_range, amount_range_text, build_intervention
    from lib.ui.pages.interventions import MAX_AMOUNT

    assert amount_range("do") == (-MAX_AMOUNT, MAX_AMOUNT)
    assert amount_range("scale_noise") == (0.0, MAX_AMOUNT)
    assert amount_range_text("shift") == f"Any number from −{MAX_AMOUNT:,.0f} to {MAX_AMOUNT:,.0f}."
    build_intervention("do", "x", MAX_AMOUNT, "")  # the edge is in
    for kind, amount in (("do", 1e12), ("shift", -2 * MAX_AMOUNT), ("scale_noise", -0.5)):
        with pytest.raises(ScenarioError, match="is outside what this form takes"):
            build_intervention(kind, "x", amount, "")


def test_a_value_outside_the_observed_range_is_called_extrapolation() -> None:
    import re

    import numpy as np

    from lib.text.numbers import format_number
    from lib.ui.lab import outside_note

    rng = np.random.default_rng(0)
    for seen in (rng.normal(5, 2, 500), rng.uniform(0, 10, 300), np.array([1.0, 1.0, 3.5])):
        low, high = seen.min(), seen.max()
        for kind, amount in [
            ("do", v) for v in (low - 1, low, (low + high) / 2, high, high + 0.1)
        ] + [("shift", d) for d in (0.0, 0.5, -(high - low) / 2, 2 * (high - low))]:
            note = outside_note(kind, "headache", amount, seen)
            moved = seen + amount if kind == "shift" else np.array([amount])
            outside = (moved < low) | (moved > high)
            assert bool(note) == bool(outside.any()), (kind, amount, note)
            if not note:
                continue
            assert "extrapolation" in note and "`headache`" in note
            span = re.search(r"\(([-\d.,]+) to ([-\d.,]+)\)", note)
            assert span is not None and span.groups() == (format_number(low), format_number(high))
            if kind == "shift":
                share = re.search(r"(under |over )?(\d+)% of the cases", note)
                assert share is not None
                if share.group(1) == "under ":
                    assert 0 < outside.mean() < 0.01
                elif share.group(1) == "over ":
                    assert 0.99 < outside.mean() < 1
                else:
                    assert int(share.group(2)) == round(100 * outside.mean())
            else:
                assert ("below" if amount < low else "above") in note
    assert outside_note("scale_noise", "x", 3.0, [1.0, 2.0]) == ""
    assert outside_note("do", "x", 3.0, []) == ""

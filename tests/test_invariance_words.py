"""The Invariance page's sentences read back against their numbers, over the settings a
page offers: every world, its starting environments and its presets, several seeds and
levels, every strength of the sweeps (lib.words.invariance).

Each test computes the numbers as the page does (the same lib functions), writes the
sentence, then finds every claim in it and checks it against the numbers: which model is
better, where a model breaks, which sets passed, whether an error falls or rises.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pytest

from lib.invariance.compare import (
    NONLINEAR_SHIFT_SDS,
    POOLED,
    fresh_errors,
    fresh_worlds,
    nonlinear_scenario,
)
from lib.invariance.engine import ICPResult, icp
from lib.invariance.sweeps import invariance_sweeps, visible_causes
from lib.text.numbers import format_number
from lib.ui.composer import starting_environments
from lib.ui.pages.invariance import ALPHAS, BEND_STRENGTHS, SWEEP_STRENGTHS
from lib.words.invariance import (
    BREAKS,
    broken,
    far_error_sentence,
    held_out_sentence,
    local_error_caption,
    local_verdict,
    measured_sentence,
    sets_sentence,
    unchecked_reason,
)
from lib.world.environments import ENV_COLUMN, OBSERVATIONAL_ENV, Environment, pooled_sample
from lib.world.scenarios import Scenario, list_scenarios, load_scenario

WORLDS = list_scenarios()
SEEDS = (0, 1, 2)


@cache
def fitted(
    sid: str, seed: int, alpha: float = 0.05
) -> tuple[Scenario, list, pd.DataFrame, ICPResult]:
    sc = load_scenario(sid)
    envs, _ = starting_environments(sc, sc.default_n)
    df = pooled_sample(sc.scm, envs, seed)
    return sc, envs, df, icp(df, sc.target, ENV_COLUMN, alpha, candidates=list(sc.features))


def names_in(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


# ----------------------------------------------------------------------------- §2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", WORLDS)
@pytest.mark.parametrize("alpha", (0.01, 0.05, 0.2))
def test_the_sets_sentence_lists_the_accepted_sets_and_only_rejected_predictors(
    sid: str, seed: int, alpha: float
) -> None:
    sc, envs, _, res = fitted(sid, seed, alpha)
    text = sets_sentence(res)
    accepted = set(res.accepted_sets)
    if not accepted:
        assert text == ""
        return
    listed = re.match(r"The sets? that passed: (.*?)\.(?: |$)", text)
    if listed:  # every accepted set, and no other
        shown = {frozenset(names_in(part)) for part in re.findall(r"\{[^}]*\}", listed.group(1))}
        assert shown == accepted
    else:
        assert text.startswith(f"{len(accepted):,} sets passed.")
    rejected = re.search(r"Every set holding (.*?) was rejected\.", text)
    for name in names_in(rejected.group(1)) if rejected else []:
        assert all(name not in s for s in accepted), (name, text)
    some = re.search(r"\. ([^.]*?) (?:is|are) in some of the sets that passed but not in all", text)
    for name in names_in(some.group(1)) if some else []:
        assert any(name in s for s in accepted) and any(name not in s for s in accepted)
        assert name not in res.causal_predictors
    # a measurement beside the named causes: in an accepted set, not named, hidden behind it
    for name in names_in(measured_sentence(sc, res))[::3]:
        assert any(name in s for s in accepted) and name not in res.causal_predictors
        assert sc.scm.specs[name].measures not in sc.features


def test_ldopa_says_why_the_scan_sits_beside_the_dose() -> None:
    """The issue's case: on L-DOPA the invariant sets are {dose} and {dose, scan}."""
    sc, _, _, res = fitted("ldopa", 0)
    assert set(res.accepted_sets) == {frozenset({"dose"}), frozenset({"dose", "dopamine_scan"})}
    assert sets_sentence(res).startswith("The sets that passed: {`dose`} and {`dose`, ")
    why = measured_sentence(sc, res)
    assert why.startswith("`dopamine_scan` is a noisy reading of the hidden `dopamine`")


# ----------------------------------------------------------------------------- §3


def errors_of(frame: pd.DataFrame, model: str, world: str) -> float:
    return float(frame[(frame["model"] == model) & (frame["test"] == world)]["rmse"].iloc[0])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", WORLDS)
def test_the_fresh_sample_sentence_reads_back_its_errors(sid: str, seed: int) -> None:
    sc, envs, df, res = fitted(sid, seed)
    errors, seen, new = fresh_errors(sc, df, envs, res.causal_predictors, seed)
    icp_model = next(m for m in errors["model"].unique() if m != POOLED)
    _, worlds = fresh_worlds(sc, envs)
    reasons = {w: unchecked_reason(sc, worlds[w]) for w in new}
    text = held_out_sentence(errors, seen, reasons, pooled=POOLED, icp_model=icp_model)
    pooled_seen = [errors_of(errors, POOLED, w) for w in seen]
    icp_seen = [errors_of(errors, icp_model, w) for w in seen]
    wins = sum(p < i for p, i in zip(pooled_seen, icp_seen, strict=True))
    lead = text.split(" (errors ")[0]
    if "the regression on every feature is the better predictor" in lead:
        assert wins == len(seen)
    elif "ICP's model is the better predictor" in lead:
        assert wins == 0
    else:
        m = re.search(r"better on (\d+) and ICP's model on (\d+)", lead)
        assert m and (int(m.group(1)), int(m.group(2))) == (wins, len(seen) - wins)
    ranges = re.search(r"\(errors (\S+) against (\S+)\)", text)
    assert ranges
    for shown, values in zip(ranges.groups(), (pooled_seen, icp_seen), strict=True):
        assert shown.split("–") in (  # noqa: RUF001
            [format_number(min(values))],
            [format_number(min(values)), format_number(max(values))],
        )

    def shown(model: str, world: str) -> str:
        return format_number(errors_of(errors, model, world))

    for world, p, i in re.findall(
        r"On `([^`]+)`, a world no environment had, it breaks: error (\S+), against (\S+) for", text
    ):
        assert broken(errors, POOLED, seen, world) and not broken(errors, icp_model, seen, world)
        assert (p, i) == (shown(POOLED, world), shown(icp_model, world))
        assert errors_of(errors, POOLED, world) > errors_of(errors, icp_model, world)
    for world, p, i in re.findall(
        r"On `([^`]+)`, a world no environment had, it breaks \(error (\S+)\), though ICP's model does worse still \((\S+)\)",
        text,
    ):
        assert broken(errors, POOLED, seen, world) and not broken(errors, icp_model, seen, world)
        assert (p, i) == (shown(POOLED, world), shown(icp_model, world))
        assert errors_of(errors, POOLED, world) <= errors_of(errors, icp_model, world)
    for world, p, i in re.findall(
        r"On `([^`]+)`, a world no environment had, both break: error (\S+) for the pooled model and (\S+) for ICP's",
        text,
    ):
        assert broken(errors, POOLED, seen, world) and broken(errors, icp_model, seen, world)
        assert (p, i) == (shown(POOLED, world), shown(icp_model, world))
    for world in re.findall(r"ICP's model breaks on `([^`]+)`", text):
        assert broken(errors, icp_model, seen, world) and not broken(errors, POOLED, seen, world)
    neither = re.search(r"Neither breaks on (.*?)\.$", text)
    for world in names_in(neither.group(1)) if neither else []:
        assert not broken(errors, POOLED, seen, world) and not broken(
            errors, icp_model, seen, world
        )
    # every world that breaks a model is named
    for world in new:
        if broken(errors, POOLED, seen, world) or broken(errors, icp_model, seen, world):
            assert f"`{world}`" in text


def test_the_issues_worlds_show_where_the_better_model_breaks() -> None:
    """L-DOPA: the pooled model is better on every clinic and breaks on full Tylenol."""
    sc, envs, df, res = fitted("ldopa", 0)
    errors, seen, new = fresh_errors(sc, df, envs, res.causal_predictors, 0)
    assert all(
        errors_of(errors, POOLED, w) < errors_of(errors, "ICP · its causes", w) for w in seen
    )
    assert broken(errors, POOLED, seen, "Tylenol")
    assert "Dopamine agonist" in new and "dopamine" in unchecked_reason(
        sc, sc.presets["Dopamine agonist"]
    )


# ----------------------------------------------------------------------------- §4


@cache
def page_sweeps(sid: str, preset: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    same, full = invariance_sweeps(
        load_scenario(sid),
        [Environment(OBSERVATIONAL_ENV, (), 1000)],
        preset,
        SWEEP_STRENGTHS,
        n=1000,
        seed=seed,
        test_strengths=(None, 1.0),
    )
    return same, full


SWEEPS = [(sid, p) for sid in WORLDS for p in load_scenario(sid).presets]


@pytest.mark.parametrize("seed", (0, 1))
@pytest.mark.parametrize(("sid", "preset"), SWEEPS)
def test_the_local_verdict_and_error_caption_at_every_strength(
    sid: str, preset: str, seed: int
) -> None:
    sc = load_scenario(sid)
    same, full = page_sweeps(sid, preset, seed)
    causes = ", ".join(f for f in sc.features if f in visible_causes(sc))
    for alpha in ALPHAS:
        for s in SWEEP_STRENGTHS:
            now = same[same["strength"] == s].set_index("set")
            far = full[full["strength"] == s].set_index("set")
            p = float(now.loc["all features", "pvalue"])
            checked = float(now.loc["all features", "rmse"])
            on_full = float(far.loc["all features", "rmse"])
            text = local_verdict(
                strength=s,
                preset=preset,
                features=list(sc.features),
                pvalue=p,
                alpha=alpha,
                rmse_checked=checked,
                rmse_full=on_full,
            )
            assert ("**looks invariant**" in text) == (p > alpha)
            assert ("**is rejected**" in text) == (p <= alpha)
            assert f"{format_number(on_full)} on the full" in text or (
                s == 1.0 and text.endswith(f"is {format_number(on_full)}.")
            )
            if s < 1.0:
                assert f"is {format_number(checked)} where ICP checked it" in text
            assert ("it breaks under an intervention stronger" in text) == (
                s < 1.0 and p > alpha and on_full >= BREAKS * checked
            )
            cause = (
                (f"the causes' set {{{causes}}}", float(far.loc["causal parents", "rmse"]))
                if causes
                else None
            )
            caption = local_error_caption(
                preset=preset, strength=s, checked=checked, full=on_full, causes=cause
            )
            numbers = re.search(r"At [\d.]+%: (\S+) where checked, (\S+) on the full", caption)
            assert numbers and numbers.groups() == (format_number(checked), format_number(on_full))
            if cause:
                assert caption.endswith(f"{format_number(cause[1])} for {cause[0]}.")
            else:
                assert "green" not in caption


# ----------------------------------------------------------------------------- §5


@pytest.mark.parametrize("seed", (0, 1, 2, 3))
def test_the_bend_error_sentence_says_what_its_curves_do(seed: int) -> None:
    """The issue's false sentence: "the line keeps climbing" under a curve that goes down."""
    for alpha in ALPHAS:
        far_t, near_t = invariance_sweeps(
            nonlinear_scenario(),
            [Environment(OBSERVATIONAL_ENV, (), 300)],
            "dose",
            BEND_STRENGTHS,
            n=300,
            seed=seed,
            alpha=alpha,
            test_strengths=(1.0, None),
            shift_sds=NONLINEAR_SHIFT_SDS,
            steps=(0.5, 1.0),
        )
        far_t, near_t = (t[t["set"] == "all features"] for t in (far_t, near_t))
        grid = far_t["strength"].to_list()
        far, near = far_t["rmse"].to_list(), near_t["rmse"].to_list()
        pvalues = far_t["pvalue"].to_list()
        text = far_error_sentence(grid, far, near, pvalues, alpha)
        move = re.search(r"\(red\) (falls|rises|stays) from (\S+) when .* to (\S+) when", text)
        assert move
        word, first, last = move.groups()
        assert (first, last) == (format_number(far[0]), format_number(far[-1]))
        assert word == ("falls" if far[-1] < far[0] else "rises" if far[-1] > far[0] else "stays")
        if "the farther the doses" in text:
            assert all(b <= a for a, b in zip(far, far[1:], strict=False))
        ratio = re.search(r"at least ([\d.]+) times", text)
        passing = [i for i, p in enumerate(pvalues) if p > alpha and grid[i] < 1.0]
        if ratio:
            assert passing
            assert float(ratio.group(1)) == pytest.approx(
                min(far[i] / near[i] for i in passing), abs=0.051
            )
        else:
            assert not passing or min(far[i] / near[i] for i in passing) < 1.1


# ----------------------------------------------------------------------------- names


def test_the_causes_icp_can_see_skip_hidden_steps_only() -> None:
    expected = {
        "ldopa": {"dose"},  # through the hidden dopamine
        "icecream": set(),  # no feature causes drownings
        "fever": {"exposure"},
        "mystery": {"motive", "opportunity"},
        "neurons": {"neuron_a"},
    }
    for sid, causes in expected.items():
        assert visible_causes(load_scenario(sid)) == causes, sid
    from lib.world.scenarios import scenario_from_toml

    chain = scenario_from_toml(
        'id = "chain"\ntitle = "c"\nsummary = "s"\ntarget = "y"\nfeatures = ["x", "m"]\n'
        '[nodes.x]\nequation = "normal(0, 1)"\n[nodes.m]\nequation = "x + normal(0, 1)"\n'
        '[nodes.y]\nequation = "m + normal(0, 1)"\n'
    )
    assert visible_causes(chain) == {"m"}  # x acts only through the observed m


@pytest.mark.parametrize("sid", WORLDS)
def test_no_comparator_is_the_average_under_a_name_that_promises_causes(sid: str) -> None:
    """The issue's "true parents (none observed)", fitted as an intercept: gone."""
    from lib.ui.invariance_views import sweep_views

    sc = load_scenario(sid)
    preset = next(iter(sc.presets))
    same, full = page_sweeps(sid, preset, 0)
    pv, err = sweep_views(same, full)
    names = set(pv["set"]) | set(err["model"])
    assert not any("parents" in n or "oracle" in n.lower() for n in names)
    for name in names:
        if "causes" in name:
            assert "{}" not in name  # a causes' set always has members
    if not visible_causes(sc):
        assert "no predictor (the average)" in set(pv["set"])
        assert not any("causes" in m for m in err["model"])

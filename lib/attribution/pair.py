"""The two-neuron world of the Attribution page, at any correlation.

The world is a scenario file (``data/scenarios/neurons.toml``): an unrecorded
``upstream`` input drives neurons A and B, each written as
``sqrt(ρ) * upstream + sqrt(1 - ρ) * normal(0, 1)``, so both have unit variance
and correlation ρ; the grip force depends on A alone. :func:`pair_world` writes
the same equations with the page's ρ and adds B's own effect to the target's
equation, giving a new :class:`~lib.world.scenarios.Scenario` with the file's
story and presets (drive B, silence B, silence A).

Everything the page computes about the world is here, on the lab's models
(:mod:`lib.fitting.models`) and its one scoring function
(:func:`lib.fitting.evaluation.score`):

- :func:`prediction_sweep`: held-out R² of ordinary least squares, ridge, lasso
  and boosted trees as ρ rises (flat), and the spread of A's coefficient across
  bootstrap resamples beside its closed form σ / √(n (1 − ρ²));
- :func:`coefficient_bootstrap`: what each linear model gives A and B across
  resamples, vectorised (:mod:`lib.attribution.stability`, :mod:`lib.attribution.methods`);
- :func:`settle`: every model's error before and after an intervention, with the
  Rashomon set's member that credits B most and the causal model beside them.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from lib.attribution.credit import rashomon_extreme, rashomon_ranges
from lib.attribution.stability import (
    bootstrap_indices,
    bootstrap_lasso,
    bootstrap_ols,
    bootstrap_ridge,
)
from lib.fitting.evaluation import score
from lib.fitting.models import (
    BoostedTreesModel,
    LinearModel,
    Model,
    PenalisedModel,
    one_thread,
)
from lib.fitting.scores import r2_score
from lib.world.interventions import Do
from lib.world.scenarios import Scenario
from lib.world.scm import SCM

__all__ = [
    "BOOTSTRAP_REPS",
    "NEURON_EQUATION",
    "PAIR_SCENARIO",
    "RHO_OPTIONS",
    "SWEEP_RHOS",
    "TEST_ROWS",
    "B_CHAMPION",
    "Fitted",
    "INPUTS",
    "MODEL_NAMES",
    "GivenLinearModel",
    "array_fitters",
    "b_champion",
    "causal_name",
    "neurons_and_target",
    "truth_shares",
    "PairWorld",
    "coefficient_bootstrap",
    "fit_four",
    "fitted_pair",
    "pair_world",
    "prediction_sweep",
    "sample_pair",
    "settle",
]

#: The world's scenario id.
PAIR_SCENARIO = "neurons"
#: How each neuron is written, with ``{rho}`` the correlation of A and B.
NEURON_EQUATION = "sqrt({rho}) * upstream + sqrt(1 - {rho}) * normal(0, 1)"
#: Correlations the page offers: fine near 1, where attribution falls apart.
RHO_OPTIONS: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
#: Correlations of the sweep "as the correlation rises": six points show a flat R² and
#: a spread that grows about 22-fold (the closed form's); nine, with 0.8, 0.98 and 0.995,
#: cost half as much again on a new seed for two charts that need no more. The page's
#: default, 0.99, is one of them.
SWEEP_RHOS: tuple[float, ...] = (0.0, 0.5, 0.9, 0.95, 0.99, 0.999)
#: Held-out rows every score is measured on.
TEST_ROWS = 2000
#: Bootstrap resamples of the linear models.
BOOTSTRAP_REPS = 200
#: The two recorded neurons.
INPUTS: tuple[str, str] = ("neuron_a", "neuron_b")
#: A fitted model's prediction function on an array of rows.
Predict = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PairWorld:
    """The two-neuron world at correlation ``rho`` with B's own effect ``b_effect``.

    Attributes
    ----------
    scenario : Scenario
        The file's scenario with the neurons and the target rewritten.
    rho, b_effect : float
    truth : tuple of float
        The effect on the target of one unit of A and of B, read off the world
        by intervening (``do(x = 1)`` against ``do(x = 0)`` on the same units).
    noise_sd : float
        The standard deviation of the target's own noise, read off the world.
    """

    scenario: Scenario
    rho: float
    b_effect: float
    truth: tuple[float, float]
    noise_sd: float

    @property
    def inputs(self) -> tuple[str, str]:
        """The two neurons, A first."""
        return INPUTS

    @property
    def target(self) -> str:
        """What the models predict."""
        return self.scenario.target

    def population_r2(self) -> float:
        """The best R² any model can reach: the share of the target's variance the
        neurons explain (both have unit variance and correlation ρ)."""
        a, b = self.truth
        signal = a * a + b * b + 2 * a * b * self.rho
        return signal / (signal + self.noise_sd**2)

    def coefficient_se(self, n: int) -> float:
        """The closed-form standard error of A's least-squares coefficient with
        ``n`` rows: σ / √(n (1 − ρ²)) (unit-variance inputs, large ``n``)."""
        return self.noise_sd / math.sqrt(n * (1.0 - self.rho**2))


def neurons_and_target(df: pd.DataFrame, world: PairWorld) -> tuple[np.ndarray, np.ndarray]:
    """The neurons as an ``(n, 2)`` array and the target."""
    x = np.column_stack([df[name].to_numpy(dtype=float) for name in world.inputs])
    return x, df[world.target].to_numpy(dtype=float)


def _rho_text(rho: float) -> str:
    return repr(float(rho))


def pair_world(sc: Scenario, rho: float, b_effect: float = 0.0) -> PairWorld:
    """The scenario ``sc`` (the neurons file) with correlation ``rho`` and B's effect.

    Raises
    ------
    ValueError
        If ``rho`` is not in [0, 1) or ``b_effect`` is not finite.
    """
    rho = float(rho)
    if not 0.0 <= rho < 1.0:
        raise ValueError("the neurons' correlation is from 0 to below 1.")
    if not math.isfinite(b_effect):
        raise ValueError("B's effect must be a number.")
    spec = sc.scm.to_dict()
    nodes = spec["nodes"]
    for name in INPUTS:
        nodes[name]["equation"] = NEURON_EQUATION.format(rho=_rho_text(rho))
    if b_effect:
        nodes[sc.target]["equation"] = (
            f"{nodes[sc.target]['equation']} + {_rho_text(b_effect)} * {INPUTS[1]}"
        )
    world = dataclasses.replace(sc, scm=SCM.from_dict(spec))
    # the neurons are held by do() when the truth is read, so it does not depend on
    # rho: read it once per rest of the world (the sweep asks for six correlations)
    rest = repr(sorted((k, v) for k, v in nodes.items() if k not in INPUTS))
    with _TRUTHS_LOCK:  # the sessions of a worker share it
        known = _TRUTHS.get(rest)
    if known is None:
        known = _read_truth(world.scm, sc.target)
        with _TRUTHS_LOCK:
            while len(_TRUTHS) >= 64:
                del _TRUTHS[next(iter(_TRUTHS))]
            _TRUTHS[rest] = known
    truth, noise = known
    return PairWorld(world, rho, float(b_effect), truth, noise)


#: The truth read off each world, by its nodes other than the neurons.
_TRUTHS: dict[str, tuple[tuple[float, float], float]] = {}
_TRUTHS_LOCK = threading.Lock()


def _read_truth(scm: SCM, target: str) -> tuple[tuple[float, float], float]:
    """Each neuron's effect and the target's noise, by intervening on the simulator."""
    rows, seed = 20_000, 0  # the noise's SD to about 0.5%; the effects are exact
    zero = [Do(name, 0.0) for name in INPUTS]
    base = scm.sample(rows, seed, zero)[target].to_numpy()
    effects = []
    for j, name in enumerate(INPUTS):
        ivs = [*zero[:j], Do(name, 1.0), *zero[j + 1 :]]
        moved = scm.sample(rows, seed, ivs)[target].to_numpy()
        effects.append(float(np.mean(moved - base)))
    return (effects[0], effects[1]), float(np.std(base, ddof=1))


def sample_pair(world: PairWorld, n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A training sample of ``n`` rows (seed ``seed``) and :data:`TEST_ROWS` held-out
    rows (seed ``seed + 1``, as the lab's experiments draw them)."""
    sc = world.scenario
    return sc.sample(n, seed), sc.sample(TEST_ROWS, seed + 1)


#: The four predictive models, in the order the page shows them.
MODEL_NAMES: tuple[str, ...] = ("Least squares", "Ridge", "Lasso", "Boosted trees")


def _four(target: str, seed: int) -> list[Model]:
    """The four predictive models on both neurons, unfitted."""
    return [
        LinearModel(MODEL_NAMES[0], "predictive", INPUTS, target),
        PenalisedModel(MODEL_NAMES[1], "predictive", INPUTS, target, penalty="ridge"),
        PenalisedModel(MODEL_NAMES[2], "predictive", INPUTS, target, penalty="lasso"),
        BoostedTreesModel(MODEL_NAMES[3], "predictive", INPUTS, target, random_state=seed),
    ]


def fit_four(train: pd.DataFrame, world: PairWorld, seed: int = 0) -> list[Model]:
    """Ordinary least squares, ridge, lasso and boosted trees on both neurons."""
    return [m.fit(train) for m in _four(world.target, seed)]


def array_fitters() -> dict[str, Callable[[np.ndarray, np.ndarray], Predict]]:
    """The four models as functions that fit on arrays ``(x, y)`` (the two neurons)
    and return the fitted model's prediction function, for
    :func:`lib.attribution.methods.resampled_credit`."""

    def fitter(index: int) -> Callable[[np.ndarray, np.ndarray], Predict]:
        def fit(x: np.ndarray, y: np.ndarray) -> Predict:
            frame = pd.DataFrame({INPUTS[0]: x[:, 0], INPUTS[1]: x[:, 1], "y": y})
            model = _four("y", 0)[index].fit(frame)

            def predict(rows: np.ndarray) -> np.ndarray:
                return model.predict(pd.DataFrame({INPUTS[0]: rows[:, 0], INPUTS[1]: rows[:, 1]}))

            return predict

        return fit

    return {name: fitter(i) for i, name in enumerate(MODEL_NAMES)}


#: The two-neuron world at one correlation, sampled and fitted: (world, training
#: rows, held-out rows, the four models of :func:`fit_four`).
Fitted = tuple[PairWorld, pd.DataFrame, pd.DataFrame, Sequence[Model]]


def fitted_pair(world: PairWorld, n: int, seed: int) -> Fitted:
    """The world, its samples (:func:`sample_pair`) and the four models fitted on the
    training rows (:func:`fit_four`)."""
    train, test = sample_pair(world, n, seed)
    return world, train, test, fit_four(train, world, seed)


def prediction_sweep(
    sc: Scenario,
    n: int,
    b_effect: float,
    seed: int,
    rhos: Sequence[float] = SWEEP_RHOS,
    reps: int = BOOTSTRAP_REPS,
    fitted: Callable[[float], Fitted] | None = None,
) -> pd.DataFrame:
    """What changes, and what does not, as the neurons' correlation rises.

    Parameters
    ----------
    fitted : callable, optional
        The world at a correlation, sampled and fitted, as :func:`fitted_pair`
        gives it (the default): a page passes its cache of them, so the sweep and
        the page's own correlation share their fits.

    Returns
    -------
    pandas.DataFrame
        One row per correlation and model: ``rho``, ``model``, ``r2`` (held out),
        ``best_r2`` (:meth:`PairWorld.population_r2`), and for least squares
        ``spread`` (the standard deviation of A's coefficient across ``reps``
        bootstrap resamples) beside ``se`` (its closed form), NaN for the others.
    """
    if fitted is None:

        def fitted(rho: float) -> Fitted:
            return fitted_pair(pair_world(sc, rho, b_effect), n, seed)

    idx = bootstrap_indices(n, reps, seed)  # the same resamples at every correlation
    rows = []
    for rho in rhos:
        world, train, test, models = fitted(rho)
        y_test = test[world.target].to_numpy(dtype=float)
        x, y = neurons_and_target(train, world)
        boot = bootstrap_ols(x, y, indices=idx)
        spread = float(np.std(boot[:, 1], ddof=1))
        for m in models:
            ols = m.name == MODEL_NAMES[0]
            rows.append(
                {
                    "rho": float(rho),
                    "model": m.name,
                    "r2": r2_score(y_test, m.predict_finite(test)),  # as score() has it
                    "best_r2": world.population_r2(),
                    "spread": spread if ols else math.nan,
                    "se": world.coefficient_se(n) if ols else math.nan,
                }
            )
    return pd.DataFrame(rows)


def coefficient_bootstrap(
    train: pd.DataFrame, world: PairWorld, models: Sequence[Model], reps: int, seed: int
) -> pd.DataFrame:
    """What least squares, ridge and lasso give each neuron across ``reps`` bootstrap
    resamples of ``train`` (the same resamples for all three; the penalties are the
    ones each model chose on the whole sample).

    Returns
    -------
    pandas.DataFrame
        Columns ``resample``, ``model``, ``penalty`` (``"none"``, ``"ridge"`` or
        ``"lasso"``), ``a``, ``b`` (each neuron's coefficient).
    """
    x, y = neurons_and_target(train, world)
    idx = bootstrap_indices(len(y), reps, seed)
    frames = []
    for m in models:
        if isinstance(m, PenalisedModel):
            z = x / m.x_std_
            solve = bootstrap_ridge if m.penalty == "ridge" else bootstrap_lasso
            coef, penalty = solve(z, y, m.alpha_, indices=idx)[:, 1:] / m.x_std_, m.penalty
        elif isinstance(m, LinearModel):
            coef, penalty = bootstrap_ols(x, y, indices=idx)[:, 1:], "none"
        else:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "resample": np.arange(reps),
                    "model": m.name,
                    "penalty": penalty,
                    "a": coef[:, 0],
                    "b": coef[:, 1],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@dataclass
class GivenLinearModel(Model):
    """A linear model whose coefficients are given, not fitted (a member of the
    Rashomon set): it predicts ``intercept + x · coef``."""

    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    estimator_family: ClassVar[str] = "linear"

    def fit(self, df: pd.DataFrame) -> GivenLinearModel:
        """Nothing to learn."""
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Predictions for the rows of ``df``."""
        x = np.column_stack([df[name].to_numpy(dtype=float) for name in self.features])
        with one_thread():
            return self.intercept + x @ np.asarray(self.coef, dtype=float)


#: The name of the Rashomon set's member whose credit to B is farthest from the truth.
B_CHAMPION = "Rashomon set · most wrong about B"


def b_champion(test: pd.DataFrame, world: PairWorld, epsilon: float) -> GivenLinearModel:
    """The linear model within ``epsilon`` of the best held-out error on ``test``
    whose credit to B is farthest from B's true effect: one of the set's two ends
    along B (:func:`lib.attribution.credit.rashomon_extreme`). With B doing nothing,
    the model that gives B the most credit, either way."""
    x, y = neurons_and_target(test, world)
    best, _, _ = rashomon_ranges(x, y, epsilon)
    top = rashomon_extreme(x, y, epsilon, 1)
    bottom = 2 * best - top  # the ellipse is symmetric about the best model
    truth = world.truth[1]
    coef = top if abs(top[1] - truth) >= abs(bottom[1] - truth) else bottom
    intercept = float(y.mean() - x.mean(axis=0) @ coef)
    return GivenLinearModel(
        B_CHAMPION,
        "predictive",
        world.inputs,
        world.target,
        coef=tuple(float(c) for c in coef),
        intercept=intercept,
    )


def causal_name(causes: Sequence[str]) -> str:
    """The causal model's name: least squares on the grip's causes (A, or A and B)."""
    label = " + ".join("A" if c == INPUTS[0] else "B" for c in causes)
    return f"Least squares · {label} (the causes)"


def truth_shares(world: PairWorld) -> dict[str, float]:
    """The share of the credit the true model gives A, by each method: permutation
    importance rises with the square of an input's effect (2 β² var x, and both
    neurons have unit variance), the mean absolute Shapley value with its size
    (|β| · mean |x − mean x|, the same for both)."""
    a, b = (abs(t) for t in world.truth)
    return {"permutation": a * a / (a * a + b * b), "shapley": a / (a + b)}


def settle(
    world: PairWorld,
    models: Sequence[Model],
    n: int,
    seed: int,
    preset: str,
    epsilon: float,
    *,
    samples: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every model's held-out error before and after the world's ``preset``.

    The models are the four predictive ones, the Rashomon set's member that
    credits B most, and the causal model: least squares on the target's causes
    in the world's graph (A alone while B has no effect of its own).

    Parameters
    ----------
    samples : (DataFrame, DataFrame), optional
        The training and held-out rows :func:`sample_pair` draws for ``(world, n,
        seed)``, when they are at hand (else they are drawn again).

    Returns
    -------
    pandas.DataFrame
        :func:`lib.fitting.evaluation.score`'s frame with tests
        ``"observational"`` and ``preset``.
    """
    sc = world.scenario
    if preset not in sc.presets:
        raise ValueError(f"{preset!r} is not an intervention of this world.")
    train, test = sample_pair(world, n, seed) if samples is None else samples
    causes = sc.causal_features
    causal = LinearModel(causal_name(causes), "causal", causes, sc.target)
    causal.fit(train)
    after = sc.scm.sample(TEST_ROWS, seed + 1, tuple(sc.presets[preset]))
    every = [*models, b_champion(test, world, epsilon), causal]
    return score(every, {"observational": test, preset: after})

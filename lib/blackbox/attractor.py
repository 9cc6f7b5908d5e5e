"""The oculomotor integrator: a line attractor whose circuit model predicts (Seung 1996).

Between saccades the eyes hold still, although the motor neurons receive only
a brief velocity command for each saccade. A recurrent network in the
brainstem integrates the command into a position and holds it. Seung's model
is linear (rates are deviations from baseline, so they may be negative):

    τ dr/dt = −r + W r + b v(t),        eye position E(t) = uᵀ r

with N units, a heterogeneous positive tuning vector ``u`` (‖u‖ = 1), the
rank-one feedback W = w u uᵀ and the input weights b = τ u. The integrating
mode ``u`` has eigenvalue ``w``; every other mode has eigenvalue 0 and decays
with the neurons' own τ. Projecting the equation on ``u`` gives the eye alone:

    dE/dt = −(1 − w) E / τ + v

so with w = 1 the eye integrates the command exactly and holds any position
(a line of fixed points, r = u E: unit i's rate is u_i E). Mistuned, it drifts
as E(t) = E₀ exp(−t/T) with the time constant T = τ / (1 − w): back to the
centre (a leak, w < 1) or away from it (an instability, w > 1, T < 0), as in
gaze-evoked nystagmus. With τ = 0.1 s, holding gaze for 20 s needs
|1 − w| ≤ τ / 20 s = 0.005 (:func:`tuning_needed`).

**Lesions.** Silencing a set K of units (their rates held at 0, their rows and
columns of W removed, and no longer counted in the readout) leaves a network
that is still rank one, along u′ (``u`` without the entries in K):

    W′ = w u′u′ᵀ,   b′ = τ u′,   E = u′ᵀ r′,   ‖u′‖² = s = 1 − Σ_{k∈K} u_k²

Its integrating mode u′/‖u′‖ has the eigenvalue λ′ = w s (every other mode
0), and the eye obeys dE/dt = −(1 − λ′) E / τ + s v. The circuit model thus
predicts three things before any experiment:

- the eye **jumps** at the moment of the lesion, from E to s E (the silenced
  units' share Σ u_k² of the readout is gone; the rates are on the line
  r = u E, so the kept rates read out u′ᵀu′ E);
- the eye then **drifts** with the time constant τ / (1 − λ′): an intact,
  perfectly tuned network lesioned at one unit k leaks with τ / u_k²;
- the integrator's **gain** falls to s: a command of integral ΔE now moves
  the eye by s ΔE (less the leak during the pulse).

:func:`simulate` runs the whole network (not the reduced equation), so tests
can check these closed forms against it; :func:`fit_time_constant` measures
a drift's time constant from a simulated trace.

**Simulation.** The command is piecewise constant on a uniform grid (v[n]
holds over [t_n, t_n+1)). Van Loan's augmented matrix gives the exact
one-step map r[n+1] = A r[n] + B v[n] at once, also when W − I is singular:

    expm([[(W − I)/τ, b/τ], [0, 0]] · dt) = [[A, B], [0, 1]]

W is symmetric, so A is: the recurrence runs in A's eigenbasis as N
independent first-order recurrences, each one :func:`scipy.signal.lfilter`
call (no Python loop over the time steps).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import expm
from scipy.signal import lfilter

from lib.errors import DataError

__all__ = [
    "DEFAULT_DT",
    "DEFAULT_TAU",
    "MAX_MISTUNING",
    "MAX_STEPS",
    "MAX_UNITS",
    "SACCADE_PULSE",
    "Integrator",
    "fit_time_constant",
    "hold_time",
    "lesion",
    "make_integrator",
    "predicted_eye",
    "predicted_trace",
    "saccade_commands",
    "simulate",
    "tuning_needed",
]

#: Most units a network may have.
MAX_UNITS = 100
#: The neurons' own time constant, in seconds (Seung's ≈ 100 ms).
DEFAULT_TAU = 0.1
#: The default time step of simulations, in seconds.
DEFAULT_DT = 0.001
#: Largest mistuning |w − 1| allowed (w between 0 and 2).
MAX_MISTUNING = 1.0
#: Most time steps one simulation may take (200 s at 1 ms).
MAX_STEPS = 200_000
#: The default duration of a saccade's velocity pulse, in seconds.
SACCADE_PULSE = 0.05
#: Lowest and highest draw of a unit's tuning before normalisation.
_TUNING_RANGE = (0.5, 1.5)


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy of ``a``."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Integrator:
    """A linear line-attractor network, possibly with lesioned units.

    Attributes
    ----------
    tau : float
        The neurons' time constant τ, in seconds.
    w : float
        The feedback on the integrating mode, 1 + mistuning (W = w u uᵀ).
    u : ndarray, shape (N,)
        Every unit's tuning (read-only): positive, ‖u‖ = 1. On the line
        attractor unit i's rate is u_i E.
    kept : ndarray of bool, shape (N,)
        The units not lesioned (read-only).
    seed : int
        The seed ``u`` was drawn from.

    Notes
    -----
    The eye obeys dE/dt = −E / T + gain · v, with T :attr:`time_constant`:
    T > 0 is a leak back to the centre (E₀ exp(−t/T)), T < 0 growth away from
    it with the e-folding time |T|, and T = ``inf`` a perfect hold.
    """

    tau: float
    w: float
    u: np.ndarray
    kept: np.ndarray
    seed: int

    @property
    def n_units(self) -> int:
        """Units of the network as built, lesioned ones included."""
        return int(self.u.shape[0])

    @property
    def n_kept(self) -> int:
        """Units not lesioned."""
        return int(self.kept.sum())

    @property
    def lesioned(self) -> tuple[int, ...]:
        """The lesioned units, in order."""
        return tuple(int(k) for k in np.flatnonzero(~self.kept))

    @property
    def readout(self) -> np.ndarray:
        """u′: the kept units' tuning, the readout E = u′ᵀ r′, shape (n_kept,)."""
        return np.asarray(self.u[self.kept])

    @property
    def gain(self) -> float:
        """s = ‖u′‖² = 1 − Σ u_k² over the lesioned units (exactly 1 when intact)."""
        return 1.0 - float(np.sum(self.u[~self.kept] ** 2))

    @property
    def eigenvalue(self) -> float:
        """λ = w s: the kept network's integrating-mode eigenvalue (closed form)."""
        return self.w * self.gain

    @property
    def time_constant(self) -> float:
        """T = τ / (1 − λ) in seconds: ``inf`` when λ = 1, negative (growth) when λ > 1."""
        leak = 1.0 - self.eigenvalue
        return math.inf if leak == 0.0 else self.tau / leak

    @property
    def weights(self) -> np.ndarray:
        """The kept network's recurrent weights W′ = w u′u′ᵀ, shape (n_kept, n_kept)."""
        return self.w * np.outer(self.readout, self.readout)

    @property
    def input_weights(self) -> np.ndarray:
        """The kept network's input weights b′ = τ u′, shape (n_kept,)."""
        return self.tau * self.readout


def _check_int(value: object, what: str) -> int:
    """``value`` as an int, or a DataError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DataError(f"The {what} must be a whole number, not {value!r}.")
    return int(value)


def _check_positive(value: float, what: str) -> float:
    """``value`` as a finite positive float, or a DataError naming ``what``."""
    x = float(value)
    if not math.isfinite(x) or x <= 0.0:
        raise DataError(f"The {what} must be a positive number of seconds, not {value!r}.")
    return x


def make_integrator(
    n_units: int, tau: float = DEFAULT_TAU, mistuning: float = 0.0, seed: int = 0
) -> Integrator:
    """A seeded line-attractor network of ``n_units`` units.

    Parameters
    ----------
    n_units : int
        Units, 1 to :data:`MAX_UNITS`.
    tau : float
        The neurons' time constant, in seconds.
    mistuning : float
        w − 1: 0 is a perfect integrator, negative a leak, positive an
        instability; at most :data:`MAX_MISTUNING` in size.
    seed : int
        Seed of ``numpy.random.default_rng``: the tunings are drawn uniformly
        from [0.5, 1.5] (heterogeneous, all positive), then normalised to ‖u‖ = 1.

    Returns
    -------
    Integrator
        No unit lesioned.
    """
    n = _check_int(n_units, "number of units")
    if not 1 <= n <= MAX_UNITS:
        raise DataError(f"The network needs 1 to {MAX_UNITS} units, not {n}.")
    tau = _check_positive(tau, "time constant τ")
    m = float(mistuning)
    if not math.isfinite(m) or abs(m) > MAX_MISTUNING:
        raise DataError(
            f"The mistuning w − 1 must be between −{MAX_MISTUNING:g} and "
            f"{MAX_MISTUNING:g}, not {mistuning!r}."
        )
    seed = _check_int(seed, "seed")
    u = np.random.default_rng(seed).uniform(*_TUNING_RANGE, size=n)
    return Integrator(
        tau=tau,
        w=1.0 + m,
        u=_frozen(u / np.linalg.norm(u)),
        kept=_frozen(np.ones(n, dtype=bool)),
        seed=seed,
    )


def _unit_list(units: int | Iterable[int]) -> list[int]:
    """``units`` as a list of ints (one int, or several)."""
    if isinstance(units, numbers.Integral) and not isinstance(units, bool):
        return [int(units)]
    if isinstance(units, str | bytes) or not isinstance(units, Iterable):
        raise DataError(f"Units to lesion are given by number, not {units!r}.")
    return [_check_int(k, "unit to lesion") for k in units]


def lesion(integrator: Integrator, units: int | Iterable[int]) -> Integrator:
    """The network with ``units`` silenced (a new Integrator; the old one is unchanged).

    Parameters
    ----------
    integrator : Integrator
        The network, possibly already lesioned.
    units : int or iterable of int
        Units to silence, numbered 0 to N − 1 as in the intact network.

    Returns
    -------
    Integrator
        The same network with these units no longer kept.

    Raises
    ------
    DataError
        For no unit, an unknown unit, a unit named twice or already lesioned,
        or a lesion that would leave no unit.
    """
    ks = _unit_list(units)
    if not ks:
        raise DataError("Name at least one unit to lesion.")
    n = integrator.n_units
    unknown = [k for k in ks if not 0 <= k < n]
    if unknown:
        raise DataError(
            f"Unknown unit {unknown[0]}: the network has units 0 to {n - 1}.",
            allowed=f"Allowed: 0 to {n - 1}.",
        )
    twice = sorted({k for k in ks if ks.count(k) > 1})
    if twice:
        raise DataError(f"Unit {twice[0]} is named twice; lesion each unit once.")
    again = [k for k in ks if not integrator.kept[k]]
    if again:
        raise DataError(f"Unit {again[0]} is already lesioned.")
    kept = np.array(integrator.kept, copy=True)
    kept[ks] = False
    if not kept.any():
        raise DataError("Lesioning every unit leaves no network; keep at least one unit.")
    return Integrator(
        tau=integrator.tau, w=integrator.w, u=integrator.u, kept=_frozen(kept), seed=integrator.seed
    )


def saccade_commands(
    targets: Sequence[float],
    fixation: float | Sequence[float] = 3.0,
    dt: float = DEFAULT_DT,
    pulse: float = SACCADE_PULSE,
    lead: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """The velocity command of a sequence of saccades, with fixations between.

    The eye starts at the centre (0°) and stays there for ``lead`` seconds;
    then for each target a saccade: a constant velocity pulse lasting
    ``pulse`` (rounded to whole steps) whose integral is the jump from the
    previous target, followed by a fixation with no command.

    Parameters
    ----------
    targets : sequence of float
        Eye positions to reach, in degrees, in order.
    fixation : float or sequence of float
        Seconds of fixation after each saccade: one for all, or one per target.
    dt : float
        The time step, in seconds.
    pulse : float
        Duration of each saccade's velocity pulse, in seconds (at least ``dt``).
    lead : float
        Seconds at the centre before the first saccade (may be 0).

    Returns
    -------
    t : ndarray, shape (n,)
        Times from 0 to the end of the last fixation (included), every ``dt``.
    v : ndarray, shape (n,)
        The command in degrees per second, constant over [t[i], t[i] + dt).
        With a perfect integrator the eye is at the k-th target from the end of
        the k-th pulse to the start of the next.
    """
    goals = np.asarray(targets, dtype=float).ravel()
    if goals.size == 0 or not np.isfinite(goals).all():
        raise DataError("Give at least one target eye position, in finite degrees.")
    dt = _check_positive(dt, "time step")
    pulse = _check_positive(pulse, "saccade pulse")
    if np.ndim(fixation) and np.size(fixation) != goals.size:
        raise DataError(
            f"Give one fixation for all targets or one per target ({goals.size}), "
            f"not {np.size(fixation)}."
        )
    holds = np.broadcast_to(np.asarray(fixation, dtype=float).ravel(), goals.shape)
    if not np.isfinite(holds).all() or (holds <= 0).any():
        raise DataError("Each fixation must be a positive number of seconds.")
    lead = float(lead)
    if not math.isfinite(lead) or lead < 0:
        raise DataError(f"The lead before the first saccade must be 0 or more seconds, not {lead}.")
    steps_pulse = round(pulse / dt)
    if steps_pulse < 1:
        raise DataError(f"A saccade pulse of {pulse} s is shorter than one time step ({dt} s).")
    steps_hold = np.maximum(np.round(holds / dt).astype(int), 1)
    steps_lead = round(lead / dt)
    total = steps_lead + int(steps_hold.sum()) + steps_pulse * goals.size + 1
    if total > MAX_STEPS:
        raise DataError(
            f"These saccades take {total:,} time steps, more than the {MAX_STEPS:,} allowed.",
            allowed="Use fewer or shorter fixations, or a longer time step.",
        )
    v = np.zeros(total)
    jumps = np.diff(goals, prepend=0.0)
    start = steps_lead
    for jump, hold in zip(jumps, steps_hold, strict=True):
        v[start : start + steps_pulse] = jump / (steps_pulse * dt)
        start += steps_pulse + int(hold)
    return np.arange(total) * dt, v


def _check_grid(t: np.ndarray, v: np.ndarray) -> float:
    """The time step of a uniform grid ``t`` with its command ``v``, or a DataError."""
    if t.ndim != 1 or v.shape != t.shape:
        raise DataError("Times and command must be two 1-D arrays of the same length.")
    if t.size < 2:
        raise DataError("A simulation needs at least two time points.")
    if t.size > MAX_STEPS:
        raise DataError(f"{t.size:,} time steps are more than the {MAX_STEPS:,} allowed.")
    if not (np.isfinite(t).all() and np.isfinite(v).all()):
        raise DataError("Times and command must be finite numbers.")
    steps = np.diff(t)
    dt = float(steps.mean())
    if dt <= 0 or np.abs(steps - dt).max() > 1e-6 * dt:
        raise DataError("The times must increase in equal steps (a uniform grid).")
    return dt


def _step_matrices(net: Integrator, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """A and B of r[n+1] = A r[n] + B v[n], exact for a command constant over each step.

    Van Loan: expm([[(W − I)/τ, b/τ], [0, 0]] dt) = [[A, B], [0, 1]]; A is symmetrised
    (it is symmetric in exact arithmetic, as W is).
    """
    n = net.n_kept
    m = np.zeros((n + 1, n + 1))
    m[:n, :n] = (net.weights - np.eye(n)) / net.tau
    m[:n, n] = net.input_weights / net.tau
    e = expm(m * dt)
    return (e[:n, :n] + e[:n, :n].T) / 2.0, e[:n, n]


def _run(a: np.ndarray, b: np.ndarray, r0: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run r[n+1] = A r[n] + B v[n] from r0 in A's eigenbasis.

    Returns the states in that basis z (shape (len(v), N): z[n] = Qᵀ r[n], n from 0),
    the basis Q and the state r[len(v)] after the last step.
    """
    lam, q = np.linalg.eigh(a)
    beta, z0 = q.T @ b, q.T @ r0
    z = np.empty((v.size, lam.size), order="F")  # one mode a column
    z_end = np.empty(lam.size)
    for i in range(lam.size):
        # y[n] = β v[n] + λ y[n − 1], y[−1] = z0: y[n] = z[n + 1]
        y, _ = lfilter([beta[i]], [1.0, -lam[i]], v, zi=[lam[i] * z0[i]])
        z[0, i], z[1:, i], z_end[i] = z0[i], y[:-1], y[-1]
    return z, q, q @ z_end


def simulate(
    integrator: Integrator,
    t: np.ndarray,
    v: np.ndarray,
    lesion_at: float | None = None,
    lesioned: int | Iterable[int] = (),
    e0: float = 0.0,
    rates: bool = False,
) -> pd.DataFrame:
    """Run the network on a velocity command, optionally lesioning units on the way.

    Parameters
    ----------
    integrator : Integrator
        The network (possibly lesioned already).
    t : ndarray, shape (n,)
        Times on a uniform grid, in seconds (e.g. from :func:`saccade_commands`).
    v : ndarray, shape (n,)
        The velocity command in degrees per second, constant over each step.
    lesion_at : float, optional
        When to lesion the units ``lesioned``: at the grid time nearest to it,
        after the first. The state is carried over (the silenced units' rates
        drop to 0); that row and every later one show the lesioned network.
    lesioned : int or iterable of int
        Units to lesion at ``lesion_at`` (see :func:`lesion`).
    e0 : float
        The eye position at ``t[0]``, in degrees; the rates start on the line
        attractor, r = u′ e0 / s (so that u′ᵀ r = e0).
    rates : bool
        Also return every unit's rate (``rate_0`` … ``rate_{N−1}``; a lesioned
        unit's rate is 0).

    Returns
    -------
    DataFrame
        One row per time: ``t``, ``command``, ``target`` (e0 plus the command's
        integral: the eye of a perfect intact integrator, the saccade targets
        during fixations), ``eye`` (u′ᵀ r, degrees) and ``lesioned`` (True once
        the lesion has happened).
    """
    t = np.asarray(t, dtype=float)
    v = np.asarray(v, dtype=float)
    dt = _check_grid(t, v)
    e0 = float(e0)
    if not math.isfinite(e0):
        raise DataError("The starting eye position must be a finite number of degrees.")
    later = _unit_list(lesioned)
    split = t.size
    after = integrator
    if lesion_at is not None or later:
        if lesion_at is None or not later:
            raise DataError("Give both the units to lesion and the time of the lesion.")
        when = float(lesion_at)
        split = round((when - t[0]) / dt) if math.isfinite(when) else 0
        if not 1 <= split < t.size:
            raise DataError(
                f"The lesion at {lesion_at} s is outside the simulation "
                f"(after {t[0]:g} s, up to {t[-1]:g} s)."
            )
        after = lesion(integrator, later)
    a, b = _step_matrices(integrator, dt)
    r0 = integrator.readout * (e0 / integrator.gain)
    z, q, r_end = _run(a, b, r0, v[:split])
    eye = [z @ (q.T @ integrator.readout)]
    unit_rates = [_full_rates(integrator, z @ q.T)] if rates else []
    if split < t.size:
        a, b = _step_matrices(after, dt)
        carried = r_end[after.kept[integrator.kept]]
        z, q, _ = _run(a, b, carried, v[split:])
        eye.append(z @ (q.T @ after.readout))
        if rates:
            unit_rates.append(_full_rates(after, z @ q.T))
    columns: dict[str, np.ndarray] = {
        "t": t,
        "command": v,
        "target": e0 + np.concatenate([[0.0], np.cumsum(v[:-1]) * dt]),
        "eye": np.concatenate(eye),
        "lesioned": np.arange(t.size) >= split,
    }
    if rates:
        table = np.vstack(unit_rates)
        columns.update({f"rate_{i}": table[:, i] for i in range(integrator.n_units)})
    return pd.DataFrame(columns)


def _full_rates(net: Integrator, kept_rates: np.ndarray) -> np.ndarray:
    """Every unit's rate, 0 for the lesioned ones, shape (steps, N)."""
    out = np.zeros((kept_rates.shape[0], net.n_units))
    out[:, net.kept] = kept_rates
    return out


def predicted_eye(integrator: Integrator, e0: float, t: np.ndarray | float) -> np.ndarray:
    """The closed-form drift E0 exp(−(1 − λ) t / τ) with no command.

    Parameters
    ----------
    integrator : Integrator
        The network; its :attr:`~Integrator.eigenvalue` λ sets the drift.
    e0 : float
        The eye position at t = 0 (e.g. at the end of the last saccade), degrees.
    t : float or ndarray
        Seconds since then.

    Returns
    -------
    ndarray
        The eye position, degrees (the shape of ``t``).
    """
    rate = (1.0 - integrator.eigenvalue) / integrator.tau
    return float(e0) * np.exp(-rate * np.asarray(t, dtype=float))


def _eye_recurrence(net: Integrator, dt: float, e0: float, v: np.ndarray) -> np.ndarray:
    """The eye alone, exactly: E[n+1] = a E[n] + s v[n] T (1 − a), a = exp(−dt / T)."""
    big_t = net.time_constant
    if math.isinf(big_t):
        a, step = 1.0, net.gain * dt
    else:
        a = math.exp(-dt / big_t)
        step = net.gain * big_t * (1.0 - a)
    # lfilter's y[n] = a y[n-1] + x[n]: fed E0 as the first input, it returns E[n+1]
    x = np.concatenate([[e0], step * v[:-1]]) if v.size else np.array([e0])
    return np.asarray(lfilter([1.0], [1.0, -a], x), dtype=float)


def predicted_trace(
    integrator: Integrator,
    t: np.ndarray,
    v: np.ndarray,
    lesion_at: float | None = None,
    lesioned: int | Iterable[int] = (),
    e0: float = 0.0,
) -> np.ndarray:
    """The eye's whole course from the circuit model alone, before any simulation.

    The reduced equation dE/dt = −E / T + s v of the module's docstring, solved
    exactly step by step (the command is constant over each step), with the
    jump E → (s′ / s) E at the lesion and the lesioned network's T and s after
    it. It uses only the eigenvalue and the gain, never the units' rates: what
    the model predicts before the experiment. :func:`simulate` runs every unit.

    Parameters
    ----------
    integrator, t, v, lesion_at, lesioned, e0
        As for :func:`simulate`.

    Returns
    -------
    ndarray, shape (n,)
        The predicted eye position at each time, degrees.
    """
    t = np.asarray(t, dtype=float)
    v = np.asarray(v, dtype=float)
    dt = _check_grid(t, v)
    later = _unit_list(lesioned)
    if lesion_at is None or not later:
        return _eye_recurrence(integrator, dt, float(e0), v)
    split = round((float(lesion_at) - t[0]) / dt)
    if not 1 <= split < t.size:
        raise DataError(f"The lesion at {lesion_at} s is outside the simulation.")
    after = lesion(integrator, later)
    before = _eye_recurrence(integrator, dt, float(e0), v[: split + 1])
    # the value at the split is the eye just before the lesion; it jumps by s′ / s
    jumped = before[-1] * after.gain / integrator.gain
    return np.concatenate([before[:-1], _eye_recurrence(after, dt, jumped, v[split:])])


def hold_time(tau: float, w: float) -> float:
    """How long a mistuned integrator holds gaze: |T| = τ / |1 − w| seconds.

    The eye leaks (w < 1) or runs away (w > 1) by a factor e in that time;
    ``inf`` when w = 1.
    """
    tau = _check_positive(tau, "time constant τ")
    w = float(w)
    if not math.isfinite(w):
        raise DataError(f"The feedback w must be a finite number, not {w}.")
    return math.inf if w == 1.0 else tau / abs(1.0 - w)


def tuning_needed(tau: float, hold_seconds: float) -> float:
    """Seung's arithmetic: the largest |1 − w| that still holds gaze ``hold_seconds``.

    τ / hold: with τ = 0.1 s, a 20 s hold needs w within 0.005 (half a percent) of 1.
    """
    tau = _check_positive(tau, "time constant τ")
    return tau / _check_positive(hold_seconds, "hold time")


def fit_time_constant(
    t: np.ndarray,
    eye: np.ndarray,
    command: np.ndarray | None = None,
    start: float | None = None,
    stop: float | None = None,
) -> float:
    """The time constant of a drift, measured from a trace by a log-linear fit.

    Fits log|E| = a − t / T by least squares over [start, stop], where the eye
    must keep one sign.

    Parameters
    ----------
    t, eye : ndarray, shape (n,)
        Times (seconds) and eye positions (degrees), e.g. :func:`simulate`'s columns.
    command : ndarray, shape (n,), optional
        The velocity command: when given and ``start`` is not, the fit starts
        after the last step with a command (the last fixation).
    start, stop : float, optional
        The window, in seconds (default: from the start, or the last fixation,
        to the end).

    Returns
    -------
    float
        T in seconds, with :class:`Integrator`'s convention: positive for a
        decay towards the centre, negative for growth away from it, ``inf``
        for a trace with no drift at all.
    """
    t = np.asarray(t, dtype=float)
    eye = np.asarray(eye, dtype=float)
    if t.ndim != 1 or eye.shape != t.shape:
        raise DataError("Times and eye positions must be two 1-D arrays of the same length.")
    window = np.ones(t.size, dtype=bool)
    if start is None and command is not None:
        moving = np.flatnonzero(np.asarray(command, dtype=float) != 0.0)
        if moving.size:
            window[: moving[-1] + 1] = False
    if start is not None:
        window &= t >= float(start)
    if stop is not None:
        window &= t <= float(stop)
    tw, ew = t[window], eye[window]
    if tw.size < 3:
        raise DataError("A time constant needs at least three points to fit.")
    if not (np.isfinite(tw).all() and np.isfinite(ew).all()):
        raise DataError("Times and eye positions must be finite numbers.")
    if not ((ew > 0).all() or (ew < 0).all()):
        raise DataError(
            "The eye reaches or crosses the centre in this window; a log fit needs one sign."
        )
    logs = np.log(np.abs(ew))
    if np.ptp(logs) == 0.0:
        return math.inf  # a constant eye (polyfit would give a slope of rounding error)
    slope = float(np.polyfit(tw - tw[0], logs, 1)[0])
    return math.inf if slope == 0.0 else -1.0 / slope

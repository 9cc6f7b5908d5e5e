"""The oculomotor line attractor: simulations against the closed forms, at fixed seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from lib.blackbox.attractor import (
    MAX_UNITS,
    Integrator,
    fit_time_constant,
    hold_time,
    lesion,
    make_integrator,
    predicted_eye,
    predicted_trace,
    saccade_commands,
    simulate,
    tuning_needed,
)
from lib.errors import DataError

TAU = 0.1
SIZES = (10, 100)


def _one_saccade(target: float = 10.0, hold: float = 20.0, dt: float = 0.001):
    """A saccade to ``target`` after 0.5 s at the centre, then ``hold`` seconds of fixation."""
    return saccade_commands([target], fixation=hold, dt=dt)


def _after_last_saccade(t: np.ndarray, v: np.ndarray) -> int:
    """The index of the first step after the last command."""
    return int(np.flatnonzero(v != 0.0)[-1]) + 1


# 1. A tuned network holds gaze


@pytest.mark.parametrize("n", SIZES)
def test_a_tuned_network_holds_its_position_for_20_seconds(n: int) -> None:
    net = make_integrator(n, tau=TAU, seed=0)
    assert net.eigenvalue == 1.0 and net.time_constant == math.inf
    t, v = _one_saccade(10.0, hold=20.0)
    frame = simulate(net, t, v)
    start = _after_last_saccade(t, v)
    held = frame["eye"].to_numpy()[start:]
    assert t[-1] - t[start] == pytest.approx(20.0)
    # the saccade lands on the target and the eye stays there: far inside 0.01°
    assert held[0] == pytest.approx(10.0, abs=1e-9)
    assert np.abs(held - held[0]).max() < 1e-6
    assert abs(fit_time_constant(t, frame["eye"], frame["command"])) > 1e6


# 2. A mistuned network drifts at the analytic rate


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("mistuning", [-0.01, -0.005, 0.005])
def test_a_mistuned_network_drifts_with_tau_over_one_minus_w(n: int, mistuning: float) -> None:
    net = make_integrator(n, tau=TAU, mistuning=mistuning, seed=1)
    expected = TAU / (1.0 - (1.0 + mistuning))  # 10 s, 20 s, −20 s (growth)
    assert net.time_constant == pytest.approx(expected, rel=1e-12)
    t, v = _one_saccade(10.0, hold=10.0)
    frame = simulate(net, t, v)
    fitted = fit_time_constant(t, frame["eye"], frame["command"])
    assert fitted == pytest.approx(expected, rel=1e-6)  # the demand is 1%
    start = _after_last_saccade(t, v)
    eye = frame["eye"].to_numpy()
    drift = predicted_eye(net, eye[start], t[start:] - t[start])
    np.testing.assert_allclose(eye[start:], drift, rtol=1e-9)
    # growing away from the centre, or decaying back to it
    assert (eye[-1] > eye[start]) == (mistuning > 0)


def test_the_drift_sign_convention_and_seungs_arithmetic() -> None:
    assert make_integrator(5, mistuning=0.01).time_constant == pytest.approx(-10.0)
    assert make_integrator(5, mistuning=-0.01).time_constant == pytest.approx(10.0)
    assert tuning_needed(0.1, 20) == 0.005
    assert tuning_needed(0.1, 10) == pytest.approx(0.01)
    assert hold_time(0.1, 0.995) == pytest.approx(20.0)
    assert hold_time(0.1, 1.005) == pytest.approx(20.0)
    assert hold_time(0.1, 1.0) == math.inf
    w = 1.0 - tuning_needed(0.1, 20)
    assert hold_time(0.1, w) == pytest.approx(20.0)


# 3. A lesion's jump, drift and gain


def _biggest(net: Integrator, count: int) -> list[int]:
    """The ``count`` units with the largest tuning (the lesions that matter most)."""
    return [int(k) for k in np.argsort(net.u)[::-1][:count]]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("mistuning", [0.0, -0.01])
@pytest.mark.parametrize("count", [1, 3])
def test_a_lesion_jumps_then_drifts_as_the_closed_form_predicts(
    n: int, mistuning: float, count: int
) -> None:
    net = make_integrator(n, tau=TAU, mistuning=mistuning, seed=2)
    units = _biggest(net, count)
    share = float(np.sum(net.u[units] ** 2))
    after = lesion(net, units)
    expected = TAU / (1.0 - net.w * (1.0 - share))
    assert after.eigenvalue == pytest.approx(net.w * (1.0 - share), rel=1e-14)
    assert after.time_constant == pytest.approx(expected, rel=1e-12)
    assert after.gain == pytest.approx(1.0 - share, rel=1e-14)

    t, v = _one_saccade(10.0, hold=14.5)
    intact = simulate(net, t, v)
    cut = simulate(net, t, v, lesion_at=5.0, lesioned=units)
    at = int(np.argmax(cut["lesioned"].to_numpy()))
    assert t[at] == pytest.approx(5.0)
    before = intact["eye"].to_numpy()
    eye = cut["eye"].to_numpy()
    np.testing.assert_array_equal(eye[:at], before[:at])  # nothing changes before
    # the eye jumps by the silenced units' share of the readout
    assert before[at] - eye[at] == pytest.approx(share * before[at], rel=1e-9)
    # then drifts with τ / (1 − w (1 − Σ u_k²)), fitted over at most five time constants
    stop = min(t[-1], t[at] + 5 * abs(expected))
    fitted = fit_time_constant(t, eye, start=t[at], stop=stop)
    assert fitted == pytest.approx(expected, rel=1e-6)  # the demand is 1%
    window = (t >= t[at]) & (t <= stop)
    drift = predicted_eye(after, eye[at], t[window] - t[at])
    np.testing.assert_allclose(eye[window], drift, rtol=1e-8)


@pytest.mark.parametrize("n", SIZES)
def test_a_lesion_lowers_the_integrators_gain(n: int) -> None:
    net = lesion(make_integrator(n, tau=TAU, seed=3), [0, 1])
    s = net.gain
    t, v = _one_saccade(10.0, hold=1.0)
    frame = simulate(net, t, v)
    end = _after_last_saccade(t, v)
    d = t[end] - t[end - 50]  # the 50 ms pulse
    speed = 10.0 / d
    big_t = net.time_constant
    # dE/dt = −E/T + s v from E = 0: E(d) = s v T (1 − exp(−d/T))
    landed = s * speed * big_t * -math.expm1(-d / big_t)
    assert frame["eye"].iloc[end] == pytest.approx(landed, rel=1e-9)
    assert landed < 10.0 * s


def test_silenced_units_read_zero_and_the_rest_stay_on_the_line() -> None:
    net = make_integrator(10, tau=TAU, seed=4)
    t, v = saccade_commands([10.0, -5.0], fixation=2.0)
    frame = simulate(net, t, v, lesion_at=2.0, lesioned=[7], rates=True)
    rates = frame[[f"rate_{i}" for i in range(10)]].to_numpy()
    cut = frame["lesioned"].to_numpy()
    assert (rates[cut, 7] == 0.0).all()
    assert np.abs(rates[~cut, 7]).max() > 1.0
    # b and W lie along u: the rates stay on the line r = u E / s at every step
    after = lesion(net, 7)
    np.testing.assert_allclose(
        rates[~cut], np.outer(frame["eye"][~cut], net.u), rtol=1e-9, atol=1e-12
    )
    line = np.outer(frame["eye"][cut], after.u * after.kept) / after.gain
    np.testing.assert_allclose(rates[cut], line, rtol=1e-9, atol=1e-12)


# 4. The closed-form eigenvalue


@pytest.mark.parametrize("n", [1, 2, 10, MAX_UNITS])
@pytest.mark.parametrize("mistuning", [0.0, -0.02, 0.01])
def test_the_closed_form_eigenvalue_is_numpys_largest(n: int, mistuning: float) -> None:
    net = make_integrator(n, tau=TAU, mistuning=mistuning, seed=5)
    variants = [net]
    if n > 1:
        variants += [lesion(net, 0), lesion(net, list(range(n // 2)))]
    for each in variants:
        largest = np.linalg.eigvalsh(each.weights).max()
        assert abs(each.eigenvalue - largest) < 1e-12
        assert each.gain == pytest.approx(each.readout @ each.readout, abs=1e-14)
        assert each.weights.shape == (each.n_kept, each.n_kept)


# 5. The discretisation is exact


def _ode_eye(net: Integrator, t: np.ndarray, v: np.ndarray, r0: np.ndarray) -> tuple:
    """Integrate τ dr/dt = −r + W r + b v with tight tolerances, one constant piece at a time."""
    a = (net.weights - np.eye(net.n_kept)) / net.tau
    b = net.input_weights / net.tau
    dt = t[1] - t[0]
    changes = np.flatnonzero(np.diff(v) != 0.0) + 1
    bounds = np.concatenate([[0], changes, [t.size]])
    states = np.empty((t.size, net.n_kept))
    r = r0
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        speed = v[lo]
        grid = t[lo] + dt * np.arange(hi - lo + 1)
        sol = solve_ivp(
            lambda _s, x, speed=speed: a @ x + b * speed,
            (grid[0], grid[-1]),
            r,
            t_eval=grid,
            method="DOP853",
            rtol=1e-12,
            atol=1e-12,
        )
        states[lo:hi] = sol.y.T[:-1]
        r = sol.y[:, -1]
    return states @ net.readout, states, r


@pytest.mark.parametrize("mistuning", [0.0, -0.03, 0.02])
def test_the_discretisation_matches_an_ode_solver(mistuning: float) -> None:
    net = make_integrator(10, tau=TAU, mistuning=mistuning, seed=6)
    t, v = saccade_commands([8.0, -4.0], fixation=0.15, dt=0.002, lead=0.05)
    frame = simulate(net, t, v, e0=2.0, rates=True)
    eye, states, _ = _ode_eye(net, t, v, net.u * 2.0)
    np.testing.assert_allclose(frame["eye"], eye, rtol=0, atol=1e-6)
    rates = frame[[f"rate_{i}" for i in range(10)]].to_numpy()
    np.testing.assert_allclose(rates, states, rtol=0, atol=1e-6)


def test_a_lesion_during_the_run_matches_an_ode_solver() -> None:
    net = make_integrator(10, tau=TAU, mistuning=-0.02, seed=7)
    t, v = saccade_commands([8.0, -4.0], fixation=0.2, dt=0.001, lead=0.05)
    at = 300  # t = 0.3 s, during the first fixation
    frame = simulate(net, t, v, lesion_at=t[at], lesioned=[2, 5])
    after = lesion(net, [2, 5])
    # the intact network up to the lesion, then the kept units from the state it reached
    first, _, r_at = _ode_eye(net, t[:at], v[:at], np.zeros(10))
    second, _, _ = _ode_eye(after, t[at:], v[at:], r_at[after.kept])
    np.testing.assert_allclose(frame["eye"][:at], first, rtol=0, atol=1e-6)
    np.testing.assert_allclose(frame["eye"][at:], second, rtol=0, atol=1e-6)
    assert abs(first[-1] - second[0]) > 0.1  # the jump


def test_the_eigenbasis_run_equals_stepping_the_van_loan_map() -> None:
    net = make_integrator(20, tau=TAU, mistuning=0.01, seed=8)
    t, v = saccade_commands([10.0, -5.0, 15.0, 0.0], fixation=0.5, dt=0.001)
    frame = simulate(net, t, v)
    n = net.n_kept
    m = np.zeros((n + 1, n + 1))
    m[:n, :n] = (net.weights - np.eye(n)) / net.tau
    m[:n, n] = net.u
    step = expm(m * 0.001)
    a, b = step[:n, :n], step[:n, n]
    r = np.zeros(n)
    eye = np.empty(t.size)
    for i in range(t.size):
        eye[i] = net.u @ r
        r = a @ r + b * v[i]
    np.testing.assert_allclose(frame["eye"], eye, rtol=0, atol=1e-9)


# Saccade commands, fits and the network's construction


def test_saccade_commands_integrate_to_the_targets() -> None:
    targets = (10.0, -5.0, 15.0, 0.0)
    t, v = saccade_commands(targets, fixation=(2.0, 3.0, 4.0, 2.5), dt=0.001, pulse=0.05)
    assert t[1] - t[0] == pytest.approx(0.001)
    assert t.size == 500 + 4 * 50 + 2000 + 3000 + 4000 + 2500 + 1
    assert t[-1] == pytest.approx(0.5 + 4 * 0.05 + 11.5)
    moving = v != 0.0
    assert moving.sum() == 4 * 50
    frame = simulate(make_integrator(3), t, v)
    starts = np.flatnonzero(np.diff(moving.astype(int)) == 1) + 1
    assert t[starts] == pytest.approx([0.5, 2.55, 5.6, 9.65])
    before_next = np.append(starts[1:] - 1, t.size - 1)
    np.testing.assert_allclose(frame["target"].to_numpy()[before_next], targets, atol=1e-9)
    np.testing.assert_allclose(frame["eye"].to_numpy()[before_next], targets, atol=1e-9)


def test_fit_time_constant_windows_and_signs() -> None:
    t = np.arange(0.0, 5.0, 0.01)
    assert fit_time_constant(t, 3.0 * np.exp(-t / 2.0)) == pytest.approx(2.0)
    assert fit_time_constant(t, -3.0 * np.exp(t / 4.0)) == pytest.approx(-4.0)
    assert fit_time_constant(t, np.full(t.size, 7.0)) == math.inf
    command = np.where(t < 1.0, 5.0, 0.0)
    eye = np.where(t < 1.0, 5.0 * t, 5.0 * np.exp(-(t - 1.0) / 3.0))
    assert fit_time_constant(t, eye, command) == pytest.approx(3.0)
    assert fit_time_constant(t, eye, start=2.0, stop=4.0) == pytest.approx(3.0)


def test_make_integrator_is_seeded_positive_and_normalised() -> None:
    a, b, c = make_integrator(50, seed=9), make_integrator(50, seed=9), make_integrator(50)
    np.testing.assert_array_equal(a.u, b.u)
    assert not np.array_equal(a.u, c.u)
    assert (a.u > 0).all() and np.linalg.norm(a.u) == pytest.approx(1.0, abs=1e-15)
    assert a.u.min() / a.u.max() > 0.5 / 1.5 - 1e-12
    assert a.n_units == a.n_kept == 50 and a.lesioned == ()
    assert make_integrator(1).u.tolist() == [1.0]


def test_lesion_returns_a_new_network_and_leaves_the_old_one() -> None:
    net = make_integrator(6, seed=10)
    once = lesion(net, 2)
    twice = lesion(once, [0, 5])
    assert net.n_kept == 6 and once.lesioned == (2,) and twice.lesioned == (0, 2, 5)
    assert twice.n_kept == 3 and twice.readout.tolist() == net.u[[1, 3, 4]].tolist()
    with pytest.raises(ValueError):
        net.kept[2] = False  # read-only
    with pytest.raises(ValueError):
        net.u[0] = 1.0


# 7. Bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda: make_integrator(0),
        lambda: make_integrator(MAX_UNITS + 1),
        lambda: make_integrator(2.5),  # type: ignore[arg-type]
        lambda: make_integrator(True),  # type: ignore[arg-type]
        lambda: make_integrator(5, tau=-0.1),
        lambda: make_integrator(5, tau=0.0),
        lambda: make_integrator(5, tau=math.nan),
        lambda: make_integrator(5, mistuning=1.5),
        lambda: make_integrator(5, mistuning=math.inf),
        lambda: lesion(make_integrator(5), 5),
        lambda: lesion(make_integrator(5), -1),
        lambda: lesion(make_integrator(5), [1, 1]),
        lambda: lesion(lesion(make_integrator(5), 1), 1),
        lambda: lesion(make_integrator(5), range(5)),
        lambda: lesion(make_integrator(5), []),
        lambda: lesion(make_integrator(5), "1"),  # type: ignore[arg-type]
        lambda: lesion(make_integrator(5), [1.5]),  # type: ignore[list-item]
        lambda: saccade_commands([]),
        lambda: saccade_commands([math.nan]),
        lambda: saccade_commands([10.0], fixation=0.0),
        lambda: saccade_commands([10.0, 5.0], fixation=(1.0, 2.0, 3.0)),
        lambda: saccade_commands([10.0], dt=0.0),
        lambda: saccade_commands([10.0], pulse=0.0001),
        lambda: saccade_commands([10.0], lead=-1.0),
        lambda: saccade_commands([10.0], fixation=1e6),
        lambda: simulate(make_integrator(3), np.array([0.0, 0.1, 0.3]), np.zeros(3)),
        lambda: simulate(make_integrator(3), np.arange(5) * 0.1, np.zeros(4)),
        lambda: simulate(make_integrator(3), np.array([0.0]), np.zeros(1)),
        lambda: simulate(make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesion_at=1.0),
        lambda: simulate(make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesioned=[0]),
        lambda: simulate(
            make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesion_at=2.0, lesioned=[0]
        ),
        lambda: simulate(
            make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesion_at=0.0, lesioned=[0]
        ),
        lambda: simulate(
            make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesion_at=0.2, lesioned=[3]
        ),
        lambda: simulate(
            make_integrator(3), np.arange(5) * 0.1, np.zeros(5), lesion_at=math.nan, lesioned=[0]
        ),
        lambda: simulate(make_integrator(3), np.arange(5) * 0.1, np.zeros(5), e0=math.nan),
        lambda: fit_time_constant(np.arange(5.0), np.array([2.0, 1.0, 0.0, -1.0, -2.0])),
        lambda: fit_time_constant(np.arange(2.0), np.ones(2)),
        lambda: fit_time_constant(np.arange(5.0), np.ones(4)),
        lambda: tuning_needed(0.1, 0.0),
        lambda: tuning_needed(-0.1, 20.0),
        lambda: hold_time(0.1, math.nan),
    ],
)
def test_bad_input_raises_a_data_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError):
        call()


def test_the_messages_say_what_is_wrong() -> None:
    with pytest.raises(DataError, match="units 0 to 4"):
        lesion(make_integrator(5), 7)
    with pytest.raises(DataError, match="already lesioned"):
        lesion(lesion(make_integrator(5), 1), [1])
    with pytest.raises(DataError, match="keep at least one unit"):
        lesion(make_integrator(2), [0, 1])
    with pytest.raises(DataError, match="1 to 100 units"):
        make_integrator(0)


@pytest.mark.parametrize(
    ("n_units", "mistuning", "lesioned"),
    [(10, 0.0, ()), (20, -0.01, ()), (20, 0.0, (3,)), (100, 0.005, (90, 5)), (5, -0.02, (1,))],
)
def test_the_circuit_model_predicts_the_whole_run(
    n_units: int, mistuning: float, lesioned: tuple[int, ...]
) -> None:
    """The reduced one-line equation, from the eigenvalue and gain alone, foretells every
    unit's simulation: saccades, drift, the jump at a lesion and the drift after it."""
    net = make_integrator(n_units, mistuning=mistuning, seed=2)
    t, v = saccade_commands((10, -10, 15), fixation=4.0)
    kw = {"lesion_at": 9.0, "lesioned": lesioned} if lesioned else {}
    run = simulate(net, t, v, **kw)  # type: ignore[arg-type]
    predicted = predicted_trace(net, t, v, **kw)  # type: ignore[arg-type]
    assert predicted.shape == t.shape
    assert np.max(np.abs(run["eye"].to_numpy() - predicted)) < 1e-8

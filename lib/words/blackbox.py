"""What the Black box page's numbers say, one sentence or two each.

Every sentence is written from the numbers the page shows (computed by
:mod:`lib.blackbox`), never typed by hand: what a neuroscientist would
conclude from the experiment, and why it is wrong (or right).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from lib.text.numbers import format_number, format_r2

__all__ = [
    "attractor_sentence",
    "barrier_sentence",
    "big_count",
    "duration",
    "lesion_sentence",
    "network_sentence",
    "patch_sentence",
    "pca_sentence",
    "recentring_sentence",
    "superposition_sentence",
    "surrogate_sentence",
    "tuning_needed_text",
]

_DAYS_PER_YEAR = 365.25
#: How far an eye turns (degrees) before the orbit stops it.
ORBIT = 50.0
#: A readout whose every R² on the recording reaches this looks convincing.
CONVINCING_R2 = 0.8
#: A damage below this (1% of a behaviour's variance) counts as "no change" in words.
_TRACE = 0.01


def _list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def big_count(count: int) -> str:
    """A count as people read it: ``4,960``, ``4.3 million``, ``4.3 billion``, ``1.2 × 10^15``."""
    if count < 1_000_000:
        return f"{count:,}"
    for size, word in ((1e6, "million"), (1e9, "billion")):
        if count < 1000 * size:
            return f"{count / size:.1f} {word}"
    exponent = int(math.floor(math.log10(count)))
    return f"{count / 10**exponent:.1f} × 10^{exponent:,}"


def duration(log10_years: float) -> str:
    """How long ``10 ** log10_years`` years is, in words (days below a year)."""
    years = 10**log10_years if log10_years < 300 else math.inf
    if years < 1:
        days = years * _DAYS_PER_YEAR
        return f"{days:,.0f} day" + ("" if round(days) == 1 else "s")
    if years < 1000:
        return f"{years:,.1f} years"
    if log10_years < 12:
        return f"{big_count(round(years))} years"
    exponent = math.floor(log10_years)
    return f"{10 ** (log10_years - exponent):.1f} × 10^{exponent:,} years"


def network_sentence(r2: Mapping[str, float], hidden: int, parameters: int) -> str:
    """What the trained network does, and that its weights do not say how."""
    fits = ", ".join(f"{format_r2(v)} ({b})" for b, v in r2.items())
    return (
        f"The network does all three behaviours: R² {fits} on inputs it was not trained on, "
        f"with {hidden} hidden units and {parameters:,} weights and biases. Every number "
        f"inside it is on this page, yet none of them says which unit does what. That is "
        f"what the lesions below try to find out."
    )


def lesion_sentence(counts: Mapping[str, int], hidden: int, example: tuple[int, str] | None) -> str:
    """The chip paper's counts, and the story a single-unit lesion invites.

    Parameters
    ----------
    counts : mapping
        :func:`lib.blackbox.lesions.lesion_counts` as a dict.
    hidden : int
        Units lesioned.
    example : (unit, behaviour) or None
        The "only one" unit whose lesion hurts its behaviour most.
    """
    only = {k[5:]: v for k, v in counts.items() if k.startswith("only ")}
    n_only = sum(only.values())
    parts = [f"{v} only {b}" for b, v in only.items() if v]
    head = (
        f"Of {hidden} units, {_units(counts.get('none', 0))} can be silenced without "
        f"breaking any behaviour, {counts.get('all', 0)} break all three, "
        f"{counts.get('two', 0)} break two, and {n_only} break only one"
        + (f" ({_list(parts)})" if parts else "")
        + "."
    )
    if example is None:
        return head + (
            " No unit breaks exactly one behaviour here: no lesion invites a story of "
            "“the unit for” one behaviour."
        )
    unit, behaviour = example
    return head + (
        f" A neuroscientist would be tempted to call unit {unit} “the {behaviour} unit”, "
        f"as lesioning the 6502 chip one transistor at a time turned up "
        f"“Donkey Kong transistors” (Jonas & Kording, 2017): transistors without which "
        f"one game would not start, though none of them holds that game. The next chart "
        f"asks what those lesions really removed."
    )


def recentring_sentence(rows: Sequence[Mapping[str, object]], threshold: float) -> str:
    """Why the "only one" units are not where their behaviour lives.

    Parameters
    ----------
    rows : sequence of mappings
        One per unit: ``silenced``, ``recentred``, ``others`` (see
        :class:`lib.blackbox.lesions.OnlyOne`).
    threshold : float
        The damage above which a behaviour counts as broken.
    """
    if not rows:
        return "No unit breaks exactly one behaviour in this network, so there is nothing to re-centre."
    total = len(rows)
    silenced = [float(r["silenced"]) for r in rows]  # type: ignore[arg-type]
    held = [float(r["recentred"]) for r in rows]  # type: ignore[arg-type]
    others = [float(r["others"]) for r in rows]  # type: ignore[arg-type]
    rescued = sum(h <= threshold for h in held)
    halved = sum(h <= threshold < s or h <= s / 2 for s, h in zip(silenced, held, strict=True))
    halved -= rescued
    touched = sum(o >= _TRACE for o in others)
    first = (
        f"Held at its mean activity instead of silenced, {rescued} of the {total} “only one” "
        f"units no longer break their behaviour"
        + (f", and {halved} more lose at least half of their damage" if halved else "")
        + ". "
    )
    if rescued or halved:
        first += (
            "For those, silencing broke the behaviour mostly by shifting the output's operating "
            "point (the steady level the unit feeds downstream, its mean activity times its "
            "weight), not by removing something the behaviour computes. "
        )
    else:
        first += "Here silencing removed what the units compute, not only their steady level. "
    second = (
        f"And {touched} of the {total} also change the other behaviours, by up to "
        f"{format_number(max(others))} of their variance: under the {threshold:g} line, not "
        f"zero. “Only” is the threshold's word, not the network's."
        if touched
        else "They change the other behaviours by less than 1% of their variance."
    )
    return first + second


def barrier_sentence(
    rows: Sequence[Mapping[str, object]],
    hidden: int,
    max_experiments: int,
    complete: tuple[int, float],
    chip: tuple[int, float],
) -> str:
    """What exhaustive pairs and triples found, and how long a complete map would take.

    Parameters
    ----------
    rows : sequence of mappings
        :class:`lib.blackbox.lesions.SearchRow` as dicts (sizes 1, 2 and 3).
    hidden : int
        The network's units.
    max_experiments : int
        The most experiments one search runs.
    complete : (int, float)
        A complete map of the network: its experiments (2^N) and log10 of the years
        they take at one a day (:func:`lib.blackbox.lesions.experiments_needed`).
    chip : (int, float)
        The 6502's transistors and log10 of the years a complete map of them takes.
    """
    by_size = {int(r["size"]): r for r in rows}  # type: ignore[call-overload]
    parts = []
    for size, word, parts_word in (
        (2, "pairs", "neither of its units breaks alone"),
        (3, "triples", "no unit or pair within it breaks"),
    ):
        r = by_size.get(size)
        if r is None:
            continue
        count = int(r["experiments"])  # type: ignore[call-overload]
        if not r["searched"]:
            parts.append(
                f"every triple would be {count:,} experiments, more than the "
                f"{max_experiments:,} this page runs at once"
                if size == 3
                else f"every pair would be {count:,} experiments, over this page's cap"
            )
            continue
        new = int(r["new"])  # type: ignore[call-overload]
        parts.append(f"of {count:,} {word}, {new:,} break a behaviour {parts_word}")
    experiments, years = complete
    transistors, chip_years = chip
    return (
        f"Exhaustively: {'; '.join(parts)}. Single lesions cannot see these interactions. "
        f"A complete map tries every subset: 2^{hidden} = {big_count(experiments)} "
        f"experiments, {duration(years)} at one a day. The 6502's {transistors:,} transistors "
        f"would take {duration(chip_years)}."
    )


def pca_sentence(
    components: int,
    variance_in: float,
    variance_new: float,
    r2_in: Mapping[str, float],
    r2_new: Mapping[str, float],
    recorded: str,
    new: str,
) -> str:
    """The dimensionality-reduction illusion, from its numbers.

    Parameters
    ----------
    components : int
        Principal components kept.
    variance_in, variance_new : float
        Share of the hidden activity's variance they explain on the recording and
        on the new inputs.
    r2_in, r2_new : mapping of behaviour to float
        The readout's R² on each.
    recorded, new : str
        The two sets of inputs, in words.
    """
    k = f"{components} component" + ("" if components == 1 else "s")
    worst = min(r2_new, key=lambda b: r2_new[b] - r2_in[b])
    fell = r2_in[worst] - r2_new[worst]
    seen = ", ".join(format_r2(v) for v in r2_in.values())
    after = ", ".join(format_r2(v) for v in r2_new.values())
    head = (
        f"On the recording ({recorded}), {k} explain {100 * variance_in:.1f}% of the hidden "
        f"activity's variance and read out the three outputs with R² {seen}"
    )
    if min(r2_in.values()) < CONVINCING_R2:
        return head + (
            ": not a convincing summary even on the recording. Keep more components to see "
            "the illusion: a summary that convinces where it was made."
        )
    if fell < 0.1:
        return head + (
            f". On {new} the summary still holds (R² {after}; {100 * variance_new:.0f}% of "
            f"the activity explained): with these settings it captured the network, not only "
            f"the stimuli."
        )
    explained = (
        f"explain {100 * variance_new:.0f}% of the activity"
        if variance_new >= 0
        else "explain none of the activity (they rebuild it worse than its own mean)"
    )
    return head + (
        f": a neuroscientist would say the network computes in a {components}-dimensional "
        f"space. On {new}, the same components {explained} and the readout's R² is {after}. The network has not changed; the summary "
        f"described the stimuli it was made on, not the network."
    )


def _sd(x: float) -> str:
    """A change in SDs; below rounding, plainly zero."""
    return "0" if abs(x) < 5e-4 else format_number(x)


def patch_sentence(
    behaviour: str,
    along_v: float,
    whole_layer: float,
    d_only: float,
    u_only: float,
    sd_u: float,
    sd_d: float,
) -> str:
    """The subspace-patching illusion, from its numbers.

    Parameters
    ----------
    behaviour : str
        The output the patch is about.
    along_v, whole_layer, d_only, u_only : float
        How far each patch moves that output (in its SDs).
    sd_u, sd_d : float
        The activity's SD along the dormant and the disconnected direction on
        the training inputs.
    """
    if along_v < 0.1:
        return (
            f"Patching along v moves the {behaviour} output by only "
            f"{format_number(along_v)} SD here: no illusion to see with this network."
        )
    if whole_layer >= along_v / 5 or sd_u >= sd_d / 10:
        why = (
            f"swapping the whole layer moves it too ({format_number(whole_layer)} SD)"
            if whole_layer >= along_v / 5
            else f"u is not dormant here (activity SD {format_number(sd_u)} against "
            f"{format_number(sd_d)} along d)"
        )
        return (
            f"Patching along v moves the {behaviour} output by {format_number(along_v)} SD on "
            f"pairs of inputs whose {behaviour} is the same, but {why}: with this network and "
            f"behaviour the construction does not isolate a dormant pathway. Try the bowl."
        )
    return (
        f"Patching along v moves the {behaviour} output by {format_number(along_v)} SD, on "
        f"pairs of inputs whose {behaviour} is the same: a researcher would conclude that v "
        f"carries {behaviour}. Yet swapping the whole layer moves it by "
        f"{format_number(whole_layer)} SD: the network itself makes nothing of the difference. "
        f"v's effect runs through u, a direction whose activity barely varies on the training "
        f"inputs (SD {format_number(sd_u)}, against {format_number(sd_d)} along d): a dormant "
        f"pathway the patch wakes up. Along d alone the patch moves the output by "
        f"{_sd(d_only)} SD, along u alone by {_sd(u_only)} SD."
    )


def surrogate_sentence(
    r2_in: Mapping[str, float],
    r2_new: Mapping[str, float],
    leaves: int | None,
    trees: int,
    parameters: int,
    hidden: int,
    agree: bool,
) -> str:
    """A second black box: what the surrogate trees copy and what they do not explain.

    Parameters
    ----------
    r2_in, r2_new : mapping of behaviour to float
        The trees' R² against the network inside the square and outside it.
    leaves : int or None
        Leaves of all the trees (None when they could not be counted).
    trees : int
        The trees.
    parameters : int
        The network's weights and biases.
    hidden : int
        The network's units.
    agree : bool
        The trees and the network rank the inputs alike for every behaviour.
    """
    inside = ", ".join(format_r2(v) for v in r2_in.values())
    outside = ", ".join(format_r2(v) for v in r2_new.values())
    ranks = (
        "They lean on the same input as the network for the wave (x₁) and the bowl (x₂)"
        if agree
        else "They do not even lean on the same inputs as the network"
    )
    return (
        f"Boosted trees copy the network's outputs with R² {inside} on new points of the "
        f"square, using {trees:,} trees"
        + (f" and {leaves:,} leaves" if leaves else "")
        + f" against the network's {parameters:,} weights and biases. "
        f"{ranks}, which the inputs already told us, and say nothing about its {hidden} "
        f"units. Outside the square they part ways (R² {outside}). A model that predicts a "
        f"black box is a second black box."
    )


def _degrees(x: float) -> str:
    """An eye position: ``12.9°``; a runaway's in powers of ten."""
    return f"{x:.1f}°" if abs(x) < 1000 else f"{x:.2g}°"


def _seconds(x: float) -> str:
    """A time constant in words: ``2.37 s``, ``never`` for an endless hold."""
    return "never (it holds)" if math.isinf(x) else f"{format_number(abs(x))} s"


def attractor_sentence(
    tau: float,
    w: float,
    eigenvalue: float,
    predicted: float,
    measured: float,
    lesioned: Sequence[int],
    lost: float,
    held_at: float,
    drift: float,
    seconds: float,
    needed: float,
) -> str:
    """What the circuit model predicted, what the run did, and why this is explanation.

    Parameters
    ----------
    tau : float
        The neurons' time constant (s).
    w : float
        The feedback on the integrating mode.
    eigenvalue : float
        The (lesioned) network's integrating-mode eigenvalue.
    predicted, measured : float
        The drift's time constant from the eigenvalue and from the run (s; ``inf``
        for a hold, negative for a runaway).
    lesioned : sequence of int
        The units silenced (empty: none).
    lost : float
        Their share Σ u_k² of the readout.
    held_at : float
        The eye position the drift starts from (degrees).
    drift, seconds : float
        How far the simulated eye moved (degrees) over the last ``seconds`` of the run.
    needed : float
        The largest |1 − w| that holds gaze 20 s with these neurons
        (:func:`lib.blackbox.attractor.tuning_needed`).
    """
    tol = tuning_needed_text(tau, needed)
    way = "back to the centre" if predicted > 0 else "away from the centre"
    if lesioned:
        who = "unit " + ", ".join(map(str, lesioned))
        course = (
            "no drift"
            if math.isinf(predicted)
            else f"a drift {way} with time constant τ/|1 − λ| = {_seconds(predicted)}"
        )
        what = (
            f"Silencing {who} removes {100 * lost:.1f}% of the readout, so the model "
            f"predicted, before the run, a jump of the eye from {_degrees(held_at)} to "
            f"{_degrees(held_at * (1 - lost))} and a feedback eigenvalue of w(1 − Σu²) = "
            f"{eigenvalue:.4f}: {course}."
        )
    elif math.isinf(predicted):
        what = (
            "Tuned to w = 1, the integrating mode's eigenvalue is exactly 1: the model "
            "predicted, before the run, that the eye holds every target for as long as "
            "nothing new arrives."
        )
    else:
        what = (
            f"With the feedback at w = {w:g}, the model predicted, before the run, a drift "
            f"{way} with time constant τ/|1 − w| = {_seconds(predicted)}."
        )
    if math.isinf(predicted) or math.isinf(measured):
        moved = (
            "did not move (less than 0.001°)"
            if abs(drift) < 1e-3
            else (f"moved the eye {abs(drift):.2g}°")
        )
        ran = f"The simulated network {moved} in its last {seconds:g} s."
    else:
        ran = (
            f"The simulated network, every unit run, drifted with a time constant of "
            f"{_seconds(measured)} (fitted to its last {seconds:g} s)."
        )
    if abs(held_at) > ORBIT:
        what = (
            f"The eye has already run far past the edge of the orbit (a real eye stops near "
            f"{ORBIT:g}°); in the model, {what[0].lower()}{what[1:]}"
        )
    return (
        f"{what} {ran} Here a lesion's or a mistuning's effect is predicted, not merely "
        f"observed: the circuit model says what each unit contributes and how precisely the "
        f"feedback must be tuned ({tol}). Inside the black box above, each lesion could only "
        f"be tried and measured."
    )


def tuning_needed_text(tau: float, needed: float, hold: float = 20.0) -> str:
    """Seung's arithmetic in words: ``needed`` is the largest |1 − w| that holds gaze
    ``hold`` seconds with neurons of time constant ``tau``."""
    return (
        f"with {1000 * tau:g} ms neurons, holding gaze {hold:g} s needs w within "
        f"{100 * needed:.2g}% of 1"
    )


def _features(count: int) -> str:
    return f"{count} feature" + ("" if count == 1 else "s")


def superposition_sentence(
    sparsity: float,
    kept: int,
    n: int,
    m: int,
    neighbour_angles: Sequence[float],
    dims_per_feature: float,
    mean_norm: float,
    responds: Sequence[int],
    damaged: int,
    dimension: int,
    threshold: float,
    fewest: int | None = None,
) -> str:
    """What the toy model did with its features, and the illusion a unit-reader meets.

    Parameters
    ----------
    sparsity : float
    kept, n, m : int
        Features represented, features, hidden dimensions.
    neighbour_angles : sequence of float
        Angles between neighbouring represented features (degrees).
    dims_per_feature : float
        m / ‖W‖²_F.
    mean_norm : float
        The represented features' mean column norm.
    responds : sequence of int
        How many features each hidden dimension responds to, as drawn (the
        plane turned so that feature 0 lies along dimension 0).
    damaged : int
        Features damaged by silencing ``dimension``.
    dimension : int
    threshold : float
        The weight above which a dimension counts as responding to a feature.
    fewest : int, optional
        However the plane is turned, the fewest features one dimension answers
        to (:func:`lib.blackbox.superposition.fewest_responding`); said only
        when given.
    """
    head = f"At sparsity {sparsity:g}, the model keeps {kept} of {n} features in {m} dimensions"
    if kept <= m:
        head += (
            ": the most important ones, at right angles, and drops the rest. With dense "
            "features, sharing a dimension costs more interference than it gains."
        )
    else:
        spread = max(abs(a - 360 / kept) for a in neighbour_angles) if neighbour_angles else 0.0
        if kept == 5:
            shape = "a regular pentagon" if spread < 5 else "an irregular pentagon"
        elif kept == 4 and spread < 10:
            shape = "two opposite pairs, at right angles to each other"
        else:
            shape = "a fan of directions"
        head += (
            f", in superposition: {shape} "
            f"({', '.join(f'{a:.0f}°' for a in neighbour_angles)} between neighbours), "
            f"{dims_per_feature:.2f} dimensions per feature"
            + (
                f" (not {m}/{kept}: the columns are {mean_norm:.2f} long, making up for the "
                f"negative bias)"
                if abs(mean_norm - 1) > 0.05
                else ""
            )
            + ". Sparse features rarely fire together, so their interference is rarely paid."
        )
    counts = list(responds)
    if counts and all(c == counts[0] for c in counts) and len(counts) > 1:
        shown = f"each dimension answers to {_features(counts[0])}"
    else:
        shown = _list([f"dimension {j} answers to {_features(c)}" for j, c in enumerate(counts)])
    shown += f" (weights above {threshold:g})"
    silenced = (
        f"silencing dimension {dimension} damages {_features(damaged)}"
        + (" at once" if damaged > 1 else "")
        + "."
    )
    many = max(counts) if counts else 0
    if fewest is None:
        turned = ""
    elif fewest >= 2:
        turned = (
            f" Nor is it a bad choice of axes: turning the plane changes nothing the model "
            f"computes, and no turn leaves a dimension answering to fewer than "
            f"{_features(fewest)}."
        )
    else:
        turned = (
            f" Turning the plane changes nothing the model computes, and a turn can leave a "
            f"dimension answering to {_features(fewest)}."
        )
    if many >= 2:
        tail = (
            f" Read one hidden dimension as “the detector of feature k” and it fails: with the "
            f"plane turned so that feature 0 lies along dimension 0, {shown}; {silenced}" + turned
        )
    else:
        tail = (
            f" With the plane turned so that feature 0 lies along dimension 0 (the loss does "
            f"not change when it turns), {shown}, and {silenced} Here a unit-reader's story "
            f"can hold."
        )
    return head + tail

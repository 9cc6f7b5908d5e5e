"""Two illusions of interpretability, staged on the small network.

**The dimensionality-reduction illusion.** A neuroscientist records the hidden
activity under the stimuli of their experiment, summarises it with PCA and
reads the behaviours out of the top few components. On the recording it looks
convincing: three components hold nearly all the variance and a linear readout
of them recovers every output. On new inputs the same components and the same
readout fail, because the recording's stimuli (a narrow band along the
diagonal of the input square) fold the network's activity into a few
dimensions that the whole square does not stay in.

- :data:`STIMULI` and :func:`stimuli`: named sets of inputs;
- :func:`pca_readout`: PCA of the recorded activity, a linear readout of the
  network's outputs from the top ``k`` components, and how both fare on new
  inputs (:class:`PcaReadout`).

**The subspace-patching illusion** (Makelov, Lange and Nanda, 2024, "Is this
the subspace you are looking for?"). Activation patching along a direction
``v`` of the hidden layer replaces the base input's activity along ``v`` by a
source input's:

    h_patched = h_base + v vᵀ (h_source − h_base)

(along several orthonormal directions, the columns of ``Q``:
``h_base + (h_source − h_base) Q Qᵀ``). The sources here are mirror images of
the bases that leave one behaviour unchanged (:data:`MIRRORS`), so patching the
whole layer barely changes that behaviour. Yet a direction can be built along
which the patch changes it a lot: ``v = (d + u) / √2``, the sum of

- a *disconnected* direction ``d``, in the null space of the output weights
  (it changes no output) along which base and source differ the most, and
- a *dormant* direction ``u``, read strongly by the behaviour's output weights
  but along which the activity hardly varies on the training inputs.

Neither does anything alone; together they make a path: the patch copies the
large difference along ``d`` into ``u``, which the output reads. The patch
"finds" a direction that controls the behaviour although the network never
uses it.

- :func:`patch_directions`: ``d``, ``u`` and ``v`` for a behaviour
  (:class:`PatchDirections`);
- :func:`patch_activity`: the patch itself, on arrays of activity;
- :func:`patch_effects`: how much each patch (along ``v``, ``d`` only, ``u``
  only, the whole layer) changes each output;
- :func:`patched_outputs`: one patch's outputs per base point, for a scatter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression

from lib.blackbox.network import (
    TRAIN_ROWS,
    Network,
    forward,
    hidden_activity,
    r_squared,
    sample_inputs,
)
from lib.errors import DataError

__all__ = [
    "BAND_WIDTH",
    "MAX_COMPONENTS",
    "MIRRORS",
    "PATCHES",
    "RIDGE",
    "STIMULI",
    "PatchDirections",
    "PcaReadout",
    "mirror_inputs",
    "patch_activity",
    "patch_directions",
    "patch_effects",
    "patched_outputs",
    "pca_readout",
    "stimuli",
]

#: Named stimulus sets: name -> a short label for display.
STIMULI: dict[str, str] = {
    "diagonal": "a narrow band along the diagonal x₂ = x₁",
    "anti-diagonal": "a narrow band along the anti-diagonal x₂ = −x₁",
    "square": "the whole training square [−1, 1]²",
    "wider": "the wider square [−2, 2]², outside the training square",
}
#: Width of the diagonal bands: the offset across the band is uniform on [−w, w].
BAND_WIDTH = 0.1
#: Most principal components :func:`pca_readout` keeps.
MAX_COMPONENTS = 10
#: Behaviour -> a mirror image of the inputs that leaves that behaviour unchanged.
MIRRORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    # sin(π x₁) = sin(π (1 − x₁)), and the same for negative x₁ with −1 − x₁
    "wave": lambda x: np.column_stack([np.sign(x[:, 0]) * (1.0 - np.abs(x[:, 0])), x[:, 1]]),
    # (−x₁)(−x₂) = x₁ x₂
    "product": lambda x: np.column_stack([-x[:, 0], -x[:, 1]]),
    # (−x₂)² = x₂²
    "bowl": lambda x: np.column_stack([x[:, 0], -x[:, 1]]),
}
#: The patches :func:`patch_effects` compares, in order.
PATCHES = ("along v", "along d only", "along u only", "the whole layer")
#: Ridge added to the activity covariance when finding the dormant direction,
#: as a share of its mean eigenvalue (trace / hidden units).
RIDGE = 1e-6


# --------------------------------------------------------------------------- inputs


def _points(x: np.ndarray, what: str, min_rows: int = 1) -> np.ndarray:
    """``x`` as a float array of shape (n, 2) with at least ``min_rows`` finite rows."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise DataError(f"{what} must have shape (n, 2), one row per point; got {x.shape}.")
    if x.shape[0] < min_rows:
        raise DataError(f"{what} needs at least {min_rows} points; got {x.shape[0]}.")
    if not np.all(np.isfinite(x)):
        raise DataError(f"{what} holds values that are not finite numbers.")
    return x


def _band(n: int, rng: np.random.Generator) -> np.ndarray:
    """Points near the diagonal x₂ = x₁: along it t ~ U(−1, 1), across it d ~ U(−w, w)."""
    t = rng.uniform(-1.0, 1.0, n)
    d = rng.uniform(-BAND_WIDTH, BAND_WIDTH, n)
    return np.clip(np.column_stack([t + d / 2, t - d / 2]), -1.0, 1.0)


def stimuli(name: str, n: int, seed: int) -> np.ndarray:
    """Draw ``n`` inputs from a named stimulus set.

    Parameters
    ----------
    name : str
        A key of :data:`STIMULI`:

        - ``"diagonal"``: near x₂ = x₁; t ~ U(−1, 1) along the diagonal and
          d ~ U(−w, w) across it (w = :data:`BAND_WIDTH`), the point
          (t + d/2, t − d/2), clipped to the square;
        - ``"anti-diagonal"``: the same band around x₂ = −x₁ (x₂ negated);
        - ``"square"``: the whole training square (:func:`sample_inputs`);
        - ``"wider"``: uniform on [−2, 2]², mostly outside the training square.
    n : int
        How many points (at least 1).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (n, 2)
    """
    if name not in STIMULI:
        raise DataError(
            f"Unknown stimulus set `{name}`.", name=name, allowed=f"Allowed: {', '.join(STIMULI)}."
        )
    if n < 1:
        raise DataError(f"A stimulus set needs at least one point; got {n}.")
    rng = np.random.default_rng(seed)
    if name == "diagonal":
        return _band(n, rng)
    if name == "anti-diagonal":
        x = _band(n, rng)
        x[:, 1] = -x[:, 1]
        return x
    if name == "square":
        return sample_inputs(n, seed)
    return rng.uniform(-2.0, 2.0, size=(n, 2))


# --------------------------------------------------------------------------- PCA readout


@dataclass(frozen=True, eq=False)
class PcaReadout:
    """The top principal components of recorded activity, and a readout from them.

    Attributes
    ----------
    k : int
        Principal components kept.
    variance_ratio : ndarray, shape (k,)
        Share of the recorded activity's variance each component explains.
    variance_in : float
        Share of the recorded activity's variance the ``k`` components explain.
    variance_new : float
        Share of the new activity's variance (about its own mean) that its
        reconstruction from the same ``k`` components (and the recording's
        mean) explains: 1 − SS(residual) / SS(total). Negative when the
        reconstruction is worse than the new activity's mean.
    r2_in, r2_new : Series
        R² of the readout against the network's outputs, per behaviour (indexed
        by behaviour name), on the recorded and the new inputs.
    scores_in, scores_new : ndarray, shape (n, 2)
        The activity's scores on the first two components (of the recording),
        for the recorded and the new inputs.
    outputs_in, outputs_new : ndarray, shape (n, 3)
        The network's outputs on the recorded and the new inputs.
    predicted_in, predicted_new : ndarray, shape (n, 3)
        The readout's predictions of them.
    behaviours : tuple of str
        The outputs' names, in order.
    """

    k: int
    variance_ratio: np.ndarray
    variance_in: float
    variance_new: float
    r2_in: pd.Series
    r2_new: pd.Series
    scores_in: np.ndarray
    scores_new: np.ndarray
    outputs_in: np.ndarray
    outputs_new: np.ndarray
    predicted_in: np.ndarray
    predicted_new: np.ndarray
    behaviours: tuple[str, ...]


def pca_readout(net: Network, recorded_x: np.ndarray, new_x: np.ndarray, k: int) -> PcaReadout:
    """Read the network's outputs out of the top ``k`` components of recorded activity.

    The hidden activity on ``recorded_x`` is summarised by PCA (scikit-learn,
    exact SVD); a linear regression from the ``k`` component scores to the
    network's own outputs (:func:`~lib.blackbox.network.forward`: the network
    is the truth here, not the behaviours' functions) is fitted on
    ``recorded_x``. Both are then applied unchanged to the activity on
    ``new_x``.

    Parameters
    ----------
    net : Network
        The trained network.
    recorded_x : ndarray, shape (n, 2)
        The stimuli of the recording (more points than components).
    new_x : ndarray, shape (m, 2)
        New inputs (at least two).
    k : int
        Components kept, from 1 to min(hidden units, :data:`MAX_COMPONENTS`).

    Returns
    -------
    PcaReadout
    """
    top = min(net.hidden, MAX_COMPONENTS)
    if not 1 <= k <= top:
        raise DataError(f"The number of components must be between 1 and {top}; got {k}.")
    shown = min(2, net.hidden)
    fitted = max(k, shown)
    recorded_x = _points(recorded_x, "The recorded stimuli", min_rows=fitted + 1)
    new_x = _points(new_x, "The new inputs", min_rows=2)
    h_in, h_new = hidden_activity(net, recorded_x), hidden_activity(net, new_x)
    # the first k of max(k, 2) components are the k components: the SVD is exact
    pca = PCA(n_components=fitted, svd_solver="full").fit(h_in)
    scores_in, scores_new = pca.transform(h_in), pca.transform(h_new)
    basis = pca.components_[:k]
    rebuilt = pca.mean_ + (h_new - pca.mean_) @ basis.T @ basis
    variance_new = 1.0 - np.sum((h_new - rebuilt) ** 2) / np.sum((h_new - h_new.mean(axis=0)) ** 2)
    y_in, y_new = forward(net, recorded_x), forward(net, new_x)
    readout = LinearRegression().fit(scores_in[:, :k], y_in)
    predicted_in = readout.predict(scores_in[:, :k])
    predicted_new = readout.predict(scores_new[:, :k])
    ratio = np.asarray(pca.explained_variance_ratio_[:k], dtype=float)
    return PcaReadout(
        k=int(k),
        variance_ratio=ratio,
        variance_in=float(ratio.sum()),
        variance_new=float(variance_new),
        r2_in=r_squared(y_in, predicted_in, net.behaviours),
        r2_new=r_squared(y_new, predicted_new, net.behaviours),
        scores_in=scores_in[:, :shown],
        scores_new=scores_new[:, :shown],
        outputs_in=y_in,
        outputs_new=y_new,
        predicted_in=predicted_in,
        predicted_new=predicted_new,
        behaviours=net.behaviours,
    )


# --------------------------------------------------------------------------- patching


def _behaviour_index(net: Network, behaviour: str) -> int:
    if behaviour not in net.behaviours or behaviour not in MIRRORS:
        known = [b for b in net.behaviours if b in MIRRORS]
        raise DataError(
            f"Unknown behaviour `{behaviour}`.",
            name=behaviour,
            allowed=f"Allowed: {', '.join(known)}.",
        )
    return net.behaviours.index(behaviour)


def mirror_inputs(behaviour: str, x: np.ndarray) -> np.ndarray:
    """The mirror images of ``x`` that leave ``behaviour`` unchanged (:data:`MIRRORS`)."""
    if behaviour not in MIRRORS:
        raise DataError(
            f"Unknown behaviour `{behaviour}`.",
            name=behaviour,
            allowed=f"Allowed: {', '.join(MIRRORS)}.",
        )
    return MIRRORS[behaviour](_points(x, "The base inputs"))


def patch_activity(h_base: np.ndarray, h_source: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Patch the base activity with the source's along orthonormal directions.

    Parameters
    ----------
    h_base, h_source : ndarray, shape (n, hidden)
        Hidden activity of the base inputs and of their sources, row for row.
    directions : ndarray, shape (hidden,) or (hidden, j)
        One unit vector, or ``j`` orthonormal columns ``Q``.

    Returns
    -------
    ndarray, shape (n, hidden)
        ``h_base + (h_source − h_base) Q Qᵀ``: the base activity with its
        component in the span of ``Q`` replaced by the source's.
    """
    q = np.asarray(directions, dtype=float)
    q = q.reshape(-1, 1) if q.ndim == 1 else q
    return h_base + (h_source - h_base) @ q @ q.T


@dataclass(frozen=True, eq=False)
class PatchDirections:
    """The directions of the subspace-patching illusion, for one behaviour.

    Attributes
    ----------
    behaviour : str
        The behaviour the mirror leaves unchanged and the patch changes.
    d : ndarray, shape (hidden,)
        The disconnected direction: unit vector in the null space of the
        output weights (``W2ᵀ d = 0``) along which the mirror moves the
        training inputs' activity most (largest mean square).
    u : ndarray, shape (hidden,)
        The dormant direction: unit vector orthogonal to ``d``, read most by
        the behaviour's output weights per unit of activity variance on the
        training inputs.
    v : ndarray, shape (hidden,)
        The patched direction ``(d + u) / √2``.
    activity_sd : Series
        SD of the training inputs' activity along each direction (indexed
        ``"d"``, ``"u"``, ``"v"``).
    readout : Series
        How much the behaviour's output reads each direction: ``w_bᵀ d``,
        ``w_bᵀ u``, ``w_bᵀ v`` (``w_b``: the behaviour's column of ``W2``).
    output_sd : Series
        SD of each output (indexed by behaviour) on the training inputs, the
        unit of :func:`patch_effects`.
    """

    behaviour: str
    d: np.ndarray
    u: np.ndarray
    v: np.ndarray
    activity_sd: pd.Series
    readout: pd.Series
    output_sd: pd.Series


def patch_directions(
    net: Network, behaviour: str = "bowl", x_train: np.ndarray | None = None
) -> PatchDirections:
    """Build the disconnected, dormant and patched directions for a behaviour.

    Parameters
    ----------
    net : Network
        The trained network (more hidden units than outputs).
    behaviour : str
        A key of :data:`MIRRORS`.
    x_train : ndarray, shape (n, 2), optional
        The training inputs (default: the network's own,
        ``sample_inputs(TRAIN_ROWS, net.seed)``). ``d`` is the top eigenvector
        of the second-moment matrix of the activity differences
        ``Δ = h(mirror(x)) − h(x)`` projected on the null space of ``W2ᵀ``;
        ``u ∝ (Σ + λI)⁻¹ w_b`` with ``Σ`` the activity covariance on these
        inputs and ``λ = RIDGE · trace(Σ) / hidden``, made orthogonal to ``d``.

    Returns
    -------
    PatchDirections
    """
    j = _behaviour_index(net, behaviour)
    x = sample_inputs(TRAIN_ROWS, net.seed) if x_train is None else x_train
    x = _points(x, "The training inputs", min_rows=2)
    null = null_space(net.W2.T)
    if null.shape[1] == 0:
        raise DataError(
            "The output weights leave no direction of the hidden layer unread: "
            "the network needs more hidden units than outputs."
        )
    h = hidden_activity(net, x)
    delta = hidden_activity(net, MIRRORS[behaviour](x)) - h
    projected = delta @ null
    _, vectors = np.linalg.eigh(projected.T @ projected / len(x))
    d = null @ vectors[:, -1]
    d = d / np.linalg.norm(d)
    d = d if d[np.argmax(np.abs(d))] > 0 else -d  # a fixed sign
    w = net.W2[:, j]
    cov = np.cov(h, rowvar=False)
    ridge = RIDGE * np.trace(cov) / net.hidden
    u = np.linalg.solve(cov + ridge * np.eye(net.hidden), w)
    u = u - (u @ d) * d
    u = u / np.linalg.norm(u)
    v = (d + u) / np.sqrt(2.0)
    names = pd.Index(["d", "u", "v"], name="direction")
    return PatchDirections(
        behaviour=behaviour,
        d=d,
        u=u,
        v=v,
        activity_sd=pd.Series([np.std(h @ e) for e in (d, u, v)], index=names, name="sd"),
        readout=pd.Series([w @ e for e in (d, u, v)], index=names, name="readout"),
        output_sd=pd.Series(
            forward(net, x).std(axis=0), index=pd.Index(net.behaviours, name="behaviour"), name="sd"
        ),
    )


def _patch_basis(net: Network, directions: PatchDirections, patch: str) -> np.ndarray:
    if patch not in PATCHES:
        raise DataError(
            f"Unknown patch `{patch}`.", name=patch, allowed=f"Allowed: {', '.join(PATCHES)}."
        )
    bases = {
        "along v": directions.v,
        "along d only": directions.d,
        "along u only": directions.u,
        "the whole layer": np.eye(net.hidden),
    }
    return bases[patch]


def _base_and_source(
    net: Network, directions: PatchDirections, x_base: np.ndarray, x_source: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base inputs and the base and source activity."""
    x_base = _points(x_base, "The base inputs")
    if len(directions.d) != net.hidden:
        raise DataError("The directions were built for a network with another number of units.")
    if x_source is None:
        x_source = MIRRORS[directions.behaviour](x_base)
    x_source = _points(x_source, "The source inputs")
    if x_source.shape != x_base.shape:
        raise DataError(
            f"Each base input needs one source input: got {len(x_base)} bases "
            f"and {len(x_source)} sources."
        )
    return x_base, hidden_activity(net, x_base), hidden_activity(net, x_source)


def patch_effects(
    net: Network,
    directions: PatchDirections,
    x_base: np.ndarray,
    x_source: np.ndarray | None = None,
) -> pd.DataFrame:
    """How much each patch changes each output, in units of the output's SD.

    Parameters
    ----------
    net : Network
        The trained network.
    directions : PatchDirections
        From :func:`patch_directions` on the same network.
    x_base : ndarray, shape (n, 2)
        Base inputs.
    x_source : ndarray, shape (n, 2), optional
        Source inputs, row for row (default: the base inputs' mirror images
        for ``directions.behaviour``, :data:`MIRRORS`).

    Returns
    -------
    DataFrame
        One row per patch (:data:`PATCHES`, in order) and behaviour:
        ``patch``, ``behaviour``, ``rms`` (root mean square change of the
        output against the unpatched base output) and ``change`` (``rms`` in
        units of the output's SD on the training inputs,
        ``directions.output_sd``).
    """
    _, h_base, h_source = _base_and_source(net, directions, x_base, x_source)
    base = h_base @ net.W2 + net.b2
    rows = []
    for patch in PATCHES:
        patched = patch_activity(h_base, h_source, _patch_basis(net, directions, patch))
        rms = np.sqrt(np.mean((patched @ net.W2 + net.b2 - base) ** 2, axis=0))
        for b, name in enumerate(net.behaviours):
            rows.append((patch, name, rms[b], rms[b] / directions.output_sd[name]))
    return pd.DataFrame(rows, columns=["patch", "behaviour", "rms", "change"])


def patched_outputs(
    net: Network,
    directions: PatchDirections,
    x_base: np.ndarray,
    x_source: np.ndarray | None = None,
    patch: str = "along v",
) -> pd.DataFrame:
    """One patch's outputs at every base point, beside the base's and the source's.

    Parameters
    ----------
    net : Network
        The trained network.
    directions : PatchDirections
        From :func:`patch_directions` on the same network.
    x_base : ndarray, shape (n, 2)
        Base inputs.
    x_source : ndarray, shape (n, 2), optional
        Source inputs (default: the mirror images, as in :func:`patch_effects`).
    patch : str
        One of :data:`PATCHES`.

    Returns
    -------
    DataFrame
        One row per base point and behaviour: ``point`` (row of ``x_base``),
        ``x1``, ``x2``, ``behaviour``, ``base`` (the unpatched output),
        ``source`` (the source's output; for the mirrored behaviour it equals
        ``base`` up to the network's error) and ``patched``.
    """
    basis = _patch_basis(net, directions, patch)
    x, h_base, h_source = _base_and_source(net, directions, x_base, x_source)
    outputs = [
        h @ net.W2 + net.b2 for h in (h_base, h_source, patch_activity(h_base, h_source, basis))
    ]
    n, k = len(x), len(net.behaviours)
    return pd.DataFrame(
        {
            "point": np.repeat(np.arange(n), k),
            "x1": np.repeat(x[:, 0], k),
            "x2": np.repeat(x[:, 1], k),
            "behaviour": np.tile(np.array(net.behaviours, dtype=object), n),
            "base": outputs[0].ravel(),
            "source": outputs[1].ravel(),
            "patched": outputs[2].ravel(),
        }
    )

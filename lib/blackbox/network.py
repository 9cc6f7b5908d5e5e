"""A small seeded network that does three behaviours, and its forward pass.

The input space is the square [-1, 1]², sampled uniformly. The network learns
three smooth, distinct functions of the point (x₁, x₂) at once, one output
each; these are its *behaviours*, as the three games were the 6502 chip's:

- ``wave``: sin(π x₁), a function of x₁ alone;
- ``product``: x₁ x₂, an interaction of both inputs;
- ``bowl``: x₂² − 1/3, a function of x₂ alone (mean zero on the square).

:func:`fit_mlp` trains one :class:`SmallMLP` (one hidden layer of tanh units,
full-batch L-BFGS from scipy on :data:`TRAIN_ROWS` points for
:data:`TRAIN_ITERATIONS` iterations, first weights drawn as scikit-learn's
:class:`~sklearn.neural_network.MLPRegressor` draws them for ``random_state=seed``);
:func:`network_from_mlp` copies its weights into a frozen :class:`Network`, and
:func:`train_network` does both. :func:`fit_mlp_reference` is the slower trainer
the page used first, scikit-learn's regressor on 2,000 points run to convergence:
the two networks of a seed behave alike (R² ≥ 0.99 of one's outputs against the
other's on the page's inputs, for every seed the page offers), at about a
fifteenth of the training time. :func:`forward` is the network's forward pass
in numpy, equal to the regressor's own ``predict``; given masks over the hidden
units (1 keeps a unit, 0 silences it: its activity is set to zero), it runs
every masked network on every input in one vectorised computation, which is
what makes exhaustive lesion searches cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.neural_network import MLPRegressor

from lib.errors import DataError
from lib.fitting.models import one_thread
from lib.fitting.scores import r2_score

__all__ = [
    "ACTIVATIONS",
    "BEHAVIOURS",
    "HIDDEN_UNITS",
    "REFERENCE_ROWS",
    "TRAIN_ITERATIONS",
    "TRAIN_ROWS",
    "Network",
    "SmallMLP",
    "behaviour_targets",
    "fit_mlp",
    "fit_mlp_reference",
    "forward",
    "hidden_activity",
    "input_grid",
    "parameter_count",
    "r_squared",
    "network_from_mlp",
    "sample_inputs",
    "train_network",
]

#: The three behaviours, by name: the true function of the inputs each output learns.
BEHAVIOURS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "wave": lambda x: np.sin(np.pi * x[:, 0]),
    "product": lambda x: x[:, 0] * x[:, 1],
    "bowl": lambda x: x[:, 1] ** 2 - 1.0 / 3.0,
}
#: Hidden units of the default network.
HIDDEN_UNITS = 32
#: Training inputs drawn for the default network.
TRAIN_ROWS = 500
#: L-BFGS iterations of the default network's training (a fixed budget: it stops there).
TRAIN_ITERATIONS = 200
#: Training inputs of the reference trainer (:func:`fit_mlp_reference`).
REFERENCE_ROWS = 2000
#: The L2 penalty on the weights (scikit-learn's ``alpha``), both trainers.
ALPHA = 1e-4
#: Hidden activations the forward pass knows, as scikit-learn names them.
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: z,
}
#: Each activation's derivative, written from its output ``a`` = f(z).
_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": lambda a: 1.0 - a * a,
    "relu": lambda a: (a > 0.0).astype(float),
    "logistic": lambda a: a * (1.0 - a),
    "identity": lambda a: np.ones_like(a),
}
#: Most outputs (masks × inputs × behaviours) one chunk of a masked forward pass holds.
CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True, eq=False)
class Network:
    """A trained network with one hidden layer, as plain arrays.

    Attributes
    ----------
    W1 : ndarray, shape (2, hidden)
        Input-to-hidden weights.
    b1 : ndarray, shape (hidden,)
        Hidden biases.
    W2 : ndarray, shape (hidden, 3)
        Hidden-to-output weights, one column per behaviour.
    b2 : ndarray, shape (3,)
        Output biases.
    activation : str
        The hidden units' activation (a key of :data:`ACTIVATIONS`).
    seed : int
        The seed the training inputs and the initial weights were drawn from.
    behaviours : tuple of str
        The outputs' names, in order (keys of :data:`BEHAVIOURS`).
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    activation: str
    seed: int
    behaviours: tuple[str, ...]

    @property
    def hidden(self) -> int:
        """The number of hidden units."""
        return int(self.b1.shape[0])


def sample_inputs(n: int, seed: int) -> np.ndarray:
    """Draw ``n`` points uniformly from the square [-1, 1]².

    Parameters
    ----------
    n : int
        How many points.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (n, 2)
    """
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))


def input_grid(steps: int = 41, half_width: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A square grid of inputs, for maps of what the network does over the plane.

    Parameters
    ----------
    steps : int
        Points along each input.
    half_width : float
        The grid covers [-half_width, half_width]².

    Returns
    -------
    axis : ndarray, shape (steps,)
    x : ndarray, shape (steps * steps, 2)
        Row ``i * steps + j`` is (x₁, x₂) = (``axis[j]``, ``axis[i]``): reshaped
        to (steps, steps), values are indexed [x₂, x₁], as a heatmap draws them.
    """
    axis = np.linspace(-half_width, half_width, steps)
    x1, x2 = np.meshgrid(axis, axis)
    return axis, np.column_stack([x1.ravel(), x2.ravel()])


def r_squared(truth: np.ndarray, predicted: np.ndarray, names: tuple[str, ...]) -> pd.Series:
    """R² of each column of ``predicted`` against ``truth`` (about truth's own mean).

    Each column is scored by :func:`lib.fitting.scores.r2_score`, the lab's one R².

    Returns
    -------
    Series
        Indexed by ``names`` (the index is named ``behaviour``).
    """
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    r2 = [r2_score(truth[:, j], predicted[:, j]) for j in range(truth.shape[1])]
    return pd.Series(r2, index=pd.Index(names, name="behaviour"), name="r2", dtype=float)


def parameter_count(net: Network) -> int:
    """The network's weights and biases, counted."""
    return int(net.W1.size + net.b1.size + net.W2.size + net.b2.size)


def behaviour_targets(x: np.ndarray, behaviours: tuple[str, ...] | None = None) -> np.ndarray:
    """The behaviours' true values at the points ``x``.

    Parameters
    ----------
    x : ndarray, shape (n, 2)
        Points of the input square.
    behaviours : tuple of str, optional
        Which behaviours, in order (default: all of :data:`BEHAVIOURS`).

    Returns
    -------
    ndarray, shape (n, len(behaviours))
    """
    names = tuple(BEHAVIOURS) if behaviours is None else behaviours
    x = np.asarray(x, dtype=float)
    return np.column_stack([BEHAVIOURS[b](x) for b in names])


def _tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z), in place, as 1 − 2 / (exp(2z) + 1): twice as fast as ``np.tanh`` here."""
    with np.errstate(over="ignore"):  # exp(2z) = inf gives tanh = 1, as it should
        np.multiply(z, 2.0, out=z)
        np.exp(z, out=z)
    z += 1.0
    np.divide(2.0, z, out=z)
    np.subtract(1.0, z, out=z)
    return z


class SmallMLP:
    """A multilayer perceptron with one hidden layer, trained by full-batch L-BFGS.

    Follows the scikit-learn contract (``fit`` returns ``self``; learned
    attributes end in ``_``), and names what it learns as
    :class:`~sklearn.neural_network.MLPRegressor` does. It follows the regressor's
    gradient, that of half the squared error summed over outputs and averaged
    over rows plus ``alpha / 2`` times the squared weights over the rows (the
    objective it minimises; the regressor's reported loss also averages over the
    outputs, its gradient does not), from the regressor's first weights
    (Glorot-uniform, drawn by ``numpy.random.RandomState(random_state)`` in
    scikit-learn's order), with scipy's L-BFGS-B; it stops after ``max_iter``
    iterations (or at a gradient below ``tol``). Without the regressor's checks
    and bookkeeping, and with tanh written through ``exp``, an evaluation of the
    objective costs about 60% of the regressor's.

    Parameters
    ----------
    hidden : int
        Hidden units.
    activation : str
        A key of :data:`ACTIVATIONS`.
    alpha : float
        The L2 penalty.
    max_iter : int
        Most L-BFGS iterations.
    tol : float
        The gradient's size (largest entry) at which L-BFGS stops earlier.
    random_state : int
        Seed of the first weights.

    Attributes
    ----------
    coefs_ : list of ndarray
        Input-to-hidden (2, hidden) and hidden-to-output (hidden, outputs) weights.
    intercepts_ : list of ndarray
        The hidden and the output biases.
    n_iter_ : int
        L-BFGS iterations run.
    loss_ : float
        The objective at the end.
    """

    def __init__(
        self,
        hidden: int = HIDDEN_UNITS,
        activation: str = "tanh",
        alpha: float = ALPHA,
        max_iter: int = TRAIN_ITERATIONS,
        tol: float = 1e-8,
        random_state: int = 0,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _first_weights(self, p: int, k: int) -> np.ndarray:
        """scikit-learn's first weights, packed: the weights by layer, then the biases."""
        rng = np.random.RandomState(self.random_state)
        factor = 2.0 if self.activation == "logistic" else 6.0
        parts: list[np.ndarray] = [np.empty(0)] * 4
        for layer, (fan_in, fan_out) in enumerate(((p, self.hidden), (self.hidden, k))):
            bound = np.sqrt(factor / (fan_in + fan_out))
            parts[layer] = rng.uniform(-bound, bound, (fan_in, fan_out)).ravel()
            parts[2 + layer] = rng.uniform(-bound, bound, fan_out)
        return np.concatenate(parts)

    def _unpack(self, theta: np.ndarray, p: int, k: int) -> list[np.ndarray]:
        """W1, W2, b1, b2 as views of the packed parameters."""
        h = self.hidden
        cut = np.cumsum([p * h, h * k, h])
        w1, w2, b1, b2 = np.split(theta, cut)
        return [w1.reshape(p, h), w2.reshape(h, k), b1, b2]

    def fit(self, x: np.ndarray, y: np.ndarray) -> SmallMLP:
        """Train on inputs ``x`` (n, p) and targets ``y`` (n, k); returns ``self``."""
        _check(self.activation, self.hidden, len(x))
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if y.ndim == 1:
            y = y[:, None]
        (n, p), k = x.shape, y.shape[1]
        act = _tanh if self.activation == "tanh" else ACTIVATIONS[self.activation]
        slope = _DERIVATIVES[self.activation]
        alpha = self.alpha

        def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w1, w2, b1, b2 = self._unpack(theta, p, k)
            a = act(x @ w1 + b1)
            r = a @ w2 + b2 - y
            penalty = float(np.dot(w1.ravel(), w1.ravel()) + np.dot(w2.ravel(), w2.ravel()))
            loss = 0.5 * (float(np.dot(r.ravel(), r.ravel())) + alpha * penalty) / n
            delta = (r @ w2.T) * slope(a)
            grad = [x.T @ delta + alpha * w1, a.T @ r + alpha * w2, delta.sum(0), r.sum(0)]
            return loss, np.concatenate([g.ravel() for g in grad]) / n

        result = minimize(
            loss_and_gradient,
            self._first_weights(p, k),
            method="L-BFGS-B",
            jac=True,
            options={"maxiter": self.max_iter, "maxfun": 15000, "gtol": self.tol},
        )
        w1, w2, b1, b2 = (v.copy() for v in self._unpack(result.x, p, k))
        self.coefs_, self.intercepts_ = [w1, w2], [b1, b2]
        self.n_iter_, self.loss_ = int(result.nit), float(result.fun)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The outputs at ``x``, shape (n, k)."""
        hidden = np.asarray(x, dtype=float) @ self.coefs_[0] + self.intercepts_[0]
        return ACTIVATIONS[self.activation](hidden) @ self.coefs_[1] + self.intercepts_[1]


def _check(activation: str, hidden: int, rows: int) -> None:
    if activation not in ACTIVATIONS:
        raise DataError(
            f"Unknown activation `{activation}`.", allowed=f"Allowed: {', '.join(ACTIVATIONS)}."
        )
    if hidden < 1 or rows < 2:
        raise DataError("A network needs at least one hidden unit and two training rows.")


def fit_mlp(
    seed: int,
    hidden: int = HIDDEN_UNITS,
    rows: int = TRAIN_ROWS,
    activation: str = "tanh",
    iterations: int = TRAIN_ITERATIONS,
) -> SmallMLP:
    """Train the page's multilayer perceptron on the three behaviours.

    Parameters
    ----------
    seed : int
        Seed of the training inputs and of the initial weights (``random_state``).
    hidden : int
        Hidden units in the one hidden layer.
    rows : int
        Training inputs, drawn by :func:`sample_inputs`.
    activation : str
        The hidden activation (a key of :data:`ACTIVATIONS`).
    iterations : int
        L-BFGS iterations.

    Returns
    -------
    SmallMLP
        Fitted on one thread, full-batch (deterministic given the seed).
    """
    _check(activation, hidden, rows)
    x = sample_inputs(rows, seed)
    mlp = SmallMLP(hidden, activation, max_iter=iterations, random_state=seed)
    with one_thread():
        return mlp.fit(x, behaviour_targets(x))


def fit_mlp_reference(
    seed: int,
    hidden: int = HIDDEN_UNITS,
    rows: int = REFERENCE_ROWS,
    activation: str = "tanh",
) -> MLPRegressor:
    """The reference trainer: scikit-learn's regressor on 2,000 points, to convergence.

    What the page trained first (L-BFGS up to 3,000 iterations, ``tol=1e-8``;
    1–2 s for 32 units). :func:`fit_mlp` behaves alike at a fraction of the
    cost; the tests compare the two.

    Returns
    -------
    MLPRegressor
        Fitted on one thread, with L-BFGS (full-batch, deterministic given the seed).
    """
    _check(activation, hidden, rows)
    x = sample_inputs(rows, seed)
    y = behaviour_targets(x)
    mlp = MLPRegressor(
        hidden_layer_sizes=(hidden,),
        activation=activation,
        solver="lbfgs",
        alpha=ALPHA,
        max_iter=3000,
        tol=1e-8,
        random_state=seed,
    )
    with one_thread():
        mlp.fit(x, y)
    return mlp


def network_from_mlp(mlp: SmallMLP | MLPRegressor, seed: int) -> Network:
    """Copy a fitted one-hidden-layer regressor's weights into a :class:`Network`.

    Parameters
    ----------
    mlp : SmallMLP or MLPRegressor
        Fitted on the three behaviours (three outputs, one hidden layer).
    seed : int
        The seed it was trained with, kept with the weights.
    """
    if len(mlp.coefs_) != 2 or mlp.coefs_[1].shape[1] != len(BEHAVIOURS):
        raise DataError("The network needs one hidden layer and one output per behaviour.")
    return Network(
        W1=np.array(mlp.coefs_[0], dtype=float),
        b1=np.array(mlp.intercepts_[0], dtype=float),
        W2=np.array(mlp.coefs_[1], dtype=float),
        b2=np.array(mlp.intercepts_[1], dtype=float),
        activation=str(mlp.activation),
        seed=int(seed),
        behaviours=tuple(BEHAVIOURS),
    )


def train_network(
    seed: int,
    hidden: int = HIDDEN_UNITS,
    rows: int = TRAIN_ROWS,
    activation: str = "tanh",
) -> Network:
    """Train the network (:func:`fit_mlp`) and return its weights as a :class:`Network`."""
    return network_from_mlp(fit_mlp(seed, hidden, rows, activation), seed)


def hidden_activity(net: Network, x: np.ndarray) -> np.ndarray:
    """The hidden units' activity at the points ``x``, shape (n, hidden)."""
    x = np.asarray(x, dtype=float)
    return ACTIVATIONS[net.activation](x @ net.W1 + net.b1)


def forward(
    net: Network,
    x: np.ndarray,
    masks: np.ndarray | None = None,
    fill: np.ndarray | None = None,
) -> np.ndarray:
    """The network's outputs at ``x``, intact or with hidden units silenced.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        Inputs.
    masks : ndarray, shape (m, hidden), optional
        One row per lesioned network: 1 keeps a unit, 0 silences it (its
        activity is replaced by zero before the output layer).
    fill : ndarray, shape (hidden,), optional
        What a lesioned unit's activity is replaced by instead of zero: e.g.
        its mean activity, which *re-centres* the unit (it stops varying but
        keeps feeding its usual level downstream). Default: zero (silencing).

    Returns
    -------
    ndarray
        Shape (n, 3) without masks (equal to the regressor's ``predict``);
        shape (m, n, 3) with masks, every masked network at once: one matrix
        product of the activity with the masked output weights, chunked over
        masks so that one chunk holds at most :data:`CHUNK_ELEMENTS` outputs.
    """
    h = hidden_activity(net, x)
    if masks is None:
        return h @ net.W2 + net.b2
    masks = np.asarray(masks, dtype=float)
    if masks.ndim != 2 or masks.shape[1] != net.hidden:
        raise DataError(
            f"Masks must have shape (m, {net.hidden}): one 0/1 entry per hidden unit; "
            f"got {masks.shape}."
        )
    m, n, k = masks.shape[0], h.shape[0], net.W2.shape[1]
    # A lesioned unit sends `fill` instead of its activity: that adds (1 − mask)·fill·W2,
    # the same for every input, to each masked network's output bias.
    bias = np.broadcast_to(net.b2, (m, k))
    if fill is not None:
        fill = np.asarray(fill, dtype=float)
        if fill.shape != (net.hidden,):
            raise DataError(f"The fill needs one value per hidden unit ({net.hidden}).")
        bias = bias + ((1.0 - masks) * fill) @ net.W2
    # The output is linear in the hidden activity, so masking units is masking rows of
    # W2: one matrix product of the activity with every masked W2 side by side.
    out = np.empty((n, m, k))
    step = max(1, CHUNK_ELEMENTS // max(1, n * k))
    for start in range(0, m, step):
        block = masks[start : start + step]
        masked = (block[:, :, None] * net.W2[None]).transpose(1, 0, 2).reshape(net.hidden, -1)
        out[:, start : start + step] = (h @ masked).reshape(n, len(block), k) + bias[
            start : start + step
        ]
    return out.transpose(1, 0, 2)

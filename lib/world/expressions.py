"""The one safe compiler for equations a person types.

An equation such as ``"0.01 * dose + normal(0, 0.5)"`` is parsed with :mod:`ast`
and checked against an allow-list *before* anything runs: numbers, the model's
own names, ``+ - * / **``, unary minus, comparisons, ``and``/``or``/``not``, a
fixed table of numpy functions and noise draws. Everything else is an
:class:`~lib.errors.ExpressionError` that names the offending piece and says
what is allowed. Nothing a user typed ever reaches ``eval``.

The result, a :class:`CompiledEquation`, is compiled once into a tree of small
closures and evaluated vectorised over all rows, in float64 throughout.

Evaluation is bounded so that one hostile equation cannot stall the server for
everyone else. At compile time each equation gets a cost per row (roughly, how
many additions one row's work is worth: a noise draw or a sine costs tens of
additions) and the most row-long temporary arrays it holds at once. Before it
runs on ``n`` rows, :meth:`CompiledEquation.evaluate` refuses with an
:class:`~lib.errors.ExpressionError` when ``cost × n`` exceeds
:data:`MAX_WORK` or ``temporaries × n × 8`` bytes exceeds
:data:`MAX_EVAL_BYTES`; while it runs, the evaluating thread's CPU time is
read after every vectorised step and evaluation stops once it has used more
than :data:`MAX_EVAL_SECONDS` of it. CPU time, not the wall clock: on a server
busy with a whole class a thread waits its turn, and an equation that waited
has done no more work (a wall-clock limit refused the built-in L-DOPA world's
``uniform(100, 1000)`` under load). The limits are module constants, read at call time.
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib.errors import ExpressionError, did_you_mean
from lib.text.escape import code_text

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EVAL_BYTES",
    "MAX_EVAL_SECONDS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_WORK",
    "NOISE",
    "CompiledEquation",
    "ExpressionError",
    "allowed_summary",
    "compile_equation",
]

#: Longest equation accepted, in characters.
MAX_LENGTH = 1000
#: Most syntax-tree nodes in one equation.
MAX_NODES = 300
#: Deepest nesting of operations in one equation.
MAX_DEPTH = 100
#: Largest absolute constant exponent in ``a ** b``.
MAX_EXPONENT = 100.0
#: Most work one evaluation may do: cost per row (in additions) times rows.
#: One unit is about 0.4 ns of numpy time on a 2-core x86-64 machine, so the cap
#: is roughly half a second; ``normal(0, 1)`` on 5 million rows is an eighth of it.
MAX_WORK = 1.2e9
#: Most memory one evaluation may hold in row-long temporary arrays (bytes).
MAX_EVAL_BYTES = 256 * 2**20
#: Most CPU time one evaluation may use (seconds of the evaluating thread's CPU
#: time, :func:`time.thread_time`), checked after every vectorised step.
MAX_EVAL_SECONDS = 1.0


def _sigmoid(x):  # noqa: ANN001 - numpy in, numpy out
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def _where(cond, a, b):  # noqa: ANN001
    return np.where(np.asarray(cond) != 0, a, b)


@dataclass(frozen=True)
class _Function:
    impl: Callable[..., object]
    params: tuple[str, ...]
    defaults: tuple[float, ...] = ()
    doc: str = ""


#: Deterministic functions an equation may call.
FUNCTIONS: dict[str, _Function] = {
    "exp": _Function(np.exp, ("x",), doc="e to the power x"),
    "log": _Function(np.log, ("x",), doc="natural logarithm"),
    "log2": _Function(np.log2, ("x",), doc="base-2 logarithm"),
    "log10": _Function(np.log10, ("x",), doc="base-10 logarithm"),
    "sqrt": _Function(np.sqrt, ("x",), doc="square root"),
    "abs": _Function(np.abs, ("x",), doc="absolute value"),
    "sign": _Function(np.sign, ("x",), doc="-1, 0 or 1"),
    "sin": _Function(np.sin, ("x",), doc="sine"),
    "cos": _Function(np.cos, ("x",), doc="cosine"),
    "tan": _Function(np.tan, ("x",), doc="tangent"),
    "tanh": _Function(np.tanh, ("x",), doc="hyperbolic tangent"),
    "sigmoid": _Function(_sigmoid, ("x",), doc="1 / (1 + exp(-x))"),
    "floor": _Function(np.floor, ("x",), doc="round down"),
    "ceil": _Function(np.ceil, ("x",), doc="round up"),
    "round": _Function(np.round, ("x",), doc="round to the nearest integer"),
    "clip": _Function(np.clip, ("x", "low", "high"), doc="limit x to [low, high]"),
    "minimum": _Function(np.minimum, ("a", "b"), doc="the smaller of a and b"),
    "maximum": _Function(np.maximum, ("a", "b"), doc="the larger of a and b"),
    "where": _Function(_where, ("condition", "a", "b"), doc="a where condition holds, else b"),
}


@dataclass(frozen=True)
class _Noise:
    """A noise family.

    ``rescale(draw, k, *params)`` widens the draws by ``k`` for ``ScaleNoise``
    while staying inside the family's support: symmetric families scale the
    deviation from their centre (the mean is kept); exponential and Student's t
    draws are multiplied by ``k``; lognormal draws have their log-spread
    multiplied by ``k``. ``None`` means the family cannot be rescaled (0/1 values,
    counts).
    """

    draw: Callable[..., np.ndarray]
    rescale: Callable[..., np.ndarray] | None
    params: tuple[str, ...]
    defaults: tuple[float, ...]
    doc: str
    check: Callable[..., str | None] = field(default=lambda *a: None)


def _around(center: Callable[..., Any]) -> Callable[..., np.ndarray]:
    def rescale(draw: np.ndarray, k: float, *params: Any) -> np.ndarray:
        c = center(*params)
        return c + k * (draw - c)

    return rescale


def _nonneg(name: str) -> Callable[..., str | None]:
    def check(*args: object) -> str | None:
        v = np.asarray(args[1])  # the spread is the second parameter
        return f"`{name}` must be ≥ 0" if np.any(v < 0) else None

    return check


def _prob(*args: object) -> str | None:
    v = np.asarray(args[0])
    return "`p` must be between 0 and 1" if np.any((v < 0) | (v > 1)) else None


def _positive_first(name: str) -> Callable[..., str | None]:
    def check(*args: object) -> str | None:
        v = np.asarray(args[0])
        return f"`{name}` must be > 0" if np.any(v <= 0) else None

    return check


#: Noise draws: each call draws one independent value per row.
NOISE: dict[str, _Noise] = {
    "normal": _Noise(
        lambda rng, n, mu, sd: rng.normal(mu, sd, n),
        _around(lambda mu, sd: mu),
        ("mu", "sd"),
        (0.0, 1.0),
        "Gaussian with mean mu and standard deviation sd",
        _nonneg("sd"),
    ),
    "uniform": _Noise(
        lambda rng, n, a, b: rng.uniform(a, b, n),
        _around(lambda a, b: (np.asarray(a) + np.asarray(b)) / 2.0),
        ("a", "b"),
        (0.0, 1.0),
        "uniform between a and b",
    ),
    "bernoulli": _Noise(
        lambda rng, n, p: (rng.random(n) < p).astype(float),
        None,
        ("p",),
        (0.5,),
        "1 with probability p, else 0",
        _prob,
    ),
    "exponential": _Noise(
        lambda rng, n, scale: rng.exponential(scale, n),
        lambda draw, k, scale: k * draw,
        ("scale",),
        (1.0,),
        "exponential with mean scale",
        _positive_first("scale"),
    ),
    "laplace": _Noise(
        lambda rng, n, mu, b: rng.laplace(mu, b, n),
        _around(lambda mu, b: mu),
        ("mu", "b"),
        (0.0, 1.0),
        "Laplace with centre mu and scale b",
        _nonneg("b"),
    ),
    "lognormal": _Noise(
        lambda rng, n, mu, sigma: rng.lognormal(mu, sigma, n),
        lambda draw, k, mu, sigma: np.exp(mu + k * (np.log(draw) - mu)),
        ("mu", "sigma"),
        (0.0, 1.0),
        "exp of a Gaussian(mu, sigma)",
        _nonneg("sigma"),
    ),
    "poisson": _Noise(
        lambda rng, n, lam: rng.poisson(lam, n).astype(float),
        None,
        ("lam",),
        (1.0,),
        "Poisson counts with mean lam",
        lambda lam: "`lam` must be ≥ 0" if np.any(np.asarray(lam) < 0) else None,
    ),
    "student_t": _Noise(
        lambda rng, n, df: rng.standard_t(df, n),
        lambda draw, k, df: k * draw,
        ("df",),
        (3.0,),
        "Student's t with df degrees of freedom (heavy tails)",
        _positive_first("df"),
    ),
}

#: Work per row of each call, in additions (measured with numpy 2 on 1e6 rows).
_CALL_COST: dict[str, float] = {
    "abs": 2, "sign": 2, "floor": 2, "ceil": 2, "round": 3,
    "minimum": 2, "maximum": 2, "clip": 4,
    "exp": 4, "log": 10, "log2": 10, "log10": 10, "sqrt": 4,
    "tanh": 20, "sigmoid": 25, "sin": 25, "cos": 25, "tan": 30,
    "where": 12,
    "normal": 30, "uniform": 10, "bernoulli": 12, "exponential": 25, "laplace": 35,
    "lognormal": 40, "poisson": 110, "student_t": 90,
}  # fmt: skip
#: Work per row of ``**`` (a general power is as dear as a sine) and of the others.
_POW_COST = 30
_OP_COST = 1

#: Named constants (a node with the same name wins).
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_BINOPS: dict[type, tuple[str, Callable[..., Any]]] = {
    ast.Add: ("+", np.add),
    ast.Sub: ("-", np.subtract),
    ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.true_divide),
    ast.Pow: ("**", np.power),
}
_CMPOPS: dict[type, Callable[..., Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_FORBIDDEN_HINTS: dict[type, str] = {
    ast.Attribute: "attribute access (`.`) is not allowed",
    ast.Subscript: "indexing with `[...]` is not allowed",
    ast.Lambda: "`lambda` is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.IfExp: "`a if c else b` is not allowed; write `where(c, a, b)`",
    ast.NamedExpr: "`:=` is not allowed",
    ast.JoinedStr: "text is not allowed; only numbers",
    ast.Starred: "`*` unpacking is not allowed",
    ast.Await: "`await` is not allowed",
    ast.Yield: "`yield` is not allowed",
}

_Fn = Callable[["_Ctx"], Any]


@dataclass
class _Ctx:
    env: Mapping[str, np.ndarray]
    n: int
    rng: np.random.Generator
    noise_scale: float
    deadline: float = math.inf


class _TooSlow(Exception):
    """Raised between vectorised steps once the evaluation's deadline has passed."""


def _tick(ctx: _Ctx | None) -> None:
    """Stop the evaluation if it has run past its deadline (``ctx`` is None when folding)."""
    if ctx is not None and time.thread_time() > ctx.deadline:
        raise _TooSlow


def _budget(root: ast.AST, constant_ids: set[int]) -> tuple[float, int]:
    """Work per row and peak row-long temporaries of a compiled tree.

    Iterative (no recursion). Operands are evaluated in order and each result
    is held until the operation runs, so an operation's peak is the largest of
    ``held so far + the operand's own peak`` and ``all operands + its output``
    (Sethi-Ullman counting; conservative, since results are often reused in
    place). Folded constants and the model's own columns are not temporaries.
    """
    results: dict[int, tuple[float, int, int]] = {}  # id -> (work, peak, holds an array)
    stack: list[tuple[ast.AST, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in constant_ids or isinstance(node, ast.Constant | ast.Name):
            results[id(node)] = (0.0, 0, 0)
            continue
        if isinstance(node, ast.UnaryOp):
            operands: list[ast.AST] = [node.operand]
            cost, extra = (0.0 if isinstance(node.op, ast.UAdd) else _OP_COST), 0
        elif isinstance(node, ast.BinOp):
            operands = [node.left, node.right]
            cost, extra = (_POW_COST if isinstance(node.op, ast.Pow) else _OP_COST), 0
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            cost, extra = 2.0 * len(node.ops), 1
        elif isinstance(node, ast.BoolOp):
            operands = list(node.values)
            cost, extra = 3.0 * len(node.values), 1
        elif isinstance(node, ast.Call):
            operands = [*node.args, *(kw.value for kw in node.keywords)]
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            cost, extra = float(_CALL_COST.get(name, 30)), (2 if name in NOISE else 1)
        else:  # pragma: no cover - the compiler has refused anything else
            raise ExpressionError(f"`{type(node).__name__}` is not allowed.")
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in operands)
            continue
        work, peak, held = cost, 0, 0
        for child in operands:
            c_work, c_peak, c_held = results.pop(id(child))
            work += c_work
            peak = max(peak, held + c_peak)
            held += c_held
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            results[id(node)] = (work, peak, held)
        else:
            results[id(node)] = (work, max(peak, held + extra + 1), 1)
    work, peak, _ = results[id(root)]
    return work, max(peak, 1)


def allowed_summary(names: Iterable[str] = ()) -> str:
    """One paragraph listing what an equation may contain.

    Parameters
    ----------
    names : iterable of str
        The node names the equation may use.
    """
    names = sorted(names)
    parts = [
        "numbers",
        "names: " + (", ".join(f"`{n}`" for n in names) if names else "(none)"),
        "operators: + - * / ** and comparisons < <= > >= == !=, and/or/not",
        "functions: " + ", ".join(sorted(FUNCTIONS)),
        "noise: " + ", ".join(f"{k}({', '.join(v.params)})" for k, v in NOISE.items()),
    ]
    return "Allowed: " + "; ".join(parts) + "."


def _snippet(text: str, node: ast.AST) -> str:
    seg = ast.get_source_segment(text, node) or type(node).__name__
    return code_text(seg, 40)  # messages are shown as Markdown: keep the piece inert


def _where_at(node: ast.AST) -> str:
    col = getattr(node, "col_offset", None)
    return f"character {col + 1}: " if col is not None else ""


def _check_shape(tree: ast.AST) -> None:
    """Reject trees that are too big or too deep, iteratively (no recursion).

    Only expressions count (``a + b`` is three); operator and context markers
    do not. A chain like ``a + b + c + ...`` counts as one level, however long.
    """
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
        if count > MAX_NODES:
            raise ExpressionError(
                f"the equation is too long: more than {MAX_NODES} parts. "
                "Split it over several nodes."
            )
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the equation is nested too deeply (more than {MAX_DEPTH} levels)."
            )
        for child in ast.iter_child_nodes(node):
            chained = isinstance(node, ast.BinOp) and child is node.left
            deeper = isinstance(child, ast.expr) and not (chained and isinstance(child, ast.BinOp))
            stack.append((child, depth + 1 if deeper else depth))


def _fresh(fn: _Fn) -> _Fn:
    """Mark a closure whose result is a new array that its consumer may overwrite."""
    fn.fresh = True  # type: ignore[attr-defined]
    return fn


def _is_fresh(fn: _Fn) -> bool:
    return getattr(fn, "fresh", False)


class _Compiler:
    def __init__(self, text: str, names: Sequence[str]) -> None:
        self.text = text
        self.names = frozenset(names)
        self.used: set[str] = set()
        self.has_noise = False
        self.constant_ids: set[int] = set()

    def fail(
        self, node: ast.AST, message: str, allowed: str = "", name: str | None = None
    ) -> ExpressionError:
        """An error at ``node``: the character it starts at (counted from 1), and the name it
        is about (a name or a call's)."""
        col = getattr(node, "col_offset", None)
        if name is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
        return ExpressionError(
            f"{_where_at(node)}`{_snippet(self.text, node)}`: {message}",
            column=None if col is None else col + 1,
            name=name if name is not None else getattr(node, "id", None),
            allowed=allowed,
        )

    # Each visit returns (closure, constant-or-None). No helper frame per level:
    # deep chains must not come near Python's recursion limit.
    def visit(self, node: ast.AST) -> tuple[_Fn, float | None]:
        out: tuple[_Fn, float | None]
        if isinstance(node, ast.Constant):
            out = self.constant(node)
        elif isinstance(node, ast.Name):
            out = self.name(node)
        elif isinstance(node, ast.UnaryOp):
            out = self.unary(node)
        elif isinstance(node, ast.BinOp):
            out = self.binop(node)
        elif isinstance(node, ast.Compare):
            out = self.compare(node)
        elif isinstance(node, ast.BoolOp):
            out = self.boolop(node)
        elif isinstance(node, ast.Call):
            out = self.call(node)
        else:
            hint = _FORBIDDEN_HINTS.get(type(node), f"`{type(node).__name__}` is not allowed")
            raise self.fail(node, f"{hint}.", allowed_summary(self.names))
        if out[1] is not None:
            self.constant_ids.add(id(node))
        return out

    @staticmethod
    def const(value: float) -> tuple[_Fn, float]:
        return (lambda ctx: value), value

    def folded(self, node: ast.AST, fn: _Fn) -> tuple[_Fn, float]:
        with np.errstate(all="ignore"):
            value = float(np.asarray(fn(None)))  # type: ignore[arg-type]
        if not math.isfinite(value):
            raise self.fail(node, f"evaluates to {value}, not a finite number.")
        return self.const(value)

    def constant(self, node: ast.Constant) -> tuple[_Fn, float]:
        v = node.value
        if isinstance(v, bool):
            return self.const(float(v))
        if isinstance(v, int | float):
            try:
                value = float(v)
            except OverflowError:
                raise self.fail(node, "this number is too large.") from None
            if not math.isfinite(value):
                raise self.fail(node, "this number is too large.")
            return self.const(value)
        if isinstance(v, str | bytes):
            raise self.fail(node, "text is not allowed; only numbers and names.")
        raise self.fail(node, "only real numbers are allowed.")

    def name(self, node: ast.Name) -> tuple[_Fn, float | None]:
        key = node.id
        if key in self.names:
            self.used.add(key)
            return (lambda ctx: ctx.env[key]), None
        if key in CONSTANTS:
            return self.const(CONSTANTS[key])
        if key in FUNCTIONS or key in NOISE:
            raise self.fail(node, f"`{key}` is a function: call it, e.g. `{key}(...)`.")
        hint = did_you_mean(key, [*self.names, *CONSTANTS])
        raise self.fail(node, f"unknown name `{key}`{hint or '.'}", allowed_summary(self.names))

    def unary(self, node: ast.UnaryOp) -> tuple[_Fn, float | None]:
        inner, c = self.visit(node.operand)
        if isinstance(node.op, ast.UAdd):
            return inner, c
        if isinstance(node.op, ast.USub):
            if _is_fresh(inner):
                fn: _Fn = lambda ctx: np.negative(a := inner(ctx), out=a)  # noqa: E731
            else:
                fn = lambda ctx: np.negative(inner(ctx))  # noqa: E731
        elif isinstance(node.op, ast.Not):

            def fn(ctx: _Ctx) -> Any:
                out = np.logical_not(inner(ctx)).astype(float)
                _tick(ctx)
                return out

        else:
            raise self.fail(node, "bitwise `~` is not allowed; use `not`.")
        return self.folded(node, fn) if c is not None else (_fresh(fn), None)

    def binop(self, node: ast.BinOp) -> tuple[_Fn, float | None]:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.fail(
                node,
                "only + - * / ** are allowed between terms "
                "(no //, %, @, bitwise operators; use `and`/`or` for logic).",
            )
        symbol, ufunc = op
        left, lc = self.visit(node.left)
        right, rc = self.visit(node.right)
        if symbol == "**":
            if rc is None:
                pass  # a data-dependent exponent: overflow shows up as inf, reported by the SCM
            elif abs(rc) > MAX_EXPONENT:
                raise self.fail(
                    node, f"the exponent {rc:g} is too large (at most {MAX_EXPONENT:g})."
                )
        if lc is not None and rc is not None:
            return self.folded(node, lambda ctx: ufunc(np.float64(lc), np.float64(rc)))
        if symbol == "**" and rc is None:

            def power(ctx: _Ctx) -> Any:
                out = np.power(np.asarray(left(ctx), dtype=float), right(ctx))
                _tick(ctx)
                return out

            return _fresh(power), None
        # Reuse a temporary operand as the output: fewer large allocations per row batch.
        # The clock is read after each step (``_tick``): a few ns against a vectorised op.
        if _is_fresh(left):

            def fn(ctx: _Ctx) -> Any:
                a = left(ctx)
                out = ufunc(a, right(ctx), out=a)
                _tick(ctx)
                return out

        elif _is_fresh(right):

            def fn(ctx: _Ctx) -> Any:
                a = left(ctx)
                b = right(ctx)
                out = ufunc(a, b, out=b)
                _tick(ctx)
                return out

        else:

            def fn(ctx: _Ctx) -> Any:
                out = ufunc(left(ctx), right(ctx))
                _tick(ctx)
                return out

        return _fresh(fn), None

    def compare(self, node: ast.Compare) -> tuple[_Fn, float | None]:
        parts = [self.visit(node.left)]
        ops = []
        for op, comp in zip(node.ops, node.comparators, strict=True):
            ufunc = _CMPOPS.get(type(op))
            if ufunc is None:
                raise self.fail(node, "only < <= > >= == != comparisons are allowed.")
            ops.append(ufunc)
            parts.append(self.visit(comp))
        fns = [p[0] for p in parts]

        def fn(ctx: _Ctx) -> Any:
            values = [f(ctx) for f in fns]
            out = ops[0](values[0], values[1])
            for i in range(1, len(ops)):
                out = np.logical_and(out, ops[i](values[i], values[i + 1]))
            _tick(ctx)
            return np.asarray(out, dtype=float)

        if all(p[1] is not None for p in parts):
            return self.folded(node, fn)
        return _fresh(fn), None

    def boolop(self, node: ast.BoolOp) -> tuple[_Fn, float | None]:
        parts = [self.visit(v) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        fns = [p[0] for p in parts]

        def fn(ctx: _Ctx) -> Any:
            out = np.asarray(fns[0](ctx)) != 0
            for f in fns[1:]:
                out = combine(out, np.asarray(f(ctx)) != 0)
            _tick(ctx)
            return np.asarray(out, dtype=float)

        if all(p[1] is not None for p in parts):
            return self.folded(node, fn)
        return _fresh(fn), None

    def bind_args(
        self, node: ast.Call, fname: str, params: tuple[str, ...], defaults: tuple[float, ...]
    ) -> list[tuple[_Fn, float | None]]:
        if len(node.args) > len(params):
            raise self.fail(
                node,
                f"`{fname}` takes at most {len(params)} arguments: {fname}({', '.join(params)}).",
            )
        bound: dict[str, tuple[_Fn, float | None]] = {}
        for pname, arg in zip(params, node.args, strict=False):
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "`*` unpacking is not allowed.")
            bound[pname] = self.visit(arg)
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in params:
                raise self.fail(
                    node,
                    f"`{fname}` has no argument `{kw.arg}`; it takes {fname}({', '.join(params)}).",
                )
            if kw.arg in bound:
                raise self.fail(node, f"`{kw.arg}` is given twice.")
            bound[kw.arg] = self.visit(kw.value)
        n_required = len(params) - len(defaults)
        out = []
        for i, pname in enumerate(params):
            if pname in bound:
                out.append(bound[pname])
            elif i >= n_required:
                out.append(self.const(defaults[i - n_required]))
            else:
                raise self.fail(
                    node, f"`{fname}` needs the argument `{pname}`: {fname}({', '.join(params)})."
                )
        return out

    def call(self, node: ast.Call) -> tuple[_Fn, float | None]:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only the listed functions can be called, by name.")
        fname = node.func.id
        if fname in NOISE:
            return self.noise_call(node, fname)
        spec = FUNCTIONS.get(fname)
        if spec is None:
            hint = did_you_mean(fname, [*FUNCTIONS, *NOISE])
            raise self.fail(
                node, f"unknown function `{fname}`{hint or '.'}", allowed_summary(self.names)
            )
        args = self.bind_args(node, fname, spec.params, spec.defaults)
        fns = [a[0] for a in args]
        impl = spec.impl

        def fn(ctx: _Ctx) -> Any:
            out = impl(*[f(ctx) for f in fns])
            _tick(ctx)
            return out

        if all(a[1] is not None for a in args):
            return self.folded(node, fn)
        return _fresh(fn), None

    def noise_call(self, node: ast.Call, fname: str) -> tuple[_Fn, None]:
        spec = NOISE[fname]
        args = self.bind_args(node, fname, spec.params, spec.defaults)
        fns = [a[0] for a in args]
        consts = [a[1] for a in args]
        if all(c is not None for c in consts):
            problem = spec.check(*consts)
            if problem:
                raise self.fail(node, problem + ".")
        self.has_noise = True
        snippet = _snippet(self.text, node)

        def fn(ctx: _Ctx) -> Any:
            # + 0.0 turns a -0.0 (e.g. `x * 0` where x < 0) into 0.0, which numpy's
            # samplers would read as a negative scale
            values = [f(ctx) + 0.0 for f in fns]
            if not all(np.all(np.isfinite(v)) for v in values):
                raise ExpressionError(
                    f"`{snippet}`: a parameter is not a finite number in some rows."
                )
            problem = spec.check(*values)
            if problem:
                raise ExpressionError(f"`{snippet}`: {problem} in some rows.")
            draw = spec.draw(ctx.rng, ctx.n, *values)
            if ctx.noise_scale != 1.0:
                if spec.rescale is None:
                    raise ExpressionError(
                        f"`{snippet}`: a {fname} draw gives 0/1 values or counts, so its "
                        f"noise cannot be scaled; replace the mechanism instead."
                    )
                draw = spec.rescale(draw, ctx.noise_scale, *values)
            _tick(ctx)
            return draw

        return _fresh(fn), None


@dataclass(frozen=True)
class CompiledEquation:
    """An equation checked against the allow-list and compiled once.

    Attributes
    ----------
    text : str
        The equation as typed (stripped).
    names : frozenset of str
        The model names the equation reads (its parents in the graph).
    has_noise : bool
        Whether it draws noise.
    constant : float or None
        The value when the equation is a constant (no names, no noise).
    cost : float
        Work per row, in additions (see :data:`MAX_WORK`).
    temporaries : int
        Most row-long arrays the evaluation holds at once, its output included
        (see :data:`MAX_EVAL_BYTES`).
    """

    text: str
    names: frozenset[str]
    has_noise: bool
    constant: float | None
    _fn: _Fn = field(repr=False, compare=False)
    cost: float = 0.0
    temporaries: int = 1

    def check_budget(self, n: int, conversions: int = 0) -> None:
        """Refuse, before any work, an evaluation on ``n`` rows over the limits.

        Parameters
        ----------
        n : int
            Number of rows.
        conversions : int
            Inputs that must be copied to float64 first (extra temporaries).

        Raises
        ------
        ExpressionError
            When ``cost × n`` exceeds :data:`MAX_WORK` or the temporaries
            exceed :data:`MAX_EVAL_BYTES`, saying what to do instead.
        """
        work = self.cost * n
        if work > MAX_WORK:
            most = max(int(MAX_WORK // max(self.cost, 1e-9)), 0)
            raise ExpressionError(
                f"`{code_text(self.text, None)}` is too much work for {n:,} rows (about {work:.2g} "
                f"steps; at most {MAX_WORK:.2g} per equation). Use at most {most:,} rows, "
                "or split the equation over several nodes."
            )
        needed = (self.temporaries + conversions) * n * 8
        if needed > MAX_EVAL_BYTES:
            raise ExpressionError(
                f"`{code_text(self.text, None)}` would need about {needed / 2**20:,.0f} MB of working "
                f"memory for {n:,} rows (at most {MAX_EVAL_BYTES / 2**20:,.0f} MB per "
                "equation). Use fewer rows, or nest fewer calls by splitting the equation "
                "over several nodes."
            )

    def evaluate(
        self,
        env: Mapping[str, np.ndarray],
        n: int,
        rng: np.random.Generator | None = None,
        noise_scale: float = 1.0,
    ) -> np.ndarray:
        """Evaluate on ``n`` rows.

        Parameters
        ----------
        env : mapping of str to ndarray
            A float64 array of length ``n`` for every name in :attr:`names`.
        n : int
            Number of rows.
        rng : numpy.random.Generator, optional
            Source of every noise draw (``default_rng(0)`` when omitted).
        noise_scale : float
            Multiplies each noise draw's deviation from its mean (1 leaves it).

        Returns
        -------
        numpy.ndarray
            Float64 values, one per row. Overflow gives ``inf`` and invalid
            operations ``nan``; the caller checks and reports them.

        Raises
        ------
        ExpressionError
            When a value is missing or invalid (e.g. a negative spread), when
            the evaluation would exceed :data:`MAX_WORK` or
            :data:`MAX_EVAL_BYTES` (refused before it starts), or when it runs
            more than :data:`MAX_EVAL_SECONDS` of CPU time.
        """
        missing = [k for k in sorted(self.names) if k not in env]
        if missing:
            raise ExpressionError(
                f"`{code_text(self.text, None)}` needs a value for {missing[0]!r}."
            )
        conversions = sum(1 for k in self.names if getattr(env[k], "dtype", None) != np.float64)
        self.check_budget(n, conversions)
        inputs = {k: np.asarray(env[k], dtype=np.float64) for k in self.names}
        ctx = _Ctx(
            inputs,
            n,
            rng if rng is not None else np.random.default_rng(0),
            noise_scale,
            time.thread_time() + MAX_EVAL_SECONDS,
        )
        with np.errstate(all="ignore"):
            try:
                out = self._fn(ctx)
            except ExpressionError:
                raise
            except _TooSlow:
                raise ExpressionError(
                    f"`{code_text(self.text, None)}` took longer than {MAX_EVAL_SECONDS:g} s of computing "
                    f"on {n:,} rows and was stopped. Use fewer rows or a simpler equation."
                ) from None
            except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
                raise ExpressionError(
                    f"`{code_text(self.text, None)}` could not be evaluated: {exc}"
                ) from None
        arr = np.asarray(out, dtype=np.float64)
        if arr.ndim == 0:
            return np.full(n, float(arr))
        if not _is_fresh(self._fn) and any(np.shares_memory(arr, v) for v in inputs.values()):
            arr = arr.copy()  # e.g. the equation `x`: never hand back a parent's column
        return arr


def compile_equation(text: str, names: Iterable[str] = ()) -> CompiledEquation:
    """Check an equation against the allow-list and compile it.

    Parameters
    ----------
    text : str
        The equation, e.g. ``"0.01 * dose + normal(0, 0.5)"``.
    names : iterable of str
        The names it may use (the other nodes of the model).

    Returns
    -------
    CompiledEquation

    Raises
    ------
    ExpressionError
        For anything outside the allow-list, with the character, the offending
        piece, and what is allowed.

    Examples
    --------
    >>> eq = compile_equation("2 * x + 1", names=["x"])
    >>> eq.evaluate({"x": np.array([0.0, 1.0])}, n=2).tolist()
    [1.0, 3.0]
    """
    if not isinstance(text, str):
        raise ExpressionError("an equation must be text.")
    names = list(names)
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("the equation is empty: write e.g. `normal(0, 1)` or `2 * x + 1`.")
    if len(stripped) > MAX_LENGTH:
        raise ExpressionError(
            f"the equation is {len(stripped)} characters long; at most {MAX_LENGTH} are allowed."
        )
    if "#" in stripped:
        raise ExpressionError(
            f"character {stripped.index('#') + 1}: comments (`#`) are not allowed in an equation; "
            "put notes in the node's description.",
            column=stripped.index("#") + 1,
        )
    bad = next((i for i, ch in enumerate(stripped) if ord(ch) < 32 and ch not in "\t\n\r"), None)
    if bad is not None:
        raise ExpressionError(
            f"character {bad + 1}: this is not a valid equation: it contains a control "
            "character that is not allowed (a NUL or similar); retype that part.",
            column=bad + 1,
        )
    if "\n" in stripped or "\r" in stripped:
        stripped = " ".join(stripped.split())
    try:
        with warnings.catch_warnings():  # e.g. "1if": the compiler's own error says more
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        col = f"character {exc.offset}: " if exc.offset else "at the end: "
        msg = (exc.msg or "invalid syntax").replace(
            "invalid syntax", "this is not a valid equation"
        )
        raise ExpressionError(
            f"{col}{msg} (check for a missing operand, an unbalanced bracket or a stray symbol).",
            column=exc.offset or None,
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the equation is nested too deeply (more than {MAX_DEPTH} levels)."
        ) from None
    except ValueError:  # e.g. a NUL character
        raise ExpressionError(
            "this is not a valid equation: it contains a character that is not allowed."
        ) from None
    _check_shape(tree)
    compiler = _Compiler(stripped, names)
    try:
        fn, const = compiler.visit(tree.body)
    except RecursionError:  # pragma: no cover - _check_shape bounds the depth
        raise ExpressionError("the equation is nested too deeply.") from None
    cost, temporaries = _budget(tree.body, compiler.constant_ids)
    return CompiledEquation(
        text=stripped,
        names=frozenset(compiler.used),
        has_noise=compiler.has_noise,
        constant=const,
        _fn=fn,
        cost=cost,
        temporaries=temporaries,
    )

"""Property-based tests: whatever is typed, the compiler stays inside its allow-list.

Two generators: *token soups* (names, numbers, operators, allowed and forbidden
functions, dunder attributes, brackets, lambda, quotes, control characters...)
that are mostly nonsense, and *well-formed equations* from the allowed grammar
that mostly compile. For both, the only error that may come out is
:class:`~lib.errors.ExpressionError`; a compiled equation reads only allowed
names and calls only allowed functions; evaluating it on a few rows gives one
float64 per row or an ``ExpressionError``, and sampling a model built on it gives
a table or a ``ScenarioError`` (non-finite values) from ``lib``.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.errors import ExpressionError, ScenarioError
from lib.world.expressions import CONSTANTS, FUNCTIONS, NOISE, CompiledEquation, compile_equation
from lib.world.scm import SCM

NAMES = ("x", "y", "dopamine")
N_ROWS = 7
BOUNDED = settings(
    max_examples=400,
    deadline=500,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure is reproducible
)

ALLOWED_CALLS = set(FUNCTIONS) | set(NOISE)
ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.UnaryOp,
    ast.BinOp,
    ast.Compare,
    ast.BoolOp,
    ast.Call,
    ast.keyword,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
)

TOKENS = [
    # names the model has, near misses, and names it must never reach
    *NAMES,
    "dopmine",
    "z",
    "pi",
    "e",
    "True",
    "None",
    "__import__",
    "__class__",
    "__bases__",
    "__dict__",
    "__subclasses__",
    "__globals__",
    "__builtins__",
    "os",
    "sys",
    "self",
    # numbers, including ones that overflow
    "0",
    "1",
    "2.5",
    "1e308",
    "1e-320",
    "10",
    "400",
    "9",
    "0x10",
    "1_000",
    "1j",
    "inf",
    "nan",
    # operators allowed and not
    "+",
    "-",
    "*",
    "/",
    "**",
    "//",
    "%",
    "@",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "~",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    ":=",
    "=",
    "is",
    "in",
    # functions allowed and not
    *sorted(FUNCTIONS),
    *sorted(NOISE),
    "open",
    "eval",
    "exec",
    "getattr",
    "globals",
    "compile",
    "print",
    "type",
    "lambda",
    "yield",
    "await",
    "import",
    "from",
    "for",
    "if",
    "else",
    "async",
    # punctuation and quoting
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "...",
    "'",
    '"',
    "'''",
    "f'",
    "b'",
    "#",
    "\\",
    "\n",
    "\t",
    "\x00",
    "`",
    "$",
    "?",
    "!",
    "é",
    "€",
]

soups = st.lists(st.sampled_from(TOKENS), min_size=0, max_size=40).flatmap(
    lambda toks: st.lists(st.sampled_from(["", " "]), min_size=len(toks), max_size=len(toks)).map(
        lambda seps: "".join(t + s for t, s in zip(toks, seps, strict=True))
    )
)


numbers = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "1", "0.5", "2", "1e-3", "1e3"]),
)
leaves = st.one_of(st.sampled_from(NAMES), numbers, st.sampled_from(["pi", "e"]))


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binop = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    # `not` binds looser than arithmetic (Python reads `a + not b` as an error), so a
    # well-formed equation puts brackets around the whole `not (...)`
    unary = st.tuples(st.sampled_from(["-", "+", "not "]), children).map(
        lambda t: f"({t[0]}({t[1]}))" if t[0] == "not " else f"{t[0]}({t[1]})"
    )
    compare = st.tuples(
        children, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), children
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    boolop = st.tuples(children, st.sampled_from(["and", "or"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    calls = [
        st.lists(children, min_size=len(spec.params), max_size=len(spec.params)).map(
            lambda args, name=name: f"{name}({', '.join(args)})"
        )
        for name, spec in {**FUNCTIONS, **NOISE}.items()
    ]
    # noise with its default parameters, e.g. normal()
    defaults = st.sampled_from([f"{name}()" for name in NOISE])
    return st.one_of(binop, unary, compare, boolop, defaults, *calls)


equations = st.recursive(leaves, _grow, max_leaves=12)


def _only_allowed_pieces(eq: CompiledEquation) -> None:
    assert eq.names <= set(NAMES)
    tree = ast.parse(eq.text, mode="eval")
    for node in ast.walk(tree):
        assert isinstance(node, ALLOWED_NODES), type(node).__name__
        if isinstance(node, ast.Name):
            assert node.id in set(NAMES) | ALLOWED_CALLS | set(CONSTANTS), node.id
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in ALLOWED_CALLS
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float, bool), repr(node.value)


def _env(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.normal(0.0, 3.0, N_ROWS) for name in NAMES}


def _compile_and_run(text: str, seed: int) -> CompiledEquation | None:
    try:
        eq = compile_equation(text, NAMES)
    except ExpressionError as exc:
        assert str(exc)  # a message a student can read
        return None
    _only_allowed_pieces(eq)
    env = _env(seed)
    before = {k: v.copy() for k, v in env.items()}
    try:
        out = eq.evaluate(env, N_ROWS, np.random.default_rng(seed))
    except ExpressionError as exc:
        assert str(exc)
    else:
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64 and out.shape == (N_ROWS,)
    for k, v in env.items():
        np.testing.assert_array_equal(v, before[k])  # inputs are never written to
    return eq


@BOUNDED
@given(soups, st.integers(0, 2**32 - 1))
def test_token_soups_compile_within_the_allow_list_or_raise_expression_error(
    text: str, seed: int
) -> None:
    _compile_and_run(text, seed)


@BOUNDED
@given(st.text(max_size=60), st.integers(0, 2**32 - 1))
def test_arbitrary_text_only_ever_raises_expression_error(text: str, seed: int) -> None:
    _compile_and_run(text, seed)


#: The only reasons a well-formed equation may be refused: a function's domain
#: (``log(-1)``, ``sqrt(-2)``, a probability outside 0..1, ``uniform(1, 0)``), a value
#: that is not finite, or an exponent beyond the limit. Anything else (an unknown
#: name, a construct "not allowed") would be the compiler refusing valid input.
_LEGITIMATE = re.compile(
    r"must be (≥ 0|> 0|between 0 and 1)|not a finite number|exponent .* is too large"
    r"|could not be evaluated: high - low < 0"
)


@BOUNDED
@given(equations, st.integers(0, 2**32 - 1))
def test_well_formed_equations_evaluate_to_one_float_per_row(text: str, seed: int) -> None:
    try:
        eq = compile_equation(text, NAMES)
    except ExpressionError as exc:
        assert _LEGITIMATE.search(exc.message), exc.message
        return
    _only_allowed_pieces(eq)
    try:
        out = eq.evaluate(_env(seed), N_ROWS, np.random.default_rng(seed))
    except ExpressionError as exc:
        assert _LEGITIMATE.search(exc.message), exc.message
        return
    assert out.dtype == np.float64 and out.shape == (N_ROWS,)


@pytest.mark.parametrize(
    "text",
    [
        "2 * x + 1",
        "x ** 2 - y / 3",
        "exp(-abs(x)) + normal(0, 1)",
        "where(x > 0, x, 0) + uniform(-1, 1)",
        "sigmoid(x) * 10 + bernoulli(0.3)",
        "sqrt(abs(y)) + log(1 + x ** 2)",
        "(x > 1) and (y < 2) or not (dopamine == 0)",
        "-(x) + +(y) * pi - e",
        "tanh(dopamine) * 2 + normal()",
        "maximum(x, y) - minimum(x, 0.5)",
    ],
)
def test_these_well_formed_equations_evaluate_to_finite_floats(text: str) -> None:
    """No error at all: the property test above must not pass by raising."""
    out = compile_equation(text, NAMES).evaluate(_env(0), N_ROWS, np.random.default_rng(0))
    assert out.dtype == np.float64 and out.shape == (N_ROWS,) and np.isfinite(out).all()


@settings(max_examples=150, deadline=1000, derandomize=True)
@given(equations, st.integers(0, 2**16))
def test_models_built_on_random_equations_sample_or_say_why(text: str, seed: int) -> None:
    try:
        compile_equation(text, ["x", "y"])
    except ExpressionError:
        return
    spec = {
        "nodes": {
            "x": "normal(0, 1)",
            "y": "uniform(-2, 2) + x",
            "dopamine": text.replace("dopamine", "x"),
        }
    }
    try:
        scm = SCM.from_dict(spec)
        df = scm.sample(N_ROWS, seed=seed)
    except (ScenarioError, ExpressionError) as exc:
        assert str(exc)
        return
    assert list(df.columns) == list(scm.nodes) and len(df) == N_ROWS
    assert np.isfinite(df.to_numpy()).all()  # non-finite values are reported, never returned


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(["(", "-", "not ", "exp(", "where(x, x, "]), min_size=1, max_size=5),
    st.integers(1, 400),
)
def test_deep_or_long_inputs_never_leak_recursion_or_memory_errors(
    openers: list[str], repeat: int
) -> None:
    text = "".join(openers) * repeat + "x"
    text += ")" * sum(o.count("(") for o in openers) * repeat
    try:
        eq = compile_equation(text, NAMES)
    except ExpressionError:
        return
    _only_allowed_pieces(eq)
    out = eq.evaluate(_env(0), N_ROWS)
    assert out.shape == (N_ROWS,)

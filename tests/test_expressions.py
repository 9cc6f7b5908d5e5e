"""The equation compiler: the allow-list holds, errors say what to do."""

from __future__ import annotations

import ast
from dataclasses import replace

import numpy as np
import pytest

from lib.world import expressions
from lib.world.expressions import (
    FUNCTIONS,
    MAX_LENGTH,
    NOISE,
    CompiledEquation,
    ExpressionError,
    compile_equation,
)

NAMES = ["x", "dopamine", "dose"]

# ../shared/bad-inputs.md §Equations: rejected before anything runs
ATTACKS = [
    "__import__('os').system('id')",
    "().__class__.__bases__",
    "x.__dict__",
    "open('f')",
    "lambda: 1",
    "[i for i in x]",
    "x[0]",
    "x.real",
    "9**9**9",
    "x ** 1e6",
    "10 ** 400",
    "(" * 201 + "x" + ")" * 201,
    "-" * 100_000 + "x",
    " + ".join(["x"] * 100_000),
    "x" * 10_000,
    "exec('1')",
    "eval('1')",
    "getattr(x, 'real')",
    "globals()",
    "x if x else 1",
    "{'a': 1}",
    "'text'",
    "f'{x}'",
    "x @ x",
    "x // 2",
    "x % 2",
    "~x",
    "x := 1",
    "1j",
    "normal(0, 1)(2)",
    "(x for x in x)",
    "x; x",
    "import os",
]


#: Which check refuses each attack. Each is one of the checks that run before any
#: value is computed (length, nesting, the allow-list, the exponent's size), so an
#: attack costs the server no more than reading it.
REFUSED_BY = {
    "9**9**9": "the exponent 3.8742e+08 is too large",
    "x ** 1e6": "the exponent 1e+06 is too large",
    "10 ** 400": "the exponent 400 is too large",
    "(" * 201 + "x" + ")" * 201: "too many nested parentheses",
    "-" * 100_000 + "x": "characters long; at most 1000",
    " + ".join(["x"] * 100_000): "characters long; at most 1000",
    "x" * 10_000: "characters long; at most 1000",
    "x := 1": "not a valid equation",
    "x; x": "not a valid equation",
    "import os": "not a valid equation",
}


@pytest.mark.parametrize("text", ATTACKS, ids=lambda t: t[:30])
def test_attacks_are_refused_before_anything_is_computed(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    folded: list[str] = []
    fold = expressions._Compiler.folded

    def counting_fold(self, node, fn):  # noqa: ANN001, ANN202 - the compiler's own types
        folded.append(ast.unparse(node))
        return fold(self, node, fn)

    monkeypatch.setattr(expressions._Compiler, "folded", counting_fold)
    with pytest.raises(ExpressionError) as refused:
        compile_equation(text, NAMES)
    message = str(refused.value)
    expected = REFUSED_BY.get(text)
    if expected is None:  # the allow-list: the message says what is allowed instead
        assert "not allowed" in message or "only" in message or "unknown" in message, message
    else:
        assert expected in message, message
    # At most the inner 9 ** 9 of 9 ** 9 ** 9 is worked out (in float64, once): the
    # outer power is refused by the size of that exponent, never computed.
    assert folded in ([], ["9 ** 9"]), folded


@pytest.mark.parametrize("length", [MAX_LENGTH + 1, 100 * MAX_LENGTH])
def test_an_overlong_equation_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch, length: int
) -> None:
    parsed: list[str] = []
    parse = ast.parse

    def counting_parse(source, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        parsed.append(source)
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(expressions.ast, "parse", counting_parse)
    text = ("x + " * length)[: length - 1] + "x"
    assert len(text) == length
    with pytest.raises(ExpressionError, match=f"{length} characters long"):
        compile_equation(text, ["x"])
    assert parsed == []
    compile_equation("x + 1", ["x"])  # a short one is parsed once
    assert parsed == ["x + 1"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("dopmine + 1", "did you mean `dopamine`"),
        ("exq(x)", "did you mean `exp`"),
        ("normall(0, 1)", "did you mean `normal`"),
        ("y + 1", "unknown name `y`"),
        ("", "empty"),
        ("   ", "empty"),
        ("x +", "at the end"),
        ("(x + 1", "character 1"),
        ("x * * 2", "character 5"),
        ("x.real", "attribute access"),
        ("x[0]", "indexing"),
        ("normal(0, -1)", "`sd` must be ≥ 0"),
        ("bernoulli(2)", "between 0 and 1"),
        ("normal(0, 1, 2)", "at most 2 arguments"),
        ("clip(x)", "needs the argument `low`"),
        ("normal(0, scale=1)", "has no argument `scale`"),
        ("1/0", "not a finite number"),
        ("log(0)", "not a finite number"),
        ("exp", "is a function"),
    ],
)
def test_errors_point_at_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError, match=None) as info:
        compile_equation(text, NAMES)
    assert fragment in str(info.value)


def test_unknown_name_lists_what_is_allowed() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_equation("foo * 2", NAMES)
    msg = str(info.value)
    for name in NAMES:
        assert f"`{name}`" in msg
    assert "normal" in msg and "sqrt" in msg


def test_arithmetic_matches_numpy() -> None:
    x = np.linspace(-3, 3, 101)
    env = {"x": x}
    cases = {
        "2 * x + 1": 2 * x + 1,
        "-x ** 2": -(x**2),
        "x / 4 - 3": x / 4 - 3,
        "exp(x) + log(abs(x) + 1)": np.exp(x) + np.log(np.abs(x) + 1),
        "sigmoid(x)": 1 / (1 + np.exp(-x)),
        "clip(x, -1, 1)": np.clip(x, -1, 1),
        "minimum(x, 0) + maximum(x, 1)": np.minimum(x, 0) + np.maximum(x, 1),
        "where(x > 0, x, 0)": np.where(x > 0, x, 0),
        "x > 0 and x < 2": ((x > 0) & (x < 2)).astype(float),
        "-1 < x <= 1": ((x > -1) & (x <= 1)).astype(float),
        "not x > 0": (~(x > 0)).astype(float),
        "tanh(x) * pi": np.tanh(x) * np.pi,
        "3": np.full_like(x, 3.0),
    }
    for text, expected in cases.items():
        got = compile_equation(text, ["x"]).evaluate(env, len(x))
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, err_msg=text)


def test_names_used_are_the_parents() -> None:
    eq = compile_equation("0.01 * dose + normal(0, 0.5)", NAMES)
    assert eq.names == frozenset({"dose"})
    assert eq.has_noise
    assert compile_equation("2 * 3", NAMES).constant == 6.0


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    ("text", "mean", "var"),
    [
        ("normal(2, 3)", 2.0, 9.0),
        ("uniform(-1, 3)", 1.0, 16 / 12),
        ("bernoulli(0.3)", 0.3, 0.21),
        ("exponential(2)", 2.0, 4.0),
        ("laplace(1, 2)", 1.0, 8.0),
        ("poisson(4)", 4.0, 4.0),
        ("lognormal(0, 0.5)", np.exp(0.125), (np.exp(0.25) - 1) * np.exp(0.25)),
    ],
)
def test_noise_draws_have_the_right_moments(text: str, mean: float, var: float, seed: int) -> None:
    n = 400_000
    draws = compile_equation(text).evaluate({}, n, np.random.default_rng(seed))
    assert abs(draws.mean() - mean) < 5 * np.sqrt(var / n)
    assert abs(draws.var() - var) < 0.03 * var


def test_noise_scale_keeps_the_mean_and_scales_the_spread() -> None:
    eq = compile_equation("uniform(0, 2) + normal(5, 1)")
    base = eq.evaluate({}, 200_000, np.random.default_rng(0))
    wide = eq.evaluate({}, 200_000, np.random.default_rng(0), noise_scale=3.0)
    assert abs(wide.mean() - base.mean()) < 0.05
    np.testing.assert_allclose(wide - 6.0, 3.0 * (base - 6.0), atol=1e-9)


def test_noise_with_array_parameters() -> None:
    x = np.array([0.0, 1.0] * 50_000)
    draws = compile_equation("bernoulli(x)", ["x"]).evaluate({"x": x}, x.size)
    np.testing.assert_array_equal(draws[x == 0], 0.0)
    np.testing.assert_array_equal(draws[x == 1], 1.0)
    with pytest.raises(ExpressionError, match="`sd` must be ≥ 0"):
        compile_equation("normal(0, x - 0.5)", ["x"]).evaluate({"x": x}, x.size)


def test_data_dependent_overflow_becomes_inf_not_an_exception() -> None:
    out = compile_equation("2 ** x", ["x"]).evaluate({"x": np.array([1.0, 5000.0])}, 2)
    assert out[0] == 2.0 and np.isinf(out[1])


def test_function_tables_are_fixed() -> None:
    assert {"exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "clip"} <= set(FUNCTIONS)
    assert {"minimum", "maximum", "where"} <= set(FUNCTIONS)
    assert {"normal", "uniform", "bernoulli"} <= set(NOISE)
    assert not any(name.startswith("_") for name in [*FUNCTIONS, *NOISE])


def test_non_text_is_rejected() -> None:
    with pytest.raises(ExpressionError):
        compile_equation(42, NAMES)  # type: ignore[arg-type]


def test_comments_are_refused_not_silently_cut() -> None:
    text = "0.01 * dose  # effect\n + normal(0, 5)"
    with pytest.raises(ExpressionError, match="character 14: comments"):
        compile_equation(text, NAMES)


def test_offending_pieces_cannot_break_out_of_markdown_code() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_equation("'`[x](https://example.org)`'", NAMES)
    assert "`[x]" not in str(info.value) and "'[x](" in str(info.value)


def test_long_ordinary_sums_pass_and_caps_still_bite() -> None:
    names = [f"x{i}" for i in range(60)]
    text = " + ".join(f"0.5 * {n}" for n in names)  # 60 terms, ~600 characters
    eq = compile_equation(text, names)
    env = {n: np.ones(3) for n in names}
    np.testing.assert_allclose(eq.evaluate(env, 3), 30.0)
    with pytest.raises(ExpressionError, match="too long: more than"):
        compile_equation("+".join(["1"] * 350), [])
    with pytest.raises(ExpressionError, match="nested too deeply"):
        compile_equation("-" * 150 + "x", ["x"])
    with pytest.raises(ExpressionError, match="nested too deeply"):
        compile_equation("exp(" * 120 + "x" + ")" * 120, ["x"])


ALIASING = [
    "x",
    "+x",
    "-x",
    "--x",
    "-(-x)",
    "x * 1",
    "abs(x)",
    "where(x > 0, x, y)",
    "where(x > 0, -x, -y)",
    "clip(x, -1, 1)",
    "minimum(x, y)",
    "maximum(-x, y) + x",
    "x > y",
    "not x",
    "sigmoid(x) * y",
    "exp(x) - y",
    "x ** 2 + y",
    "2 ** x",
    "normal(x, 0) + y",
    "-normal(x, 1)",
    "x and y",
    "round(x) + sign(y)",
]


@pytest.mark.parametrize("text", ALIASING)
@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_evaluate_never_changes_or_returns_its_inputs(text: str, scale: float) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    env = {"x": x.copy(), "y": y.copy()}
    out = compile_equation(text, ["x", "y"]).evaluate(env, 50, np.random.default_rng(1), scale)
    np.testing.assert_array_equal(env["x"], x)
    np.testing.assert_array_equal(env["y"], y)
    out += 1.0  # the caller may write into the result
    np.testing.assert_array_equal(env["x"], x)
    np.testing.assert_array_equal(env["y"], y)


def test_integer_and_float32_inputs_are_computed_in_float64() -> None:
    eq = compile_equation("abs(x) * 1e39", ["x"])
    out = eq.evaluate({"x": np.array([0, 1, 2], dtype=np.float32)}, 3)
    np.testing.assert_allclose(out, [0.0, 1e39, 2e39])
    out = compile_equation("x / 2", ["x"]).evaluate({"x": np.array([1, 2, 3])}, 3)
    np.testing.assert_allclose(out, [0.5, 1.0, 1.5])


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("exponential(2)", lambda d: d.min() >= 0 and abs(d.mean() - 6.0) < 0.1),
        ("lognormal(0, 0.5)", lambda d: d.min() > 0 and abs(np.log(d).std() - 1.5) < 0.02),
        ("laplace(1, 2)", lambda d: abs(d.mean() - 1.0) < 0.1 and abs(d.std() - 3 * 2**1.5) < 0.2),
        ("student_t(5)", lambda d: abs(d.mean()) < 0.05),
    ],
)
def test_noise_scaling_keeps_each_family_in_its_support(text: str, check) -> None:
    draws = compile_equation(text).evaluate({}, 200_000, np.random.default_rng(0), 3.0)
    assert check(draws)


@pytest.mark.parametrize("text", ["bernoulli(0.5)", "poisson(2)"])
def test_noise_of_01_or_count_draws_cannot_be_scaled(text: str) -> None:
    eq = compile_equation(text)
    assert eq.evaluate({}, 10, np.random.default_rng(0)).min() >= 0
    with pytest.raises(ExpressionError, match="cannot be scaled"):
        eq.evaluate({}, 10, np.random.default_rng(0), 2.0)


# -- evaluation limits: a hostile equation cannot stall the server -----------------
def test_null_characters_are_an_expression_error_not_a_depth_error() -> None:
    with pytest.raises(ExpressionError, match="character that is not allowed"):
        compile_equation("x +\x00 1", NAMES)


def with_step_counter(eq: CompiledEquation) -> tuple[CompiledEquation, list[int]]:
    """``eq`` whose compiled steps count how often they start (in the returned list)."""
    started: list[int] = []
    inner = eq._fn

    def counting(ctx):  # noqa: ANN001, ANN202 - the compiler's own types
        started.append(ctx.n)
        return inner(ctx)

    return replace(eq, _fn=counting), started


def test_heavy_work_is_refused_before_it_starts() -> None:
    # 100 nested sines on 5 million rows: about 1.25e10 steps, over the work budget
    eq, started = with_step_counter(compile_equation("sin(" * 99 + "x" + ")" * 99, ["x"]))
    assert eq.cost * 5_000_000 > expressions.MAX_WORK
    with pytest.raises(ExpressionError, match="too much work for 5,000,000 rows"):
        eq.evaluate({"x": np.zeros(1)}, 5_000_000)  # refused before the input is read
    assert started == []  # nothing ran
    most = int(expressions.MAX_WORK // eq.cost)
    with pytest.raises(ExpressionError, match=f"Use at most {most:,} rows"):
        eq.evaluate({"x": np.zeros(1)}, most + 1)
    assert started == []
    assert eq.evaluate({"x": np.zeros(10)}, 10).shape == (10,)  # small samples still run
    assert started == [10]


def test_memory_hungry_nesting_is_refused_before_it_allocates() -> None:
    # each nested `where` holds two row-long arrays while the inner one runs
    text = "where(x > 0, -x, " * 40 + "x" + ")" * 40
    eq = compile_equation(text, ["x"])
    assert eq.temporaries > 40
    with pytest.raises(ExpressionError, match="MB of working memory"):
        eq.evaluate({"x": np.zeros(1)}, 2_000_000)
    rng = np.random.default_rng(0)
    assert np.isfinite(eq.evaluate({"x": rng.normal(size=100)}, 100, rng)).all()


def test_budget_counts_chains_once_and_constants_not_at_all() -> None:
    long_sum = compile_equation(
        " + ".join(f"x{i}" for i in range(120)), [f"x{i}" for i in range(120)]
    )
    assert long_sum.temporaries <= 3 and long_sum.cost == 119
    folded = compile_equation("x + (2 * 3 + exp(1) - 4 ** 2)", ["x"])
    assert folded.cost == 1
    assert compile_equation("normal(0, 1)").cost > compile_equation("x + 1", ["x"]).cost


def test_limits_are_module_constants_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    eq = compile_equation("2 * x + normal(0, 1)", ["x"])
    env = {"x": np.ones(1000)}
    eq.evaluate(env, 1000)
    monkeypatch.setattr(expressions, "MAX_WORK", eq.cost * 999)
    with pytest.raises(ExpressionError, match="at most 999 rows"):
        eq.evaluate(env, 1000)
    monkeypatch.undo()
    monkeypatch.setattr(expressions, "MAX_EVAL_BYTES", 8 * 1000)
    with pytest.raises(ExpressionError, match="working memory"):
        eq.evaluate(env, 1000)


def test_integer_inputs_count_their_float_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    eq = compile_equation("x + 1", ["x"])
    monkeypatch.setattr(expressions, "MAX_EVAL_BYTES", 8 * 100 * eq.temporaries)
    assert eq.evaluate({"x": np.ones(100)}, 100).dtype == np.float64
    with pytest.raises(ExpressionError, match="working memory"):
        eq.evaluate({"x": np.ones(100, dtype=np.int64)}, 100)


@pytest.mark.parametrize(
    "text",
    ["x + 1", "-x", "not x", "x ** x", "x < 1 < 2", "x and 1", "exp(x)", "normal(x, 1)"],
)
def test_slow_evaluations_are_stopped_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    eq = compile_equation(text, ["x"])
    monkeypatch.setattr(expressions, "MAX_EVAL_SECONDS", -1.0)  # every step is already late
    if text == "-x":  # a bare negation is one cheap step with no clock read
        assert eq.evaluate({"x": np.ones(5)}, 5).tolist() == [-1.0] * 5
        return
    with pytest.raises(ExpressionError, match="took longer than -1 s of computing on 5 rows"):
        eq.evaluate({"x": np.ones(5)}, 5)


class StepClock:
    """A stand-in for the evaluating thread's CPU clock: each reading is one step later.

    Every vectorised step reads the clock once when it ends, so the readings count
    the steps that ran.
    """

    def __init__(self, step_seconds: float) -> None:
        self.step_seconds = step_seconds
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return self.readings * self.step_seconds


def test_a_stopped_evaluation_does_not_outlast_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 70 sines and 69 additions: 139 steps. At 10 ms of CPU time each, a 0.05 s limit
    # lets five run; the sixth is the first past the limit and the evaluation stops there.
    eq = compile_equation(" + ".join(["sin(x)"] * 70), ["x"])
    clock = StepClock(0.01)
    monkeypatch.setattr(expressions.time, "thread_time", clock)
    monkeypatch.setattr(expressions, "MAX_EVAL_SECONDS", 0.05)
    with pytest.raises(ExpressionError, match="took longer than 0.05 s"):
        eq.evaluate({"x": np.ones(10)}, 10)
    assert clock.readings == 1 + 6  # the deadline's reading, then six steps
    # With a limit the 139 steps fit in, every step runs.
    clock.readings = 0
    monkeypatch.setattr(expressions, "MAX_EVAL_SECONDS", 1.4)
    assert eq.evaluate({"x": np.ones(10)}, 10).shape == (10,)
    assert clock.readings == 1 + 139


def test_a_busy_server_does_not_stop_a_cheap_equation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit counts the evaluating thread's CPU time, not time spent waiting.

    On a server busy with a class, a session's thread waits its turn between steps;
    every clock but the thread's CPU clock runs on meanwhile. Here each of those
    clocks jumps an hour at every reading while the thread's own runs normally: a
    limit read off any of them would stop this cheap equation (as a wall-clock
    limit once stopped the L-DOPA world's ``uniform(100, 1000)`` under load).
    """
    for name in ("time", "monotonic", "perf_counter", "process_time"):
        monkeypatch.setattr(expressions.time, name, StepClock(3600.0))
        monkeypatch.setattr(expressions.time, name + "_ns", StepClock(3600e9))
    monkeypatch.setattr(expressions, "MAX_EVAL_SECONDS", 0.01)
    eq = compile_equation("uniform(100, 1000) + 0.5 * sin(x) * x + sqrt(abs(x))", ["x"])
    x = np.linspace(0.0, 1.0, 2000)
    for seed in range(30):
        assert np.isfinite(eq.evaluate({"x": x}, x.size, np.random.default_rng(seed))).all()

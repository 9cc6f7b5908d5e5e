"""Declared graphs, table models and leave-one-environment-out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.errors import DataError
from lib.fitting.models import BoostedTreesModel, LinearModel
from lib.tables.fit import fit_table_models, table_loeo
from lib.tables.read import MIN_ROWS, read_table, safe_csv
from lib.tables.setup import (
    MAX_TABLE_ENVIRONMENTS,
    TableSetup,
    adjacency_frame,
    check_setup,
    edges_from_adjacency,
    edges_to_text,
    parse_edges,
)

COLUMNS = ["dose", "dopamine_scan", "headache", "relief", "clinic", "a, b"]


# ----------------------------------------------------------------------------- parse_edges


@pytest.mark.parametrize(
    ("text", "edges"),
    [
        ("dose -> relief", (("dose", "relief"),)),
        ("dose, dopamine_scan -> relief", (("dose", "relief"), ("dopamine_scan", "relief"))),
        ("dose → dopamine_scan → relief", (("dose", "dopamine_scan"), ("dopamine_scan", "relief"))),
        ("\n  dose=>relief  \n\n# a comment\n", (("dose", "relief"),)),
        ("dose -> relief, headache", (("dose", "relief"), ("dose", "headache"))),
        ("dose -> relief\ndose -> relief", (("dose", "relief"),)),
        ("`a, b` -> relief", (("a, b", "relief"),)),
        ("", ()),
    ],
)
def test_parse_edges_good(text: str, edges: tuple) -> None:
    assert parse_edges(text, COLUMNS) == edges


def test_parse_edges_unknown_column_names_line_and_suggests() -> None:
    with pytest.raises(
        DataError, match=r"line 3: `dopmine_scan` is not a column; did you mean `dopamine_scan`\?"
    ):
        parse_edges("dose -> relief\n\ndopmine_scan -> relief", COLUMNS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dose relief", "line 1: no arrow"),
        ("dose ->", "line 1: a name is missing"),
        ("-> relief", "line 1: a name is missing"),
        ("dose,,headache -> relief", "two commas"),
        ("dose -> dose", "cannot cause itself"),
        ("`a, b -> relief", "backtick"),
    ],
)
def test_parse_edges_bad(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_edges(text, COLUMNS)


def test_parse_edges_names_the_cycle() -> None:
    with pytest.raises(DataError, match=r"cycle: `dose` → `headache` → `relief` → `dose`"):
        parse_edges("dose -> headache\nheadache -> relief\nrelief -> dose", COLUMNS)


def test_parse_edges_refuses_huge_text() -> None:
    with pytest.raises(DataError, match="longer than"):
        parse_edges("dose -> relief\n" * 5000, COLUMNS)


def test_edges_text_round_trip() -> None:
    edges = (("dose", "relief"), ("dopamine_scan", "relief"), ("a, b", "headache"))
    text = edges_to_text(edges)
    assert text.splitlines()[0] == "dose, dopamine_scan -> relief"
    assert set(parse_edges(text, COLUMNS)) == set(edges)


def test_adjacency_round_trip() -> None:
    edges = (("dose", "dopamine_scan"), ("dopamine_scan", "relief"), ("dose", "headache"))
    frame = adjacency_frame(edges, COLUMNS)
    assert frame.dtypes.eq(bool).all()
    assert frame.loc["dose", "dopamine_scan"] and not frame.loc["dopamine_scan", "dose"]
    assert int(frame.to_numpy().sum()) == 3
    assert set(edges_from_adjacency(frame)) == set(edges)


def test_edges_from_adjacency_accepts_editor_values_and_refuses_cycles() -> None:
    cols = ["x", "y", "z"]
    frame = pd.DataFrame(
        [[None, 1, 0], [0, np.nan, True], [False, None, None]], index=cols, columns=cols
    )
    assert edges_from_adjacency(frame) == (("x", "y"), ("y", "z"))
    frame.loc["z", "x"] = True
    with pytest.raises(DataError, match="cycle"):
        edges_from_adjacency(frame)
    self_loop = adjacency_frame([], cols)
    self_loop.loc["y", "y"] = True
    with pytest.raises(DataError, match="cannot cause itself"):
        edges_from_adjacency(self_loop)


# ----------------------------------------------------------------------------- setup


def test_parents_are_declared_causes_in_feature_order() -> None:
    setup = TableSetup(
        "relief",
        ("headache", "dopamine_scan", "dose"),
        edges=(("dose", "relief"), ("dopamine_scan", "relief"), ("dose", "headache")),
    )
    assert setup.parents == ("dopamine_scan", "dose")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (TableSetup("relief", ("relief", "dose")), "also a feature"),
        (TableSetup("relief", ("dose",), environment="relief"), "is the target"),
        (TableSetup("relief", ("dose",), environment="dose"), "also a feature"),
        (TableSetup("releif", ("dose",)), "did you mean `relief`"),
        (TableSetup("relief", ("dose", "hedache")), "did you mean `headache`"),
        (TableSetup("relief", ("dose",), environment="clinc"), "did you mean `clinic`"),
        (TableSetup("relief", ()), "at least one feature"),
        (TableSetup("relief", ("dose",), edges=(("dose", "relief"), ("relief", "dose"))), "cycle"),
        (TableSetup("relief", ("dose",), edges=(("dosage", "relief"),)), "dosage"),
    ],
)
def test_check_setup_problems(setup: TableSetup, message: str) -> None:
    problems = check_setup(setup, COLUMNS)
    assert any(message in p for p in problems), problems


def test_check_setup_ok() -> None:
    setup = TableSetup("relief", ("dose", "headache"), "clinic", (("dose", "relief"),))
    assert check_setup(setup, COLUMNS) == []


# ----------------------------------------------------------------------------- data


def shifting_table(seed: int, n: int = 300, shifts=(1.0, 1.2, -1.5)) -> pd.DataFrame:
    """x causes y; s is an effect of y whose mechanism changes between sites."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, b in enumerate(shifts):
        x = rng.normal(size=n)
        y = 1.5 * x + rng.normal(size=n)
        s = b * y + rng.normal(scale=0.3, size=n)
        frames.append(pd.DataFrame({"site": f"site {k}", "x": x, "s": s, "y": y}))
    return pd.concat(frames, ignore_index=True)


SETUP = TableSetup("y", ("x", "s"), "site", (("x", "y"),))


def test_fit_table_models_kinds_and_inputs() -> None:
    df = shifting_table(0)
    models = fit_table_models(df, SETUP, seed=3)
    names = list(models)
    assert names == [
        "Linear · all features",
        "Trees · all features",
        "Linear · declared causes",
        "Trees · declared causes",
    ]
    assert [m.kind for m in models.values()] == ["predictive", "predictive", "causal", "causal"]
    assert models["Linear · declared causes"].features == ("x",)
    assert isinstance(models["Trees · all features"], BoostedTreesModel)
    assert models["Trees · all features"].random_state == 3
    # the causal linear model recovers the structural coefficient
    coef = models["Linear · declared causes"].coef_table().set_index("term")
    assert abs(coef.loc["x", "coef"] - 1.5) < 0.1


def test_no_declared_parents_gives_an_intercept_only_model() -> None:
    df = shifting_table(1)
    models = fit_table_models(df, TableSetup("y", ("x", "s")))
    causal = [m for m in models.values() if m.kind == "causal"]
    assert len(causal) == 1
    model = causal[0]
    assert isinstance(model, LinearModel)
    assert model.features == () and model.family == "mean"
    assert model.name == "Intercept only · no declared causes"
    assert any("intercept-only" in w for w in model.warnings_)
    pred = model.predict(df)
    assert np.allclose(pred, df["y"].mean())
    assert list(model.coef_table()["term"]) == ["const"]


def test_fit_drops_rows_with_a_count_or_fails() -> None:
    df = shifting_table(2)
    df.loc[[3, 10, 20], "s"] = np.nan
    df["s"] = df["s"].astype(object)
    df.loc[40, "s"] = "n/a"
    models = fit_table_models(df, SETUP)
    assert all("4 rows" in " ".join(m.warnings_) for m in models.values())
    with pytest.raises(DataError, match="column `s`: 4 cells are not numbers"):
        fit_table_models(df, SETUP, policy="fail")


def test_fit_refuses_a_bad_setup() -> None:
    with pytest.raises(DataError, match="also a feature"):
        fit_table_models(shifting_table(0), TableSetup("y", ("y", "x")))


# ----------------------------------------------------------------------------- leave one environment out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_loeo_predictive_breaks_causal_holds(seed: int) -> None:
    df = shifting_table(seed)
    result = table_loeo(df, SETUP, seed=seed)
    assert list(result.columns) == [
        "held_out",
        "n_test",
        "n_train",
        "model",
        "kind",
        "family",
        "features",
        "rmse",
        "r2",
        "rmse_in",
        "ratio",
    ]
    assert sorted(result["held_out"].unique()) == ["site 0", "site 1", "site 2"]
    assert (result["n_test"] == 300).all()
    assert np.allclose(result["ratio"], result["rmse"] / result["rmse_in"])
    flipped = result[result["held_out"] == "site 2"].set_index("model")
    # the spurious feature flips sign in site 2: predictive error explodes, causal holds
    # (against its error on site 2 when site 2 is part of training, where the pooled
    # compromise already fits site 2 worse than the others)
    assert flipped.loc["Linear · all features", "ratio"] > 2.5
    assert flipped.loc["Trees · all features", "ratio"] > 3
    for name in ("Linear · declared causes", "Trees · declared causes"):
        assert 0.7 < flipped.loc[name, "ratio"] < 1.4
    assert (
        flipped.loc["Linear · all features", "ratio"]
        > 2.5 * flipped.loc["Linear · declared causes", "ratio"]
    )
    # the linear causal model holds everywhere
    causal = result[result["model"] == "Linear · declared causes"]
    assert causal["ratio"].between(0.7, 1.4).all()


def test_loeo_is_reproducible_and_seeded() -> None:
    df = shifting_table(5)
    a = table_loeo(df, SETUP, seed=7)
    b = table_loeo(df, SETUP, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = table_loeo(df, SETUP, seed=8)
    assert not np.allclose(a["rmse_in"], c["rmse_in"])


def test_loeo_errors_match_a_direct_least_squares_fit() -> None:
    df = shifting_table(3)
    result = table_loeo(df, SETUP, seed=0)
    row = result[(result["held_out"] == "site 2") & (result["model"] == "Linear · all features")]
    train, test = df[df["site"] != "site 2"], df[df["site"] == "site 2"]
    X = np.column_stack([np.ones(len(train)), train[list(SETUP.features)]])
    beta = np.linalg.lstsq(X, train["y"], rcond=None)[0]
    pred = beta[0] + test[list(SETUP.features)].to_numpy() @ beta[1:]
    expected = float(np.sqrt(np.mean((test["y"].to_numpy() - pred) ** 2)))
    assert row["rmse"].iloc[0] == pytest.approx(expected, rel=1e-9)


def test_loeo_numeric_environment_and_skipped_small_environment() -> None:
    df = shifting_table(0)
    df["site"] = df["site"].map({"site 0": 10, "site 1": 20, "site 2": 30})
    df = pd.concat([df, df.iloc[: MIN_ROWS - 1].assign(site=40)], ignore_index=True)
    result = table_loeo(df, SETUP)
    assert sorted(result["held_out"].unique()) == [10, 20, 30]
    assert any("only 9 usable rows" in n for n in result.attrs["notes"])


def test_loeo_counts_dropped_rows() -> None:
    df = shifting_table(0)
    df.loc[[1, 2], "x"] = np.inf
    df.loc[5, "site"] = None
    result = table_loeo(df, SETUP)
    assert result.attrs["dropped_rows"] == 2
    assert any("2 rows" in n for n in result.attrs["notes"])
    assert any("without an environment" in n for n in result.attrs["notes"])
    assert result.groupby("held_out")["n_test"].first().sum() == len(df) - 3


def test_loeo_single_environment_is_a_clear_error() -> None:
    df = shifting_table(0)
    df["site"] = "only one"
    with pytest.raises(DataError, match="single environment where several are needed"):
        table_loeo(df, SETUP)


def test_loeo_without_environment_column() -> None:
    with pytest.raises(DataError, match="environment column"):
        table_loeo(shifting_table(0), TableSetup("y", ("x", "s")))


def test_loeo_too_many_environments() -> None:
    df = shifting_table(0)
    df["site"] = np.arange(len(df)) % (MAX_TABLE_ENVIRONMENTS + 1)
    with pytest.raises(DataError, match=f"at most {MAX_TABLE_ENVIRONMENTS}"):
        table_loeo(df, SETUP)


def test_loeo_no_environment_large_enough() -> None:
    df = shifting_table(0, n=MIN_ROWS - 1)
    with pytest.raises(DataError, match="no environment could be tested"):
        table_loeo(df, SETUP)


def test_loeo_on_a_table_read_from_csv() -> None:
    table = read_table(safe_csv(shifting_table(4)), name="sites.csv")
    result = table_loeo(table, SETUP)
    assert len(result) == 3 * 4


def test_core_leave_one_out_leaves_rows_without_an_environment_out() -> None:
    """The public core (lib.fitting.evaluation) on a column with NaN and <NA> environments."""
    from lib.fitting.evaluation import Roles, leave_one_environment_out, model_specs

    df = shifting_table(3)
    df["site"] = df["site"].astype(object)
    df.loc[df.index[:7], "site"] = np.nan
    specs = model_specs(Roles("y", ("x", "s"), ("x",)))
    out = leave_one_environment_out(df, "y", "site", specs, yardstick_share=0.2, min_rows=10)
    assert out["held_out"].notna().all() and len(set(out["held_out"])) == df["site"].nunique()
    typed = df.assign(site=df["site"].astype("string"))
    again = leave_one_environment_out(typed, "y", "site", specs, yardstick_share=0.2, min_rows=10)
    assert len(again) == len(out)

"""Held-out fits on a table, the leave-one-environment-out summary, and table links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.errors import DataError
from lib.tables.fit import holdout_fit, loeo_sentence, loeo_summary, table_loeo
from lib.tables.setup import TableSetup
from lib.ui.tables import default_setup, parse_table_query, table_query


def shifted(seed: int) -> pd.DataFrame:
    """y = 2x + e; s = slope·y + e with a slope that flips in environment c."""
    rng = np.random.default_rng(seed)
    frames = []
    for env, slope in (("a", 1.0), ("b", 1.0), ("c", -1.5)):
        x = rng.normal(size=300)
        y = 2 * x + rng.normal(scale=0.5, size=300)
        s = slope * y + rng.normal(scale=0.2, size=300)
        frames.append(pd.DataFrame({"env": env, "x": x, "s": s, "y": y}))
    return pd.concat(frames, ignore_index=True)


SETUP = TableSetup("y", ("x", "s"), "env", (("x", "y"), ("y", "s")))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_holdout_scores_match_a_direct_least_squares_fit(seed):
    df = shifted(seed)
    fit = holdout_fit(df, SETUP, seed=seed)
    assert fit.n_test == round(0.3 * len(df)) and fit.n_train + fit.n_test == len(df)
    order = np.random.default_rng(seed).permutation(len(df))
    train, test = df.iloc[order[fit.n_test :]], df.iloc[order[: fit.n_test]]
    X = np.column_stack([np.ones(len(train)), train["x"]])
    beta = np.linalg.lstsq(X, train["y"], rcond=None)[0]
    pred = beta[0] + beta[1] * test["x"]
    expected = float(np.sqrt(np.mean((test["y"] - pred) ** 2)))
    scores = fit.scores.set_index("model")
    assert scores.loc["Linear · declared causes", "rmse"] == pytest.approx(expected, rel=1e-9)
    assert list(fit.coefficients["causal"]["term"]) == ["const", "x"]
    assert np.allclose(fit.predictions["actual"], test["y"])
    assert np.allclose(fit.predictions["Linear · declared causes"], pred)


def test_missing_cells_are_dropped_and_counted_or_refused():
    df = shifted(0).astype({"x": object})
    df.loc[[3, 7], "x"] = "n/a"
    fit = holdout_fit(df, SETUP)
    assert fit.dropped == 2
    with pytest.raises(DataError, match="x"):
        holdout_fit(df, SETUP, policy="fail")


def test_too_few_rows_is_a_clear_error():
    with pytest.raises(DataError, match="at least"):
        holdout_fit(shifted(0).head(8), SETUP)


@pytest.mark.parametrize("seed", [0, 1])
def test_summary_says_the_predictive_model_did_not_travel(seed):
    results = table_loeo(shifted(seed), SETUP, seed=seed)
    summary = loeo_summary(results).set_index("model")
    assert summary.loc["Linear · all features", "worst_env"] == "c"
    assert summary.loc["Linear · all features", "worst_ratio"] > 3
    assert summary.loc["Linear · declared causes", "worst_ratio"] < 1.5
    sentence = loeo_sentence(summary.reset_index(), "env")
    assert sentence.startswith("On a env it never saw") and "(c)" in sentence


def test_table_links_round_trip_and_bad_values_fall_back():
    df = shifted(0)
    base = default_setup(df)
    assert base.target == "y" and base.environment == "env"
    from lib.tables.read import table_from_frame
    from lib.ui.tables import TableChoice

    choice = TableChoice("dataset:x", table_from_frame(df, name="x"), "x", SETUP)
    query = table_query(choice)
    setup, notices = parse_table_query(query, base, list(df.columns))
    assert setup == SETUP and notices == []
    setup, notices = parse_table_query({"target": "yy", "env": "`evil`"}, base, list(df.columns))
    assert setup.target == "y"
    assert any("did you mean `y`" in n for n in notices)
    assert all("`evil`" not in n for n in notices)


def test_exploding_ratios_read_as_more_than_a_thousand():
    from lib.text.numbers import ratio_text

    assert ratio_text(1.194) == "×1.19"
    assert ratio_text(3e17) == "more than ×1,000"
    assert ratio_text(float("inf")) == "more than ×1,000"


def test_an_upload_starts_with_its_text_column_of_few_values_as_the_environment():
    df = shifted(0)
    assert default_setup(df).environment == "env"
    assert default_setup(df.drop(columns="env")).environment is None

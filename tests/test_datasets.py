"""Every built-in table loads, its suggested setup fits it, and the samples regenerate exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lib.errors import DataError
from lib.tables.datasets import DATA_DIR, Dataset, list_datasets, load_dataset
from lib.tables.fit import table_loeo
from lib.tables.read import MIN_ROWS, Table
from lib.tables.setup import TableSetup, check_setup

ROOT = Path(__file__).resolve().parents[1]
DATASETS = list_datasets()
IDS = [d.id for d in DATASETS]


def setup_of(ds: Dataset) -> TableSetup:
    return TableSetup(
        ds.target, ds.features, ds.environment, tuple((p, ds.target) for p in ds.parents)
    )


def test_the_required_datasets_are_offered() -> None:
    assert {"grunfeld", "longley", "randhie", "ldopa_clinics", "icecream_towns"} <= set(IDS)
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("ds", DATASETS, ids=IDS)
def test_dataset_loads_with_valid_defaults(ds: Dataset) -> None:
    table = load_dataset(ds.id)
    assert isinstance(table, Table)
    columns = list(table.data.columns)
    assert table.report.rows >= MIN_ROWS
    assert ds.target in columns
    assert all(f in columns for f in ds.features)
    assert set(ds.parents) <= set(ds.features)
    assert ds.environment is None or ds.environment in columns
    assert check_setup(setup_of(ds), columns) == []
    for col in (ds.target, *ds.features):
        assert table.report.dtypes[col] == "number"
        assert table.report.missing[col] == 0
    assert ds.title and ds.source
    sentences = ds.description.count(". ") + 1
    assert 2 <= sentences <= 6, ds.description


@pytest.mark.parametrize("ds", [d for d in DATASETS if d.environment], ids=lambda d: d.id)
def test_environment_datasets_support_leave_one_environment_out(ds: Dataset) -> None:
    result = table_loeo(load_dataset(ds.id), setup_of(ds))
    assert result["held_out"].nunique() >= 2
    assert np.isfinite(result["rmse"]).all()


def test_real_datasets_cite_statsmodels_sources() -> None:
    from statsmodels.datasets import grunfeld, longley, randhie

    by_id = {d.id: d for d in DATASETS}
    assert "Kleiber and Zeileis" in by_id["grunfeld"].source
    assert "Longley" in by_id["longley"].source
    assert "RAND" in by_id["randhie"].source
    for module in (grunfeld, longley, randhie):
        assert module.SOURCE.split()[0] in " ".join(d.source for d in DATASETS)


def test_real_data_matches_statsmodels() -> None:
    from statsmodels.datasets import grunfeld, randhie

    g = load_dataset("grunfeld").data
    ref = grunfeld.load_pandas().data
    assert len(g) == 220 and g["firm"].nunique() == 11
    np.testing.assert_allclose(g["invest"], ref["invest"])
    r = load_dataset("randhie").data
    assert len(r) == len(randhie.load_pandas().data)
    assert set(r["plan"]) == {
        "free care",
        "25% coinsurance",
        "50% coinsurance",
        "95% coinsurance",
        "100% coinsurance",
    }
    free = r["plan"] == "free care"
    assert (r.loc[free, "lncoins"] == 0).all() and (r.loc[~free, "lncoins"] > 0).all()


def test_simulated_clinics_show_the_story() -> None:
    ds = next(d for d in DATASETS if d.id == "ldopa_clinics")
    result = table_loeo(load_dataset(ds.id), setup_of(ds)).set_index(["held_out", "model"])
    tylenol = result.loc["Hilltop"]
    assert tylenol.loc["Linear · all features", "ratio"] > 3
    assert tylenol.loc["Linear · declared causes", "ratio"] < 1.3


def test_unknown_dataset() -> None:
    with pytest.raises(DataError, match="did you mean `grunfeld`"):
        load_dataset("grunfield")


def test_generator_reproduces_the_committed_files(tmp_path) -> None:
    committed = sorted(DATA_DIR.glob("*.csv"))
    assert committed, "no sample CSV in data/"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    made = sorted(tmp_path.glob("*.csv"))
    assert [p.name for p in made] == [p.name for p in committed]
    for new, old in zip(made, committed, strict=True):
        assert new.read_bytes() == old.read_bytes(), f"{old.name} differs from its generator"
        assert old.stat().st_size <= 2**20


def test_data_readme_names_every_file_and_the_command() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "python scripts/make_sample_data.py" in readme
    for path in DATA_DIR.glob("*.csv"):
        assert path.name in readme

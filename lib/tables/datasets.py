"""Tables that ship with the lab: sample files made from its scenarios, and real data.

The real datasets are read at run time from the installed statsmodels package
(no network), and cite their source as statsmodels' own dataset documentation
does. The sample files in ``data/`` are written by ``scripts/make_sample_data.py``.

>>> [d.id for d in list_datasets()][:2]
['ldopa_clinics', 'icecream_towns']
>>> table = load_dataset("grunfeld")
>>> table.report.rows
220
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib.errors import DataError, did_you_mean
from lib.tables.read import Table, read_table, table_from_frame
from lib.text.escape import code_span

__all__ = ["DATA_DIR", "Dataset", "list_datasets", "load_dataset"]

#: Where the sample tables live.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Dataset:
    """A table the lab offers, with sensible first choices for the pickers.

    Attributes
    ----------
    id, title : str
    description : str
        Markdown, a few sentences: what the rows are and what to try.
    source : str
        Citation.
    target : str
    features : tuple of str
    environment : str or None
        A column that marks environments, if the table has one.
    parents : tuple of str
        A suggested set of declared causes of the target (may be empty).
    """

    id: str
    title: str
    description: str
    source: str
    target: str
    features: tuple[str, ...]
    environment: str | None
    parents: tuple[str, ...]


def _clean(text: str) -> str:
    """statsmodels' reST citation as one plain line."""
    text = re.sub(r"::\s*", " ", text)
    return " ".join(text.split())


def _statsmodels_source(module_name: str) -> str:
    from statsmodels import datasets

    module = getattr(datasets, module_name)
    return (
        _clean(module.SOURCE)
        + " Loaded from statsmodels (statsmodels.datasets."
        + (module_name + ").")
    )


def _grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld

    df = grunfeld.load_pandas().data.copy()
    df["firm"] = df["firm"].astype(str)
    df["year"] = df["year"].astype("float64")
    return df[["firm", "year", "invest", "value", "capital"]]


def _longley() -> pd.DataFrame:
    from statsmodels.datasets import longley

    return longley.load_pandas().data.astype("float64")


#: RAND HIE coinsurance rates (percent) from ``lncoins = ln(rate + 1)``.
_PLANS = {0: "free care", 25: "25% coinsurance", 50: "50% coinsurance", 95: "95% coinsurance"}


def _randhie() -> pd.DataFrame:
    from statsmodels.datasets import randhie

    df = randhie.load_pandas().data.astype("float64")
    rate = np.rint(np.expm1(df["lncoins"].to_numpy())).astype(int)
    df.insert(0, "plan", [_PLANS.get(int(r), f"{int(r)}% coinsurance") for r in rate])
    return df


def _csv(name: str) -> Callable[[], Table]:
    return lambda: read_table(DATA_DIR / name, name=name)


_DATASETS: tuple[tuple[Dataset, Callable[[], Table] | Callable[[], pd.DataFrame]], ...] = (
    (
        Dataset(
            id="ldopa_clinics",
            title="L-DOPA in three clinics (simulated)",
            description=(
                "Each row is a Parkinson's patient on L-DOPA, simulated from the lab's L-DOPA "
                "world. In **Riverside** nothing special happens; **Hilltop** hands out Tylenol "
                "for the headache; **Lakeside** gives amantadine, which calms dyskinesia. "
                "Predict `relief` with `clinic` as the environment: the side effects predict "
                "well inside a clinic, but hold out Hilltop or Lakeside and only the model "
                "built on the dose and the dopamine scan keeps working."
            ),
            source=(
                "Simulated by this project from its `ldopa` scenario "
                "(`python scripts/make_sample_data.py`; see data/README.md)."
            ),
            target="relief",
            features=("dose", "dopamine_scan", "headache", "dyskinesia"),
            environment="clinic",
            parents=("dose", "dopamine_scan"),
        ),
        _csv("ldopa_clinics.csv"),
    ),
    (
        Dataset(
            id="icecream_towns",
            title="Ice cream and drownings in three towns (simulated)",
            description=(
                "Each row is one summer day in a seaside town, simulated from the lab's "
                "ice cream world. **Sunport** has a heat wave all year; **Banbury** bans ice "
                "cream on the beach. Predict `drownings` with `town` as the environment: the "
                "ice cream model collapses in Banbury, while the model on the thermometer "
                "reading holds."
            ),
            source=(
                "Simulated by this project from its `icecream` scenario "
                "(`python scripts/make_sample_data.py`; see data/README.md)."
            ),
            target="drownings",
            features=("thermometer", "ice_cream"),
            environment="town",
            parents=("thermometer",),
        ),
        _csv("icecream_towns.csv"),
    ),
    (
        Dataset(
            id="grunfeld",
            title="Grunfeld investment panel (11 US firms, 1935–1954)",
            description=(
                "Each row is one firm in one year: gross investment (`invest`), the firm's "
                "market value (`value`) and its stock of plant and equipment (`capital`), in "
                "1947 dollars. Firms are natural environments: hold out one firm at a time "
                "and see whether a model learned on the others transfers. Grunfeld's theory "
                "says investment follows value and capital; adding `year` helps inside the "
                "sample but is no cause."
            ),
            source=_statsmodels_source("grunfeld"),
            target="invest",
            features=("value", "capital", "year"),
            environment="firm",
            parents=("value", "capital"),
        ),
        _grunfeld,
    ),
    (
        Dataset(
            id="longley",
            title="Longley's macroeconomic series (US, 1947–1962)",
            description=(
                "Sixteen years of US macro data: total employment (`TOTEMP`), the GNP "
                "deflator, GNP, unemployment, the armed forces, population and the year. "
                "The columns are famously collinear, so the coefficients swing wildly while "
                "the fit barely changes: compare the models' coefficients, not just their "
                "error. Sixteen rows carry only a few inputs, so the models start with three "
                "collinear ones (add more on the Data page and watch the fit fail). There is "
                "no environment column; the suggested causes are only a suggestion."
            ),
            source=_statsmodels_source("longley"),
            target="TOTEMP",
            features=("GNPDEFL", "GNP", "POP"),
            environment=None,
            parents=("GNP", "POP"),
        ),
        _longley,
    ),
    (
        Dataset(
            id="randhie",
            title="RAND Health Insurance Experiment",
            description=(
                "Each row is a person in the RAND Health Insurance Experiment, which "
                "*randomly assigned* families to insurance plans: a real intervention. "
                "`mdvis` is the number of outpatient doctor visits; `lncoins` (log of the "
                "coinsurance rate + 1) and `idp` (individual deductible) describe the "
                "randomized plan; the other columns describe health. `plan` names the "
                "coinsurance level: hold out one plan at a time and see which model "
                "predicts visits under a plan it never saw."
            ),
            source=_statsmodels_source("randhie"),
            target="mdvis",
            features=(
                "lncoins",
                "idp",
                "lpi",
                "fmde",
                "physlm",
                "disea",
                "hlthg",
                "hlthf",
                "hlthp",
            ),
            environment="plan",
            parents=("lncoins", "idp", "physlm", "disea"),
        ),
        _randhie,
    ),
)


def list_datasets() -> list[Dataset]:
    """Every table the lab offers, samples first."""
    return [d for d, _ in _DATASETS]


def load_dataset(dataset_id: str) -> Table:
    """Load a dataset by id, from the package or from ``data/`` (no network).

    Raises
    ------
    DataError
        For an unknown id (with a "did you mean"), or a sample file that is
        missing (with the command that regenerates it).
    """
    known = {d.id: (d, loader) for d, loader in _DATASETS}
    if dataset_id not in known:
        raise DataError(
            f"no dataset {code_span(dataset_id)}"
            f"{did_you_mean(str(dataset_id), list(known)) or '.'} "
            f"Available: {', '.join(known)}."
        )
    ds, loader = known[dataset_id]
    try:
        result = loader()
    except DataError as exc:
        raise DataError(
            f"dataset `{ds.id}`: {exc} Regenerate the sample files with "
            f"`python scripts/make_sample_data.py`."
        ) from None
    if isinstance(result, Table):
        return result
    return table_from_frame(result, name=ds.id)

"""Write the sample tables in data/ from the lab's own scenarios.

Run from the repository root::

    python scripts/make_sample_data.py            # writes data/*.csv
    python scripts/make_sample_data.py --out DIR  # writes them to DIR instead

Each table samples one scenario in several places (clinics, towns); each place
is the same world under a different intervention from the scenario's presets,
so the place column is a natural environment column. Seeds are fixed and
numbers rounded, so the files are the same on every run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.world.interventions import Intervention  # noqa: E402
from lib.world.scenarios import load_scenario  # noqa: E402

#: file name -> (scenario, environment column, decimals, [(place, preset or None, strength, rows, seed)])
SAMPLES: dict[str, tuple[str, str, int, list[tuple[str, str | None, float, int, int]]]] = {
    "ldopa_clinics.csv": (
        "ldopa",
        "clinic",
        2,
        [
            ("Riverside", None, 1.0, 500, 11),
            ("Hilltop", "Tylenol", 1.0, 500, 12),
            ("Lakeside", "Amantadine", 1.0, 500, 13),
        ],
    ),
    "icecream_towns.csv": (
        "icecream",
        "town",
        1,
        [
            ("Seaview", None, 1.0, 365, 21),
            ("Sunport", "Heat wave", 1.0, 365, 22),
            ("Banbury", "Ice cream ban", 1.0, 365, 23),
        ],
    ),
}


def make_table(
    scenario: str,
    env: str,
    decimals: int,
    places: Sequence[tuple[str, str | None, float, int, int]],
) -> pd.DataFrame:
    """One scenario sampled in several places; observed columns only, the place first."""
    sc = load_scenario(scenario)
    frames = []
    for place, preset, strength, n, seed in places:
        ivs: tuple[Intervention, ...] = ()
        if preset is not None:
            ivs = tuple(sc.presets[preset].with_strength(strength))
        sample = sc.scm.sample(n, seed=seed, interventions=ivs)
        # Adding 0.0 turns -0.0 into 0.0, so no "-0.00" appears in the file.
        frame = sample.loc[:, list(sc.scm.observed)].round(decimals) + 0.0
        frame.insert(0, env, place)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_all(out: Path) -> list[Path]:
    """Write every sample table into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (scenario, env, decimals, places) in SAMPLES.items():
        table = make_table(scenario, env, decimals, places)
        path = out / name
        text = table.to_csv(index=False, lineterminator="\n", float_format=f"%.{decimals}f")
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="folder to write to")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()

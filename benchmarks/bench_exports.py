"""Export speed: seconds per format for a demo cohort, next to a bare reference on the same data.

The reference writes the same wide answer tables with the same libraries but nothing else:
``DataFrame.to_csv``, ``DataFrame.to_parquet`` and ``pyreadstat.write_sav`` / ``write_dta`` of
the raw item columns, without pseudonyms, coarsening, labels, scores, the long table or the
codebook. The ratio is the price of a documented, pseudonymised export. Preparing the dataset
(pseudonyms, coarsening, scale scores) is timed once, since one prepared dataset can be written
in every format.

Usage::

    python benchmarks/bench_exports.py [--organizations 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyreadstat

from survey.exports.dataset import prepare_dataset
from survey.exports.export import write_export
from survey.exports.formats import FORMAT_NAMES
from survey.storage import open_store
from survey.storage.demo import generate_demo


def _reference(table, folder: Path, fmt: str) -> None:
    who = table.respondents
    for (instrument, version), rows in who.groupby(["instrument", "version"]).groups.items():
        frame = table.answers.loc[rows].dropna(axis=1, how="all")
        frame.columns = [c.replace("-", "_") for c in frame.columns]
        path = folder / f"{instrument}-{version}"
        if fmt in ("csv", "datapackage"):
            frame.to_csv(path.with_suffix(".csv"))
        elif fmt == "parquet":
            frame.to_parquet(path.with_suffix(".parquet"))
        elif fmt == "sav":
            pyreadstat.write_sav(frame, path.with_suffix(".sav"))
        else:
            pyreadstat.write_dta(frame, path.with_suffix(".dta"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = open_store(f"sqlite:///{root / 'bench.db'}")
        generate_demo(store, args.organizations, seed=args.seed)
        table = store.responses()
        print(
            f"demo cohort: {args.organizations} organisations, {len(table)} responses, "
            f"{int(table.answers.notna().to_numpy().sum())} answers"
        )
        start = time.perf_counter()
        dataset = prepare_dataset(table, store.registry, secret=b"benchmark")
        prepared = time.perf_counter() - start
        print(f"prepare (pseudonyms, coarsening, scale scores): {prepared:.2f} s")
        print(f"{'format':<12}{'cocreate s':>12}{'reference s':>13}{'ratio':>8}")
        for fmt in FORMAT_NAMES:
            ours_dir, ref_dir = root / fmt, root / f"ref-{fmt}"
            ref_dir.mkdir()
            start = time.perf_counter()
            write_export(dataset, fmt, ours_dir)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            _reference(table, ref_dir, fmt)
            reference = time.perf_counter() - start
            print(f"{fmt:<12}{ours:>12.2f}{reference:>13.2f}{ours / reference:>8.1f}")
        store.close()


if __name__ == "__main__":
    main()

"""Benchmark of scoring.score_items against R psych::scoreItems and pingouin, same data, same run.

Usage (from the repository root)::

    python benchmarks/bench_scoring.py            # 200,000 x 80, then 1,000,000 x 100
    python benchmarks/bench_scoring.py --quick    # 20,000 x 80, no large run
    python benchmarks/bench_scoring.py --rows 50000

The data come from a latent factor model: 8 scales of 10 items on a 1..5 scale, every third
item worded in reverse (and keyed ``-``), 2% of the answers missing at random. R runs
``psych::scoreItems(keys, x, impute = "none", min = 1, max = 5)`` on the same data written to a
CSV in a temporary directory (only the ``scoreItems`` call is timed, inside R); it is skipped
with a message when ``Rscript`` is absent. pingouin's ``cronbach_alpha`` runs once per scale on
the keyed items (reverse keying done before timing, since pingouin does not reverse).
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring import score_items

T = TypeVar("T")

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({ library(psych); library(jsonlite) })
x <- if (requireNamespace("data.table", quietly = TRUE)) {
  as.data.frame(data.table::fread(args[1]))
} else {
  read.csv(args[1])
}
keys <- fromJSON(args[2], simplifyVector = FALSE)
keys <- lapply(keys, unlist)
elapsed <- system.time(res <- scoreItems(keys, x, impute = "none", min = 1, max = 5))[["elapsed"]]
write.csv(res$scores, args[4], row.names = FALSE)
write_json(list(elapsed = elapsed, alpha = as.list(res$alpha[1, ]),
                psych = as.character(packageVersion("psych")), r = R.version.string),
           args[3], auto_unbox = TRUE, digits = NA)
"""


def synthetic(
    rows: int, scales: int, items: int, seed: int = 2026
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Answers 1..5 from a one-factor model per scale, every third item reversed, 2% missing."""
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    keys: dict[str, list[str]] = {}
    for s in range(scales):
        factor = rng.normal(size=rows)
        keys[f"scale{s + 1}"] = []
        for j in range(items):
            name = f"S{s + 1}I{j + 1}"
            reverse = j % 3 == 2
            loading = rng.uniform(0.6, 1.0) * (-1 if reverse else 1)
            raw = 3 + loading * factor + rng.normal(scale=0.9, size=rows)
            answer = np.clip(np.round(raw), 1, 5)
            answer[rng.random(rows) < 0.02] = np.nan
            columns[name] = answer
            keys[f"scale{s + 1}"].append(("-" if reverse else "") + name)
    return pd.DataFrame(columns), keys


def best_of(repeats: int, fn: Callable[[], T]) -> tuple[float, float, T]:
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pingouin

    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pingouin {pingouin.__version__}"
    )


def run_r(data: pd.DataFrame, keys: dict[str, list[str]]) -> dict | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("R: skipped (Rscript not found on PATH; install R with psych to compare)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, na_rep="")
        (folder / "keys.json").write_text(json.dumps(keys))
        (folder / "bench.R").write_text(R_SCRIPT)
        done = subprocess.run(
            [
                rscript,
                str(folder / "bench.R"),
                str(folder / "data.csv"),
                str(folder / "keys.json"),
                str(folder / "out.json"),
                str(folder / "scores.csv"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"R: failed, skipped ({done.stderr.strip()[-500:]})")
            return None
        out = json.loads((folder / "out.json").read_text())
        out["scores"] = pd.read_csv(folder / "scores.csv")
        return out


def main_run(rows: int, repeats: int, with_r: bool) -> None:
    print(f"\n== score_items on {rows:,} x 80 (8 scales x 10 items, 1..5, 2% missing) ==")
    data, keys = synthetic(rows, 8, 10)
    ours_best, ours_median, result = best_of(
        repeats, lambda: score_items(data, keys, scale_min=1, scale_max=5)
    )
    print(
        f"cocreate score_items: best {ours_best:.3f} s, median {ours_median:.3f} s ({repeats} runs)"
    )

    import pingouin as pg

    keyed = {}
    for scale, items in keys.items():
        frame = data[[i.lstrip("-") for i in items]].copy()
        for item in items:
            if item.startswith("-"):
                frame[item[1:]] = 6 - frame[item[1:]]
        keyed[scale] = frame
    pg_best, _, pg_alphas = best_of(
        max(1, repeats // 2), lambda: {s: pg.cronbach_alpha(f)[0] for s, f in keyed.items()}
    )
    ours = result.reliability["alpha"]
    diff_pg = max(abs(ours[s] - a) for s, a in pg_alphas.items())
    print(
        f"pingouin cronbach_alpha x 8 scales: {pg_best:.3f} s "
        f"-> score_items is {pg_best / ours_best:.1f}x faster (and computes much more)"
    )
    print(f"max |alpha - pingouin alpha| = {diff_pg:.2e} (goal 1e-9)")

    if with_r:
        r = run_r(data, keys)
        if r is not None:
            r_alpha = r["alpha"]
            diff_r = max(abs(ours[s] - r_alpha[s]) for s in keys)
            ours_scores = result.scores.to_numpy()
            score_diff = np.nanmax(np.abs(ours_scores - r["scores"].to_numpy()))
            both_nan = np.array_equal(np.isnan(ours_scores), r["scores"].isna().to_numpy())
            print(
                f"R psych::scoreItems ({r['r']}, psych {r['psych']}): {r['elapsed']:.3f} s "
                f"-> score_items is {r['elapsed'] / ours_best:.1f}x faster (goal >= 20x)"
            )
            print(
                f"max |alpha - psych alpha| = {diff_r:.2e}; max |score - psych score| = "
                f"{score_diff:.2e}; same respondents unscored: {both_nan}"
            )
            if not both_nan:
                print(
                    "(by design: min_valid=0.5 leaves respondents with fewer than 5 of 10 "
                    "answers unscored; psych scores anyone)"
                )


def big_run(rows: int) -> None:
    print(f"\n== score_items on {rows:,} x 100 (10 scales x 10 items) with peak memory ==")
    data, keys = synthetic(rows, 10, 10, seed=7)
    size = data.memory_usage(index=True).sum() / 2**20
    start = time.perf_counter()
    score_items(data, keys, scale_min=1, scale_max=5)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    tracemalloc.reset_peak()
    score_items(data, keys, scale_min=1, scale_max=5)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"time {elapsed:.2f} s; input DataFrame {size:,.0f} MiB; peak extra memory during "
        f"score_items {peak / 2**20:,.0f} MiB (tracemalloc); process max RSS {rss:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="rows of the 80-item run")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, no 1,000,000 run")
    parser.add_argument("--no-r", action="store_true", help="skip R psych")
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the large run")
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 200_000)
    print(machine())
    print("command: python benchmarks/bench_scoring.py " + " ".join(sys.argv[1:]))
    main_run(rows, repeats=3 if args.quick else 5, with_r=not args.no_r)
    if not args.quick:
        big_run(args.big_rows)


if __name__ == "__main__":
    main()

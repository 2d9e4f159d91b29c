"""Speed of the agreement and benchmark statistics against pingouin on the same data.

Run: ``PYTHONPATH=. python benchmarks/bench_agreement.py``. Prints seconds per call (best of
several repeats) and the ratio to the reference; nothing is asserted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pingouin as pg

from scoring.agreement import aggregate_organisations, icc, icc_membership, rwg_j


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, ours: float, reference: float | None, ref_name: str) -> None:
    if reference is None:
        print(f"{name:<48} {ours * 1e3:9.1f} ms")
    else:
        print(
            f"{name:<48} {ours * 1e3:9.1f} ms   {ref_name}: {reference * 1e3:9.1f} ms   "
            f"ratio {reference / ours:6.1f}x"
        )


def main() -> None:
    rng = np.random.default_rng(42)

    # ICC: 2,000 targets x 6 raters.
    wide = pd.DataFrame(
        rng.normal(size=(2000, 1)) + rng.normal(size=(2000, 6)), columns=[f"r{i}" for i in range(6)]
    )
    long = wide.reset_index().melt(id_vars="index", var_name="rater", value_name="score")
    report(
        "icc, 2000 targets x 6 raters",
        best_of(lambda: icc(wide)),
        best_of(lambda: pg.intraclass_corr(long, "index", "rater", "score")),
        "pingouin.intraclass_corr",
    )

    # A cohort: 300 organisations, 6,000 respondents, 8 scales of 4 items on 1..5.
    n, orgs, scales = 6000, 300, 8
    org = rng.integers(0, orgs, size=n)
    effect = rng.normal(scale=0.5, size=(orgs, scales))[org]
    items = {}
    keys = {}
    for s in range(scales):
        keys[f"s{s}"] = [f"S{s}-{j}" for j in range(4)]
        for j in range(4):
            items[f"S{s}-{j}"] = np.clip(np.rint(3 + effect[:, s] + rng.normal(size=n)), 1, 5)
    answers = pd.DataFrame(items)
    scores = pd.DataFrame({s: answers[cols].mean(axis=1) for s, cols in keys.items()})
    frame = scores.assign(org=org)

    def pingouin_anovas() -> None:
        for s in keys:
            pg.anova(data=frame, dv=s, between="org")

    report(
        "icc_membership, 6000 respondents x 8 scales",
        best_of(lambda: icc_membership(scores, org)),
        best_of(pingouin_anovas),
        "pingouin.anova per scale",
    )

    def loop_per_organisation() -> None:
        # The straightforward way: one rwg_j call per organisation and scale.
        for o in np.unique(org):
            members = answers[org == o]
            for cols in keys.values():
                rwg_j(members[cols], n_options=5)

    report(
        "aggregate_organisations with rwg(J), 300 orgs",
        best_of(
            lambda: aggregate_organisations(scores, org, item_data=answers, keys=keys, n_options=5),
            repeat=3,
        ),
        best_of(loop_per_organisation, repeat=1),
        "rwg_j loop per organisation",
    )


if __name__ == "__main__":
    main()

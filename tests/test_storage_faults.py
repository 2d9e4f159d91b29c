"""Load and faults: many concurrent submitters, and a writer killed in the middle of saving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np

from scoring.sums import response_sums
from survey.instrument.registry import Registry
from survey.storage import Store, open_store

ALPHA = [f"A-{s}-{i}" for s in (1, 2) for i in range(1, 5)]
SUBMITTERS = 32


def test_concurrent_submitters_each_stored_exactly_once(
    store: Store, store_url: str, test_registry: Registry
) -> None:
    # Half the respondents go through a second store (its own engine and connections), as a
    # second app instance would: on SQLite the two then contend for the file's write lock.
    second = open_store(store_url, registry=test_registry)
    stores = [store, second]
    org = store.create_organisation("Busy", industry="x", size_band="1-49", region="r")
    campaign = store.create_campaign(org.id, "load", instruments=["alpha", "beta"])
    tokens = [store.create_invitation(campaign.id, role="sales")[1] for _ in range(SUBMITTERS)]
    barrier = threading.Barrier(SUBMITTERS)
    errors: list[BaseException] = []

    def respondent(number: int, token: str) -> None:
        try:
            value = number % 5 + 1
            mine = stores[number % 2]
            barrier.wait()
            mine.save_draft(token, "alpha", {item: value for item in ALPHA[:4]})
            mine.save_draft(token, "alpha", {item: value for item in ALPHA[4:]})
            mine.save_draft(token, "beta", {"B-1-1": value, "B-1-2": value, "B-1-3": value})
            mine.submit(token)
            stores[(number + 1) % 2].submit(token)  # a double click, through the other one
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=respondent, args=(n, t)) for n, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert errors == []
    table = store.responses()
    assert len(table) == 2 * SUBMITTERS
    assert table.respondents["invitation_id"].value_counts().eq(2).all()
    assert table.answers.notna().sum().sum() == SUBMITTERS * (len(ALPHA) + 3)
    for number, token in enumerate(tokens):
        state = store.resume(token)
        assert state.status == "submitted"
        expected = number % 5 + 1
        assert set(state.answers["alpha@1.0.0"].values()) == {expected}
        assert len(state.answers["alpha@1.0.0"]) == len(ALPHA)
    # The running totals counted each response once: no update lost between the two stores.
    alpha = test_registry.get("alpha@1.0.0")
    sums = store.instrument_sums(alpha)
    assert sums.rows == SUBMITTERS
    expected_sums = response_sums(
        table.answers.loc[table.respondents["instrument"] == "alpha"][alpha.item_ids].astype(float),
        alpha,
    )
    assert np.array_equal(sums.pair_p, expected_sums.pair_p)
    totals = store.campaign_totals(alpha)
    assert set(totals["responses"]) == {SUBMITTERS}


WRITER = textwrap.dedent(
    """
    import sys
    from survey.storage import open_store

    store = open_store(sys.argv[1])
    token = sys.argv[2]
    items = [f"A-{s}-{i}" for s in (1, 2) for i in range(1, 5)]
    iteration = 0
    while True:
        iteration += 1
        store.save_draft(token, "alpha", {item: iteration % 5 + 1 for item in items})
        print(iteration, flush=True)
    """
)


def test_killed_writer_leaves_last_complete_draft(
    store_url: str, test_registry: Registry, test_instruments_dir: Path, tmp_path: Path
) -> None:
    store = open_store(store_url, registry=test_registry)
    org = store.create_organisation("Crash", industry="x", size_band="1-49", region="r")
    campaign = store.create_campaign(org.id, "crash", instruments=["alpha"])
    _, token = store.create_invitation(campaign.id, role="sales")
    store.close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = {
        **os.environ,
        "COCREATE_INSTRUMENTS_DIR": str(test_instruments_dir),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    process = subprocess.Popen(
        [sys.executable, str(script), store_url, token],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stdout is not None
    last = 0
    deadline = time.monotonic() + 120
    while last < 25 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        last = int(line)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert last >= 25, process.stderr.read() if process.stderr else "writer stopped"
    # Whatever was printed had been committed; the next save may or may not have committed.
    reopened = open_store(store_url, registry=test_registry)
    answers = reopened.resume(token).answers["alpha@1.0.0"]
    reopened.close()
    assert sorted(answers) == sorted(ALPHA)
    values = set(answers.values())
    assert len(values) == 1
    assert values <= {last % 5 + 1, (last + 1) % 5 + 1}

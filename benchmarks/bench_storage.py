"""Storage speed: submissions per second (1 and 32 clients) and loading 100,000 responses.

Runs on SQLite and, when PostgreSQL binaries exist (or ``--postgres-url`` is given), on a
throw-away PostgreSQL cluster on 127.0.0.1. Each figure is printed next to a reference run on the
same data in the same run:

* submissions: the same rows written straight through the database driver (one transaction per
  submission: the response row and its answers), without validation, retries or locking;
* loading: ``pandas.read_sql`` of the long answers table followed by ``DataFrame.pivot``.

Usage::

    python benchmarks/bench_storage.py [--responses 100000] [--submissions 320]
                                       [--postgres-url URL] [--no-postgres]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy.pool import NullPool

from survey.instrument.registry import Registry, load_registry
from survey.storage import Store, open_store
from survey.storage.demo import generate_demo
from survey.storage.engine import make_engine

ITEMS_PER_SCALE = 5
SCALES = 6


def write_instrument(root: Path) -> Registry:
    """A 30-item instrument (6 scales x 5 items, 1-5, "not applicable" on half the scales)."""

    def text(value: str) -> dict[str, str]:
        return {"en": value}

    labels = {point: text(f"point {point}") for point in range(1, 6)}
    data = {
        "id": "bench",
        "version": "1.0.0",
        "title": text("Benchmark"),
        "description": text("Benchmark instrument"),
        "languages": ["en"],
        "response_scales": [
            {"id": "agree", "min": 1, "max": 5, "labels": labels},
            {
                "id": "agree-na",
                "min": 1,
                "max": 5,
                "labels": labels,
                "not_applicable": True,
                "not_applicable_label": text("n/a"),
            },
        ],
        "scales": [
            {
                "id": f"scale-{s}",
                "name": text(f"Scale {s}"),
                "definition": text(f"Scale {s}"),
                "response_scale": "agree-na" if s % 2 else "agree",
                "items": [
                    {
                        "id": f"BENCH-{s}-{i}",
                        "text": text(f"Item {s}.{i}"),
                        **({"reverse": True} if i == ITEMS_PER_SCALE else {}),
                    }
                    for i in range(1, ITEMS_PER_SCALE + 1)
                ],
            }
            for s in range(1, SCALES + 1)
        ],
        "stages": [
            {
                "stage": 1,
                "id": "low",
                "name": text("Low"),
                "min_index": 0,
                "narrative": text("Low"),
            },
            {
                "stage": 2,
                "id": "high",
                "name": text("High"),
                "min_index": 50,
                "narrative": text("High"),
            },
        ],
        "changelog": [{"version": "1.0.0", "date": "2026-01-01", "changes": ["first"]}],
    }
    folder = root / "bench"
    folder.mkdir(parents=True)
    (folder / "1.0.0.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_registry([root])


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throw-away cluster on 127.0.0.1 (as in tests/conftest.py)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = shutil.which("initdb")
    initdb = bins[-1] if bins else found
    if initdb is None:
        raise RuntimeError("no PostgreSQL binaries")
    bindir = Path(initdb).parent
    root = Path(tempfile.mkdtemp(prefix="cocreate-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    # Default durability settings (fsync on): the figures are those of a real deployment.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=200"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _answers(number: int, registry: Registry) -> dict[str, int | str]:
    items = registry.get("bench").item_ids
    return {item: (number + k) % 5 + 1 for k, item in enumerate(items)}


def submissions(store: Store, registry: Registry, clients: int, total: int) -> float:
    """Submissions per second: each is one save_draft of every item and one submit."""
    org = store.create_organisation(
        f"bench-{clients}-{time.time_ns()}", industry="x", size_band="x", region="x"
    )
    campaign = store.create_campaign(org.id, "bench", instruments=["bench"])
    tokens = [store.create_invitation(campaign.id, role="sales")[1] for _ in range(total)]
    shares = [tokens[k::clients] for k in range(clients)]
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(share: list[str], offset: int) -> None:
        barrier.wait()
        try:
            for n, token in enumerate(share):
                store.save_draft(token, "bench", _answers(offset + n, registry))
                store.submit(token)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(s, k)) for k, s in enumerate(shares)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    stored = len(store.responses(campaign_id=campaign.id))
    if stored != total:
        raise RuntimeError(f"{stored} of {total} submissions stored")
    return total / elapsed


def reference_submissions(store: Store, registry: Registry, clients: int, total: int) -> float:
    """The same rows written directly through the driver, one transaction per submission."""
    org = store.create_organisation(
        f"ref-{clients}-{time.time_ns()}", industry="x", size_band="x", region="x"
    )
    campaign = store.create_campaign(org.id, "ref", instruments=["bench"])
    invitation_ids = [
        store.create_invitation(campaign.id, role="sales")[0].id for _ in range(total)
    ]
    instrument = registry.get("bench")
    sqlite = store.dialect == "sqlite"
    mark = "?" if sqlite else "%s"
    barrier = threading.Barrier(clients + 1)
    # Its own unpooled engine: every client holds a connection for the whole run.
    engine = make_engine(store.engine.url, poolclass=NullPool)

    def client(share: list[int], offset: int) -> None:
        barrier.wait()
        raw: Any = engine.raw_connection()
        try:
            for n, invitation_id in enumerate(share):
                cursor = raw.cursor()
                if sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                now = pd.Timestamp.now("UTC").tz_localize(None).to_pydatetime()
                returning = (
                    "INSERT INTO responses (invitation_id, campaign_id, instrument_id, version, "
                    "sha256, status, started_at, last_saved_at, submitted_at) VALUES "
                    f"({', '.join([mark] * 9)}) RETURNING id"
                )
                cursor.execute(
                    returning,
                    (
                        invitation_id,
                        campaign.id,
                        "bench",
                        "1.0.0",
                        instrument.sha256,
                        "submitted",
                        now,
                        now,
                        now,
                    ),
                )
                response_id = cursor.fetchone()[0]
                values = _answers(offset + n, registry)
                cursor.executemany(
                    f"INSERT INTO answers (response_id, item_id, value, not_applicable) "
                    f"VALUES ({mark}, {mark}, {mark}, {mark})",
                    [(response_id, item, value, False) for item, value in values.items()],
                )
                raw.commit()
                cursor.close()
        finally:
            raw.close()

    shares = [invitation_ids[k::clients] for k in range(clients)]
    threads = [threading.Thread(target=client, args=(s, k)) for k, s in enumerate(shares)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return total / elapsed


def load(store: Store, registry: Registry, responses: int) -> tuple[int, float, float]:
    """Seconds to load the submitted responses wide, by the store and by pandas (reference)."""
    have = len(store.responses(instrument="bench@1.0.0").respondents)
    while have < responses:
        # About 7 submitted responses per demo organisation.
        generate_demo(
            store,
            max(10, (responses - have) // 7 + 10),
            seed=have,
            instruments=["bench@1.0.0"],
            progress=True,
            batch_size=500,
        )
        have = len(store.responses(instrument="bench@1.0.0").respondents)
    start = time.perf_counter()
    table = store.responses(instrument="bench@1.0.0")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    long = pd.read_sql(
        "SELECT a.response_id, a.item_id, a.value FROM answers a "
        "JOIN responses r ON r.id = a.response_id "
        "WHERE r.instrument_id = 'bench' AND r.version = '1.0.0' AND r.status = 'submitted'",
        store.engine,
    )
    wide = long.pivot(index="response_id", columns="item_id", values="value")
    reference = time.perf_counter() - start
    if len(wide) != len(table):
        raise RuntimeError(f"reference has {len(wide)} rows, the store {len(table)}")
    return len(table), ours, reference


def run_backend(name: str, url: str, registry: Registry, args: argparse.Namespace) -> list[str]:
    store = open_store(url, registry=registry)
    rows = []
    try:
        for clients in (1, 32):
            total = args.submissions if clients > 1 else max(50, args.submissions // 4)
            ours = submissions(store, registry, clients, total)
            ref = reference_submissions(store, registry, clients, total)
            rows.append(
                f"| {name} | submissions/s, {clients} client{'s' * (clients > 1)} | "
                f"{ours:,.0f} | {ref:,.0f} (raw driver) | {ours / ref:.2f} |"
            )
            print(rows[-1], flush=True)
        count, ours_s, ref_s = load(store, registry, args.responses)
        rows.append(
            f"| {name} | load {count:,} responses wide (s) | {ours_s:.2f} | "
            f"{ref_s:.2f} (read_sql + pivot) | {ref_s / ours_s:.2f}x faster |"
        )
        print(rows[-1], flush=True)
    finally:
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=320)
    parser.add_argument("--postgres-url")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cocreate-bench-"))
    registry = write_instrument(root / "instruments")
    header = ["| backend | measure | cocreate | reference | ratio |", "|---|---|---|---|---|"]
    print("\n".join(header), flush=True)
    rows = run_backend("SQLite", f"sqlite:///{root / 'bench.db'}", registry, args)
    if args.postgres_url:
        rows += run_backend("PostgreSQL", args.postgres_url, registry, args)
    elif not args.no_postgres:
        try:
            with postgres_cluster() as url:
                rows += run_backend("PostgreSQL", url, registry, args)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"PostgreSQL skipped: {exc}")
    shutil.rmtree(root, ignore_errors=True)
    print("\n" + "\n".join(header + rows))


if __name__ == "__main__":
    main()

"""Shared fixtures: a real PostgreSQL server on loopback, and stores on SQLite and PostgreSQL.

``postgres_url`` starts a throw-away cluster once per test session (per pytest-xdist worker):
initdb into a temporary folder, pg_ctl start on a free port bound to 127.0.0.1 with its socket in
that folder, stopped and removed at the end. As root the binaries run as the ``postgres`` user
(initdb refuses to run as root). Without PostgreSQL binaries the tests that need it are skipped,
except in CI (``CI=true``), where a missing server is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.instrument.registry import Registry, load_registry


def _labels(low: int, high: int) -> dict[int, dict[str, str]]:
    return {
        point: {"en": f"point {point}", "de": f"Punkt {point}"} for point in range(low, high + 1)
    }


def _text(en: str) -> dict[str, str]:
    return {"en": en, "de": f"{en} (de)"}


def instrument(
    instrument_id: str,
    version: str,
    prefix: str,
    *,
    scales: int = 2,
    items: int = 4,
    optional_last: bool = False,
) -> dict[str, Any]:
    """A valid instrument: ``scales`` scales of ``items`` items on a 1-5 agreement scale with
    "not applicable" allowed on the second scale only; the last item of each scale reversed."""
    scale_list = []
    for s in range(1, scales + 1):
        scale_list.append(
            {
                "id": f"scale-{s}",
                "name": _text(f"Scale {s}"),
                "definition": _text(f"What scale {s} measures"),
                "response_scale": "agree-na" if s == 2 else "agree",
                "items": [
                    {
                        "id": f"{prefix}-{s}-{i}",
                        "text": _text(f"Statement {s}.{i}"),
                        **({"reverse": True} if i == items else {}),
                        **({"required": False} if optional_last and i == items else {}),
                    }
                    for i in range(1, items + 1)
                ],
            }
        )
    return {
        "id": instrument_id,
        "version": version,
        "title": _text(f"Test instrument {instrument_id}"),
        "description": _text("For tests"),
        "languages": ["en", "de"],
        "response_scales": [
            {"id": "agree", "min": 1, "max": 5, "labels": _labels(1, 5)},
            {
                "id": "agree-na",
                "min": 1,
                "max": 5,
                "labels": _labels(1, 5),
                "not_applicable": True,
                "not_applicable_label": _text("not applicable"),
            },
        ],
        "scales": scale_list,
        "stages": [
            {
                "stage": 1,
                "id": "early",
                "name": _text("Early"),
                "min_index": 0,
                "narrative": _text("Early"),
            },
            {
                "stage": 2,
                "id": "late",
                "name": _text("Late"),
                "min_index": 50,
                "narrative": _text("Late"),
            },
        ],
        "changelog": [{"version": version, "date": "2026-01-01", "changes": ["first"]}],
    }


def write_instruments(root: Path) -> Path:
    """``alpha@1.0.0`` (2 scales x 4 items, prefix A) and ``beta@1.0.0`` (1 scale, optional
    last item, prefix B) under ``root``."""
    for data in (
        instrument("alpha", "1.0.0", "A"),
        instrument("beta", "1.0.0", "B", scales=1, items=3, optional_last=True),
    ):
        folder = root / data["id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{data['version']}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root


def _postgres_bin() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL superuser connection to a fresh cluster on 127.0.0.1."""
    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL binaries not found (install Debian's postgresql package)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the PostgreSQL tests")
        pytest.skip(message)
    as_root = os.geteuid() == 0
    # Not under pytest's tmp dir: that one is private to root and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="cocreate-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    prefix: list[str] = []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace")
        if log.exists():
            detail += log.read_text(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {detail}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def test_instruments_dir() -> Iterator[Path]:
    """A folder with the small test instruments ``alpha@1.0.0`` and ``beta@1.0.0``."""
    root = Path(tempfile.mkdtemp(prefix="cocreate-instruments-"))
    yield write_instruments(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def test_registry(test_instruments_dir: Path) -> Registry:
    return load_registry([test_instruments_dir])


@pytest.fixture(scope="session")
def _postgres_database(postgres_url: str, test_registry: Registry) -> str:
    """A migrated database shared by this worker's tests (emptied before each one)."""
    from sqlalchemy import create_engine, text

    from survey.storage import open_store

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE cocreate_test"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/cocreate_test"
    open_store(url, registry=test_registry).close()
    return url


def _empty_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from survey.storage.models import Base

    tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "meta")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE meta SET value = 0"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty, migrated database: a SQLite file, or the emptied PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cocreate.db'}"
    url: str = request.getfixturevalue("_postgres_database")
    _empty_postgres_database(url)
    return url


@pytest.fixture
def store(store_url: str, test_registry: Registry) -> Iterator[object]:
    """A :class:`survey.storage.Store` on SQLite and on PostgreSQL, with the test instruments."""
    from survey.storage import open_store

    opened = open_store(store_url, registry=test_registry)
    try:
        yield opened
    finally:
        opened.close()

"""What every hostile-input case asserts: a located, clean refusal within bounds, and nothing
stored changed.

- :func:`run_bounded` runs ``cocreate`` in a child process with an address-space limit and a
  wall-clock limit. The limits are ceilings that catch a blow-up (gigabytes from nine lines of
  YAML aliases, a hang), not performance thresholds: a case passes however fast it is, as long
  as it ends within them.
- :func:`database_fingerprint` is a digest of every row of every table, the same on SQLite and
  PostgreSQL, and for a SQLite file of its bytes too, so a test can assert that a refused input
  left the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Address space a refused input may use (the interpreter with pandas, numpy and SQLAlchemy
#: loaded needs about 1 GiB of it).
MEMORY_CEILING = 3 * 1024**3
#: Wall-clock seconds a refused input may take, start-up of the interpreter included.
TIME_CEILING = 60.0


@dataclass(frozen=True)
class Outcome:
    """How a bounded ``cocreate`` run ended."""

    code: int
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        """Whether a Python traceback reached the user."""
        return "Traceback (most recent call last)" in self.stderr + self.stdout

    def assert_refused(self, *fragments: str) -> None:
        """A clean refusal: exit code 1 or 2, no traceback, every fragment in the message."""
        assert self.code in (1, 2), (self.code, self.stdout[-2000:], self.stderr[-2000:])
        assert not self.traceback, self.stderr[-4000:]
        for fragment in fragments:
            assert fragment in self.stderr, (fragment, self.stderr[-4000:])


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def run_bounded(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Outcome:
    """``cocreate ARGS`` in a child process under :data:`MEMORY_CEILING` and
    :data:`TIME_CEILING`; a run that exceeds either fails the test with what it printed."""
    environ = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "survey.cli.main", *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=cwd,
            timeout=TIME_CEILING,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - the failure itself
        raise AssertionError(f"cocreate {' '.join(args)} ran over {TIME_CEILING} s") from exc
    return Outcome(done.returncode, done.stdout, done.stderr)


def database_fingerprint(url: str) -> str:
    """SHA-256 of every row of every table of the database at ``url``, in a stable order; for a
    SQLite file also of its bytes, after moving the write-ahead log into it, so that "unchanged"
    means byte for byte there."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                digest.update(table.encode())
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                for row in sorted(repr(tuple(row)) for row in rows):
                    digest.update(row.encode())
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                digest.update(file_digest(Path(parsed.database)).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()

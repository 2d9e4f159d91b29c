"""What every ``cocreate`` command shares: the --db help, and how a user's mistake ends.

A mistake the user can fix ends with one ``error: ...`` line on stderr and exit code 1 (bad data)
or 2 (bad arguments), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from survey.ingest.problems import FileRefused
from survey.instrument.errors import InstrumentError

DB_HELP = "Database URL (default: COCREATE_DATABASE_URL, then the embedded SQLite file)."
DELIMITER_HELP = "Delimiter of a CSV file (';', ',', tab, '|'); default: recognised from the file."
ENCODING_HELP = "Encoding of a CSV file, e.g. latin-1; default: UTF-8, else Windows-1252."
#: Problems of a refused file printed; the rest are counted.
MAX_PROBLEMS_SHOWN = 50


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a message and an exit code."""
    # Imported here: the instrument commands must not pay for SQLAlchemy at start-up.
    from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, OperationalError

    from survey.storage.errors import StorageError
    from survey.storage.imports import ImportFailed
    from survey.storage.store import refusal

    try:
        yield
    except ImportFailed as exc:
        raise refused(exc, "nothing was imported") from None
    except (DataError, IntegrityError) as exc:
        # The store turns these into StorageError; this is the backstop: never the statement.
        raise fail(str(refusal(exc))) from None
    except ArgumentError as exc:
        raise fail(f"not a database URL: {exc}", 2) from None
    except OperationalError as exc:
        raise fail(f"cannot use the database: {exc.orig}") from None
    except InstrumentError as exc:
        raise fail(f"the instruments are invalid:\n{exc}") from None
    except (StorageError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None


def refused(exc: FileRefused, outcome: str) -> typer.Exit:
    """Print a refused file's problems (the first :data:`MAX_PROBLEMS_SHOWN`), one a line, then
    ``error: <outcome>: fix the N problems above ...``; return the exit to raise."""
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        typer.echo(f"  {problem}", err=True)
    count = len(exc.problems)
    if count > MAX_PROBLEMS_SHOWN:
        typer.echo(f"  ... and {count - MAX_PROBLEMS_SHOWN} more", err=True)
    return fail(
        f"{outcome}: fix the {count} problem{'s' if count > 1 else ''} above and run the command "
        "again"
    )


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback."""


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (dates and other objects as strings)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))

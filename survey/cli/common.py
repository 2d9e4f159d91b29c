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

from survey.instrument.errors import InstrumentError

DB_HELP = "Database URL (default: COCREATE_DATABASE_URL, then the embedded SQLite file)."


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a message and an exit code."""
    # Imported here: the instrument commands must not pay for SQLAlchemy at start-up.
    from sqlalchemy.exc import ArgumentError, OperationalError

    from survey.storage.errors import StorageError
    from survey.storage.imports import ImportFailed

    try:
        yield
    except ImportFailed as exc:
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        count = len(exc.problems)
        raise fail(
            f"nothing was imported: fix the {count} problem{'s' if count > 1 else ''} above and "
            "run the command again"
        ) from None
    except ArgumentError as exc:
        raise fail(f"not a database URL: {exc}", 2) from None
    except OperationalError as exc:
        raise fail(f"cannot use the database: {exc.orig}") from None
    except InstrumentError as exc:
        raise fail(f"the instruments are invalid:\n{exc}") from None
    except (StorageError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback."""


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (dates and other objects as strings)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))

"""The ``cocreate`` command line.

Each command is a thin layer over a library function; errors a user can fix are printed as one
clear message on stderr with exit code 1, never as a traceback. Each command group lives in
its own module of :mod:`survey.cli` and registers itself with ``register(app)``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from survey import __version__
from survey.cli import app as app_commands
from survey.cli import database, export, instruments, score
from survey.cli.common import UserError
from survey.instrument.errors import InstrumentError
from survey.settings import SettingError

app = typer.Typer(
    name="cocreate",
    help="Measure co-creation readiness: instruments, scoring, collection, exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"cocreate {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """cocreate: co-creation readiness instruments, scoring and data."""


# Each command group registers itself on the same app.
for group in (instruments, score, database, export, app_commands):
    group.register(app)


def main() -> None:
    """Entry point of the ``cocreate`` console script."""
    try:
        app()
    except (InstrumentError, UserError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except SettingError as exc:  # a COCREATE_* variable holds a value it cannot have
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

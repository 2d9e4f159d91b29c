"""``cocreate app`` (serve the web app from the installed package) and ``cocreate samples``
(copy the shipped sample files out, for the README's first look).

Registered into the ``cocreate`` app by :func:`register`. The app is started as
``python -m streamlit run <streamlit_app.py>``; the CLI never imports the app or Streamlit (the
layers contract): it finds the installed ``streamlit_app`` module with
:func:`importlib.util.find_spec`, which locates a module without running it, and passes the
app's Streamlit configuration (``app_pages/streamlit-config.toml``, the checkout's
``.streamlit/config.toml``) as command-line options, so the installed app looks the same from any
working folder.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from survey import settings
from survey.cli.common import DB_HELP, fail
from survey.instrument.errors import InstrumentError
from survey.instrument.registry import default_registry

#: The module that is the app's entry file, and the app's Streamlit configuration beside it.
APP_MODULE = "streamlit_app"
APP_CONFIG = Path("app_pages") / "streamlit-config.toml"
#: The package holding the sample files.
SAMPLES_PACKAGE = "survey.samples"


def app_file() -> Path:
    """The installed ``streamlit_app.py`` (located, not imported).

    Examples
    --------
    >>> app_file().name
    'streamlit_app.py'
    """
    spec = importlib.util.find_spec(APP_MODULE)
    if spec is None or spec.origin is None:
        raise fail(f"the app ({APP_MODULE}.py) is not installed: reinstall cocreate")
    return Path(spec.origin)


def config_options(path: Path) -> list[str]:
    """A Streamlit ``config.toml`` as ``streamlit run`` options (``--section.key=value``).

    Examples
    --------
    >>> import tempfile
    >>> toml = Path(tempfile.mkdtemp()) / "config.toml"
    >>> _ = toml.write_text('[server]\\nmaxUploadSize = 20\\n[client]\\ntoolbarMode = "viewer"\\n'
    ...                     '[browser]\\ngatherUsageStats = false\\n')
    >>> config_options(toml)
    ['--server.maxUploadSize=20', '--client.toolbarMode=viewer', '--browser.gatherUsageStats=false']
    """

    def text(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        f"--{section}.{key}={text(value)}"
        for section, options in config.items()
        for key, value in options.items()
    ]


def streamlit_command(host: str, port: int) -> list[str]:
    """The command that serves the installed app headless on ``host:port``."""
    entry = app_file()
    config = entry.parent / APP_CONFIG
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(entry),
        *(config_options(config) if config.is_file() else []),
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.headless=true",
    ]


def _launch(command: list[str], env: dict[str, str]) -> None:
    """Hand the process over to Streamlit (POSIX: replaced, so signals reach the server)."""
    if os.name == "posix":
        os.execve(command[0], command, env)
    raise typer.Exit(subprocess.call(command, env=env))


def app_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to serve on (default: COCREATE_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port to serve on (default: COCREATE_PORT).", min=1, max=65535),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Start the web app (Streamlit) from the installed package; Ctrl-C stops it."""
    host = host or settings.get("host")
    if port is None:
        configured = settings.get("port")
        if not configured.isdigit():
            raise fail(f"COCREATE_PORT must be a port number, not {configured!r}", 2)
        port = int(configured)
    env = dict(os.environ)
    if db:
        env["COCREATE_DATABASE_URL"] = db
    try:
        # The app cannot show anything without its instruments: refuse to start, as
        # `cocreate validate` would, rather than serve pages that each report the problem.
        default_registry()
    except InstrumentError as exc:
        raise fail(f"the instruments are invalid, so the app was not started:\n{exc}") from None
    typer.echo(f"cocreate app on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    _launch(streamlit_command(host, port), env)


def sample_files() -> list[Path]:
    """The shipped sample files (the data files of ``survey/samples``).

    Examples
    --------
    >>> [p.name for p in sample_files()]
    ['answers.csv']
    """
    folder = Path(str(resources.files(SAMPLES_PACKAGE)))
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc"))


def samples_command(
    folder: Annotated[Path, typer.Argument(help="Folder to copy the sample files into.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files of the same name.")
    ] = False,
) -> None:
    """Copy the sample files (answers.csv for cocreation-readiness) into FOLDER."""
    files = sample_files()
    clashes = [folder / f.name for f in files if (folder / f.name).exists()]
    if clashes and not force:
        names = ", ".join(str(p) for p in clashes)
        raise fail(f"{names} already exist(s): use --force to overwrite", 1)
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(file, folder / file.name)
        typer.echo(str(folder / file.name))


def register(app: typer.Typer) -> None:
    """Add ``app`` and ``samples`` to the ``cocreate`` app."""
    app.command("app")(app_command)
    app.command("samples")(samples_command)

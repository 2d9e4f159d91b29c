"""Settings read from environment variables, declared once.

:data:`SETTINGS` is the one list that both the code (:func:`get`) and the documentation
(``docs/settings.md``, checked by ``tests/test_docs.py``) use, so a setting cannot exist without
being documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The folder above the package: the repository checkout when run from one (``make`` installs
#: it in editable mode), else the ``site-packages`` folder of an installed wheel.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def in_checkout() -> bool:
    """Whether the package runs from a repository checkout (``pyproject.toml`` and ``.git``)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / ".git").exists()


def default_data_dir() -> Path:
    """Where data files go without ``COCREATE_DATA_DIR``: ``data/`` in a checkout, else the
    per-user data folder of the platform (``platformdirs``)."""
    if in_checkout():
        return PROJECT_ROOT / "data"
    from platformdirs import user_data_path

    return user_data_path("cocreate", appauthor=False)


def data_dir() -> Path:
    """The folder of the embedded database and the pseudonym key (``COCREATE_DATA_DIR``)."""
    return Path(get("data_dir"))


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    description: str
    #: Computes the default when it depends on other settings or the machine (``default`` is
    #: then empty and unused).
    computed: Callable[[], str] | None = None

    def default_value(self) -> str:
        return self.computed() if self.computed is not None else self.default


SETTINGS: list[Setting] = [
    Setting(
        "instruments_dir",
        "COCREATE_INSTRUMENTS_DIR",
        "",
        "Folder of instrument files (`<id>/<version>.yaml`) and their lock file, used instead "
        "of the shipped instruments (copy those in to keep them; every file is validated the "
        "same way). Empty (the default): the instruments shipped inside the package "
        "(`instruments/` of the checkout, installed as `survey.instrument.shipped`).",
    ),
    Setting(
        "data_dir",
        "COCREATE_DATA_DIR",
        "",
        "Folder of the embedded SQLite database and the generated pseudonym key. Default: "
        "`data/` in a checkout (a folder with `pyproject.toml` and `.git` beside the package); "
        "installed from a wheel, the per-user data folder of `platformdirs` (on Linux "
        "`~/.local/share/cocreate`, on macOS `~/Library/Application Support/cocreate`, on "
        "Windows `%LOCALAPPDATA%\\cocreate`).",
        computed=lambda: str(default_data_dir()),
    ),
    Setting(
        "database_url",
        "COCREATE_DATABASE_URL",
        "",
        "SQLAlchemy URL of the database. Default: the embedded SQLite file `cocreate.db` in "
        "the data folder (`COCREATE_DATA_DIR`); use `postgresql+psycopg://user:pw@host/db` for "
        "a shared deployment.",
        computed=lambda: f"sqlite:///{data_dir() / 'cocreate.db'}",
    ),
    Setting(
        "host",
        "COCREATE_HOST",
        "127.0.0.1",
        "Address `cocreate app` (and `make run`) serves the app on; `0.0.0.0` for every "
        "network interface. Default: 127.0.0.1 (this computer only).",
    ),
    Setting(
        "port",
        "COCREATE_PORT",
        "8501",
        "Port `cocreate app` (and `make run`) serves the app on. Default: 8501.",
    ),
    Setting(
        "public_url",
        "COCREATE_PUBLIC_URL",
        "http://127.0.0.1:8501",
        "Address where respondents open the app (its root). When set, invitation links on the "
        "Consultant page use it; unset, the page uses the address in the consultant's browser. "
        "`cocreate setup` prints its respondent link on it. Default: the address `cocreate app` "
        "serves by default (`COCREATE_HOST`, `COCREATE_PORT`: 127.0.0.1 and 8501).",
    ),
    Setting(
        "language",
        "COCREATE_LANGUAGE",
        "",
        "Language of the app's menus and pages for new sessions (`en`, `de`); each user can "
        "change it in the sidebar. Empty: the browser's language when the app has it, else "
        "English.",
    ),
    Setting(
        "min_cohort",
        "COCREATE_MIN_COHORT",
        "5",
        "Smallest number of organisations a benchmark cohort (or an exported industry, size or "
        "region cell) may have; never below 3. Default: 5.",
    ),
    Setting(
        "pseudonym_secret",
        "COCREATE_PSEUDONYM_SECRET",
        "",
        "Secret key for the HMAC pseudonyms in exports. Empty: a random secret is created once "
        "and kept in `pseudonym.key` in the data folder (`COCREATE_DATA_DIR`).",
    ),
    Setting(
        "max_yaml_bytes",
        "COCREATE_MAX_YAML_BYTES",
        "4000000",
        "Largest instrument file, mapping file (`cocreate import --mapping`) or "
        "`instruments.lock` read, in bytes; a larger file is refused before it is parsed "
        "(I109). Default: 4000000 (4 MB; the shipped instruments are under 30 kB).",
    ),
    Setting(
        "max_yaml_nodes",
        "COCREATE_MAX_YAML_NODES",
        "200000",
        "Most values (mappings, lists and scalars, counted with every YAML alias `*name` "
        "expanded) an instrument file, mapping file or lock file may hold; counting stops at "
        "the first alias past the limit, so nested aliases (a 'billion laughs' file) are "
        "refused in milliseconds (I111). Default: 200000 (the shipped instruments have about "
        "1000).",
    ),
    Setting(
        "max_yaml_depth",
        "COCREATE_MAX_YAML_DEPTH",
        "64",
        "Deepest nesting of mappings and lists (aliases expanded) in an instrument file, "
        "mapping file or lock file (I110); values above 500 count as 500. Default: 64 (the "
        "shipped instruments nest 6 deep).",
    ),
    Setting(
        "max_file_bytes",
        "COCREATE_MAX_FILE_BYTES",
        "200000000",
        "Largest response file `cocreate score` and `cocreate import` read, in bytes; for "
        "Excel and Parquet files also the most bytes their contents may unpack to (a zip bomb "
        "is refused before it is unpacked). Default: 200000000 (200 MB).",
    ),
    Setting(
        "max_rows",
        "COCREATE_MAX_ROWS",
        "1000000",
        "Most rows (below the header) a response file may have; reading stops at the first row "
        "past it. Default: 1000000.",
    ),
    Setting(
        "max_columns",
        "COCREATE_MAX_COLUMNS",
        "2000",
        "Most columns a response file may have (items, respondent ids, roles, comments...); a "
        "line of a CSV/TSV file may have 4000 characters per column (8,000,000 at the default) "
        "and a longer one is refused before it is split. Default: 2000.",
    ),
    Setting(
        "max_cells",
        "COCREATE_MAX_CELLS",
        "20000000",
        "Most cells (rows times columns, header included) a response file may have; reading "
        "stops at the first row past it, and a Parquet file is refused from its metadata before "
        "it is read. Default: 20000000 (100,000 respondents of 200 columns).",
    ),
]

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: its environment variable if set, else its default."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env) or setting.default_value()


#: No deployment may set ``min_cohort`` below this many organisations: smaller cohorts would let
#: a reader single out one organisation's answers (:func:`scoring.benchmark.check_cohort_size`
#: refuses them).
MIN_COHORT_FLOOR = 3


def min_cohort() -> int:
    """The smallest cohort: the ``min_cohort`` setting, raised to :data:`MIN_COHORT_FLOOR`.

    Every benchmark, cohort comparison and export cell reads it here.

    Returns
    -------
    int
        ``COCREATE_MIN_COHORT`` (default 5), at least :data:`MIN_COHORT_FLOOR` (3).

    Examples
    --------
    >>> min_cohort() >= MIN_COHORT_FLOOR
    True
    """
    return max(MIN_COHORT_FLOOR, int(get("min_cohort")))


class SettingError(ValueError):
    """A setting's environment variable holds a value it cannot have."""


def limit(name: str) -> int:
    """A size limit setting (``max_*``) as a positive whole number.

    Parameters
    ----------
    name : str
        The setting's name, such as ``"max_yaml_nodes"``.

    Returns
    -------
    int
        Its environment variable when set, else its documented default.

    Raises
    ------
    SettingError
        The variable is set to something other than a positive whole number.

    Examples
    --------
    >>> limit("max_yaml_depth") > 0
    True
    """
    setting = _BY_NAME[name]
    value = get(name)
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise SettingError(f"{setting.env} must be a positive whole number, not {value!r}")
    return number


def settings_markdown() -> str:
    """The settings as the Markdown page ``docs/settings.md`` (kept equal by a test)."""
    lines = [
        "# Settings",
        "",
        "cocreate reads its settings from environment variables; each has a default that suits "
        "one person on one laptop.",
        "This page is generated from `survey/settings.py` (`python -m survey.settings > "
        "docs/settings.md`); a test fails when the two differ.",
        "",
        "| variable | meaning and default |",
        "|---|---|",
    ]
    lines += [f"| `{s.env}` | {s.description} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")

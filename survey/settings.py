"""Settings read from environment variables, declared once.

:data:`SETTINGS` is the one list that both the code (:func:`get`) and the documentation
(``docs/settings.md``, checked by ``tests/test_docs.py``) use, so a setting cannot exist without
being documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The repository checkout (the package is installed in editable mode by ``make``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    description: str


SETTINGS: list[Setting] = [
    Setting(
        "instruments_dir",
        "COCREATE_INSTRUMENTS_DIR",
        str(PROJECT_ROOT / "instruments"),
        "Folder of instrument files (`<id>/<version>.yaml`) and their lock file. "
        "Default: `instruments/` in the checkout.",
    ),
    Setting(
        "database_url",
        "COCREATE_DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'cocreate.db'}",
        "SQLAlchemy URL of the database. Default: the embedded SQLite file "
        "`data/cocreate.db` in the checkout; use `postgresql+psycopg://user:pw@host/db` for a "
        "shared deployment.",
    ),
    Setting(
        "public_url",
        "COCREATE_PUBLIC_URL",
        "http://127.0.0.1:8501",
        "Address where respondents open the app (its root). When set, invitation links on the "
        "Consultant page use it; unset, the page uses the address in the consultant's browser. "
        "`cocreate setup` prints its respondent link on it. Default: the address `make run` "
        "serves (`COCREATE_HOST`, `COCREATE_PORT` of the Makefile: 127.0.0.1 and 8501).",
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
        "and kept in `data/pseudonym.key`.",
    ),
]

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: its environment variable if set, else its default."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env) or setting.default


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

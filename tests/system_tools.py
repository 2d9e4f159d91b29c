"""Marks for tests that need a program from the system (installed by scripts/system-deps.sh).

On a developer's machine without the program the test is skipped with the reason; in CI
(``CI=true``) it runs and fails, so that a missing install step cannot pass as a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest


def needs_program(program: str, what: str) -> pytest.MarkDecorator:
    missing = shutil.which(program) is None and os.environ.get("CI") != "true"
    return pytest.mark.skipif(missing, reason=f"{what} ({program}) is not installed")

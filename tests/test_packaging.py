"""What the wheel carries: every package on disk is listed in pyproject.toml, the shipped
instruments, samples and the app are found through the import system (as in an installed wheel),
and the data folder follows the checkout rule. The wheel itself is built and run by
``tests/test_wheel.py``."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from survey import settings
from survey.instrument.registry import LOCK_NAME, instruments_dir, shipped_instruments_dir

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_package_folder_is_listed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("survey", "scoring", "app_pages")
        for init in (ROOT / top).rglob("__init__.py")
    }
    mapped = set(SETUPTOOLS["package-dir"])
    listed = set(SETUPTOOLS["packages"])
    assert on_disk | mapped <= listed
    # The rest are data folders (no __init__.py) that exist.
    for name in listed - on_disk - mapped:
        assert (ROOT.joinpath(*name.split("."))).is_dir(), name


def test_shipped_instruments_are_package_data() -> None:
    assert SETUPTOOLS["package-dir"]["survey.instrument.shipped"] == "instruments"
    assert shipped_instruments_dir().resolve() == (ROOT / "instruments").resolve()
    assert (shipped_instruments_dir() / LOCK_NAME).is_file()


def test_instruments_dir_setting_replaces_the_shipped_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COCREATE_INSTRUMENTS_DIR", raising=False)
    assert instruments_dir() == shipped_instruments_dir()
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(tmp_path))
    assert instruments_dir() == tmp_path


def test_app_is_an_importable_module() -> None:
    spec = importlib.util.find_spec("streamlit_app")
    assert spec is not None and spec.origin is not None
    assert (Path(spec.origin).parent / "app_pages" / "home.py").is_file()


def test_data_folder_in_a_checkout_and_by_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COCREATE_DATA_DIR", raising=False)
    monkeypatch.delenv("COCREATE_DATABASE_URL", raising=False)
    assert settings.in_checkout()
    assert settings.data_dir() == ROOT / "data"
    monkeypatch.setenv("COCREATE_DATA_DIR", str(tmp_path))
    assert settings.get("database_url") == f"sqlite:///{tmp_path / 'cocreate.db'}"


def test_data_folder_outside_a_checkout_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_data_path

    monkeypatch.delenv("COCREATE_DATA_DIR", raising=False)
    monkeypatch.setattr(settings, "PROJECT_ROOT", Path("/nonexistent/site-packages"))
    assert not settings.in_checkout()
    assert settings.data_dir() == user_data_path("cocreate", appauthor=False)

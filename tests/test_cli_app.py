"""``cocreate app`` and ``cocreate samples``, run as a user runs them (typer's CliRunner); the
server itself is started by tests/test_wheel.py from an installed wheel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from survey.cli import app as app_module
from survey.cli.main import app
from survey.instrument import registry

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(app_module, "_launch", lambda command, env: calls.append((command, env)))
    return calls


def test_app_runs_the_installed_entry_file_with_the_checkout_theme(
    launched: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COCREATE_HOST", raising=False)
    monkeypatch.delenv("COCREATE_PORT", raising=False)
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 0, result.output
    [(command, _)] = launched
    assert command[1:5] == ["-m", "streamlit", "run", str(ROOT / "streamlit_app.py")]
    assert command[-3:] == [
        "--server.address=127.0.0.1",
        "--server.port=8501",
        "--server.headless=true",
    ]
    # The same look as `streamlit run` in the checkout, which reads .streamlit/config.toml.
    assert "--theme.primaryColor=#0072B2" in command
    assert "--client.toolbarMode=viewer" in command
    assert "--browser.gatherUsageStats=false" in command


def test_app_options_and_settings(launched: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCREATE_HOST", "0.0.0.0")
    monkeypatch.setenv("COCREATE_PORT", "9000")
    result = runner.invoke(app, ["app", "--db", "sqlite:///x.db"])
    assert result.exit_code == 0, result.output
    command, env = launched[0]
    assert "--server.address=0.0.0.0" in command and "--server.port=9000" in command
    assert env["COCREATE_DATABASE_URL"] == "sqlite:///x.db"
    result = runner.invoke(app, ["app", "--host", "127.0.0.2", "--port", "8600"])
    command, _ = launched[1]
    assert "--server.address=127.0.0.2" in command and "--server.port=8600" in command


def test_app_rejects_a_bad_port_setting(launched: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCREATE_PORT", "http")
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 2 and "COCREATE_PORT" in result.stderr
    assert launched == []


def test_samples_are_copied_and_score_as_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COCREATE_INSTRUMENTS_DIR", raising=False)
    registry._CACHE.clear()
    result = runner.invoke(app, ["samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    answers = tmp_path / "answers.csv"
    assert str(answers) in result.stdout
    frame = pd.read_csv(answers)
    instrument = registry.get_instrument("cocreation-readiness")
    assert list(frame.columns) == ["respondent_id", *instrument.item_ids]
    assert len(frame) == 12
    command = ["score", str(answers), "--instrument", "cocreation-readiness"]
    result = runner.invoke(app, [*command, "--id-column", "respondent_id"])
    assert result.exit_code == 0, result.output
    assert "12 respondents" in result.stdout


def test_samples_do_not_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "answers.csv").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["samples", str(tmp_path)])
    assert result.exit_code == 1 and "--force" in result.stderr
    assert (tmp_path / "answers.csv").read_text(encoding="utf-8") == "mine\n"
    result = runner.invoke(app, ["samples", str(tmp_path), "--force"])
    assert result.exit_code == 0
    assert (tmp_path / "answers.csv").read_text(encoding="utf-8").startswith("respondent_id,")


def test_app_does_not_start_on_invalid_instruments(
    launched: list, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(tmp_path / "nowhere"))
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 1
    assert "the instruments are invalid, so the app was not started" in result.output
    assert "I100" in result.output and "nowhere" in result.output
    assert launched == []

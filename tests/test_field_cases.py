"""The field cases of tests/fixtures/field-cases/ (files real users sent), each through the
commands that read response files: ``cocreate import`` and ``cocreate score`` share one reader
and one set of checks, so they accept and refuse the same files with the same located messages.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from survey import settings
from survey.cli import database, score
from survey.storage import open_store

CASES = Path(__file__).resolve().parent / "fixtures" / "field-cases"
SEMICOLON = CASES / "semicolon-header-comma"
DUPLICATES = CASES / "duplicate-respondent-ids" / "duplicate_ids.csv"
SPE = "sustained-purposeful-engagement@1.0.0"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    database.register(app)
    score.register(app)
    return app


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """An empty SQLite database (created, closed) and the shipped instruments."""
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(settings.PROJECT_ROOT / "instruments"))
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "test-secret")
    path = tmp_path / "cocreate.db"
    open_store(f"sqlite:///{path}").close()
    return f"sqlite:///{path}", path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _import(url: str, path: Path, *more: str) -> object:
    args = ["import", str(path), "--db", url, "--instrument", SPE, "--organization", "Acme"]
    return CliRunner().invoke(_app(), [*args, *more])


def test_german_excel_csv_imports_with_its_mapping(db: tuple[str, Path]) -> None:
    url, _ = db
    csv_file = SEMICOLON / "excel_de_comma_in_header.csv"
    assert b"\r\n" in csv_file.read_bytes()  # as Excel wrote it
    result = _import(url, csv_file, "--mapping", str(SEMICOLON / "mapping.yaml"))
    assert result.exit_code == 0, result.output
    assert "Imported 3 responses (36 answers)" in result.stdout
    store = open_store(url)
    try:
        table = store.responses(instrument=SPE)
    finally:
        store.close()
    assert table.respondents["role"].tolist() == ["sales", "sales", "service"]
    assert table.answers["SPE-PUR-3"].tolist() == [5.0, 4.0, 2.0]


def test_german_excel_csv_scores_too(db: tuple[str, Path]) -> None:
    csv_file = SEMICOLON / "excel_de_comma_in_header.csv"
    args = ["score", str(csv_file), "-i", SPE, "--id-column", "Nr", "--ignore", "Abteilung"]
    result = CliRunner().invoke(_app(), [*args, "--ignore", "Anmerkungen, Wünsche", "--json"])
    assert result.exit_code == 0, result.output
    assert '"respondents": 3' in result.stdout


def test_unrecognisable_delimiter_is_named_and_nothing_is_stored(
    db: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = db
    # The same file with one stray ';' in a comment: no delimiter splits every line alike.
    text = (SEMICOLON / "excel_de_comma_in_header.csv").read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace("mehr Zeit, weniger", "mehr Zeit; weniger"), encoding="utf-8")
    before = _digest(path)
    result = _import(url, broken, "--mapping", str(SEMICOLON / "mapping.yaml"))
    assert result.exit_code == 1
    assert "broken.csv: cannot recognise the delimiter (the character between cells)" in (
        result.stderr
    )
    assert "Fix: give the delimiter with --delimiter ';'" in result.stderr
    assert "nothing was imported" in result.stderr
    assert _digest(path) == before
    score_result = CliRunner().invoke(_app(), ["score", str(broken), "-i", SPE])
    assert score_result.exit_code == 1
    assert "broken.csv: cannot recognise the delimiter" in score_result.stderr
    # Given explicitly, the delimiter is used and the stray cell is located instead.
    result = _import(url, broken, "--mapping", str(SEMICOLON / "mapping.yaml"), "--delimiter", ";")
    assert result.exit_code == 1
    assert "broken.csv: line 4: the row has 16 cells but the header only 15" in result.stderr
    assert _digest(path) == before


DUPLICATE = (
    "duplicate_ids.csv: line 4, column 'respondent_id', value '1001': duplicate respondent id "
    "(also on line 2)"
)


def test_duplicate_respondent_ids_refused_by_score(db: tuple[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["score", str(DUPLICATES), "-i", SPE, "--id-column", "respondent_id"]
    result = CliRunner().invoke(_app(), [*args, "--out", str(out)])
    assert result.exit_code == 1
    assert DUPLICATE in result.stderr
    assert "nothing was scored: fix the 1 problem above" in result.stderr
    assert not out.exists()


def test_duplicate_respondent_ids_refused_by_import_alike(
    db: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = db
    before = _digest(path)
    result = _import(url, DUPLICATES)
    assert result.exit_code == 1
    assert DUPLICATE in result.stderr
    assert "nothing was imported: fix the 1 problem above" in result.stderr
    assert _digest(path) == before
    copy = tmp_path / "ids.csv"  # the same message names the file it is about
    shutil.copy(DUPLICATES, copy)
    assert DUPLICATE.replace("duplicate_ids.csv", "ids.csv") in _import(url, copy).stderr

"""Imports: good files land complete; malformed files change nothing and say what to fix."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook
from typer.testing import CliRunner

from survey.cli.database import register
from survey.instrument.registry import Registry
from survey.storage import Store, open_store
from survey.storage.imports import ImportFailed, import_responses

ALPHA = [f"A-{s}-{i}" for s in (1, 2) for i in range(1, 5)]
HEADER = "respondent_id,role,side," + ",".join(ALPHA)


def _row(respondent: str, role: str = "sales", side: str = "self", value: str = "3") -> str:
    return f"{respondent},{role},{side}," + ",".join([value] * len(ALPHA))


GOOD = (
    "\n".join(
        [
            HEADER,
            _row("r1"),
            _row("r2", "rnd", value="4"),
            "r3,customer,customer,1,2,3,4,na,na,na,na",
        ]
    )
    + "\n"
)


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, test_instruments_dir: Path) -> None:
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(test_instruments_dir))
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "test-secret")


@pytest.fixture
def seeded_sqlite(tmp_path: Path, test_registry: Registry) -> tuple[str, Path]:
    """A SQLite database with one earlier import, closed (so the file is complete)."""
    db = tmp_path / "cocreate.db"
    url = f"sqlite:///{db}"
    store = open_store(url, registry=test_registry)
    first = tmp_path / "first.csv"
    first.write_text(GOOD.replace("na", "2"), encoding="utf-8")
    import_responses(store, first, instrument="alpha@1.0.0", organisation="Acme", campaign="2026")
    store.close()
    return url, db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_good_import_on_both_backends(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(GOOD, encoding="utf-8")
    summary = import_responses(
        store, path, instrument="alpha", organisation="Acme", campaign="2026", industry="Machinery"
    )
    assert (summary.responses, summary.answers, summary.organisation_created) == (3, 24, True)
    table = store.responses(instrument="alpha@1.0.0")
    assert table.respondents["role"].tolist() == ["sales", "rnd", "customer"]
    assert table.respondents["side"].tolist() == ["self", "self", "customer"]
    assert table.answers.iloc[1].eq(4).all()
    assert table.not_applicable.iloc[2][[f"A-2-{i}" for i in range(1, 5)]].all()
    assert store.campaign(summary.campaign_id).sides == ("self", "customer")
    assert store.organisation("Acme").industry == "Machinery"


def test_na_on_scale_without_na_and_all_problems_reported(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(GOOD.replace("1,2,3,4,", "na,na,na,na,"), encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_responses(store, path, instrument="alpha", organisation="Acme")
    # Row 4 answered "na" on the four items of scale-1, which has no not-applicable option.
    assert {(p.line, p.column, p.value) for p in caught.value.problems} == {
        (4, f"A-1-{i}", "na") for i in range(1, 5)
    }
    assert store.organisations() == []


def test_mapping_file_with_text_answers_and_xlsx(store: Store, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "respondent_id: ResponseId\n"
        "role: Department\n"
        "skip_rows: 1\n"
        "ignore: [StartDate]\n"
        "columns: {" + ", ".join(f"Q{n}: {item}" for n, item in enumerate(ALPHA, 1)) + "}\n"
        "values: {Strongly disagree: 1, Disagree: 2, Neutral: 3, Agree: 4, Strongly agree: 5}\n"
        "roles: {Research: rnd}\n",
        encoding="utf-8",
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["ResponseId", "StartDate", "Department", *[f"Q{n}" for n in range(1, 9)]])
    sheet.append(["Response ID", "Start", "Your department", *["question text"] * 8])
    sheet.append(["R_1", "2026-01-01", "Research", *["Agree"] * 7, 2])
    sheet.append(["R_2", "2026-01-02", "sales", *["Strongly agree"] * 8])
    path = tmp_path / "qualtrics.xlsx"
    book.save(path)
    summary = import_responses(
        store, path, instrument="alpha", organisation="Beta", mapping=mapping
    )
    assert summary.responses == 2
    table = store.responses(instrument="alpha")
    assert table.answers.iloc[0].tolist() == [4.0] * 7 + [2.0]
    assert table.respondents["role"].tolist() == ["rnd", "sales"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            HEADER + "\n" + _row("r1", value="7") + "\n",
            ["line 2, column 'A-1-1', value '7': value 7 is outside the scale 1..5"],
        ),
        (HEADER + ",Q99\n" + _row("r1") + ",1\n", ["line 1, column 'Q99': unknown column"]),
        (
            HEADER + "\n" + _row("r1") + "\n" + _row("r1") + "\n",
            [
                "line 3, column 'respondent_id', value 'r1': "
                "duplicate respondent id (also on line 2)"
            ],
        ),
        (
            # 0x81 is neither UTF-8 nor Windows-1252 (which is read when UTF-8 fails)
            ("respondent_id,role,side," + ",".join(ALPHA) + "\n" + _row("M?ller"))
            .encode("latin-1")
            .replace(b"?", b"\x81"),
            ["line 2: ", "is not UTF-8", "--encoding latin-1"],
        ),
        (b"", ["is empty"]),
        (HEADER + "\n", ["has a header but no responses"]),
        (HEADER + "\n" + _row("r1") + "\n", ["this file was imported into the campaign before"]),
        (
            HEADER + "\n" + _row("r2", role="ceo") + "\n",
            ["line 2, column 'role', value 'ceo': role must be one of"],
        ),
    ],
    ids=[
        "out-of-range",
        "unknown-column",
        "duplicate-id",
        "encoding",
        "empty",
        "no-rows",
        "same-file-again",
        "bad-role",
    ],
)
def test_malformed_import_leaves_database_byte_for_byte_unchanged(
    cli_env: None,
    seeded_sqlite: tuple[str, Path],
    tmp_path: Path,
    content: str | bytes,
    expected: list[str],
) -> None:
    url, db = seeded_sqlite
    path = tmp_path / "bad.csv"
    if content == HEADER + "\n" + _row("r1") + "\n":
        path = tmp_path / "first.csv"  # the very file imported before, unchanged
        path.write_text(GOOD.replace("na", "2"), encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = _digest(db)
    result = CliRunner().invoke(
        _app(),
        [
            "import",
            str(path),
            "--db",
            url,
            "--instrument",
            "alpha@1.0.0",
            "--organization",
            "Acme",
            "--campaign",
            "2026",
        ],
    )
    assert result.exit_code == 1, result.output
    message = result.stderr
    for fragment in expected:
        assert fragment in message
    assert "nothing was imported" in message
    assert "Traceback" not in result.output
    assert _digest(db) == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_encoding_option_reads_latin1(
    cli_env: None, seeded_sqlite: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = seeded_sqlite
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "\n" + _row("Müller") + "\n").encode("latin-1"))
    result = CliRunner().invoke(
        _app(),
        [
            "import",
            str(path),
            "--db",
            url,
            "--instrument",
            "alpha",
            "--organization",
            "Acme",
            "--campaign",
            "2026",
            "--encoding",
            "latin-1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Imported 1 responses" in result.stdout

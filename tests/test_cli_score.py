"""``cocreate score`` through typer's CliRunner on a small instrument in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
import yaml
from typer.testing import CliRunner

from survey.cli.score import register

ITEMS = {"dia": ["DIA-1", "DIA-2", "DIA-3"], "des": ["DES-1", "DES-2", "DES-3"]}


def _instrument_dict() -> dict:  # type: ignore[type-arg]
    def scale(sid: str) -> dict:  # type: ignore[type-arg]
        return {
            "id": sid,
            "name": {"en": sid},
            "definition": {"en": "A scale."},
            "response_scale": "agree-5",
            "items": [
                {"id": i, "text": {"en": f"Item {i}."}, "reverse": i.endswith("-3")}
                for i in ITEMS[sid]
            ],
        }

    return {
        "id": "mini",
        "version": "1.0.0",
        "title": {"en": "Mini"},
        "description": {"en": "A small instrument."},
        "languages": ["en"],
        "response_scales": [
            {
                "id": "agree-5",
                "min": 1,
                "max": 5,
                "labels": {i: {"en": f"point {i}"} for i in range(1, 6)},
            }
        ],
        "scales": [scale("dia"), scale("des")],
        "dimensions": [
            {"id": "linking", "name": {"en": "Linking"}, "scales": ["dia"]},
            {"id": "materializing", "name": {"en": "Materializing"}, "scales": ["des"]},
        ],
        "stages": [
            {
                "stage": 1,
                "id": "first",
                "name": {"en": "First"},
                "min_index": 0,
                "narrative": {"en": "Starting."},
            },
            {
                "stage": 2,
                "id": "second",
                "name": {"en": "Second"},
                "min_index": 50,
                "narrative": {"en": "Going."},
            },
        ],
        "changelog": [{"version": "1.0.0", "date": "2026-01-01", "changes": ["First."]}],
    }


@pytest.fixture()
def instruments_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instruments"
    (folder / "mini").mkdir(parents=True)
    (folder / "mini" / "1.0.0.yaml").write_text(yaml.safe_dump(_instrument_dict()))
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(folder))
    return folder


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, as the real app, so that "score" is a sub-command
        """Test app."""

    register(app)
    return app


def _answers(n: int = 12, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(n, 6)).astype(float),
        columns=[i for items in ITEMS.values() for i in items],
    )
    frame.iloc[2, 1] = np.nan
    frame.insert(0, "respondent", [f"r{i}" for i in range(n)])
    return frame


def _expected_scores(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.drop(columns="respondent").copy()
    for column in ["DIA-3", "DES-3"]:
        keyed[column] = 6 - keyed[column]
    return pd.DataFrame({s: keyed[items].mean(axis=1) for s, items in ITEMS.items()})


def test_score_csv_json_and_outputs(
    instruments_dir: Path, app: typer.Typer, tmp_path: Path
) -> None:
    answers = _answers()
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "score",
            str(path),
            "--instrument",
            "mini@1.0.0",
            "--id-column",
            "respondent",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["instrument"] == "mini@1.0.0"
    assert info["respondents"] == 12
    expected = _expected_scores(answers)
    by_scale = {row["scale"]: row for row in info["scales"]}
    assert by_scale["dia"]["mean"] == pytest.approx(expected["dia"].mean(), abs=1e-4)
    assert by_scale["des"]["mean_index"] == pytest.approx(
        (100 * (expected["des"] - 1) / 4).mean(), abs=1e-4
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "flags.csv",
        "items.csv",
        "reliability.csv",
        "scores.csv",
    ]
    scores = pd.read_csv(out / "scores.csv", index_col=0)
    assert list(scores.index) == answers["respondent"].tolist()
    np.testing.assert_allclose(scores[["dia", "des"]].to_numpy(), expected.to_numpy())
    assert {"dia_index", "linking_index", "overall_index"} <= set(scores.columns)
    reliability = pd.read_csv(out / "reliability.csv", index_col=0)
    assert list(reliability.index) == ["dia", "des"]
    assert "alpha" in reliability.columns


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_score_other_formats_and_text_summary(
    instruments_dir: Path, app: typer.Typer, tmp_path: Path, suffix: str
) -> None:
    answers = _answers()
    path = tmp_path / f"answers{suffix}"
    if suffix == ".parquet":
        answers.to_parquet(path)
    else:
        answers.to_excel(path, index=False)
    result = CliRunner().invoke(app, ["score", str(path), "-i", "mini", "--ignore", "respondent"])
    assert result.exit_code == 0, result.output
    assert "mini@1.0.0: 12 respondents" in result.stdout
    expected = _expected_scores(answers)["dia"].mean()
    assert f"{expected:8.2f}" in result.stdout


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda f: f.rename(columns={"DIA-2": "DIA-02"}),
            "answers.csv: line 1, column 'DIA-02': unknown column: not an item of mini@1.0.0 "
            "(did you mean 'DIA-2'?)",
        ),
        (
            lambda f: f.drop(columns="DES-1"),
            "answers.csv: missing item column(s) ['DES-1'] of mini@1.0.0",
        ),
        (
            lambda f: f.astype({"DES-2": object}).assign(**{"DES-2": ["x"] + ["3"] * 11}),
            "answers.csv: line 2, column 'DES-2', value 'x': 'x' is not a point of the scale 1..5",
        ),
        (
            lambda f: f.assign(**{"DIA-1": [3.0] * 4 + [7.0] + [3.0] * 7}),
            "answers.csv: line 6, column 'DIA-1', value '7.0': value 7 is outside the scale 1..5",
        ),
    ],
)
def test_bad_files_give_one_clear_error(
    instruments_dir: Path, app: typer.Typer, tmp_path: Path, edit, message: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "answers.csv"
    edit(_answers()).to_csv(path, index=False)
    result = CliRunner().invoke(
        app, ["score", str(path), "--instrument", "mini", "--id-column", "respondent"]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert message in result.stderr


def test_unknown_instrument_and_file_type(
    instruments_dir: Path, app: typer.Typer, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    _answers().to_csv(path, index=False)
    result = CliRunner().invoke(app, ["score", str(path), "--instrument", "mini@2.0.0"])
    assert result.exit_code == 1
    assert "mini has no version '2.0.0' (versions: 1.0.0)" in result.stderr
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"X-1": [1], "X-2": [2]}).to_csv(wrong, index=False)
    result = CliRunner().invoke(app, ["score", str(wrong), "--instrument", "mini"])
    assert result.exit_code == 1
    assert "wrong.csv: none of its columns is an item of mini@1.0.0" in result.stderr
    many = tmp_path / "many.csv"
    _answers().assign(**{f"extra{i}": 1 for i in range(7)}).to_csv(many, index=False)
    result = CliRunner().invoke(app, ["score", str(many), "--instrument", "mini"])
    assert result.exit_code == 1
    for column in ["respondent"] + [f"extra{i}" for i in range(7)]:  # each one located
        assert (
            f"many.csv: line 1, column '{column}': unknown column: not an item of mini@1.0.0"
            in result.stderr
        )
    assert "fix the 8 problems above" in result.stderr
    other = tmp_path / "answers.txt"
    other.write_text("x")
    result = CliRunner().invoke(app, ["score", str(other), "--instrument", "mini"])
    assert result.exit_code == 1
    assert "answers.txt: cannot read .txt" in result.stderr


def test_semicolon_windows_1252_file_is_scored_with_a_note(
    instruments_dir: Path, app: typer.Typer, tmp_path: Path
) -> None:
    answers = _answers().assign(respondent=[f"Müller {i}" for i in range(12)])
    path = tmp_path / "answers.csv"
    path.write_bytes(answers.to_csv(index=False, sep=";").encode("cp1252"))
    result = CliRunner().invoke(
        app, ["score", str(path), "-i", "mini", "--id-column", "respondent", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["respondents"] == 12
    assert "note: answers.csv is not UTF-8 (line 2); read as Windows-1252" in result.stderr
    result = CliRunner().invoke(
        app, ["score", str(path), "-i", "mini", "--ignore", "respondent", "--delimiter", ","]
    )
    assert result.exit_code == 1
    assert "answers.csv: none of its columns is an item of mini@1.0.0" in result.stderr

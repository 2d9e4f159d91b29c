"""LimeSurvey: every shipped instrument written as a survey structure and read back; a response
export of it scored and imported without a mapping file; foreign languages refused, located."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from survey.cli.main import app
from survey.ingest import limesurvey as codes
from survey.instrument.model import Instrument
from survey.instrument.registry import default_registry
from survey.storage import open_store

SHIPPED = [instrument.key for instrument in default_registry()]
INSTRUMENT = "cocreation-practices@1.0.0"
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")
ANSWER = re.compile(r"^[A-Za-z0-9]{1,5}$")
METADATA = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]


@pytest.fixture(autouse=True)
def _shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", "")
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "test-secret")


def _instrument(key: str) -> Instrument:
    instrument: Instrument = default_registry().get(key)
    return instrument


def _export(key: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"{key.replace('@', '-')}.txt"
    result = CliRunner().invoke(
        app, ["instruments", "export", key, "--to", "limesurvey", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter="\t"))


@pytest.mark.parametrize("key", SHIPPED)
def test_every_shipped_instrument_exports_and_parses_back(key: str, tmp_path: Path) -> None:
    instrument = _instrument(key)
    rows = _export(key, tmp_path)
    languages = list(instrument.languages)
    assert {r["class"] for r in rows} == {"S", "SL", "G", "Q", "SQ", "A"}
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == languages[0]
    assert settings["additional_languages"].split() == languages[1:]
    assert {r["language"] for r in rows if r["class"] != "S"} == set(languages)
    # walk the rows as LimeSurvey does: Q, then its SQs and As, each once per language
    found: dict[str, dict[str, str]] = {}  # item id -> language -> text
    question = None
    answers: dict[str, dict[str, dict[str, str]]] = {}
    subs: dict[str, dict[str, str]] = {}
    mandatory: dict[str, str] = {}
    for row in rows:
        if row["class"] == "Q":
            question = row["name"]
            assert CODE.match(question), question
            assert row["type/scale"] == "F"
            mandatory[question] = row["mandatory"]
        elif row["class"] == "SQ":
            assert question is not None and CODE.match(row["name"]), row
            subs.setdefault(f"{question}[{row['name']}]", {})[row["language"]] = row["text"]
        elif row["class"] == "A":
            assert question is not None and ANSWER.match(row["name"]), row
            answers.setdefault(question, {}).setdefault(row["name"], {})[row["language"]] = row[
                "text"
            ]
    assert len(mandatory) == len(set(mandatory)) == len(codes.questions(instrument))
    mapped = codes.columns(instrument)
    assert set(subs) == set(mapped)
    for column, item_id in mapped.items():
        found[item_id] = subs[column]
    assert sorted(found) == sorted(instrument.item_ids)
    for scale in instrument.scales:
        for item in scale.items:
            assert found[item.id] == {lang: " ".join(item.text[lang].split()) for lang in languages}
    for q in codes.questions(instrument):
        assert mandatory[q.code] == ("Y" if q.mandatory else "N")
        rs = q.response_scale
        expected = [f"A{p}" for p in rs.points] + (["NA"] if rs.not_applicable else [])
        assert list(answers[q.code]) == expected
        for point in rs.points:
            assert answers[q.code][f"A{point}"] == {
                lang: rs.labels[point][lang] for lang in languages
            }
        if rs.not_applicable:
            assert answers[q.code]["NA"]["en"] == (rs.not_applicable_label or {})["en"]


def _limesurvey_csv(instrument: Instrument, answers: pd.DataFrame, language: str = "de") -> str:
    """A LimeSurvey response export ("question code" headings, answer codes) of ``answers``."""
    columns = {item: column for column, item in codes.columns(instrument).items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(METADATA + [columns[item] for item in answers.columns])
    for position, (respondent, row) in enumerate(answers.iterrows()):
        cells = [
            "" if np.isnan(value) else ("NA" if value == -1 else f"A{int(value)}") for value in row
        ]
        meta = [
            str(respondent),
            "2026-03-02 10:00:00",
            "3",
            language if position else "en",
            "12345",
            "2026-03-02 09:50:00",
            "2026-03-02 10:00:00",
        ]
        writer.writerow(meta + cells)
    return buffer.getvalue()


def _answers(instrument: Instrument, n: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(n, len(instrument.item_ids))).astype(float),
        columns=instrument.item_ids,
        index=pd.Index([str(100 + i) for i in range(n)], name="id"),
    )
    frame.iloc[1, 2] = -1.0  # one "not applicable"
    return frame


def test_limesurvey_responses_score_without_a_mapping(tmp_path: Path) -> None:
    instrument = _instrument(INSTRUMENT)
    answers = _answers(instrument)
    export = tmp_path / "results-survey123.csv"
    export.write_text(_limesurvey_csv(instrument, answers), encoding="utf-8")
    direct = tmp_path / "direct.csv"
    answers.replace(-1.0, np.nan).astype("Int64").to_csv(direct)
    runner = CliRunner()
    via_lime = runner.invoke(app, ["score", str(export), "-i", INSTRUMENT, "--json"])
    assert via_lime.exit_code == 0, via_lime.output
    given = runner.invoke(
        app, ["score", str(direct), "-i", INSTRUMENT, "--id-column", "id", "--json"]
    )
    assert given.exit_code == 0, given.output
    lime, plain = json.loads(via_lime.stdout), json.loads(given.stdout)
    assert lime["respondents"] == plain["respondents"] == len(answers)
    assert lime["scales"] == plain["scales"]
    assert lime["overall_index"] == plain["overall_index"]
    # scores per respondent, too
    out_lime, out_plain = tmp_path / "lime", tmp_path / "plain"
    runner.invoke(app, ["score", str(export), "-i", INSTRUMENT, "--out", str(out_lime)])
    runner.invoke(
        app, ["score", str(direct), "-i", INSTRUMENT, "--id-column", "id", "--out", str(out_plain)]
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(out_lime / "scores.csv", index_col=0),
        pd.read_csv(out_plain / "scores.csv", index_col=0),
    )


def test_limesurvey_responses_import_into_sqlite(tmp_path: Path) -> None:
    instrument = _instrument(INSTRUMENT)
    answers = _answers(instrument, n=4)
    export = tmp_path / "results-survey123.csv"
    export.write_text(_limesurvey_csv(instrument, answers), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cocreate.db'}"
    result = CliRunner().invoke(
        app,
        ["import", str(export), "--db", url, "--instrument", INSTRUMENT, "--organization", "Acme"],
    )
    assert result.exit_code == 0, result.output
    assert "Imported 4 responses" in result.output
    store = open_store(url)
    try:
        table = store.responses(instrument=INSTRUMENT)
    finally:
        store.close()
    assert table.respondents["language"].tolist() == ["en", "de", "de", "de"]
    stored = table.answers.reset_index(drop=True)
    expected = answers.replace(-1.0, np.nan).reset_index(drop=True)
    assert np.allclose(
        stored[instrument.item_ids].to_numpy(float), expected.to_numpy(), equal_nan=True
    )
    assert table.not_applicable.reset_index(drop=True).iloc[1][instrument.item_ids[2]]


@pytest.mark.parametrize("language", ["es", "de-informal"])
def test_a_foreign_start_language_is_refused_and_nothing_stored(
    language: str, tmp_path: Path
) -> None:
    instrument = _instrument(INSTRUMENT)
    export = tmp_path / "results-survey123.csv"
    export.write_text(_limesurvey_csv(instrument, _answers(instrument, n=3), language), "utf-8")
    db = tmp_path / "cocreate.db"
    url = f"sqlite:///{db}"
    result = CliRunner().invoke(
        app,
        ["import", str(export), "--db", url, "--instrument", INSTRUMENT, "--organization", "Acme"],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"results-survey123.csv: line 3, column 'startlanguage', value '{language}': language "
        "must be one of en, de"
    ) in result.output
    assert "nothing was imported" in result.output
    store = open_store(url)
    try:
        counts = store.table_counts()
    finally:
        store.close()
    assert counts.get("responses", 0) == 0
    assert counts.get("organisations", 0) == 0


def test_codes_are_limesurvey_codes_for_the_example() -> None:
    from survey.instrument.examples import example_instrument

    instrument = example_instrument()
    assert all(CODE.match(q.code) for q in codes.questions(instrument))
    assert codes.answer_values(instrument)["a3"] == 3


def test_answer_texts_and_foreign_columns_say_how_to_export_again(tmp_path: Path) -> None:
    instrument = _instrument(INSTRUMENT)
    text = _limesurvey_csv(instrument, _answers(instrument, n=3))
    lines = text.splitlines()
    lines = [lines[0] + ",interviewtime", *(line + ",312.5" for line in lines[1:])]
    lines[1] = re.sub(r",A\d", ",Often", lines[1], count=1)
    export = tmp_path / "results-survey123.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(export), "-i", INSTRUMENT])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "line 1, column 'interviewtime': unknown column" in result.output
    assert "Fix: leave it out when exporting the responses from LimeSurvey" in result.output
    # with the column gone, the answer text is the problem left, located
    lines = [line.rsplit(",", 1)[0] for line in lines]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(export), "-i", INSTRUMENT])
    assert result.exit_code == 1
    assert "line 2, column 'CPDIAG[CPDIAG1]', value 'Often'" in result.output
    assert "again with 'Answer codes'" in result.output
    assert "nothing was scored" in result.output

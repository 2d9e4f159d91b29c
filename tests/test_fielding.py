"""Fielding in KoboToolbox and ODK: every shipped instrument written as an XLSForm that pyxform
converts, and a KoboToolbox-shaped CSV export of that form scored and imported without a mapping
file, with the same scores as the same answers given by item id."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import typer
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from survey import settings
from survey.cli import database, instruments, score
from survey.fielding.xlsform import convert_xlsform, xlsform_sheets
from survey.ingest.mapping import ResponseMapping
from survey.ingest.xlsform import item_id_of, recognise_xlsform, xlsform_name
from survey.instrument.model import Instrument
from survey.instrument.registry import load_registry
from survey.storage import open_store

SHIPPED = settings.PROJECT_ROOT / "instruments"
CP = "cocreation-practices@1.0.0"


def _shipped() -> list[Instrument]:
    return list(load_registry([SHIPPED]))


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    database.register(app)
    score.register(app)
    instruments.register(app)
    return app


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(SHIPPED))
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "test-secret")


@pytest.mark.parametrize("instrument", _shipped(), ids=lambda i: i.key)
def test_every_shipped_instrument_exports_to_an_xlsform_pyxform_converts(
    instrument: Instrument, shipped: None, tmp_path: Path
) -> None:
    out = tmp_path / "form.xlsx"
    result = CliRunner().invoke(
        _app(), ["instruments", "export", instrument.key, "--to", "xlsform", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    xform = convert_xlsform(out)
    assert f'id="{instrument.id}" version="{instrument.version}"' in xform
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    header = [cell.value for cell in workbook["survey"][1]]
    for code in instrument.languages:
        assert any(str(h).startswith("label::") and h.endswith(f"({code})") for h in header)
    names = [row[1] for row in workbook["survey"].iter_rows(min_row=2, values_only=True)]
    for scale in instrument.scales:
        assert scale.id in names
        for item in scale.items:
            assert xlsform_name(item.id) in names
            assert f'/{scale.id}/{xlsform_name(item.id)}"' in xform
            # the texts are the instrument's, in every language
            for code in instrument.languages:
                assert escape(instrument.text(item.text, code)) in xform
    assert {"start", "end"} <= set(names)
    choices = list(workbook["choices"].iter_rows(min_row=2, values_only=True))
    for rs in instrument.response_scales:
        codes = [row[1] for row in choices if row[0] == rs.id.replace("-", "_")]
        if codes:
            assert codes == [str(p) for p in rs.points] + (["na"] if rs.not_applicable else [])


def test_item_ids_map_to_xml_names_and_back() -> None:
    for instrument in _shipped():
        for item_id in instrument.item_ids:
            name = xlsform_name(item_id)
            assert name.replace("_", "").isalnum() and name[0].isalpha()
            assert item_id_of(name) == item_id


def test_export_refuses_an_unknown_format_and_a_wrong_extension(
    shipped: None, tmp_path: Path
) -> None:
    runner = CliRunner()
    unknown = runner.invoke(_app(), ["instruments", "export", CP, "--to", "pdf"])
    assert unknown.exit_code == 2
    assert "unknown form format 'pdf'; choose one of: xlsform" in unknown.stderr
    wrong = runner.invoke(
        _app(), ["instruments", "export", CP, "--out", str(tmp_path / "form.csv")]
    )
    assert wrong.exit_code == 2 and "writes a .xlsx file" in wrong.stderr
    assert "Traceback" not in unknown.output + wrong.output


# --------------------------------------------------------------------------------------------
# responses back in
# --------------------------------------------------------------------------------------------
KOBO_BEFORE = ["start", "end"]
KOBO_AFTER = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]


def _answers(instrument: Instrument) -> list[dict[str, str]]:
    """Four respondents' answers by item id, every item answered; one answer is ``na``."""
    rows = []
    for r in range(4):
        answers = {}
        for position, item_id in enumerate(instrument.item_ids):
            answers[item_id] = str(1 + (r * 3 + position * 7) % 5)
        rows.append(answers)
    rows[2][instrument.item_ids[1]] = "na"
    return rows


def _kobo_csv(
    instrument: Instrument, path: Path, *, groups: bool = True, labels: str | None = None
) -> list[str]:
    """A KoboToolbox CSV export (XML values and headers, ';' as Kobo writes it) of the form, or
    with the choices' labels in language ``labels``; returns the submission uuids."""

    def cell(item_id: str, answer: str) -> str:
        if labels is None:
            return answer
        scale = instrument.scale_of_item(item_id)
        rs = instrument.response_scale(scale.response_scale)
        if answer == "na":
            return (rs.not_applicable_label or {})[labels]
        return rs.labels[int(answer)][labels]

    paths = [
        f"{scale.id}/{xlsform_name(item.id)}" if groups else xlsform_name(item.id)
        for scale in instrument.scales
        for item in scale.items
    ]
    uuids = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([*KOBO_BEFORE, *paths, *KOBO_AFTER])
        for r, answers in enumerate(_answers(instrument)):
            uuid = f"7c4b1d2e-0000-4000-8000-00000000000{r}"
            uuids.append(uuid)
            writer.writerow(
                [
                    "2026-11-02T09:14:03.120+01:00",
                    "2026-11-02T09:21:47.981+01:00",
                    *[cell(item_id, answers[item_id]) for item_id in instrument.item_ids],
                    str(1000 + r),
                    uuid,
                    "2026-11-02T08:21:49",
                    "",
                    "[]",
                    "submitted_via_web",
                    "",
                    "vKq3fDw9uHj2aQ",
                    "[]",
                    str(r + 1),
                ]
            )
    return uuids


def _direct_csv(instrument: Instrument, path: Path, uuids: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", *instrument.item_ids])
        for uuid, answers in zip(uuids, _answers(instrument), strict=True):
            writer.writerow([uuid, *[answers[i] for i in instrument.item_ids]])


def _score(path: Path, *more: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(_app(), ["score", str(path), "-i", CP, "--json", *more])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("groups", "labels"),
    [(True, None), (False, None), (True, "de")],
    ids=["group-paths", "no-group-names", "labels-not-names"],
)
def test_a_kobo_export_scores_without_a_mapping_as_the_answers_given_directly(
    shipped: None, tmp_path: Path, groups: bool, labels: str | None
) -> None:
    instrument = load_registry([SHIPPED]).get(CP)
    kobo = tmp_path / "cocreation_practices_2026.csv"
    uuids = _kobo_csv(instrument, kobo, groups=groups, labels=labels)
    direct = tmp_path / "direct.csv"
    _direct_csv(instrument, direct, uuids)
    from_kobo = _score(kobo, "--out", str(tmp_path / "kobo"))
    given = _score(direct, "--out", str(tmp_path / "direct"), "--id-column", "respondent_id")
    assert from_kobo["respondents"] == 4
    for key in ("overall_index", "scales", "dimensions"):
        assert from_kobo[key] == given[key]
    kobo_scores = (tmp_path / "kobo" / "scores.csv").read_text(encoding="utf-8")
    direct_scores = (tmp_path / "direct" / "scores.csv").read_text(encoding="utf-8")
    assert kobo_scores.splitlines()[1:] == direct_scores.splitlines()[1:]  # ids: the uuids
    assert uuids[0] in kobo_scores


def test_a_kobo_export_imports_into_sqlite_without_a_mapping(shipped: None, tmp_path: Path) -> None:
    instrument = load_registry([SHIPPED]).get(CP)
    kobo = tmp_path / "kobo.csv"
    uuids = _kobo_csv(instrument, kobo)
    url = f"sqlite:///{tmp_path / 'cocreate.db'}"
    open_store(url).close()
    result = CliRunner().invoke(
        _app(),
        ["import", str(kobo), "--db", url, "--instrument", CP, "--organization", "Acme"],
    )
    assert result.exit_code == 0, result.output
    assert "Imported 4 responses" in result.stdout
    assert "kobo.csv: read as a response export of the XLSForm of " + CP in result.stderr
    store = open_store(url)
    try:
        table = store.responses(instrument=CP)
    finally:
        store.close()
    answers = _answers(instrument)
    second = instrument.item_ids[1]
    assert len(table.answers) == 4
    assert table.answers[instrument.item_ids[0]].tolist() == [
        float(a[instrument.item_ids[0]]) for a in answers
    ]
    assert table.answers[second].isna().sum() == 1  # the "na" answer
    assert set(table.respondents["role"]) == {"other"}
    assert uuids  # the submission ids are the respondents' ids (see the score test)


def test_a_wrong_answer_in_a_kobo_export_is_located(shipped: None, tmp_path: Path) -> None:
    instrument = load_registry([SHIPPED]).get(CP)
    kobo = tmp_path / "kobo.csv"
    _kobo_csv(instrument, kobo)
    text = kobo.read_text(encoding="utf-8").splitlines()
    cells = text[2].split(";")
    cells[2] = "7"
    text[2] = ";".join(cells)
    kobo.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["score", str(kobo), "-i", CP])
    assert result.exit_code == 1
    assert "kobo.csv: line 3, column 'co-diagnosis/CP_DIAG_1', value '7'" in result.stderr
    assert "Traceback" not in result.output


def test_recognition_is_only_for_exports_of_the_form() -> None:
    instrument = load_registry([SHIPPED]).get(CP)
    assert recognise_xlsform(["respondent_id", *instrument.item_ids], instrument) is None
    assert recognise_xlsform(["Q1", "Q2"], instrument) is None
    odk = ["SubmissionDate", "co-diagnosis-CP_DIAG_1", "meta-instanceID", "KEY"]
    plan = recognise_xlsform(odk, instrument)
    assert plan is not None
    assert plan.columns == {"co-diagnosis-CP_DIAG_1": "CP-DIAG-1"}
    assert plan.respondent_id == "meta-instanceID"
    given = recognise_xlsform(
        ["start", "CP_DIAG_1", "_uuid", "Nr"], instrument, ResponseMapping(respondent_id="Nr")
    )
    assert given is not None and given.respondent_id == "Nr"


def test_sheets_hold_only_the_instruments_texts() -> None:
    instrument = load_registry([SHIPPED]).get(CP)
    form = xlsform_sheets(instrument)
    columns, rows = form.survey
    assert columns[2:4] == ["label::English (en)", "label::Deutsch (de)"]
    item = instrument.items[0]
    row = next(r for r in rows if r["name"] == "CP_DIAG_1")
    assert row["label::Deutsch (de)"] == item.text["de"]
    assert row["type"] == "select_one frequency_5"
    assert form.settings[1] == [
        {
            "form_title": instrument.title["en"],
            "form_id": "cocreation-practices",
            "version": "1.0.0",
            "default_language": "English (en)",
        }
    ]


def test_a_kobo_excel_export_scores_too(shipped: None, tmp_path: Path) -> None:
    """KoboToolbox's XLS download: the same header in the first sheet, codes as numbers."""
    instrument = load_registry([SHIPPED]).get(CP)
    kobo = tmp_path / "kobo.csv"
    _kobo_csv(instrument, kobo)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with kobo.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter=";")):
            sheet.append([int(c) if number and c.isdigit() and len(c) == 1 else c for c in row])
    workbook.save(tmp_path / "kobo.xlsx")
    from_excel = _score(tmp_path / "kobo.xlsx")
    from_csv = _score(kobo)
    assert from_excel["respondents"] == 4
    assert from_excel["scales"] == from_csv["scales"]

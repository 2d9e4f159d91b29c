"""Research exports read back with independent readers: pandas CSV, pyarrow, pyreadstat, PSPP and
frictionless; pseudonyms, suppression, filters and the codebook."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.exports.dataset import ExportFilters, prepare_dataset
from survey.exports.export import export_archive, export_dataset, write_export
from survey.exports.formats import FORMAT_NAMES, formats_markdown
from survey.exports.pseudonyms import pseudonym, pseudonym_secret
from tests.export_data import ORGANISATIONS, registry, response_table
from tests.system_tools import needs_program

SECRET = b"test-secret"
NAME = "mini-capabilities-1.0.0"


@pytest.fixture(scope="module")
def table():
    return response_table()


@pytest.fixture(scope="module")
def instrument():
    return registry().get("mini-capabilities@1.0.0")


def _export(table, fmt, out, **kwargs):
    kwargs.setdefault("min_cohort", 3)
    return export_dataset(table, registry(), fmt, out, secret=SECRET, **kwargs)


def _by_response(table) -> dict[str, object]:
    """Source response id for each response pseudonym."""
    return {pseudonym(i, "response", SECRET): i for i in table.respondents.index}


def _expected(table, instrument, pseudo_index, na_code):
    """Source answers reindexed by pseudonym, with ``na_code`` where N/A was chosen."""
    source = _by_response(table)
    ids = [source[p] for p in pseudo_index]
    values = table.answers.loc[ids, instrument.item_ids].astype(object)
    values = values.where(values.notna(), None)
    values[table.not_applicable.loc[ids, instrument.item_ids]] = na_code
    values.columns = [c.replace("-", "_") for c in values.columns]
    return values.reset_index(drop=True)


def _same(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    for column in expected.columns:
        for a, e in zip(actual[column], expected[column], strict=True):
            if e is None:
                assert a is None or (isinstance(a, float) and np.isnan(a)), (column, a, e)
            else:
                assert a == e, (column, a, e)


@pytest.fixture(scope="module")
def every_format(tmp_path_factory, table):
    """One prepared dataset written in every format (preparing scores it once)."""
    root = tmp_path_factory.mktemp("formats")
    dataset = prepare_dataset(table, registry(), secret=SECRET, min_cohort=3)
    return root, {fmt: write_export(dataset, fmt, root / fmt) for fmt in FORMAT_NAMES}


def test_every_format_writes_a_codebook(every_format, table):
    _, results = every_format
    for result in results.values():
        names = {p.name for p in result.files}
        assert {"codebook.json", "codebook.md"} <= names
        assert all(p.exists() and p.stat().st_size > 0 for p in result.files)
        assert result.counts["responses"] == len(table.respondents)


def test_csv_round_trip_keeps_values_and_distinguishes_not_applicable(tmp_path, table, instrument):
    _export(table, "csv", tmp_path)
    wide = pd.read_csv(
        tmp_path / f"responses-{NAME}.csv", dtype=str, keep_default_na=False
    ).set_index("response")
    expected = _expected(table, instrument, wide.index, "NA")
    as_text = expected.map(lambda v: "" if v is None else v if v == "NA" else str(int(v)))
    actual = wide[as_text.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, as_text)
    assert (actual == "NA").to_numpy().sum() == table.not_applicable.to_numpy().sum()
    # Default readers see both kinds of gap as missing, so naive means stay correct.
    default = pd.read_csv(tmp_path / f"responses-{NAME}.csv")
    assert default["MC_IND_1"].dtype.kind == "f"

    long = pd.read_csv(tmp_path / "responses-long.csv", keep_default_na=False)
    assert len(long) == int(
        table.answers.notna().to_numpy().sum() + table.not_applicable.to_numpy().sum()
    )
    assert long["not_applicable"].astype(str).eq("True").sum() == table.not_applicable.sum().sum()


def test_parquet_round_trip_with_pyarrow(tmp_path, table, instrument):
    _export(table, "parquet", tmp_path, language="de")
    arrow = pq.read_table(tmp_path / f"responses-{NAME}.parquet")
    wide = arrow.to_pandas().set_index("response")
    expected = _expected(table, instrument, wide.index, None)
    actual = wide[expected.columns].reset_index(drop=True).astype(object)
    _same(actual.where(actual.notna(), None), expected)
    field = arrow.schema.field("MC_IND_1")
    assert field.metadata[b"label"].decode() == "Wir lernen, was jeder Kunde braucht."
    assert json.loads(field.metadata[b"value_labels"])["5"] == "Stimme voll zu"
    assert arrow.schema.metadata[b"cocreate.sha256"].decode() == instrument.sha256

    long = pq.read_table(tmp_path / "responses-long.parquet").to_pandas()
    assert long["not_applicable"].sum() == table.not_applicable.to_numpy().sum()
    assert long.loc[long["not_applicable"], "value"].isna().all()


def test_sav_round_trip_with_pyreadstat(tmp_path, table, instrument):
    _export(table, "sav", tmp_path)
    frame, meta = pyreadstat.read_sav(tmp_path / f"responses-{NAME}.sav", user_missing=True)
    expected = _expected(table, instrument, frame["response"], -9.0)
    _same(frame[expected.columns].astype(object), expected)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for item in instrument.items:
        variable = item.id.replace("-", "_")
        assert labels[variable] == item.text["en"]
        assert meta.variable_measure[variable] == "ordinal"
    assert meta.variable_value_labels["MC_IND_1"] == {
        **{float(p): t["en"] for p, t in instrument.response_scale("agreement-5").labels.items()},
        -9.0: "Not applicable",
    }
    assert meta.missing_ranges["MC_IND_2"] == [{"lo": -9.0, "hi": -9.0}]
    # The frequency scale has no "not applicable": no user-missing code is declared for it.
    assert "MC_DIA_1" not in meta.missing_ranges
    plain, _ = pyreadstat.read_sav(tmp_path / f"responses-{NAME}.sav")
    assert plain["MC_IND_2"].isna().sum() == (table.answers["MC-IND-2"].isna().sum())


@needs_program("pspp", "GNU PSPP")
def test_pspp_opens_the_sav_file(tmp_path, table):
    _export(table, "sav", tmp_path)
    syntax = tmp_path / "check.sps"
    syntax.write_text(
        f'GET FILE="{tmp_path / f"responses-{NAME}.sav"}".\n'
        "DISPLAY DICTIONARY.\nFREQUENCIES VARIABLES=MC_IND_2.\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        ["pspp", "-O", "format=csv", str(syntax)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "error" not in out.lower()
    assert "MC_IND_2" in out and "latent" in out
    assert "Ordinal" in out
    assert "Not applicable" in out and "User-missing" in out


def test_dta_round_trip_with_pyreadstat(tmp_path, table, instrument):
    _export(table, "dta", tmp_path, language="de")
    frame, meta = pyreadstat.read_dta(tmp_path / f"responses-{NAME}.dta", user_missing=True)
    expected = _expected(table, instrument, frame["response"], "a")
    actual = frame[expected.columns].astype(object)
    _same(actual.map(lambda v: float(v) if isinstance(v, int | float) else v), expected)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["MC_IND_3"] == "Wir behandeln alle Kunden <gleich>."
    assert meta.variable_value_labels["MC_IND_1"]["a"] == "Trifft nicht zu"
    assert meta.variable_value_labels["MC_DIA_1"][0] == "Nie"
    assert meta.missing_user_values["MC_IND_1"] == ["a"]


def test_datapackage_validates_with_frictionless(tmp_path, table):
    frictionless = pytest.importorskip("frictionless")
    _export(table, "datapackage", tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    fields = {
        f["name"]: f
        for r in package["resources"]
        if r["name"] == f"responses-{NAME}"
        for f in r["schema"]["fields"]
    }
    assert fields["MC_DIA_1"]["constraints"] == {"minimum": 0, "maximum": 3}
    assert "NA" in package["resources"][0]["schema"]["missingValues"]
    cli = shutil.which("frictionless") or str(Path(os.sys.executable).parent / "frictionless")
    if Path(cli).exists():
        run = subprocess.run(
            [cli, "validate", str(tmp_path / "datapackage.json")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout


def test_datapackage_rejects_out_of_range_values(tmp_path, table):
    """The schema's constraints are real: a corrupted cell fails validation."""
    frictionless = pytest.importorskip("frictionless")
    _export(table, "datapackage", tmp_path)
    path = tmp_path / f"responses-{NAME}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "MC_DIA_1"] = "7"
    frame.to_csv(path, index=False)
    assert not frictionless.validate(tmp_path / "datapackage.json").valid


def test_datapackage_is_validated_before_it_is_returned(tmp_path, table, monkeypatch):
    """An export whose files break their own schema fails with the errors, not silently."""
    from survey.exports import formats

    write_csv = formats.write_csv

    def corrupting(dataset, out_dir):
        entries = write_csv(dataset, out_dir)
        path = out_dir / f"responses-{NAME}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[0, "MC_DIA_1"] = "7"
        frame.to_csv(path, index=False)
        return entries

    monkeypatch.setattr(formats, "write_csv", corrupting)
    with pytest.raises(formats.DatapackageInvalid, match=r"does not validate.*MC_DIA_1"):
        _export(table, "datapackage", tmp_path)


def test_scale_scores_follow_the_scoring_rule(tmp_path, table, instrument):
    _export(table, "csv", tmp_path)
    scores = pd.read_csv(tmp_path / f"scores-{NAME}.csv").set_index("response")
    source = _by_response(table)
    for pseudo, row in scores.iterrows():
        answers = table.answers.loc[source[pseudo]]
        for scale in instrument.scales:
            keyed = []
            for item in scale.items:
                rs = instrument.item_response_scale(item, scale)
                value = answers[item.id]
                if not np.isnan(value):
                    keyed.append(rs.min + rs.max - value if item.reverse else value)
            expected = np.mean(keyed) if len(keyed) >= 0.5 * len(scale.items) else np.nan
            got = row[scale.id.replace("-", "_")]
            assert (np.isnan(expected) and np.isnan(got)) or got == pytest.approx(expected)


def test_no_personal_data_in_any_exported_byte(every_format, table):
    root, _ = every_format
    forbidden = [name for _, name, *_ in ORGANISATIONS]
    forbidden += list(table.respondents["campaign"].unique())
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 3 * len(FORMAT_NAMES)
    for path in files:
        data = path.read_bytes()
        for text in forbidden:
            assert text.encode("utf-8") not in data, (path.name, text)


def test_personal_data_only_on_request(tmp_path, table):
    _export(table, "csv", tmp_path, include_personal=True)
    wide = pd.read_csv(tmp_path / f"responses-{NAME}.csv")
    assert set(wide["organisation_name"]) == {name for _, name, *_ in ORGANISATIONS}
    codebook = json.loads((tmp_path / "codebook.json").read_text(encoding="utf-8"))
    assert codebook["personal_data"]["included"] is True


def test_pseudonyms_are_stable_and_keyed(tmp_path, table):
    first = _export(table, "csv", tmp_path / "a")
    second = _export(table, "csv", tmp_path / "b")
    other = export_dataset(table, registry(), "csv", tmp_path / "c", secret=b"other", min_cohort=3)
    read = [
        pd.read_csv(r.out_dir / f"responses-{NAME}.csv")["organisation"]
        for r in (first, second, other)
    ]
    assert read[0].tolist() == read[1].tolist()
    assert not set(read[0]) & set(read[2])
    assert read[0].nunique() == len(ORGANISATIONS)


def test_secret_key_file_is_created_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("COCREATE_PSEUDONYM_SECRET", raising=False)
    key = tmp_path / "data" / "pseudonym.key"
    first = pseudonym_secret(key)
    assert pseudonym_secret(key) == first
    assert len(first) == 64
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    monkeypatch.setenv("COCREATE_PSEUDONYM_SECRET", "configured")
    assert pseudonym_secret(key) == b"configured"


def test_small_cells_are_coarsened_and_documented(tmp_path, table):
    result = _export(table, "csv", tmp_path)
    wide = pd.read_csv(tmp_path / f"responses-{NAME}.csv", keep_default_na=False)
    # One nuclear organisation: below 3, and 'other' would hold only it, so it is left empty.
    assert "nuclear" not in set(wide["industry"])
    assert (wide["industry"] == "").sum() == 4
    # Nordics (2) and Iberia (1) merge into 'other' with 3 organisations.
    assert set(wide["region"]) == {"DACH", "other"}
    applied = {s["variable"]: s for s in result.codebook["suppression"]["applied"]}
    assert applied["industry"]["action"].startswith("suppressed")
    assert applied["region"] == {
        "variable": "region",
        "values": 2,
        "organisations": 3,
        "action": "merged into 'other'",
    }
    assert "fewer than 3 organisations" in (tmp_path / "codebook.md").read_text(encoding="utf-8")


def test_filters_restrict_rows_and_are_recorded(tmp_path, table):
    filters = ExportFilters(
        organisation="Acme Widgets GmbH", side="self", submitted_from=date(2026, 9, 1)
    )
    result = _export(table, "csv", tmp_path, filters=filters, min_cohort=3)
    wide = pd.read_csv(tmp_path / f"responses-{NAME}.csv")
    assert len(wide) == 3  # autumn campaign, three self respondents
    assert set(wide["submitted"]) == {"2026-10-05"}
    assert result.codebook["filters"]["submitted_from"] == "2026-09-01"
    assert result.codebook["filters"]["organisation"] == pseudonym(11, "organisation", SECRET)
    assert result.codebook["counts"]["responses"] == 3


def test_codebook_names_versions_hashes_items_and_rules(tmp_path, table, instrument):
    result = _export(table, "sav", tmp_path)
    codebook = json.loads((tmp_path / "codebook.json").read_text(encoding="utf-8"))
    assert codebook == json.loads(json.dumps(result.codebook))
    (entry,) = codebook["instruments"]
    assert (entry["id"], entry["version"], entry["sha256"]) == (
        instrument.id,
        instrument.version,
        instrument.sha256,
    )
    items = {i["id"]: i for s in entry["scales"] for i in s["items"]}
    assert items["MC-IND-3"] == {
        "id": "MC-IND-3",
        "variable": "MC_IND_3",
        "text": "We treat all customers <the same>.",
        "reverse": True,
        "required": True,
        "response_scale": "agreement-5",
    }
    assert "50%" in entry["scoring"]["rule"]
    assert codebook["missing_values"]["not_applicable"].startswith("-9")
    assert {f["path"] for f in codebook["files"]} == {f"responses-{NAME}.sav", f"scores-{NAME}.sav"}
    assert codebook["software"]["name"] == "cocreate"
    markdown = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert instrument.sha256 in markdown and "`MC_IND_3`" in markdown


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.respondents.__setitem__("sha256", "0" * 64), "content hash"),
        (lambda t: t.answers.__setitem__("MC-DIA-1", 9.0), "outside its response scale"),
        (lambda t: t.respondents.__setitem__("version", "9.9.9"), "does not hold"),
        (lambda t: t.respondents.drop(columns="side", inplace=True), "lacks the column"),
    ],
)
def test_bad_tables_are_refused_with_a_fix(tmp_path, change, message):
    broken = response_table()
    change(broken)
    with pytest.raises(ValueError, match=message):
        _export(broken, "csv", tmp_path)


def test_unknown_format_names_the_choices(tmp_path, table):
    with pytest.raises(ValueError, match="choose one of csv, parquet, sav, dta, datapackage"):
        _export(table, "xlsx", tmp_path)


def test_docs_list_every_format():
    docs = Path(__file__).resolve().parent.parent / "docs" / "exports.md"
    assert formats_markdown() in docs.read_text(encoding="utf-8"), (
        "update the formats table in docs/exports.md from survey.exports.formats.formats_markdown()"
    )


def test_archive_holds_the_export_files(table):
    import io
    import zipfile

    data, result = export_archive(table, registry(), "sav", secret=SECRET, min_cohort=3)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted(f"cocreate-sav/{p.name}" for p in result.files)
    assert f"cocreate-sav/responses-{NAME}.sav" in names


def test_empty_selection_writes_only_the_codebook(tmp_path, table):
    result = _export(table, "sav", tmp_path, filters=ExportFilters(side="partner"))
    assert [p.name for p in result.files] == ["codebook.json", "codebook.md"]
    assert result.counts["responses"] == 0


def test_unknown_language_names_the_choices(tmp_path, table):
    with pytest.raises(ValueError, match="choose one of en, de"):
        _export(table, "csv", tmp_path, language="fr")


@given(st.from_regex(r"[A-Z][A-Z0-9]{0,4}(-[A-Z0-9]{1,4}){0,3}", fullmatch=True))
def test_variable_names_map_item_ids_one_to_one(item_id):
    from survey.exports.dataset import variable_name

    name = variable_name(item_id)
    assert "-" not in name and name.replace("_", "-") == item_id
    assert name[0].isalpha() and len(name) <= 32


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=50, unique=True))
def test_pseudonyms_differ_for_different_ids(ids):
    names = [pseudonym(i, "organisation", SECRET) for i in ids]
    assert len(set(names)) == len(ids)
    assert all(len(n) == 18 and n.startswith("O-") for n in names)

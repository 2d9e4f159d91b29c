"""The second attacker's cases (2026-11-30): an unclosed quote that swallowed rows, files that
are not what their name says, invisible characters in ids and names, and names that differ only
in case, width or accent encoding. Each is refused with a located message, or read right."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pytest

from survey.ingest.files import read_table
from survey.ingest.problems import FileRefused, Kind
from survey.storage import FieldError, NameTaken, open_store
from survey.text import bad_character, name_key
from tests.hostile.harness import database_fingerprint, run_bounded


def _refusal(path: Path, **options: str) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_table(path, **options)
    return caught.value


@pytest.mark.parametrize("delimiter", [None, ","])
def test_an_unclosed_quote_is_refused_where_it_opens(tmp_path: Path, delimiter: str | None) -> None:
    path = tmp_path / "unclosed.csv"
    path.write_text('id,A-1,A-2\nr1,3,3\n"r2,3,3\nr3,4,4\nr4,5,5\n', encoding="utf-8")
    options = {"delimiter": delimiter} if delimiter else {}
    (problem,) = _refusal(path, **options).problems
    assert (problem.line, problem.kind) == (3, Kind.UNREADABLE)
    assert "never closed" in str(problem) and '("")' in str(problem)


def test_the_score_command_refuses_an_unclosed_quote_and_scores_nothing(
    tmp_path: Path, test_instruments_dir: Path, test_registry
) -> None:
    instrument = test_registry.get("alpha@1.0.0")
    items = instrument.item_ids
    lines = ["respondent_id," + ",".join(items), '"r1,' + ",".join("3" for _ in items)]
    lines.append("r2," + ",".join("4" for _ in items))
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "scores"
    outcome = run_bounded(
        "score",
        str(path),
        "--instrument",
        "alpha",
        "--id-column",
        "respondent_id",
        "--delimiter",
        ",",
        "--out",
        str(out),
        env={"COCREATE_INSTRUMENTS_DIR": str(test_instruments_dir)},
    )
    outcome.assert_refused("answers.csv: line 2", "never closed")
    assert not out.exists()


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    text = "id\tA-1\nr1\t4\nr2\t5\n"
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        path = tmp_path / "unicode.txt.tsv"
        path.write_bytes(bom + text.encode(codec))
        table = read_table(path)
        assert (table.header, table.encoding) == (["id", "A-1"], "utf-16")
        assert [cells for _, cells in table.rows] == [["r1", "4"], ["r2", "5"]]


def test_a_zip_named_csv_and_utf16_without_its_mark_are_named_as_such(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", "<x/>")
    disguised = tmp_path / "x.csv"
    disguised.write_bytes(buffer.getvalue())
    assert "zip archive" in str(_refusal(disguised))
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("id,A-1\nr1,4\n".encode("utf-16-le"))  # no byte-order mark
    (problem,) = _refusal(utf16).problems
    assert (problem.line, problem.kind) == (1, Kind.ENCODING)
    assert "NUL bytes" in str(problem) and "utf-16" in str(problem)


def test_invisible_characters_in_respondent_ids_are_refused_by_score_and_import(
    tmp_path: Path, test_instruments_dir: Path, test_registry
) -> None:
    instrument = test_registry.get("alpha@1.0.0")
    items = instrument.item_ids
    rows = ["respondent_id," + ",".join(items)]
    rows.append("r\u202e1," + ",".join("3" for _ in items))
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {"COCREATE_INSTRUMENTS_DIR": str(test_instruments_dir)}
    scored = run_bounded(
        "score", str(path), "--instrument", "alpha", "--id-column", "respondent_id", env=env
    )
    scored.assert_refused("line 2, column 'respondent_id'", "U+202E at position 2")
    url = f"sqlite:///{tmp_path / 'ids.db'}"
    open_store(url, registry=test_registry).close()
    before = database_fingerprint(url)
    imported = run_bounded(
        "import",
        str(path),
        "--db",
        url,
        "--instrument",
        "alpha@1.0.0",
        "--organization",
        "Invisible Ids GmbH",
        "--allow-missing",
        env=env,
    )
    imported.assert_refused("U+202E")
    assert database_fingerprint(url) == before


def test_the_text_rules() -> None:
    assert bad_character("Ac\u200dme") == "U+200D at position 3"
    assert bad_character("\ufeffAcme") == "U+FEFF at position 1"
    assert bad_character("Caf\u00e9 M\u00fcller") is None
    assert name_key("Caf\u00e9") == name_key("Cafe\u0301") == name_key("CAFÉ")


def test_names_that_differ_only_in_case_width_or_accents_are_one_name(store) -> None:
    consultant = store.create_user("c@example.org", "a long enough password", "consultant")
    make = lambda name: store.create_organisation(  # noqa: E731
        name, industry="Retail", size_band="1-49", region="EU", consultant_id=consultant.id
    )
    first = make("Caf\u00e9 Acme")
    for twin in ("CAF\u00c9 ACME", "cafe\u0301 acme", "\uff23af\u00e9 Acme"):
        with pytest.raises(NameTaken) as taken:
            make(twin)
        assert f"(id {first.id})" in str(taken.value)
    for invisible in ("Caf\u00e9\u200b Acme", "\ufeffCaf\u00e9 Acme", "\u202eemcA \u00e9faC"):
        with pytest.raises(FieldError) as refused:
            make(invisible)
        assert "free of control characters (U+" in str(refused.value)
    with pytest.raises(FieldError) as digits:
        make("7")
    assert "reads as an organisation id" in str(digits.value)
    assert [o.name for o in store.organisations()] == ["Caf\u00e9 Acme"]

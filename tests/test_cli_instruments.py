"""The instrument commands, run as a user runs them (typer's CliRunner, real files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from survey.cli.main import app
from survey.instrument import registry
from tests.instrument_case import base_instrument, changed, write_instrument

runner = CliRunner()


@pytest.fixture
def instruments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private instruments folder with two versions of one instrument, the second published."""
    root = tmp_path / "instruments"
    write_instrument(root, base_instrument())

    def next_version(data: dict) -> None:
        data["version"] = "1.1.0"
        data["scales"][0]["items"][0]["text"]["en"] = "We clearly do thing 1."
        data["scales"][1]["items"].pop()  # retire T-B-3
        data["scales"][1]["items"].append(
            {"id": "T-B-9", "text": {"en": "We share 9.", "de": "Wir teilen 9."}}
        )
        data["stages"][1]["min_index"] = 45
        data["comparability"] = {
            "previous_version": "1.0.0",
            "items": {"T-A-2": "T-A-2", "T-A-3": "T-A-3", "T-B-1": "T-B-1", "T-B-2": "T-B-2"},
        }
        data["changelog"].append({"version": "1.1.0", "date": "2026-11-24", "changes": ["x"]})

    write_instrument(root, changed(next_version))
    monkeypatch.setenv("COCREATE_INSTRUMENTS_DIR", str(root))
    registry._CACHE.clear()
    yield root
    registry._CACHE.clear()


def test_validate_ok(instruments: Path) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "2 instrument version(s) valid" in result.stdout


def test_validate_broken_file_exits_1_with_location(tmp_path: Path) -> None:
    path = write_instrument(tmp_path, changed(lambda d: d["scales"][0].pop("items")))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "scales[0].items" in result.stderr and "I104" in result.stderr
    assert "Traceback" not in result.output


def test_validate_json(tmp_path: Path) -> None:
    write_instrument(tmp_path, changed(lambda d: d.update(colour="red")))
    result = runner.invoke(app, ["validate", str(tmp_path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["issues"][0]["code"] == "I103" and data["issues"][0]["path"] == "colour"


def test_validate_missing_path(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "I100" in result.stderr


def test_list_json(instruments: Path) -> None:
    result = runner.invoke(app, ["instruments", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["version"]) for r in rows] == [
        ("test-instrument", "1.0.0"),
        ("test-instrument", "1.1.0"),
    ]
    assert rows[0]["scales"][0] == {"id": "scale-a", "items": ["T-A-1", "T-A-2", "T-A-3"]}
    assert rows[0]["n_items"] == 6 and len(rows[0]["sha256"]) == 64
    assert rows[0]["languages"] == ["en", "de"]


def test_show_json_in_german(instruments: Path) -> None:
    result = runner.invoke(
        app, ["instruments", "show", "test-instrument@1.0.0", "--json", "--lang", "de"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    item = data["scales"][0]["items"][2]
    assert item == {
        "id": "T-A-3",
        "text": "Wir tun Ding 3.",
        "reverse": True,
        "required": True,
        "response_scale": "agreement-5",
    }
    assert data["response_scales"][0]["labels"]["1"] == "Punkt 1"


def test_show_defaults_to_newest_version(instruments: Path) -> None:
    result = runner.invoke(app, ["instruments", "show", "test-instrument", "--json"])
    assert json.loads(result.stdout)["version"] == "1.1.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["instruments", "show", "nope"], "unknown instrument 'nope'"),
        (["instruments", "show", "test-instrument@9.9.9"], "has no version '9.9.9'"),
        (["instruments", "show", "test-instrument", "--lang", "fr"], "has no language 'fr'"),
    ],
)
def test_show_errors(instruments: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_diff_reports_reworded_added_removed_and_thresholds(instruments: Path) -> None:
    result = runner.invoke(
        app, ["instruments", "diff", "test-instrument@1.0.0", "test-instrument@1.1.0", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["item"] for c in data["added"]] == ["T-B-9"]
    assert [c["item"] for c in data["removed"]] == ["T-B-3"]
    assert [(c["item"], c["language"]) for c in data["reworded"]] == [("T-A-1", "en")]
    assert data["thresholds"] == [{"stage": "mid", "before": 40.0, "after": 45.0}]
    assert data["moved"] == [] and "T-A-1" not in data["comparable"]
    text = runner.invoke(
        app, ["instruments", "diff", "test-instrument@1.0.0", "test-instrument@1.1.0"]
    ).stdout
    assert "+ added    T-B-9" in text and "- removed  T-B-3" in text and "~ reworded T-A-1" in text


def test_publish_then_a_changed_file_fails(instruments: Path) -> None:
    result = runner.invoke(app, ["instruments", "publish", "test-instrument@1.0.0"])
    assert result.exit_code == 0 and "published" in result.stdout
    lock = json.loads((instruments / "instruments.lock").read_text())
    assert list(lock) == ["test-instrument@1.0.0"]
    again = runner.invoke(app, ["instruments", "publish", "test-instrument@1.0.0"])
    assert "already published" in again.stdout
    # Formatting does not change the canonical form ...
    path = instruments / "test-instrument" / "1.0.0.yaml"
    path.write_text("# a comment\n" + path.read_text())
    assert runner.invoke(app, ["validate", str(instruments)]).exit_code == 0
    # ... but content does.
    path.write_text(path.read_text().replace("We do thing 2.", "We do thing two."))
    result = runner.invoke(app, ["validate", str(instruments)])
    assert result.exit_code == 1 and "I403" in result.stderr
    assert "published with sha256" in result.stderr


def test_unpublished_version_is_a_warning_unless_strict(instruments: Path) -> None:
    runner.invoke(app, ["instruments", "publish", "test-instrument@1.0.0"])
    result = runner.invoke(app, ["validate", str(instruments)])
    assert result.exit_code == 0 and "not published yet" in result.stderr
    assert runner.invoke(app, ["validate", str(instruments), "--strict"]).exit_code == 1


def test_schema_is_json_schema_of_the_format() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "cocreate instrument"
    assert {"id", "version", "scales", "stages"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


def test_schema_validates_a_real_instrument(instruments: Path) -> None:
    import jsonschema
    import yaml

    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    data = yaml.safe_load((instruments / "test-instrument" / "1.0.0.yaml").read_text())
    # JSON has no integer keys: labels arrive as strings, as an editor would see them.
    data = json.loads(json.dumps(data))
    jsonschema.validate(data, schema)
    data["scales"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_version_flag() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("cocreate ")

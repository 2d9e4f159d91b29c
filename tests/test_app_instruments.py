"""The Instruments page: browse versions, read in every language, compare two versions."""

from __future__ import annotations

import pytest

from tests.app_support import app, use_fixture_environment

PAGE = "app_pages/instruments.py"


@pytest.fixture
def at(tmp_path, monkeypatch):
    use_fixture_environment(tmp_path, monkeypatch)
    at = app(PAGE)
    at.run()
    assert not at.exception
    return at


def test_lists_instruments_and_shows_the_newest_version_first(at):
    assert at.title[0].value == "Instruments"
    assert at.selectbox(key="instruments.id").value == "pilot-readiness"
    version = at.selectbox(key="instruments.version.pilot-readiness")
    assert version.options == ["1.1.0", "1.0.0"]
    assert at.header[0].value == "Pilot readiness check"


def test_reads_items_in_the_chosen_language(at):
    at.selectbox(key="instruments.language").set_value("de").run()
    assert at.header[0].value == "Pilot-Bereitschaftscheck"
    statements = [s for frame in at.dataframe for s in frame.value.get("Statement", [])]
    assert "Wir fragen Kunden nach ihren Zielen." in statements
    at.selectbox(key="instruments.version.pilot-readiness").set_value("1.0.0").run()
    statements = [s for frame in at.dataframe for s in frame.value.get("Statement", [])]
    assert "Wir besuchen Kunden vor Ort." in statements


def test_compares_two_versions(at):
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Added": "1",
        "Removed": "0",
        "Reworded": "2",
        "Moved": "0",
        "Thresholds": "1",
    }
    texts = [frame.value for frame in at.dataframe]
    added = next(t for t in texts if "Text" in t.columns)
    assert list(added["Item"]) == ["PR-TRY-4"]
    assert "After:  We meet customers where they work." in [t.value for t in at.text]
    assert "Before: We visit customers at their sites." in [t.value for t in at.text]


def test_same_version_on_both_sides_reports_no_change(at):
    at.selectbox(key="instruments.old.pilot-readiness").set_value("1.1.0").run()
    assert any("ask the same items" in s.value for s in at.success)

"""The Research page: reliability, item problems, CFA message, agreement, and the export, on
pooled data with no organisation named (AppTest on a real SQLite store)."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.app_support import answer_all, app, seed_cohort, seeded_environment


@pytest.fixture(scope="module")
def at(tmp_path_factory):
    with seeded_environment(tmp_path_factory.mktemp("research")) as seeded:
        answer_all(seeded.store, seeded.tokens["rnd"], value=5)
        answer_all(seeded.store, seeded.tokens["sales"], value=2)
        seed_cohort(seeded, n=6)
        at = app("app_pages/research.py", user=seeded.researcher)
        at.run()
        assert not at.exception
        yield at


def _frame(at, column):
    return next(f.value for f in at.dataframe if column in f.value.columns)


def test_counts_and_reliability_per_scale(at):
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Responses"] == "14"
    assert metrics["Organisations"] == "7"
    reliability = _frame(at, "alpha")
    assert list(reliability["name"]) == ["Listening", "Trying together"]
    assert (reliability["alpha_ci_low"] < reliability["alpha"]).all()
    assert reliability["flags"].str.contains("few_complete").all()


def test_item_problems_are_listed_and_no_organisation_is_named(at):
    items = _frame(at, "r_drop")
    assert items["problem"].str.len().gt(0).any()
    shown = " ".join(str(v) for f in at.dataframe for v in f.value.astype(str).to_numpy().ravel())
    for name in ("Acme", "Borealis", "Cohort 1"):
        assert name not in shown
    agreement = _frame(at, "ICC1")
    assert agreement["n_groups"].tolist() == [7, 7]


def test_export_prepares_a_zip_with_codebook(at):
    at.button(key="FormSubmitter:research.export-Prepare the export").click().run()
    assert not at.exception
    assert "codebook.json" in at.success[0].value
    _name, payload, files = at.session_state["research.export_zip"]
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        wide = archive.read("responses-pilot-readiness-1.0.0.csv").decode()
    assert "Acme" not in wide  # pseudonyms, not names
    assert len(wide.strip().splitlines()) == 15  # header + 14 responses


def test_factor_model_is_fitted_on_request(at):
    assert not any("complete cases" in info.value for info in at.info)  # not fitted yet
    fit = next(button for button in at.button if button.label == "Fit the factor model")
    fit.click().run()
    assert not at.exception
    assert any("at least 100 complete cases" in info.value for info in at.info)  # needs more

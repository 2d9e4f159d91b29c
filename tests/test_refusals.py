"""Refused writes worded for people: every field and rule has its words in every language, the
English words are the store's own message, and a German page shows no English rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.i18n.messages import available_languages, catalogue
from survey.services.refusals import field_key, refusal_text
from survey.storage.errors import FieldError, FieldRule, NameTaken
from survey.storage.fields import CAMPAIGN_NAME, FIELDS, INDUSTRY, LANGUAGE, ROLE, clean


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_every_field_has_a_name_in_every_language(field) -> None:
    for language in available_languages():
        assert field_key(field.name) in catalogue(language), (field.name, language)


def _refusal(field, value, **options) -> FieldError:
    with pytest.raises(FieldError) as caught:
        clean(field, value, **options)
    return caught.value


REFUSALS = {
    FieldRule.TEXT: lambda: _refusal(INDUSTRY, 7),
    FieldRule.CHARACTERS: lambda: _refusal(INDUSTRY, "Che\x00mie"),
    FieldRule.FILLED: lambda: _refusal(CAMPAIGN_NAME, "  "),
    FieldRule.CODES: lambda: _refusal(ROLE, "boss"),
    FieldRule.LENGTH: lambda: _refusal(LANGUAGE, "x" * 30),
}


@pytest.mark.parametrize("rule", list(REFUSALS), ids=str)
def test_english_is_the_stores_message_and_german_is_german(rule: FieldRule) -> None:
    error = REFUSALS[rule]()
    assert error.code is rule
    assert refusal_text(error, "en") == str(error)
    german = refusal_text(error, "de")
    assert german != str(error)
    assert "must" not in german and error.rule not in german


def test_every_rule_has_words_in_every_language() -> None:
    for rule in FieldRule:
        for language in available_languages():
            assert f"field_rule.{rule.value}" in catalogue(language), (rule, language)


def test_a_name_taken_among_your_clients_in_german() -> None:
    taken = NameTaken("...", kind="organisation", name="Acme", taken_by=4)
    assert refusal_text(taken, "de") == (
        "Einer Ihrer Mandanten heißt bereits 'Acme' (Kennung 4); bitte einen anderen Namen wählen."
    )
    assert "exists already among your clients (id 4)" in refusal_text(taken, "en")


def test_the_consultant_page_words_a_refusal_in_german(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    import streamlit as st

    from tests.app_support import app, seed, submit_new_client, use_fixture_environment
    from tests.hostile.harness import database_fingerprint

    url = use_fixture_environment(tmp_path, monkeypatch)
    seeded = seed(url)
    st.cache_data.clear()
    request.addfinalizer(st.cache_data.clear)
    at = app("app_pages/consultant.py", user=seeded.consultant)
    at.session_state["app.language"] = "de"
    at.run()
    at.button_group(key="consultant.section").set_value("New client").run()
    before = database_fingerprint(url)
    german = {"name": "Name", "industry": "Branche", "region": "Region"}
    submit_new_client(
        at,
        name="Caldera Wärme",
        industry="I" * 300,
        region="Europe",
        labels={**german, "submit": "Organisation anlegen"},
    )
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Die Organisation konnte nicht angelegt werden: Branche")
    assert "höchstens 100 Zeichen \\(hier 300\\)" in message
    assert "must" not in message and "characters" not in message
    assert database_fingerprint(url) == before

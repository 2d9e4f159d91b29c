"""survey.services.assessment: steps, options, progress, open items and resume point of an
assessment."""

from __future__ import annotations

import pytest

from survey.instrument.answers import AnswerProblem
from survey.instrument.registry import load_registry
from survey.services.assessment import NOT_APPLICABLE, Assessment
from tests.app_support import FIXTURE_INSTRUMENTS

REGISTRY = load_registry([FIXTURE_INSTRUMENTS])
V1 = REGISTRY.get("pilot-readiness@1.0.0")
V2 = REGISTRY.get("pilot-readiness@1.1.0")


@pytest.fixture
def assessment():
    return Assessment([V1])


def test_one_step_per_scale_between_welcome_and_review(assessment):
    kinds = [(s.kind, s.scale_id) for s in assessment.steps]
    assert kinds == [
        ("welcome", None),
        ("scale", "listening"),
        ("scale", "trying"),
        ("review", None),
    ]
    assert assessment.scale_steps == [1, 2]
    assert assessment.review_index == 3


def test_steps_follow_the_campaign_order_of_instruments():
    both = Assessment([V2, V1])
    refs = [s.instrument_ref for s in both.steps if s.kind == "scale"]
    assert refs == [V2.key, V2.key, V1.key, V1.key]
    assert both.item_count() == len(V1.items) + len(V2.items)


def test_questions_carry_labelled_points_and_not_applicable(assessment):
    questions = assessment.questions(1, "de")
    assert [q.item_id for q in questions] == ["PR-LIS-1", "PR-LIS-2", "PR-LIS-3"]
    first = questions[0]
    assert first.text == "Wir fragen Kunden nach ihren Zielen."
    assert first.options == (1, 2, 3, 4, 5, NOT_APPLICABLE)
    assert first.label(1) == "Stimme gar nicht zu"
    assert first.label(NOT_APPLICABLE) == "Nicht zutreffend"
    assert assessment.questions(0, "en") == []
    assert not assessment.questions(2, "en")[2].required


def test_titles_and_definitions_are_localized(assessment):
    assert assessment.step_title(2, "de") == "Gemeinsam ausprobieren"
    assert assessment.step_title(2, "xx") == "Trying together"  # first declared language
    assert assessment.step_definition(1, "en") == "We hear what customers need."
    assert assessment.step_title(0, "en") == ""


def test_progress_moves_evenly_per_step(assessment):
    assert [assessment.progress(i) for i in range(4)] == [0.0, 0.3333, 0.6667, 1.0]
    assert assessment.progress(99) == 1.0
    assert assessment.clamp(-3) == 0


def test_step_answers_send_none_for_cleared_items(assessment):
    draft = assessment.step_answers(1, {"PR-LIS-1": 4, "PR-LIS-3": NOT_APPLICABLE, "PR-TRY-1": 2})
    assert draft == {"PR-LIS-1": 4, "PR-LIS-2": None, "PR-LIS-3": NOT_APPLICABLE}
    assert assessment.step_answers(0, {"PR-LIS-1": 4}) == {}


def test_open_items_list_required_items_only_by_default(assessment):
    answers = {V1.key: {"PR-LIS-1": 4, "PR-LIS-2": NOT_APPLICABLE, "PR-TRY-1": 3}}
    required = assessment.open_items(answers)
    assert [(o.item_id, o.step_index) for o in required] == [("PR-LIS-3", 1), ("PR-TRY-2", 2)]
    everything = assessment.open_items(answers, required_only=False)
    assert [o.item_id for o in everything] == ["PR-LIS-3", "PR-TRY-2", "PR-TRY-3"]
    german = assessment.localized_open_items(answers, "de")
    assert german[0].scale_name == "Zuhören"
    assert german[0].text == "Wir erfahren selten von Kundenproblemen."
    assert assessment.answered_count(answers) == 3


def test_resume_index_is_the_first_step_with_an_open_item(assessment):
    assert assessment.resume_index({}) == 0
    listening_done = {V1.key: {"PR-LIS-1": 1, "PR-LIS-2": 2, "PR-LIS-3": 3}}
    assert assessment.resume_index(listening_done) == 2
    partial = {V1.key: {"PR-TRY-1": 1}}
    assert assessment.resume_index(partial) == 1
    everything = {V1.key: {item: 3 for item in V1.item_ids}}
    assert assessment.resume_index(everything) == assessment.review_index
    assert assessment.open_items(everything, required_only=False) == []


def test_languages_common_to_every_instrument(assessment):
    assert assessment.languages == ["en", "de"]
    assert assessment.language_or_default("de") == "de"
    assert assessment.language_or_default("fr") == "en"
    assert assessment.language_or_default(None) == "en"


def test_problems_from_the_store_name_the_statement(assessment):
    text = assessment.describe_problem(AnswerProblem("PR-TRY-2", "is required"), "en")
    assert text == "“Customers test our prototypes.” (PR-TRY-2): is required"


def test_scale_steps_show_the_instruments_lead_in() -> None:
    from survey.instrument.registry import get_instrument
    from survey.services.assessment import Assessment

    practices = get_instrument("cocreation-practices@1.0.0")
    assessment = Assessment([practices])
    scale_steps = [i for i, step in enumerate(assessment.steps) if step.kind == "scale"]
    assert assessment.step_instructions(scale_steps[0], "de").startswith(
        "Denken Sie an die Zusammenarbeit"
    )
    other = [i for i, step in enumerate(assessment.steps) if step.kind != "scale"]
    assert assessment.step_instructions(other[0], "en") == ""

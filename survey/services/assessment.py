"""The steps of an assessment, as the respondent walks through them (no streamlit here).

A campaign pins one or more instrument versions. A respondent answers them one scale at a time:
a welcome step (language, what to expect), one step per scale of every instrument in the order
the campaign lists them, then a review step that lists what is still unanswered before the
submit. :class:`Assessment` holds that sequence and answers the questions the page asks: which
items a step shows with which labelled options, how far along the respondent is, which required
items are still open, and how to phrase a storage validation problem for a person.

Answers use the storage shape: ``{instrument_ref: {item_id: point | "na"}}``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from survey.instrument.answers import AnswerProblem
from survey.instrument.model import Instrument

#: The value stored for "not applicable".
NOT_APPLICABLE = "na"

Answer = int | str
Answers = Mapping[str, Mapping[str, Answer]]


@dataclass(frozen=True)
class Step:
    """One page of the assessment: the welcome, one scale of one instrument, or the review."""

    kind: Literal["welcome", "scale", "review"]
    instrument_ref: str | None = None
    scale_id: str | None = None


@dataclass(frozen=True)
class Question:
    """An item as the respondent sees it: its text and its labelled options in one language."""

    instrument_ref: str
    item_id: str
    text: str
    options: tuple[Answer, ...]
    labels: Mapping[Answer, str]
    required: bool

    def label(self, value: Answer) -> str:
        return self.labels[value]


@dataclass(frozen=True)
class OpenItem:
    """A required item without an answer, with where to find it."""

    step_index: int
    instrument_ref: str
    scale_name: str
    item_id: str
    text: str


class Assessment:
    """The sequence of steps for a campaign's instruments.

    Parameters
    ----------
    instruments : sequence of Instrument
        The campaign's instrument versions, in the order the campaign lists them.

    Examples
    --------
    >>> from survey.services.assessment import Assessment
    >>> assessment = Assessment([])
    >>> [step.kind for step in assessment.steps]
    ['welcome', 'review']
    >>> assessment.progress(1)
    1.0
    """

    def __init__(self, instruments: Sequence[Instrument]) -> None:
        self.instruments: dict[str, Instrument] = {i.key: i for i in instruments}
        steps = [Step("welcome")]
        for instrument in instruments:
            steps.extend(Step("scale", instrument.key, scale.id) for scale in instrument.scales)
        steps.append(Step("review"))
        self.steps: list[Step] = steps

    # -- languages ------------------------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        """Languages every instrument of the campaign is written in (the first one's order)."""
        if not self.instruments:
            return ["en"]
        first, *rest = self.instruments.values()
        return [lang for lang in first.languages if all(lang in i.languages for i in rest)]

    def language_or_default(self, language: str | None) -> str:
        """``language`` if every instrument has it, else the first common language."""
        languages = self.languages
        if language in languages:
            return str(language)
        return languages[0] if languages else "en"

    # -- steps ----------------------------------------------------------------------------
    @property
    def scale_steps(self) -> list[int]:
        return [index for index, step in enumerate(self.steps) if step.kind == "scale"]

    @property
    def review_index(self) -> int:
        return len(self.steps) - 1

    def clamp(self, index: int) -> int:
        """A step index kept inside the assessment."""
        return max(0, min(int(index), len(self.steps) - 1))

    def instrument(self, step: Step) -> Instrument:
        if step.instrument_ref is None:
            raise ValueError(f"the {step.kind} step has no instrument")
        return self.instruments[step.instrument_ref]

    def step_title(self, index: int, language: str) -> str:
        """The scale's name for a scale step, else an empty string (the page names the others)."""
        step = self.steps[index]
        if step.kind != "scale":
            return ""
        instrument = self.instrument(step)
        return instrument.text(instrument.scale(str(step.scale_id)).name, language)

    def step_definition(self, index: int, language: str) -> str:
        step = self.steps[index]
        if step.kind != "scale":
            return ""
        instrument = self.instrument(step)
        return instrument.text(instrument.scale(str(step.scale_id)).definition, language)

    def step_instructions(self, index: int, language: str) -> str:
        """The instrument's lead-in for a scale step (e.g. the time frame to think of)."""
        step = self.steps[index]
        if step.kind != "scale":
            return ""
        instrument = self.instrument(step)
        return instrument.text(instrument.instructions, language)

    def questions(self, index: int, language: str) -> list[Question]:
        """The items of a scale step with their labelled options (N/A last where allowed)."""
        step = self.steps[index]
        if step.kind != "scale":
            return []
        instrument = self.instrument(step)
        scale = instrument.scale(str(step.scale_id))
        questions = []
        for item in scale.items:
            rs = instrument.item_response_scale(item, scale)
            options: list[Answer] = list(rs.points)
            labels: dict[Answer, str] = {
                point: instrument.text(rs.labels[point], language) for point in rs.points
            }
            if rs.not_applicable:
                options.append(NOT_APPLICABLE)
                labels[NOT_APPLICABLE] = instrument.text(rs.not_applicable_label, language)
            questions.append(
                Question(
                    instrument_ref=instrument.key,
                    item_id=item.id,
                    text=instrument.text(item.text, language),
                    options=tuple(options),
                    labels=labels,
                    required=item.required,
                )
            )
        return questions

    def step_answers(
        self, index: int, values: Mapping[str, Answer | None]
    ) -> dict[str, Answer | None]:
        """The draft to save for one step: every item of the step, ``None`` where unanswered.

        Sending ``None`` removes an answer the respondent cleared, so the stored draft always
        matches the screen.
        """
        step = self.steps[index]
        if step.kind != "scale":
            return {}
        scale = self.instrument(step).scale(str(step.scale_id))
        return {item.id: values.get(item.id) for item in scale.items}

    # -- progress -------------------------------------------------------------------------
    def item_count(self) -> int:
        return sum(len(i.items) for i in self.instruments.values())

    def answered_count(self, answers: Answers) -> int:
        """How many items hold an answer (a "not applicable" counts)."""
        return sum(
            1
            for ref, instrument in self.instruments.items()
            for item in instrument.items
            if answers.get(ref, {}).get(item.id) is not None
        )

    def progress(self, index: int) -> float:
        """Share of the way through the steps, 0 at the welcome and 1 at the review.

        Notes
        -----
        ``index / (number of steps - 1)``: the bar moves the same distance for every step,
        whatever the number of items on it, which is what a respondent expects from a step bar.

        Examples
        --------
        >>> Assessment([]).progress(0)
        0.0
        """
        last = len(self.steps) - 1
        return round(self.clamp(index) / last, 4) if last else 1.0

    def open_items(self, answers: Answers, *, required_only: bool = True) -> list[OpenItem]:
        """Items without an answer, in the order they are asked, with their step."""
        found = []
        for index, step in enumerate(self.steps):
            if step.kind != "scale":
                continue
            instrument = self.instrument(step)
            scale = instrument.scale(str(step.scale_id))
            given = answers.get(instrument.key, {})
            for item in scale.items:
                if given.get(item.id) is None and (item.required or not required_only):
                    found.append(
                        OpenItem(
                            step_index=index,
                            instrument_ref=instrument.key,
                            scale_name=instrument.text(scale.name, instrument.languages[0]),
                            item_id=item.id,
                            text=instrument.text(item.text, instrument.languages[0]),
                        )
                    )
        return found

    def localized_open_items(
        self, answers: Answers, language: str, *, required_only: bool = True
    ) -> list[OpenItem]:
        """:meth:`open_items` with scale names and item texts in ``language``."""
        out = []
        for open_item in self.open_items(answers, required_only=required_only):
            instrument = self.instruments[open_item.instrument_ref]
            scale = instrument.scale_of_item(open_item.item_id)
            item = next(i for i in scale.items if i.id == open_item.item_id)
            out.append(
                OpenItem(
                    step_index=open_item.step_index,
                    instrument_ref=open_item.instrument_ref,
                    scale_name=instrument.text(scale.name, language),
                    item_id=item.id,
                    text=instrument.text(item.text, language),
                )
            )
        return out

    def resume_index(self, answers: Answers) -> int:
        """Where a returning respondent continues: the first step with an open item.

        A respondent who has answered nothing starts at the welcome; one who has answered
        everything lands on the review.
        """
        if self.answered_count(answers) == 0:
            return 0
        open_items = self.open_items(answers, required_only=False)
        return open_items[0].step_index if open_items else self.review_index

    # -- messages -------------------------------------------------------------------------
    def item_text(self, item_id: str, language: str) -> str | None:
        for instrument in self.instruments.values():
            for item in instrument.items:
                if item.id == item_id:
                    return instrument.text(item.text, language)
        return None

    def describe_problem(self, problem: AnswerProblem, language: str) -> str:
        """A validation problem of a draft or submission, for a person: the item's text in
        ``language`` and its id before what is wrong.

        Examples
        --------
        >>> Assessment([]).describe_problem(AnswerProblem("X-1", "is required"), "en")
        'X-1: is required'
        >>> Assessment([]).describe_problem(AnswerProblem(None, "the campaign closed"), "en")
        'the campaign closed'
        """
        what = problem.problem
        if not problem.item:
            return what
        item_id = problem.item
        text = self.item_text(item_id, language)
        return f"“{text}” ({item_id}): {what}" if text else f"{item_id}: {what}"


def common_languages(instruments: Sequence[Instrument]) -> list[str]:
    """Languages shared by all ``instruments`` (see :attr:`Assessment.languages`)."""
    return Assessment(instruments).languages


def estimated_minutes(items: int, *, per_minute: int = 6) -> int:
    """Minutes a respondent needs for ``items`` statements (about ten seconds each).

    >>> estimated_minutes(100), estimated_minutes(1)
    (17, 1)
    """
    return max(1, math.ceil(items / per_minute))


def token_digest(token: str) -> str:
    """A short digest of an invitation token, to name session state without the token itself.

    >>> len(token_digest("abc")), token_digest("abc") == token_digest("abc")
    (12, True)
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]

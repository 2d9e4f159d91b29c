"""The firm report's own words (headings, chart titles that are not scale names, notes).

Content (scale names, stage narratives, recommendations) comes from the instrument files; the
frame around it comes from the ``report.*`` and ``side.*`` keys of the message catalogues in
``survey/i18n/locales`` (:mod:`survey.i18n.messages`). A missing translation falls back to English.
"""

from __future__ import annotations

from survey.i18n.messages import has_message, message


def text(key: str, language: str = "en", /, **values: object) -> str:
    """A report text in ``language`` (English when not translated), formatted with ``values``.

    Raises ``ValueError`` for a key English does not have.

    Examples
    --------
    >>> text("report.stage", "de", stage=3, name="Engagiert")
    'Stufe 3: Engagiert'
    >>> text("report.stage", "fi", stage=3, name="x")
    'Stage 3: x'
    """
    if not has_message(key):
        raise ValueError(f"unknown report text {key!r}: add it to survey/i18n/locales/en.yaml")
    return message(key, language, **values)


def side_word(side: str, language: str = "en") -> str:
    """The name of a side (customer, partner) inside a sentence.

    >>> side_word("customer", "de")
    'Kunden'
    """
    key = f"side.{side}"
    return message(key, language) if has_message(key) else side

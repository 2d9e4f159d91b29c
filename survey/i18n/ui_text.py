"""The app's own words (buttons, headings, hints) in every language the app offers.

Questionnaire content (items, scale names, narratives, recommendations) comes from the instrument
files; the app's frame around it comes from the message catalogues in ``survey/i18n/locales``
(:mod:`survey.i18n.messages`). A missing translation falls back to English, so a new instrument
language works at once and can be translated there later.
"""

from __future__ import annotations

from survey.i18n.messages import language_name, message

__all__ = ["escape_markdown", "language_name", "ui_text"]


def ui_text(key: str, language: str = "en", /, **values: object) -> str:
    """The app's text for ``key`` in ``language`` (English if untranslated), filled in.

    Raises ``KeyError`` when English has no text for ``key``.

    Examples
    --------
    >>> ui_text("take.step", "de", number=2, total=9)
    'Abschnitt 2 von 9'
    >>> ui_text("take.step", "xx", number=1, total=3)
    'Section 1 of 3'
    """
    return message(key, language, **values)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:=")


def escape_markdown(text: object) -> str:
    """User-entered text made inert for Markdown, so it shows as typed and never as markup.

    Organisation and campaign names, e-mail addresses and the like pass through here before
    they appear in a heading or a caption (widgets that take plain text need nothing).

    Examples
    --------
    >>> escape_markdown("**Acme** [x](http://e.vil) <b>")
    '\\\\*\\\\*Acme\\\\*\\\\* \\\\[x\\\\]\\\\(http\\\\://e\\\\.vil\\\\) \\\\<b\\\\>'
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))

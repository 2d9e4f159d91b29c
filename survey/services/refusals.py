"""A refused write, worded for a person in their language.

The storage layer refuses a value with an English message for the CLI and the logs, and with
the rule's code and particulars (:class:`~survey.storage.errors.FieldError`,
:class:`~survey.storage.errors.NameTaken`). :func:`refusal_text` words those in the reader's
language from the message catalogues (``field.*``, ``field_rule.*``, ``name_taken.*``), so a
German page never shows an English rule.
"""

from __future__ import annotations

from survey.i18n.ui_text import ui_text
from survey.storage.errors import FieldError, NameTaken, StorageError
from survey.text import excerpt

__all__ = ["field_key", "refusal_text"]


def field_key(field: str) -> str:
    """The catalogue key of a field's name (``"organisation name"`` -> ``field.organisation_name``).

    Examples
    --------
    >>> field_key("e-mail address")
    'field.e_mail_address'
    """
    return "field." + field.replace("-", "_").replace(" ", "_")


def refusal_text(error: Exception, language: str = "en") -> str:
    """What a person reads when a write was refused, in ``language``.

    Parameters
    ----------
    error : Exception
        What the store raised. A :class:`FieldError` or :class:`NameTaken` is worded from the
        catalogues; any other :class:`StorageError` or ``ValueError`` keeps its own message
        (which never holds SQL: :class:`~survey.storage.errors.DatabaseRefused`).
    language : str
        A language of the message catalogues; English where a text is missing.

    Returns
    -------
    str

    Examples
    --------
    >>> from survey.storage.errors import FieldError, FieldRule
    >>> error = FieldError("industry", "'I...'", "at most 100 characters long", "shorten it",
    ...                    got=120, code=FieldRule.LENGTH, details={"limit": 100})
    >>> refusal_text(error, "de")
    "Branche 'I...': höchstens 100 Zeichen (hier 120); bitte kürzen."
    >>> refusal_text(error, "en") == str(error)
    True
    """
    if isinstance(error, FieldError):
        field = ui_text(field_key(error.field), language)
        details = {"limit": "", "got": "", "allowed": "", "character": "", **error.details}
        return ui_text(
            f"field_rule.{error.code.value}", language, field=field, value=error.value, **details
        )
    if isinstance(error, NameTaken) and error.kind:
        return ui_text(
            f"name_taken.{error.kind}", language, name=excerpt(error.name), id=error.taken_by
        )
    if isinstance(error, StorageError | ValueError):
        return str(error)
    raise TypeError(f"not a refusal: {error!r}")

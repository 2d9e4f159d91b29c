"""Rules for text that every layer applies: which characters no stored or scored text may hold,
how a refused value is quoted back, and when two names are the same name.

Kept in the bottom layer so that reading a response file (:mod:`survey.ingest`) and storing a
value (:mod:`survey.storage.fields`) apply the very same rule.
"""

from __future__ import annotations

import unicodedata

#: Characters of a refused value repeated in a message.
EXCERPT = 40

#: Unicode categories refused in stored and scored text: control characters (Cc: NUL, tab, line
#: breaks, escape), format characters (Cf: zero-width spaces and joiners, byte-order marks,
#: right-to-left overrides, which make one text look like another), unpaired surrogates (Cs)
#: and line and paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def bad_character(value: str) -> str | None:
    """The first character a stored or scored text must not hold, described, or ``None``.

    Parameters
    ----------
    value : str

    Returns
    -------
    str or None
        ``"U+XXXX at position N"`` (positions count from 1).

    Notes
    -----
    The categories are those of :data:`REFUSED_CATEGORIES` (Unicode Standard Annex #44,
    General_Category). They break exports, terminals and PostgreSQL (which cannot store NUL),
    and format characters let two different names look the same (Unicode Technical Report #36,
    "Unicode Security Considerations").

    Examples
    --------
    >>> bad_character("Acme"), bad_character("Ac\\x00me"), bad_character("Ac\\u200bme")
    (None, 'U+0000 at position 3', 'U+200B at position 3')
    """
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return f"U+{ord(char):04X} at position {position}"
    return None


def excerpt(value: str) -> str:
    """A refused value as a message repeats it: quoted, control characters escaped, cut short.

    Parameters
    ----------
    value : str

    Returns
    -------
    str

    Examples
    --------
    >>> excerpt("a\\x00b")
    "'a\\\\x00b'"
    >>> excerpt("y" * 50)
    "'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...'"
    """
    shown = value[:EXCERPT]
    text = repr(shown).encode("ascii", "backslashreplace").decode("ascii")
    if len(value) > EXCERPT:
        text = text[:-1] + "..." + text[-1]
    return text


def stored_form(value: str) -> str:
    """``value`` as it is stored: trimmed and in Unicode normalisation form C, so that an
    accented letter typed as one character or as a letter plus an accent is the same text.

    Examples
    --------
    >>> stored_form(" Cafe\\u0301 ") == "Caf\\u00e9"
    True
    """
    return unicodedata.normalize("NFC", value.strip())


def name_key(name: str) -> str:
    """What two names are compared by: compatibility-normalised (NFKC) and case-folded, so that
    ``Acme``, ``ACME`` and ``Ａｃｍｅ`` are one name.

    Notes
    -----
    NFKC and case folding follow the Unicode Standard (chapter 3.13, default caseless matching).
    Look-alike letters of other scripts (a Cyrillic ``А`` for a Latin ``A``) are not folded: that
    needs the confusables table of UTS #39 and is not done here.

    Examples
    --------
    >>> name_key("ACME") == name_key("acme") == name_key("\\uff21cme")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold().strip()

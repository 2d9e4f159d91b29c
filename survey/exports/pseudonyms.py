"""Keyed pseudonyms for organisations, respondents, responses and campaigns in exports.

A pseudonym is ``HMAC-SHA256(secret, kind + ":" + id)``, cut to 16 hex digits (64 bits) and
prefixed by a letter for its kind (``O`` organisation, ``P`` respondent, ``R`` response,
``C`` campaign). The same deployment (the same secret) gives the same pseudonym in every export,
so a researcher can join exports made at different times; without the secret a pseudonym can
neither be reversed nor recomputed from a guessed id, which a plain hash of a small integer
would allow.

The secret is the setting ``pseudonym_secret`` (``COCREATE_PSEUDONYM_SECRET``). When it is empty,
a random secret is created once and kept in ``pseudonym.key`` in the data folder
(:func:`survey.settings.data_dir`: ``data/`` in a checkout), beside the embedded database,
readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from survey import settings

#: The prefix letter of each kind of pseudonym.
KINDS: dict[str, str] = {
    "organisation": "O",
    "respondent": "P",
    "response": "R",
    "campaign": "C",
}

#: Hex digits kept from the HMAC: 64 bits make collisions negligible for any realistic cohort.
DIGITS = 16


def default_key_path() -> Path:
    """Where the generated secret is kept when the setting is empty: ``pseudonym.key`` in the
    data folder (``COCREATE_DATA_DIR``)."""
    return settings.data_dir() / "pseudonym.key"


def pseudonym_secret(key_path: Path | None = None) -> bytes:
    """The deployment's pseudonym secret: the setting, else the key file (created once).

    Parameters
    ----------
    key_path : pathlib.Path, optional
        The key file used when ``COCREATE_PSEUDONYM_SECRET`` is empty; default
        :func:`default_key_path`.

    Returns
    -------
    bytes
        The secret.

    Notes
    -----
    The generated secret is 32 random bytes (``secrets.token_hex``), written with mode 0600.
    """
    configured = settings.get("pseudonym_secret")
    if configured:
        return configured.encode("utf-8")
    path = key_path or default_key_path()
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise ValueError(f"the pseudonym key file {path} is empty: restore it from a backup")
        return text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: if two exports race to create the key, one wins and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonym(value: object, kind: str, secret: bytes) -> str:
    """The keyed pseudonym of one identifier.

    Parameters
    ----------
    value : object
        The identifier (database id); its ``str`` is hashed.
    kind : str
        One of :data:`KINDS`: the same id of two kinds gives two unrelated pseudonyms.
    secret : bytes
        The deployment's secret (:func:`pseudonym_secret`).

    Returns
    -------
    str
        The kind's letter, a hyphen and 16 lower-case hex digits.

    Notes
    -----
    ``letter + "-" + hex(HMAC-SHA256(secret, kind + ":" + str(value)))[:16]`` (RFC 2104 [1]_).

    References
    ----------
    .. [1] Krawczyk, H., Bellare, M., & Canetti, R. (1997). HMAC: Keyed-hashing for message
       authentication. RFC 2104.

    Examples
    --------
    >>> pseudonym(42, "organisation", b"example-secret")
    'O-ef4406bb50fc25e1'
    >>> pseudonym(42, "respondent", b"example-secret") == pseudonym(42, "organisation", b"x")
    False
    """
    if kind not in KINDS:
        raise ValueError(f"unknown pseudonym kind {kind!r}; use one of {', '.join(KINDS)}")
    message = f"{kind}:{value}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return f"{KINDS[kind]}-{digest[:DIGITS]}"

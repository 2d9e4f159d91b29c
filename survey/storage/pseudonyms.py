"""Stable pseudonyms for ids in exports (a placeholder the export layer may replace).

A pseudonym is a keyed hash (HMAC-SHA256) of the kind and the id, so that the same organisation
gets the same pseudonym in every export made with the same secret, and nobody without the secret
can go back from pseudonym to id. The secret is ``COCREATE_PSEUDONYM_SECRET``; when it is empty,
a random one is created once and kept in ``data/pseudonym.key``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from survey import settings

_KEY_FILE = settings.PROJECT_ROOT / "data" / "pseudonym.key"


def pseudonym_secret(key_file: Path = _KEY_FILE) -> bytes:
    configured = settings.get("pseudonym_secret")
    if configured:
        return configured.encode("utf-8")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonym(kind: str, id: int | str, *, secret: bytes | None = None) -> str:
    """A stable, non-reversible pseudonym such as ``ORG-1f3a9c0b2d``.

    Parameters
    ----------
    kind : str
        What is pseudonymised (``"organisation"``, ``"response"``, ...); its first three letters
        prefix the result and it is part of the hashed message.
    id : int or str
        The database id.
    secret : bytes, optional
        The HMAC key; by default :func:`pseudonym_secret`.

    Examples
    --------
    >>> pseudonym("organisation", 42, secret=b"k")
    'ORG-794db37261'
    """
    key = secret if secret is not None else pseudonym_secret()
    digest = hmac.new(key, f"{kind}:{id}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[:3].upper()}-{digest[:10]}"

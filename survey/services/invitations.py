"""Invitation links as a consultant hands them out (no streamlit here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from survey import settings

#: Where links point when neither a public address nor the browser's address is known (the
#: address ``make run`` serves).
FALLBACK_URL = "http://127.0.0.1:8501/"


def invitation_link(base_url: str, token: str) -> str:
    """The link a respondent opens: the app's root with ``?t=TOKEN``.

    ``base_url`` may be any URL of the app (the page the consultant is on); only its scheme,
    host and the path up to the app's root are kept.

    Examples
    --------
    >>> invitation_link("https://survey.example.org/consultant?x=1", "abc")
    'https://survey.example.org/?t=abc'
    >>> invitation_link("http://127.0.0.1:8501", "a b")
    'http://127.0.0.1:8501/?t=a+b'
    """
    if not token:
        raise ValueError("token is empty: create the invitation first")
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"base_url {base_url!r} is not an absolute URL (http://host:port/)")
    return urlunsplit((parts.scheme, parts.netloc, "/", urlencode({"t": token}), ""))


def explicit_setting(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """A setting's value when its environment variable is set and not empty, else ``None``.

    :func:`survey.settings.get` falls back to the default, which cannot tell an operator's
    choice from the default; this reads the declared variable itself (same rule as ``get``:
    an empty value counts as unset).

    Examples
    --------
    >>> explicit_setting("public_url", {"COCREATE_PUBLIC_URL": "https://x.example/"})
    'https://x.example/'
    >>> explicit_setting("public_url", {}) is None
    True
    """
    declared = {setting.name: setting for setting in settings.SETTINGS}
    if name not in declared:
        raise ValueError(f"no setting {name!r} (settings: {', '.join(declared)})")
    value = (os.environ if environ is None else environ).get(declared[name].env, "").strip()
    return value or None


def link_for(token: str, *, public_url: str | None, browser_url: str | None) -> str:
    """The invitation link for ``token``: on the public address when one is configured, else
    on the address the consultant's browser uses.

    ``public_url`` is the app's root as respondents reach it (``COCREATE_PUBLIC_URL`` set
    explicitly); its path is kept, so an app served under ``/survey/`` behind a proxy gets
    links there. ``browser_url`` is any page of the app (``st.context.url``); only its scheme
    and host are kept (:func:`invitation_link`).

    Examples
    --------
    >>> link_for("abc", public_url="https://survey.example.org/cocreate",
    ...          browser_url="http://10.0.0.5:8501/consultant")
    'https://survey.example.org/cocreate/?t=abc'
    >>> link_for("abc", public_url=None, browser_url="http://10.0.0.5:8501/consultant")
    'http://10.0.0.5:8501/?t=abc'
    >>> link_for("abc", public_url=None, browser_url=None)
    'http://127.0.0.1:8501/?t=abc'
    """
    if not public_url:
        return invitation_link(browser_url or FALLBACK_URL, token)
    if not token:
        raise ValueError("token is empty: create the invitation first")
    root = urlsplit(check_public_url(public_url))
    return urlunsplit((root.scheme, root.netloc, root.path, urlencode({"t": token}), ""))


def check_public_url(public_url: str) -> str:
    """``public_url`` as the app's root with a final slash; ``ValueError`` unless absolute.

    >>> check_public_url("https://survey.example.org/cocreate")
    'https://survey.example.org/cocreate/'
    """
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"COCREATE_PUBLIC_URL {public_url!r} is not an absolute http(s) address; "
            "set it to the app's root as respondents open it, e.g. https://survey.example.org/"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))

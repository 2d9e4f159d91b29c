"""Invitation links and campaign progress as a consultant hands them out (no streamlit here)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

#: The respondent roles and sides the store accepts, in the order forms offer them.
RESPONDENT_ROLES = (
    "sales",
    "rnd",
    "operations",
    "service",
    "management",
    "customer",
    "partner",
    "other",
)
SIDES = ("self", "customer", "partner")
#: Organisation size bands (employees), as the demo data and the benchmark filters use them.
SIZE_BANDS = ("1-49", "50-249", "250-999", "1000+")


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


def progress_totals(progress: pd.DataFrame) -> dict[str, float]:
    """Invited, started and submitted over all roles, and the response rate (submitted share).

    Examples
    --------
    >>> frame = pd.DataFrame({"role": ["sales", "rnd"], "side": ["self", "self"],
    ...                       "invited": [4, 2], "started": [3, 1], "submitted": [2, 1]})
    >>> progress_totals(frame)
    {'invited': 6, 'started': 4, 'submitted': 3, 'rate': 0.5}
    """
    invited = int(progress["invited"].sum()) if len(progress) else 0
    started = int(progress["started"].sum()) if len(progress) else 0
    submitted = int(progress["submitted"].sum()) if len(progress) else 0
    return {
        "invited": invited,
        "started": started,
        "submitted": submitted,
        "rate": round(submitted / invited, 4) if invited else 0.0,
    }

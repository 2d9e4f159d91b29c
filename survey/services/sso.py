"""Single sign-on (OpenID Connect): which providers the deployment configured, and which account
an identity from the provider may use (no streamlit here, so the rules are tested on their own).

Streamlit does the OIDC flow (``st.login``) and hands over the identity token's claims
(``st.user``). An identity opens an existing account only, matched by e-mail address (the
store keeps addresses in lower case; the match ignores case); the role is the account's.
Nobody gets an account by signing in: an administrator creates it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from survey.storage import NotFound

if TYPE_CHECKING:
    from survey.storage.records import User
    from survey.storage.store import Store

#: Settings of Streamlit's ``[auth]`` section that are shared by every provider, not a provider.
SHARED_AUTH_SETTINGS = frozenset({"redirect_uri", "cookie_secret", "expose_tokens"})


@dataclass(frozen=True)
class Provider:
    """One identity provider: ``name`` for ``st.login(name)`` (``None``: the one unnamed
    provider of ``[auth]``) and ``title`` for the button."""

    name: str | None
    title: str


class IdentityRefused(Exception):
    """A signed-in identity that may not use any account; ``reason`` is a catalogue key
    suffix (``no_email``, ``unverified``, ``unknown``) and ``email`` the claimed address."""

    def __init__(self, reason: str, email: str | None = None) -> None:
        super().__init__(f"{reason}: {email or 'no e-mail'}")
        self.reason = reason
        self.email = email


def _title(name: str | None, settings: Mapping[str, Any]) -> str:
    url = str(settings.get("server_metadata_url", ""))
    if name:
        return name.replace("_", " ").title() if name.islower() else name
    host = urlsplit(url).hostname
    return host or "single sign-on"


def auth_providers(auth: Mapping[str, Any] | None) -> list[Provider]:
    """The providers of a Streamlit ``[auth]`` secrets section, in the order written.

    ``[auth]`` with ``client_id`` is one unnamed provider (``st.login()``); each
    ``[auth.<name>]`` table is a named one (``st.login("<name>")``).

    Examples
    --------
    >>> auth_providers({"redirect_uri": "x", "cookie_secret": "y",
    ...                 "microsoft": {"client_id": "a"}, "okta": {"client_id": "b"}})
    [Provider(name='microsoft', title='Microsoft'), Provider(name='okta', title='Okta')]
    >>> auth_providers({"client_id": "a",
    ...                 "server_metadata_url": "https://id.example.org/.well-known/x"})
    [Provider(name=None, title='id.example.org')]
    >>> auth_providers(None)
    []
    """
    if not auth:
        return []
    providers = []
    if "client_id" in auth:
        providers.append(Provider(None, _title(None, auth)))
    for name, value in auth.items():
        if name not in SHARED_AUTH_SETTINGS and isinstance(value, Mapping):
            providers.append(Provider(str(name), _title(str(name), value)))
    return providers


def _false(value: object) -> bool:
    # Some providers send booleans as strings.
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def identity_email(claims: Mapping[str, Any]) -> str:
    """The e-mail address an identity may sign in with, lower-cased.

    Raises :class:`IdentityRefused` when the claims carry no address, or say it is not
    verified (``email_verified`` false); a provider that omits ``email_verified`` is trusted.

    Examples
    --------
    >>> identity_email({"email": " Ada@Example.ORG ", "email_verified": True})
    'ada@example.org'
    >>> identity_email({"email": "ada@example.org", "email_verified": False})
    Traceback (most recent call last):
    ...
    survey.services.sso.IdentityRefused: unverified: ada@example.org
    """
    email = str(claims.get("email") or "").strip()
    if not email or "@" not in email:
        raise IdentityRefused("no_email")
    if _false(claims.get("email_verified")):
        raise IdentityRefused("unverified", email)
    return email.lower()


def account_for_identity(store: Store, claims: Mapping[str, Any]) -> User:
    """The store's account whose e-mail address is the identity's (case ignored).

    Parameters
    ----------
    store : survey.storage.Store
        Where the accounts are.
    claims
        The identity token's claims as Streamlit gives them (``st.user.to_dict()``); only
        ``email`` and ``email_verified`` are read.

    Returns
    -------
    User
        The account, with its own role and organisation.

    Raises :class:`IdentityRefused` (``unknown``) when no account has that address: accounts
    are never created by signing in.
    """
    email = identity_email(claims)
    try:
        return store.user(email)
    except NotFound:
        raise IdentityRefused("unknown", email) from None

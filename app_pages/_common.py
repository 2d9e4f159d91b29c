"""Streamlit helpers shared by the pages: the store, the signed-in user, cached reads.

Not a page (streamlit_app.py does not register it). Everything that does not need streamlit
lives in ``survey`` (access rules in :mod:`survey.services.access`, assessment steps in
:mod:`survey.services.assessment`, the app's words in :mod:`survey.i18n.ui_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from survey import settings
from survey.i18n.messages import available_languages, preferred_language
from survey.i18n.ui_text import escape_markdown, language_name, ui_text
from survey.instrument.errors import InstrumentError
from survey.instrument.registry import default_registry
from survey.presentation.charts import chart_title
from survey.services.access import may_open
from survey.services.sso import IdentityRefused, Provider, account_for_identity, auth_providers

USER_KEY = "auth.user"
LANGUAGE_KEY = "app.language"


# -- the app's language -------------------------------------------------------------------------
def configured_language() -> str | None:
    """The ``language`` setting (``COCREATE_LANGUAGE``), None when left empty."""
    return settings.get("language") or None


def app_language() -> str:
    """The language of the app's own words for this session (the sidebar picker's choice)."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    if chosen in available_languages():
        return str(chosen)
    return preferred_language(configured_language(), st.context.locale)


def t(key: str, /, **values: object) -> str:
    """The app's text for ``key`` in the session's language (see :mod:`survey.i18n.messages`)."""
    return ui_text(key, app_language(), **values)


def option_labels(prefix: str, names: Mapping[Any, str] | None = None) -> Callable[[Any], str]:
    """A ``format_func`` that shows an option as the text ``prefix + option`` (or ``prefix +
    names[option]``) in the session's language.

    The language is read here, once: Streamlit (and AppTest) may call a format function outside
    the script run, where the session state is out of reach.
    """
    language = app_language()
    return lambda option: ui_text(f"{prefix}{names[option] if names else option}", language)


def role_name(role: str) -> str:
    """An account role's name in the session's language."""
    key = f"account.role.{role}"
    try:
        return t(key)
    except KeyError:
        return role


def app_language_picker() -> None:
    """The language of every page but a respondent's assessment (which has its own)."""
    languages = available_languages()
    if st.session_state.get(LANGUAGE_KEY) not in languages:
        st.session_state[LANGUAGE_KEY] = app_language()
    with st.sidebar:
        st.selectbox(
            t("app.language"),
            languages,
            format_func=language_name,
            key=LANGUAGE_KEY,
        )


# -- the store ------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Any:
    # One store (engine and connection pool) per database URL and server process.
    from survey.storage import open_store

    return open_store(url)


def database_url() -> str:
    return settings.get("database_url")


def get_store() -> Any:
    return _open_store(database_url())


def data_version() -> int:
    """The store's write counter: cached reads are keyed on it, so a submit is seen at once."""
    return int(get_store().data_version())


def registry() -> Any:
    """The instruments; when they cannot be loaded the page shows why (the same coded issues as
    ``cocreate validate``) and stops, instead of a traceback."""
    try:
        return default_registry()
    except InstrumentError as exc:
        st.error(t("app.instruments_invalid"))
        st.code(str(exc), language=None)
        st.stop()


# -- the signed-in user -----------------------------------------------------------------------
def current_user() -> Any | None:
    return st.session_state.get(USER_KEY)


def sign_in(user: Any) -> None:
    st.session_state[USER_KEY] = user


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(SSO_REFUSAL_KEY, None)
    if sso_identity() is not None:
        # Otherwise the provider's cookie would sign the account in again on the next run.
        st.logout()


# -- single sign-on (OIDC, configured in the [auth] section of secrets.toml) ------------------
SSO_REFUSAL_KEY = "auth.sso_refused"


def sso_providers() -> list[Provider]:
    """The identity providers of ``st.secrets["auth"]``; none when it is not configured."""
    try:
        section = st.secrets.get("auth")
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return []
    if not section:
        return []
    return auth_providers(section.to_dict() if hasattr(section, "to_dict") else dict(section))


def sso_identity() -> dict[str, Any] | None:
    """The provider's claims when single sign-on is configured and someone signed in there."""
    if not sso_providers():
        return None
    claims = st.user.to_dict()
    return claims if claims.get("is_logged_in") is True else None


def sign_in_from_identity() -> None:
    """Sign in the account whose e-mail address the provider vouched for (every run).

    An identity without an account is kept as a refusal for the sign-in page and the sidebar
    to explain; it never creates an account.
    """
    if current_user() is not None:
        return
    claims = sso_identity()
    if claims is None:
        st.session_state.pop(SSO_REFUSAL_KEY, None)
        return
    try:
        account = account_for_identity(get_store(), claims)
    except IdentityRefused as refusal:
        st.session_state[SSO_REFUSAL_KEY] = (refusal.reason, refusal.email or "")
        return
    st.session_state.pop(SSO_REFUSAL_KEY, None)
    sign_in(account)


def sso_refusal(*, key: str) -> bool:
    """Explain why the provider's identity opens no account, with the way out; False if none."""
    refusal = st.session_state.get(SSO_REFUSAL_KEY)
    if not refusal or sso_identity() is None:
        return False
    reason, email = refusal
    st.error(t(f"sso.refused.{reason}", email=plain(email)), icon=":material/no_accounts:")
    st.button(t("sso.logout"), key=key, icon=":material/logout:", on_click=st.logout)
    return True


def require_page(page: str) -> Any:
    """The signed-in user if they may open ``page``; otherwise explain why and stop the page."""
    user = current_user()
    if user is None:
        st.info(t("app.sign_in_first"))
        st.page_link("app_pages/sign_in.py", label=t("nav.sign_in"), icon=":material/login:")
        st.stop()
    if not may_open(user, page):
        st.error(t("app.not_allowed", role=role_name(user.role)))
        st.stop()
    return user


def account_box(*, show_refusal: bool = True) -> None:
    """Who is signed in, and the way out (shown in the sidebar on every page); without an
    account, why the single sign-on identity opened none (the sign-in page says it itself)."""
    user = current_user()
    if user is None:
        if show_refusal:
            with st.sidebar:
                sso_refusal(key="auth.sso_logout_sidebar")
        return
    with st.sidebar:
        st.caption(t("app.signed_in_as"))
        st.markdown(f"**{escape_markdown(user.name or user.email)}**")
        st.caption(role_name(user.role))
        if st.button(t("app.sign_out"), icon=":material/logout:", key="auth.sign_out"):
            sign_out()
            st.rerun()


# -- small layout helpers -----------------------------------------------------------------------
def plain(text: object) -> str:
    """User-entered text for a Markdown context (headings, captions, bold)."""
    return escape_markdown(text)


def show_instrument_changed(changed: Any) -> None:
    """The refusal of :class:`survey.instrument.registry.PinnedContentChanged` (an edited
    published instrument under stored responses) in the app's language, instead of figures."""
    st.error(
        t(
            "app.instrument_changed",
            instrument=plain(changed.key),
            pinned=changed.pinned,
            current=changed.current,
        ),
        icon=":material/error:",
    )


def language_picker(
    languages: list[str], *, key: str, default: str | None = None, label: str | None = None
) -> str:
    """A language select box over ``languages`` (names in their own language)."""
    if not languages:
        return default or "en"
    index = languages.index(default) if default in languages else 0
    return str(
        st.selectbox(
            label or t("app.language"),
            languages,
            index=index,
            format_func=language_name,
            key=key,
        )
    )


FLASH_KEY = "app.flash"


def flash(message: str) -> None:
    """A success message to show after the rerun that a change needs (see :func:`show_flash`)."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def show_chart(spec: dict[str, Any], *, stretch: bool = True) -> None:
    """Draw a chart specification from :func:`survey.presentation.charts.chart_spec` as designed.

    Streamlit's theme would replace the palette, and a layered chart stretched to the column
    loses its height unless it is passed on; fixed-size charts (the radar) keep their size.
    The chart's title is its text alternative for screen readers.
    """
    height = spec.get("height")
    alt = chart_title(spec)
    if stretch and isinstance(height, int):
        # The chart's height is its plot area; title and axis need room on top of it.
        st.vega_lite_chart(spec, theme=None, width="stretch", height=height + 80, alt=alt)
    else:
        st.vega_lite_chart(spec, theme=None, width="content", alt=alt)

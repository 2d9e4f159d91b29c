"""Take the assessment: a respondent answers through their invitation link (``?t=TOKEN``).

The step logic lives in :mod:`survey.services.assessment`; this page lays it out. The store is the
source of truth for answers: every step change saves the step's draft, and every run reads the
response back, so a respondent can close the tab and continue later with the same link.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._common import get_store, language_picker, plain, registry
from survey.i18n.ui_text import ui_text
from survey.services.assessment import Assessment, estimated_minutes, token_digest
from survey.storage import NotFound, StorageError, SubmissionError

TOKEN_KEY = "take.token"


def _token() -> str | None:
    token = st.query_params.get("t") or st.session_state.get(TOKEN_KEY)
    return str(token).strip() if token else None


def _token_form(language: str = "en", error: str | None = None) -> None:
    st.title(ui_text("take.title", language))
    if error:
        st.error(error)
    with st.form("take.token_form", border=True):
        code = st.text_input(
            ui_text("take.token_label", language), help=ui_text("take.token_help", language)
        )
        if st.form_submit_button(ui_text("take.open", language), type="primary") and code:
            st.session_state[TOKEN_KEY] = code.strip()
            st.query_params["t"] = code.strip()
            st.rerun()


def _state_key(token: str, name: str) -> str:
    # Session keys carry a digest of the token, never the token itself.
    return f"take.{token_digest(token)}.{name}"


def _format_date(value: Any) -> str:
    return value.strftime("%d %B %Y") if value is not None else ""


def _save(
    store: Any,
    token: str,
    assessment: Assessment,
    index: int,
    values: dict[str, Any],
    language: str,
) -> bool:
    """Save one step's answers; show the store's objections and return False if it refused."""
    step = assessment.steps[index]
    if step.kind != "scale" or step.instrument_ref is None:
        return True
    try:
        store.save_draft(token, step.instrument_ref, assessment.step_answers(index, values))
    except SubmissionError as exc:
        st.error(ui_text("take.submit_failed", language))
        for problem in exc.problems:
            st.text(assessment.describe_problem(problem, language))
        return False
    except StorageError:
        # A refusal by the database (never its SQL): the respondent may simply try again.
        st.error(ui_text("take.save_refused", language))
        return False
    return True


def _go(key: str, index: int) -> None:
    st.session_state[key] = index
    st.rerun()


def main() -> None:
    token = _token()
    if not token:
        _token_form()
        return
    store = get_store()
    try:
        state = store.resume(token)
    except NotFound:
        _token_form(error=ui_text("take.unknown_token"))
        return

    campaign = state.campaign
    instruments = [registry().get(ref) for ref in campaign.instruments]
    assessment = Assessment(instruments)
    lang_key = _state_key(token, "language")
    step_key = _state_key(token, "step")
    if lang_key not in st.session_state:
        st.session_state[lang_key] = assessment.language_or_default(state.invitation.language)
    language = assessment.language_or_default(st.session_state[lang_key])

    if state.status == "submitted":
        just_now = st.session_state.get(_state_key(token, "submitted"))
        st.title(ui_text("take.thanks_title", language))
        date = _format_date(state.submitted_at)
        if just_now:
            st.success(ui_text("take.thanks", language, date=date), icon=":material/task_alt:")
        else:
            st.info(ui_text("take.already", language, date=date))
        return

    first_visit = step_key not in st.session_state
    if first_visit:
        st.session_state[step_key] = assessment.resume_index(state.answers)
    index = assessment.clamp(st.session_state[step_key])
    step = assessment.steps[index]
    scale_steps = assessment.scale_steps

    # Header: title, language, progress.
    head, picker = st.columns([3, 1], vertical_alignment="bottom")
    with head:
        if step.kind == "scale":
            number = scale_steps.index(index) + 1
            instrument = assessment.instrument(step)
            st.caption(
                f"{instrument.text(instrument.title, language)} · "
                + ui_text("take.step", language, number=number, total=len(scale_steps))
            )
            st.header(assessment.step_title(index, language))
        elif step.kind == "review":
            st.header(ui_text("take.review_title", language))
        else:
            st.header(ui_text("take.welcome", language))
    with picker:
        chosen = language_picker(
            assessment.languages,
            key=_state_key(token, "language_box"),
            default=language,
            label=ui_text("take.language", language),
        )
    if chosen != language:
        store.set_language(token, chosen)
        st.session_state[lang_key] = chosen
        st.rerun()
    percent = assessment.progress(index)
    st.progress(percent, text=ui_text("take.progress", language, percent=round(percent * 100)))

    if step.kind == "welcome":
        _welcome(store, state, assessment, language, step_key, campaign)
    elif step.kind == "scale":
        _scale_step(store, token, state, assessment, index, language, step_key)
    else:
        _review(store, token, state, assessment, index, language, step_key)


def _welcome(
    store: Any, state: Any, assessment: Assessment, language: str, step_key: str, campaign: Any
) -> None:
    organisation = store.organisation(campaign.organisation_id)
    items = assessment.item_count()
    answered = assessment.answered_count(state.answers)
    st.markdown(
        ui_text(
            "take.intro",
            language,
            organisation=f"**{plain(organisation.name)}**",
            items=items,
            steps=len(assessment.scale_steps),
            minutes=estimated_minutes(items),
        )
    )
    role = ui_text(f"take.role.{state.invitation.role}", language)
    st.caption(ui_text("take.intro_role", language, role=role))
    if answered:
        st.info(ui_text("take.resume", language, answered=answered, items=items))
    target = assessment.resume_index(state.answers) if answered else 1
    if st.button(
        ui_text("take.start", language),
        type="primary",
        key="take.start",
        icon=":material/arrow_forward:",
    ):
        _go(step_key, max(1, target))
    for instrument in assessment.instruments.values():
        with st.expander(instrument.text(instrument.title, language)):
            st.write(instrument.text(instrument.description, language))


def _scale_step(
    store: Any,
    token: str,
    state: Any,
    assessment: Assessment,
    index: int,
    language: str,
    step_key: str,
) -> None:
    instructions = assessment.step_instructions(index, language)
    if instructions:
        st.info(instructions)
    definition = assessment.step_definition(index, language)
    if definition:
        st.write(definition)
    questions = assessment.questions(index, language)
    step = assessment.steps[index]
    saved = state.answers.get(step.instrument_ref, {})
    values: dict[str, Any] = {}
    with st.container(border=True):
        for question in questions:
            current = saved.get(question.item_id)
            values[question.item_id] = st.radio(
                question.text,
                question.options,
                index=question.options.index(current) if current in question.options else None,
                format_func=question.label,
                horizontal=True,
                key=_state_key(token, f"{question.instrument_ref}.{question.item_id}"),
                help=None if question.required else ui_text("take.optional", language),
            )
    back, forward = st.columns(2)
    with back:
        go_back = st.button(
            ui_text("take.back", language),
            key="take.back",
            icon=":material/arrow_back:",
            width="stretch",
        )
    with forward:
        last = index == assessment.review_index - 1
        go_on = st.button(
            ui_text("take.review" if last else "take.next", language),
            type="primary",
            key="take.next",
            icon=":material/arrow_forward:",
            width="stretch",
        )
    if (go_back or go_on) and _save(store, token, assessment, index, values, language):
        _go(step_key, index - 1 if go_back else index + 1)


def _review(
    store: Any,
    token: str,
    state: Any,
    assessment: Assessment,
    index: int,
    language: str,
    step_key: str,
) -> None:
    required_open = assessment.localized_open_items(state.answers, language)
    all_open = assessment.localized_open_items(state.answers, language, required_only=False)
    optional_open = len(all_open) - len(required_open)
    if required_open:
        st.warning(ui_text("take.open_items", language, count=len(required_open)))
        by_step: dict[int, list[Any]] = {}
        for item in required_open:
            by_step.setdefault(item.step_index, []).append(item)
        for step_index, items in by_step.items():
            with st.container(border=True):
                st.markdown(f"**{plain(items[0].scale_name)}**")
                for item in items:
                    st.text(f"• {item.text}")
                if st.button(
                    ui_text("take.go_to", language, scale=items[0].scale_name),
                    key=f"take.goto.{step_index}",
                ):
                    _go(step_key, step_index)
    else:
        st.success(ui_text("take.all_answered", language))
    if optional_open:
        st.caption(ui_text("take.optional_open", language, count=optional_open))
    back, forward = st.columns(2)
    with back:
        if st.button(
            ui_text("take.back", language),
            key="take.back",
            icon=":material/arrow_back:",
            width="stretch",
        ):
            _go(step_key, index - 1)
    with forward:
        submit = st.button(
            ui_text("take.submit", language),
            type="primary",
            key="take.submit",
            icon=":material/send:",
            disabled=bool(required_open),
            width="stretch",
        )
    if required_open:
        st.caption(ui_text("take.submit_blocked", language))
    if submit:
        try:
            store.submit(token)
        except SubmissionError as exc:
            st.error(ui_text("take.submit_failed", language))
            for problem in exc.problems:
                st.text(assessment.describe_problem(problem, language))
            return
        except StorageError:
            st.error(ui_text("take.save_refused", language))
            return
        st.session_state[_state_key(token, "submitted")] = True
        st.rerun()


main()

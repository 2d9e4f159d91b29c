"""The app's own words (buttons, headings, hints) in every language the respondent may choose.

Questionnaire content (items, scale names, narratives, recommendations) comes from the instrument
files; this catalogue holds only the app's frame around it. A missing translation falls back to
English, so a new instrument language works at once and can be translated here later.
"""

from __future__ import annotations

#: Names of languages in their own language, for the language picker.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "fi": "Suomi",
    "sv": "Svenska",
    "it": "Italiano",
    "nl": "Nederlands",
    "zh": "中文",
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "take.title": "Take the assessment",
        "take.token_label": "Invitation code",
        "take.token_help": "Paste the code from your invitation e-mail, or open the link it holds.",
        "take.open": "Open the assessment",
        "take.unknown_token": "This invitation code is not valid. Check that it was copied in "
        "full, or ask the person who invited you for a new link.",
        "take.closed": "This campaign is closed; answers can no longer be changed.",
        "take.language": "Language",
        "take.welcome": "Welcome",
        "take.intro": "You have been invited by {organisation} to describe how your firm works "
        "with customers and partners. There are {items} statements in {steps} short sections; "
        "it takes about {minutes} min. Your answers are saved after every section, so you "
        "can leave and come back later with the same link.",
        "take.intro_role": "You answer as: {role}.",
        "take.resume": "Welcome back. You have answered {answered} of {items} statements; "
        "you continue where you left off.",
        "take.start": "Start",
        "take.next": "Save and continue",
        "take.back": "Back",
        "take.review": "Review",
        "take.step": "Section {number} of {total}",
        "take.progress": "Progress: {percent} %",
        "take.saved": "Your answers are saved.",
        "take.review_title": "Review and submit",
        "take.all_answered": "Every statement has an answer. You can submit now.",
        "take.open_items": "{count} statement(s) still need an answer:",
        "take.optional_open": "{count} optional statement(s) left open; you may submit anyway.",
        "take.go_to": "Go to “{scale}”",
        "take.submit": "Submit my answers",
        "take.submit_blocked": "Answer the statements listed above before submitting.",
        "take.submit_failed": "Some answers could not be accepted:",
        "take.thanks_title": "Thank you!",
        "take.thanks": "Your answers were submitted on {date}. They now count towards your "
        "firm's profile. You can close this page.",
        "take.already": "These answers were submitted on {date} and can no longer be changed.",
        "take.required": "required",
        "take.optional": "optional",
        "take.role.sales": "Sales",
        "take.role.rnd": "Research and development",
        "take.role.operations": "Operations",
        "take.role.service": "Service",
        "take.role.management": "Management",
        "take.role.customer": "Customer",
        "take.role.partner": "Partner",
        "take.role.other": "Other",
    },
    "de": {
        "take.title": "Zur Befragung",
        "take.token_label": "Einladungscode",
        "take.token_help": "Fügen Sie den Code aus Ihrer Einladung ein oder öffnen Sie den Link.",
        "take.open": "Befragung öffnen",
        "take.unknown_token": "Dieser Einladungscode ist ungültig. Prüfen Sie, ob er vollständig "
        "kopiert wurde, oder bitten Sie um einen neuen Link.",
        "take.closed": "Diese Befragung ist abgeschlossen; Antworten können nicht mehr geändert "
        "werden.",
        "take.language": "Sprache",
        "take.welcome": "Willkommen",
        "take.intro": "{organisation} lädt Sie ein zu beschreiben, wie Ihr Unternehmen mit "
        "Kunden und Partnern zusammenarbeitet. Es gibt {items} Aussagen in {steps} kurzen "
        "Abschnitten; das dauert etwa {minutes} Min. Ihre Antworten werden nach jedem "
        "Abschnitt gespeichert; Sie können später mit demselben Link weitermachen.",
        "take.intro_role": "Sie antworten als: {role}.",
        "take.resume": "Willkommen zurück. Sie haben {answered} von {items} Aussagen "
        "beantwortet und machen dort weiter, wo Sie aufgehört haben.",
        "take.start": "Beginnen",
        "take.next": "Speichern und weiter",
        "take.back": "Zurück",
        "take.review": "Übersicht",
        "take.step": "Abschnitt {number} von {total}",
        "take.progress": "Fortschritt: {percent} %",
        "take.saved": "Ihre Antworten sind gespeichert.",
        "take.review_title": "Prüfen und absenden",
        "take.all_answered": "Alle Aussagen sind beantwortet. Sie können jetzt absenden.",
        "take.open_items": "{count} Aussage(n) brauchen noch eine Antwort:",
        "take.optional_open": "{count} freiwillige Aussage(n) offen; Sie können trotzdem absenden.",
        "take.go_to": "Zu „{scale}“",
        "take.submit": "Antworten absenden",
        "take.submit_blocked": "Beantworten Sie vor dem Absenden die oben genannten Aussagen.",
        "take.submit_failed": "Einige Antworten konnten nicht angenommen werden:",
        "take.thanks_title": "Vielen Dank!",
        "take.thanks": "Ihre Antworten wurden am {date} abgesendet und fließen in das Profil "
        "Ihres Unternehmens ein. Sie können diese Seite schließen.",
        "take.already": "Diese Antworten wurden am {date} abgesendet und können nicht mehr "
        "geändert werden.",
        "take.required": "Pflicht",
        "take.optional": "freiwillig",
        "take.role.sales": "Vertrieb",
        "take.role.rnd": "Forschung und Entwicklung",
        "take.role.operations": "Betrieb",
        "take.role.service": "Service",
        "take.role.management": "Geschäftsleitung",
        "take.role.customer": "Kunde",
        "take.role.partner": "Partner",
        "take.role.other": "Andere",
    },
}


def ui_text(key: str, language: str = "en", **values: object) -> str:
    """The app's text for ``key`` in ``language`` (English if untranslated), filled in.

    Examples
    --------
    >>> ui_text("take.step", "de", number=2, total=9)
    'Abschnitt 2 von 9'
    >>> ui_text("take.step", "xx", number=1, total=3)
    'Section 1 of 3'
    """
    table = _TEXT.get(language, {})
    template = table.get(key) or _TEXT["en"].get(key)
    if template is None:
        raise KeyError(f"no app text {key!r}: add it to survey.ui_text._TEXT['en']")
    return template.format(**values) if values else template


def language_name(code: str) -> str:
    """A language's own name, or its code when unknown.

    >>> language_name("de")
    'Deutsch'
    """
    return LANGUAGE_NAMES.get(code, code)


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

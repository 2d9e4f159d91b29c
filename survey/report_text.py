"""The firm report's own words (headings, chart titles that are not scale names, notes).

Content (scale names, stage narratives, recommendations) comes from the instrument files; this
catalogue holds only the frame around it. A missing translation falls back to English.
"""

from __future__ import annotations

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "report.title": "Co-creation readiness: results for {organisation}",
        "report.campaign": "Campaign: {campaign}",
        "report.generated": "Generated on {date} by cocreate {version}.",
        "report.respondents": "Respondents",
        "report.side": "Side",
        "report.role": "Role",
        "report.count": "Count",
        "report.overview": "Overview",
        "report.overview_chart": "Overall index per instrument",
        "report.stage": "Stage {stage}: {name}",
        "report.overall_index": "Overall index: {index} of 100",
        "report.dimensions": "Dimensions",
        "report.dimension": "Dimension",
        "report.scales": "Scales",
        "report.scale": "Scale",
        "report.index": "Index",
        "report.score": "Mean",
        "report.n": "n",
        "report.agreement": "Agreement (rwg(J))",
        "report.low_agreement": "Respondents disagree strongly on: {scales}. Read these means "
        "with care and discuss them in the team.",
        "report.strengths": "Strengths",
        "report.gaps": "Gaps",
        "report.recommendations": "Recommendations",
        "report.no_recommendations": "No recommendation applies at this stage.",
        "report.cartwheel": "Weak practices and the capabilities that support them",
        "report.supported_by": "Supported by",
        "report.view_gap": "Our view and the {side} view",
        "report.self": "Our view",
        "report.customer": "Customer view",
        "report.partner": "Partner view",
        "report.gap": "Gap",
        "report.change": "Change since {campaign}",
        "report.before": "Before",
        "report.after": "Now",
        "report.reliable": "Reliable change",
        "report.yes": "yes",
        "report.no": "no",
        "report.benchmark": "Position in the cohort ({n} organisations)",
        "report.percentile": "Percentile",
        "report.cohort_chart": "Overall index of {title} in the cohort",
        "report.no_benchmark": "The cohort is too small for a benchmark (fewer than {n} "
        "organisations).",
        "report.no_responses": "No submitted responses for this instrument yet.",
        "report.method": "How to read this report: every scale is the mean of its items after "
        "reverse keying, shown as an index from 0 (lowest answer) to 100 (highest answer). "
        "Stages, narratives and recommendations come from the instrument versions named below.",
        "report.instruments": "Instrument versions: {versions}",
    },
    "de": {
        "report.title": "Bereitschaft zur Ko-Kreation: Ergebnisse für {organisation}",
        "report.campaign": "Erhebung: {campaign}",
        "report.generated": "Erstellt am {date} mit cocreate {version}.",
        "report.respondents": "Teilnehmende",
        "report.side": "Seite",
        "report.role": "Rolle",
        "report.count": "Anzahl",
        "report.overview": "Überblick",
        "report.overview_chart": "Gesamtindex je Instrument",
        "report.stage": "Stufe {stage}: {name}",
        "report.overall_index": "Gesamtindex: {index} von 100",
        "report.dimensions": "Dimensionen",
        "report.dimension": "Dimension",
        "report.scales": "Skalen",
        "report.scale": "Skala",
        "report.index": "Index",
        "report.score": "Mittelwert",
        "report.n": "n",
        "report.agreement": "Übereinstimmung (rwg(J))",
        "report.low_agreement": "Die Antworten gehen stark auseinander bei: {scales}. Lesen Sie "
        "diese Mittelwerte mit Vorsicht und besprechen Sie sie im Team.",
        "report.strengths": "Stärken",
        "report.gaps": "Lücken",
        "report.recommendations": "Empfehlungen",
        "report.no_recommendations": "Auf dieser Stufe gilt keine Empfehlung.",
        "report.cartwheel": "Schwache Praktiken und die Fähigkeiten, die sie tragen",
        "report.supported_by": "Getragen von",
        "report.view_gap": "Unsere Sicht und die Sicht der {side}",
        "report.self": "Unsere Sicht",
        "report.customer": "Sicht der Kunden",
        "report.partner": "Sicht der Partner",
        "report.gap": "Differenz",
        "report.change": "Veränderung seit {campaign}",
        "report.before": "Vorher",
        "report.after": "Jetzt",
        "report.reliable": "Verlässliche Veränderung",
        "report.yes": "ja",
        "report.no": "nein",
        "report.benchmark": "Position in der Vergleichsgruppe ({n} Organisationen)",
        "report.percentile": "Perzentil",
        "report.cohort_chart": "Gesamtindex von {title} in der Vergleichsgruppe",
        "report.no_benchmark": "Die Vergleichsgruppe ist für einen Vergleich zu klein (weniger "
        "als {n} Organisationen).",
        "report.no_responses": "Für dieses Instrument liegen noch keine Antworten vor.",
        "report.method": "So lesen Sie diesen Bericht: Jede Skala ist der Mittelwert ihrer "
        "Aussagen nach Umpolung, dargestellt als Index von 0 (niedrigste Antwort) bis 100 "
        "(höchste Antwort). Stufen, Beschreibungen und Empfehlungen stammen aus den unten "
        "genannten Instrumentversionen.",
        "report.instruments": "Instrumentversionen: {versions}",
    },
}

#: Words for the other side of the relationship, as used inside "the {side} view".
SIDE_WORDS: dict[str, dict[str, str]] = {
    "en": {"customer": "customer", "partner": "partner"},
    "de": {"customer": "Kunden", "partner": "Partner"},
}


def text(key: str, language: str = "en", **values: object) -> str:
    """A report text in ``language`` (English when not translated), formatted with ``values``.

    Examples
    --------
    >>> text("report.stage", "de", stage=3, name="Engagiert")
    'Stufe 3: Engagiert'
    >>> text("report.stage", "fi", stage=3, name="x")
    'Stage 3: x'
    """
    if key not in _TEXT["en"]:
        raise ValueError(f"unknown report text {key!r}")
    template = _TEXT.get(language, _TEXT["en"]).get(key, _TEXT["en"][key])
    return template.format(**values)


def side_word(side: str, language: str = "en") -> str:
    """The name of a side (customer, partner) inside a sentence."""
    return SIDE_WORDS.get(language, SIDE_WORDS["en"]).get(side, side)

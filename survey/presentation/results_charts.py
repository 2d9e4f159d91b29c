"""The charts of a firm's results, shared by the app's Results page and the firm report.

:func:`section_charts` draws one instrument's results
(:class:`~survey.services.results.InstrumentResults`),
:func:`overview_chart` the overall index of every instrument; both return Altair charts built by
:mod:`survey.presentation.charts`, with every word from the message catalogues.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from survey.i18n.report_text import side_word, text
from survey.presentation import charts
from survey.services.results import OTHER_SIDES, FirmResults, InstrumentResults


# ---------------------------------------------------------------------------------------------
def _side_label(side: str, language: str) -> str:
    return text(f"report.{side}", language) if side in OTHER_SIDES else side


def section_charts(section: InstrumentResults, language: str = "en") -> dict[str, Any]:
    """The charts of one instrument's results, by name, in the order the report shows them.

    ``profile`` (radar for capabilities, bars grouped by dimension for practices, bars with
    stage thresholds otherwise), ``view_gap`` when another side answered, ``percentiles`` and
    ``cohort`` when the cohort is large enough.
    """
    scales = section.scales
    title = section.title
    out: dict[str, Any] = {}
    if section.chart_kind == "radar":
        frame = scales[["name", "index"]].assign(series=text("report.self", language))
        if section.other_index is not None and section.other_side is not None:
            other = pd.DataFrame(
                {
                    "name": scales["name"],
                    "index": [section.other_index.get(s) for s in scales["scale"]],
                    "series": _side_label(section.other_side, language),
                }
            )
            frame = pd.concat([frame, other], ignore_index=True)
        out["profile"] = charts.radar_chart(frame, title=title, series="series", language=language)
    elif section.chart_kind == "dimension_bars":
        out["profile"] = charts.dimension_bars(
            scales, title=title, dimension="dimension_name", language=language
        )
    else:
        out["profile"] = charts.score_bars(
            scales, title=title, thresholds=section.thresholds, language=language
        )
    if section.view_gap is not None and section.other_side is not None:
        gap = section.view_gap[["name", "mean_self", "mean_other"]]
        out["view_gap"] = charts.gap_chart(
            gap,
            title=text("report.view_gap", language, side=side_word(section.other_side, language)),
            views=("mean_self", "mean_other"),
            view_names=[
                text("report.self", language),
                _side_label(section.other_side, language),
            ],
            language=language,
        )
    if section.benchmark is not None:
        out["percentiles"] = charts.percentile_bars(
            section.benchmark[["name", "percentile"]].dropna(),
            title=text("report.benchmark", language, n=section.cohort_size),
            language=language,
        )
    if section.cohort_overall is not None and pd.notna(section.overall_index):
        out["cohort"] = charts.cohort_distribution(
            section.cohort_overall,
            section.overall_index,
            title=text("report.cohort_chart", language, title=title),
            language=language,
        )
    return out


def overview_chart(results: FirmResults) -> Any:
    """The overall index of every instrument, as bars with the first instrument's stages."""
    language = results.language
    frame = pd.DataFrame(
        {
            "name": [s.title for s in results.sections],
            "index": [s.overall_index for s in results.sections],
        }
    )
    thresholds = results.sections[0].thresholds if results.sections else None
    return charts.score_bars(
        frame,
        title=text("report.overview_chart", language),
        thresholds=thresholds,
        language=language,
    )

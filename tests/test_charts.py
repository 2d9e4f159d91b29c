"""Chart builders: valid Vega-Lite, rendered without a browser to non-blank images, the
colour-blind-safe palette, tooltips, captions in the chosen language, and no streamlit."""

from __future__ import annotations

import functools
import io
import json
import math
import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from survey.presentation import charts

CAPABILITIES = ["Individuated", "Relational", "Ethical", "Empowered", "Developmental", "Concerted"]


def _radar_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": CAPABILITIES * 2,
            "index": [72, 55, 80, 40, 35, 60, 60, 65, 70, 50, 45, 52],
            "series": ["Self"] * 6 + ["Customers"] * 6,
        }
    )


def _practices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Co-diagnosis", "Co-ideation", "Co-design", "Embedding"],
            "index": [70.0, 62.0, 45.0, 25.0],
            "dimension": ["Linking", "Linking", "Materializing", "Institutionalizing"],
        }
    )


@functools.cache
def _all_charts(language: str = "en"):
    practices = _practices()
    gap = practices.copy()
    gap["self"], gap["customer"] = practices["index"], practices["index"] - 10
    return {
        "radar": charts.radar_chart(
            _radar_frame(), title="Capabilities", series="series", language=language
        ),
        "dimension": charts.dimension_bars(practices, title="Practices", language=language),
        "score": charts.score_bars(
            practices,
            title="Readiness",
            language=language,
            thresholds=pd.DataFrame({"min_index": [0, 40], "stage_name": ["One", "Two"]}),
        ),
        "gap": charts.gap_chart(gap, title="Gap", view_names=["We", "They"], language=language),
        "percentile": charts.percentile_bars(
            practices.assign(percentile=[10, 50, 75, 99]), title="Percentiles", language=language
        ),
        "cohort": charts.cohort_distribution(
            [20, 35, 50, 55, 70], 52, title="Cohort", language=language
        ),
    }


def _spec_text(chart) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("name", list(_all_charts()))
def test_charts_render_to_non_blank_png(name):
    png = charts.chart_png(_all_charts()[name], scale=1)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.width > 200 and image.height > 100
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20
    non_white = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert non_white > 0.02 * image.width * image.height
    assert charts.chart_svg(_all_charts()[name]).lstrip().startswith("<svg")


def test_titles_come_from_the_caller_and_captions_follow_the_language():
    english = {name: _spec_text(chart) for name, chart in _all_charts("en").items()}
    german = {name: _spec_text(chart) for name, chart in _all_charts("de").items()}
    assert '"Practices"' in english["dimension"]
    assert "Index (0-100)" in english["dimension"]
    assert "Perzentil in der Vergleichsgruppe" in german["percentile"]
    assert "Diese Organisation" in german["cohort"] and "This organisation" in english["cohort"]


def test_series_use_the_okabe_ito_palette_and_carry_tooltips():
    for name, chart in _all_charts().items():
        text = _spec_text(chart)
        assert charts.OKABE_ITO["blue"] in text or charts.OKABE_ITO["sky_blue"] in text, name
        assert '"tooltip"' in text, name
    radar = _spec_text(_all_charts()["radar"])
    assert charts.OKABE_ITO["orange"] in radar  # the second series


def test_radar_vertices_lie_on_their_spokes_at_the_right_radius():
    frame = _radar_frame()
    points = charts.radar_points(
        frame, value="index", label="name", series="series", domain=(0, 100)
    )
    assert len(points) == 2 * (len(CAPABILITIES) + 1)  # each shape closes on its first vertex
    for _, row in points.iterrows():
        k = CAPABILITIES.index(row["name"])
        angle = 2 * math.pi * k / len(CAPABILITIES)
        radius = row["index"] / 100
        assert row["x"] == pytest.approx(radius * math.sin(angle))
        assert row["y"] == pytest.approx(radius * math.cos(angle))


def test_radar_skips_missing_values_and_needs_three_scales():
    frame = _radar_frame()
    frame.loc[1, "index"] = float("nan")
    points = charts.radar_points(
        frame, value="index", label="name", series="series", domain=(0, 100)
    )
    assert "Relational" not in set(points[points.series == "Self"]["name"])
    with pytest.raises(ValueError, match="at least 3 scales"):
        charts.radar_chart(frame.head(2), title="t")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lacks the column"):
        charts.dimension_bars(_practices().drop(columns="dimension"), title="t")
    with pytest.raises(ValueError, match="no values"):
        charts.cohort_distribution([], 50, title="t")


def test_charts_module_does_not_import_streamlit():
    code = "import sys, survey.presentation.charts; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", list(_all_charts()))
def test_chart_spec_is_what_streamlit_would_draw_from_the_chart(name):
    # Streamlit converts an Altair chart with validation and the theme switched off; the app
    # sends chart_spec's dictionary instead (built once per data version, not validated).
    import re

    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    chart = _all_charts()[name]
    chart.to_dict()  # validates against the Vega-Lite schema (raises when invalid)
    theirs = _convert_altair_to_vega_lite_spec(chart)
    ours = charts.chart_spec(chart)
    theirs.pop("datasets"), ours.pop("datasets")  # the same rows, under different names

    def named(spec):
        return re.sub(r'"name": "[^"]+"', '"name": "data"', json.dumps(spec, sort_keys=True))

    assert named(ours) == named(theirs)
    assert charts.chart_title(ours) == (
        chart.title if isinstance(chart.title, str) else chart.title.text
    )

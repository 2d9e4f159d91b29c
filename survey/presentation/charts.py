"""Altair chart builders shared by the app's pages and the firm report.

Every builder takes a tidy DataFrame and the texts to show (titles come from the instrument's
scale and dimension names in the caller's language); the only words written here are the axis
captions, the ``chart.*`` keys of the message catalogues (:mod:`survey.i18n.messages`), chosen
by ``language``. Colours are the Okabe-Ito palette, which
stays distinguishable with the common forms of colour blindness. This module imports no
streamlit: the app renders the charts with ``st.altair_chart`` and the report with vl-convert
(:func:`chart_png`, :func:`chart_svg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from survey.i18n.messages import has_message, message

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order in which series take colours: the first is "this organisation" / "self".
SERIES_COLOURS = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]
GRID_COLOUR = "#BBBBBB"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def caption(key: str, language: str = "en") -> str:
    """An axis caption in ``language`` (English when the language has none).

    Examples
    --------
    >>> caption("percentile", "de")
    'Perzentil in der Vergleichsgruppe'
    >>> caption("percentile", "fr")
    'Percentile in the cohort'
    """
    if not has_message(f"chart.{key}"):
        raise ValueError(f"unknown caption {key!r}: add chart.{key} to survey/i18n/locales/en.yaml")
    return message(f"chart.{key}", language)


def _require(frame: pd.DataFrame, columns: Sequence[str], chart: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{chart}: the data lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns)) or 'none'}"
        )


def _configured(chart: Any) -> Any:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_title(fontSize=15, anchor="start", fontWeight="bold")
        .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=260)
        .configure_legend(labelFontSize=11, titleFontSize=12, orient="bottom", labelLimit=360)
    )


def _colour_scale(series: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(series), range=SERIES_COLOURS[: len(series)])


# ---------------------------------------------------------------------------------------------
# Radar
# ---------------------------------------------------------------------------------------------
def radar_points(
    frame: pd.DataFrame, *, value: str, label: str, series: str, domain: tuple[float, float]
) -> pd.DataFrame:
    """Cartesian coordinates of radar vertices: scale ``k`` of ``n`` at angle ``2 pi k / n``.

    The first scale points straight up and the others follow clockwise; the radius is the
    value's share of ``domain``. Each series repeats its first vertex last to close the shape.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["a", "b", "c", "d"], "index": [100, 50, 0, 50],
    ...                       "series": "x"})
    >>> radar_points(frame, value="index", label="name", series="series",
    ...              domain=(0, 100))[["name", "x", "y"]].round(3)
      name    x    y
    0    a  0.0  1.0
    1    b  0.5  0.0
    2    c  0.0  0.0
    3    d -0.5 -0.0
    4    a  0.0  1.0
    """
    labels = list(dict.fromkeys(frame[label]))
    n = len(labels)
    low, high = domain
    rows: list[dict[str, Any]] = []
    for name, group in frame.groupby(series, sort=False):
        by_label = dict(zip(group[label], group[value], strict=True))
        order = 0
        for k, scale in enumerate([*labels, labels[0]]):
            raw = by_label.get(scale)
            if raw is None or pd.isna(raw):
                continue
            radius = (float(raw) - low) / (high - low)
            angle = 2 * math.pi * (k % n) / n
            rows.append(
                {
                    series: name,
                    label: scale,
                    value: float(raw),
                    "x": radius * math.sin(angle),
                    "y": radius * math.cos(angle),
                    "order": order,
                }
            )
            order += 1
    return pd.DataFrame(rows)


def radar_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    language: str = "en",
    value: str = "index",
    label: str = "name",
    series: str | None = None,
    domain: tuple[float, float] = (0.0, 100.0),
    rings: Sequence[float] = (25, 50, 75, 100),
    size: int = 420,
) -> alt.LayerChart:
    """A radar (spider) chart of scale values, e.g. the six interaction capabilities.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per scale (and series): ``label`` (scale name), ``value`` and optionally
        ``series`` (e.g. "self" and "customer", or the organisation and the cohort median).
    title : str
        Chart title (the caller's text, e.g. the instrument's title).
    language : str
        Language of the axis captions.
    value, label, series : str
        Column names.
    domain : tuple of float
        Value at the centre and at the rim.
    rings : sequence of float
        Values at which grid rings are drawn.
    size : int
        Width and height in pixels.

    Returns
    -------
    altair.LayerChart

    Notes
    -----
    Vega-Lite has no polar line mark, so the vertices are placed on x/y coordinates
    (:func:`radar_points`) and joined in order with ``mark_line``; grid rings are regular
    polygons through the same spokes.
    """
    _require(frame, [label, value] + ([series] if series else []), "radar_chart")
    data = frame.copy()
    series_col = series or "__series"
    if series is None:
        data[series_col] = caption("client", language)
    labels = list(dict.fromkeys(data[label]))
    if len(labels) < 3:
        raise ValueError(f"radar_chart needs at least 3 scales, got {len(labels)}")
    names = list(dict.fromkeys(data[series_col]))
    points = radar_points(data, value=value, label=label, series=series_col, domain=domain)
    n = len(labels)
    low, high = domain
    grid_rows: list[dict[str, Any]] = []
    spoke_rows: list[dict[str, Any]] = []
    label_rows: list[dict[str, Any]] = []
    for ring in rings:
        radius = (ring - low) / (high - low)
        for k in range(n + 1):
            angle = 2 * math.pi * (k % n) / n
            grid_rows.append(
                {
                    "ring": ring,
                    "x": radius * math.sin(angle),
                    "y": radius * math.cos(angle),
                    "order": k,
                }
            )
    for k, name in enumerate(labels):
        angle = 2 * math.pi * k / n
        spoke_rows += [
            {"spoke": name, "x": 0.0, "y": 0.0},
            {"spoke": name, "x": math.sin(angle), "y": math.cos(angle)},
        ]
        sin = math.sin(angle)
        label_rows.append(
            {
                "text": name,
                "x": 1.13 * sin,
                "y": 1.13 * math.cos(angle),
                "align": "center" if abs(sin) < 0.2 else ("left" if sin > 0 else "right"),
            }
        )
    ring_labels = [
        {"text": f"{ring:g}", "x": 0.02, "y": (ring - low) / (high - low)} for ring in rings
    ]
    axis = alt.Scale(domain=[-1.45, 1.45], nice=False)
    x = alt.X("x:Q", scale=axis, axis=None)
    y = alt.Y("y:Q", scale=axis, axis=None)
    grid = (
        alt.Chart(pd.DataFrame(grid_rows))
        .mark_line(color=GRID_COLOUR, strokeWidth=0.8, strokeDash=[2, 2])
        .encode(x, y, detail="ring:N", order="order:Q")
    )
    spokes = (
        alt.Chart(pd.DataFrame(spoke_rows))
        .mark_line(color=GRID_COLOUR, strokeWidth=0.8)
        .encode(x, y, detail="spoke:N")
    )
    ring_text = (
        alt.Chart(pd.DataFrame(ring_labels))
        .mark_text(align="left", baseline="bottom", fontSize=9, color="#666666")
        .encode(x, y, text="text:N")
    )
    layers = [grid, spokes, ring_text]
    for align in ("left", "right", "center"):
        subset = [row for row in label_rows if row["align"] == align]
        if subset:
            layers.append(
                alt.Chart(pd.DataFrame(subset))
                .mark_text(align=align, baseline="middle", fontSize=11, color="#222222")
                .encode(x, y, text="text:N")
            )
    colour = alt.Color(
        f"{series_col}:N",
        scale=_colour_scale(names),
        legend=alt.Legend(title=None) if series else None,
    )
    tooltip = [
        alt.Tooltip(f"{label}:N", title=caption("scale", language)),
        alt.Tooltip(f"{value}:Q", title=caption("index", language), format=".1f"),
    ]
    if series:
        tooltip.insert(0, alt.Tooltip(f"{series_col}:N", title=caption("series", language)))
    shapes = alt.Chart(points)
    layers.append(
        shapes.mark_line(strokeWidth=2.2, fillOpacity=0.12).encode(
            x,
            y,
            colour,
            # Vega fills a closed line path: a light fill makes each profile read as a shape.
            alt.Fill(f"{series_col}:N", scale=_colour_scale(names), legend=None),
            detail=f"{series_col}:N",
            order="order:Q",
        )
    )
    layers.append(shapes.mark_point(filled=True, size=55).encode(x, y, colour, tooltip=tooltip))
    chart = alt.layer(*layers).properties(title=title, width=size, height=size)
    return _configured(chart)


# ---------------------------------------------------------------------------------------------
# Bars
# ---------------------------------------------------------------------------------------------
def _bar_height(n: int) -> int:
    return max(120, 26 * n)


def dimension_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    language: str = "en",
    value: str = "index",
    label: str = "name",
    dimension: str = "dimension",
    domain: tuple[float, float] = (0.0, 100.0),
) -> alt.Chart:
    """Horizontal bars of scales grouped and coloured by dimension (e.g. the practices grouped
    by linking, materializing and institutionalizing), in the frame's row order."""
    _require(frame, [label, value, dimension], "dimension_bars")
    data = frame.copy()
    data[dimension] = data[dimension].fillna("-")
    dimensions = list(dict.fromkeys(data[dimension]))
    order = list(dict.fromkeys(data[label]))
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None),
        x=alt.X(
            f"{value}:Q", scale=alt.Scale(domain=list(domain)), title=caption("index", language)
        ),
    )
    bars = base.mark_bar(cornerRadiusEnd=2, height={"band": 0.72}).encode(
        color=alt.Color(
            f"{dimension}:N", scale=_colour_scale(dimensions), title=caption("dimension", language)
        ),
        tooltip=[
            alt.Tooltip(f"{dimension}:N", title=caption("dimension", language)),
            alt.Tooltip(f"{label}:N", title=caption("scale", language)),
            alt.Tooltip(f"{value}:Q", title=caption("index", language), format=".1f"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=".0f")
    )
    chart = alt.layer(bars, text).properties(title=title, width=460, height=_bar_height(len(order)))
    return _configured(chart)


def score_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    language: str = "en",
    value: str = "index",
    label: str = "name",
    thresholds: pd.DataFrame | None = None,
    domain: tuple[float, float] = (0.0, 100.0),
) -> alt.Chart:
    """Horizontal bars of scale values (readiness, engagement), with optional stage thresholds.

    ``thresholds`` has columns ``min_index`` and ``stage_name`` (from the instrument's stages);
    each threshold above the domain's start is drawn as a dashed rule with the stage's name.
    """
    _require(frame, [label, value], "score_bars")
    order = list(dict.fromkeys(frame[label]))
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None),
        x=alt.X(
            f"{value}:Q", scale=alt.Scale(domain=list(domain)), title=caption("index", language)
        ),
    )
    bars = base.mark_bar(color=SERIES_COLOURS[0], cornerRadiusEnd=2, height={"band": 0.72}).encode(
        tooltip=[
            alt.Tooltip(f"{label}:N", title=caption("scale", language)),
            alt.Tooltip(f"{value}:Q", title=caption("index", language), format=".1f"),
        ]
    )
    text = base.mark_text(align="left", dx=4, fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=".0f")
    )
    layers: list[Any] = [bars, text]
    if thresholds is not None and len(thresholds):
        _require(thresholds, ["min_index", "stage_name"], "score_bars thresholds")
        marks = thresholds[thresholds["min_index"] > domain[0]]
        rules = alt.Chart(marks).encode(x="min_index:Q")
        layers.append(
            rules.mark_rule(color=OKABE_ITO["vermillion"], strokeDash=[4, 3]).encode(
                tooltip=[
                    alt.Tooltip("stage_name:N", title=caption("stage", language)),
                    alt.Tooltip("min_index:Q", title=caption("index", language)),
                ]
            )
        )
        # Neighbouring thresholds alternate between two label rows so that long stage names
        # do not print over each other.
        for row, subset in enumerate((marks.iloc[0::2], marks.iloc[1::2])):
            if len(subset):
                layers.append(
                    alt.Chart(subset)
                    .mark_text(
                        align="left",
                        baseline="bottom",
                        dx=3,
                        dy=-2 - 11 * row,
                        fontSize=9,
                        color=OKABE_ITO["vermillion"],
                    )
                    .encode(x="min_index:Q", text="stage_name:N", y=alt.value(0))
                )
    chart = alt.layer(*layers).properties(title=title, width=460, height=_bar_height(len(order)))
    return _configured(chart)


def gap_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    language: str = "en",
    label: str = "name",
    views: Sequence[str] = ("self", "customer"),
    view_names: Sequence[str] | None = None,
    domain: tuple[float, float] = (0.0, 100.0),
) -> alt.LayerChart:
    """Self view against the customers' (or partners') view per scale: a dumbbell chart.

    ``frame`` has one row per scale with ``label`` and one column per view (0-100 values);
    ``view_names`` are the legend texts of ``views`` in the caller's language.
    """
    _require(frame, [label, *views], "gap_chart")
    names = list(view_names or views)
    if len(names) != len(views):
        raise ValueError("gap_chart: give one view name per view")
    order = list(dict.fromkeys(frame[label]))
    long = frame.melt(id_vars=[label], value_vars=list(views), var_name="view", value_name="value")
    long["view"] = long["view"].map(dict(zip(views, names, strict=True)))
    wide = frame.assign(
        low=frame[list(views)].min(axis=1),
        high=frame[list(views)].max(axis=1),
        gap=frame[views[0]] - frame[views[1]],
    )
    y = alt.Y(f"{label}:N", sort=order, title=None)
    x_scale = alt.Scale(domain=list(domain))
    rule = (
        alt.Chart(wide)
        .mark_rule(color=GRID_COLOUR, strokeWidth=3)
        .encode(
            y=y,
            x=alt.X("low:Q", scale=x_scale, title=caption("index", language)),
            x2="high:Q",
            tooltip=[
                alt.Tooltip(f"{label}:N", title=caption("scale", language)),
                alt.Tooltip("gap:Q", format="+.1f", title=f"{names[0]} - {names[1]}"),
            ],
        )
    )
    dots = (
        alt.Chart(long)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            y=y,
            x=alt.X("value:Q", scale=x_scale),
            color=alt.Color("view:N", scale=_colour_scale(names), title=caption("view", language)),
            shape=alt.Shape(
                "view:N",
                scale=alt.Scale(domain=names, range=["circle", "diamond", "square"][: len(names)]),
            ),
            tooltip=[
                alt.Tooltip("view:N", title=caption("view", language)),
                alt.Tooltip(f"{label}:N", title=caption("scale", language)),
                alt.Tooltip("value:Q", format=".1f", title=caption("index", language)),
            ],
        )
    )
    chart = alt.layer(rule, dots).properties(title=title, width=460, height=_bar_height(len(order)))
    return _configured(chart)


def percentile_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    language: str = "en",
    value: str = "percentile",
    label: str = "name",
) -> alt.LayerChart:
    """The organisation's percentile in its cohort per scale, with the median marked."""
    _require(frame, [label, value], "percentile_bars")
    order = list(dict.fromkeys(frame[label]))
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None),
        x=alt.X(
            f"{value}:Q", scale=alt.Scale(domain=[0, 100]), title=caption("percentile", language)
        ),
    )
    bars = base.mark_bar(color=SERIES_COLOURS[0], cornerRadiusEnd=2, height={"band": 0.72}).encode(
        tooltip=[
            alt.Tooltip(f"{label}:N", title=caption("scale", language)),
            alt.Tooltip(f"{value}:Q", format=".0f", title=caption("percentile", language)),
        ]
    )
    text = base.mark_text(align="left", dx=4, fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=".0f")
    )
    median = (
        alt.Chart(pd.DataFrame({"median": [50]}))
        .mark_rule(color=OKABE_ITO["vermillion"], strokeDash=[4, 3])
        .encode(x="median:Q")
    )
    chart = alt.layer(bars, text, median).properties(
        title=title, width=460, height=_bar_height(len(order))
    )
    return _configured(chart)


def cohort_distribution(
    cohort: pd.Series | Sequence[float],
    client: float,
    *,
    title: str,
    language: str = "en",
    domain: tuple[float, float] = (0.0, 100.0),
    step: float = 10.0,
) -> alt.LayerChart:
    """How the cohort's organisations spread on one index, with this organisation marked.

    The histogram is counted here (``step``-wide bins over ``domain``, the last one closed),
    so the chart carries one row per bin instead of one per organisation.

    Examples
    --------
    >>> chart = cohort_distribution([5, 12, 18, 95, 100], 50, title="Cohort", step=50)
    >>> chart.layer[0].data.to_dict("list")
    {'start': [0.0, 50.0], 'end': [50.0, 100.0], 'count': [3, 2]}
    """
    values = pd.Series(list(cohort), dtype=float).dropna()
    if values.empty:
        raise ValueError("cohort_distribution: the cohort has no values")
    edges = np.arange(domain[0], domain[1] + step / 2, step)
    counts, _ = np.histogram(values.clip(*domain), bins=edges)
    data = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})
    x = alt.X(
        "start:Q",
        title=caption("index", language),
        scale=alt.Scale(domain=list(domain)),
        axis=alt.Axis(values=list(edges)),
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color=OKABE_ITO["sky_blue"], opacity=0.85, binSpacing=1)
        .encode(
            x=x,
            x2="end:Q",
            y=alt.Y(
                "count:Q",
                title=caption("organisations", language),
                axis=alt.Axis(tickMinStep=1, format="d"),
                scale=alt.Scale(zero=True),
            ),
            y2=alt.datum(0),  # from zero up: with x and x2 given, a bar would lie flat
            tooltip=[
                alt.Tooltip("start:Q", title=caption("index", language), format=".0f"),
                alt.Tooltip("end:Q", title=" ", format=".0f"),
                alt.Tooltip("count:Q", title=caption("organisations", language)),
            ],
        )
    )
    marker = pd.DataFrame({"value": [float(client)], "text": [caption("client", language)]})
    rule = (
        alt.Chart(marker)
        .mark_rule(color=OKABE_ITO["vermillion"], strokeWidth=3)
        .encode(
            x="value:Q",
            tooltip=[
                alt.Tooltip("text:N", title=" "),
                alt.Tooltip("value:Q", format=".1f", title=caption("index", language)),
            ],
        )
    )
    text = (
        alt.Chart(marker)
        .mark_text(
            align="left",
            dx=5,
            dy=2,
            baseline="top",
            color=OKABE_ITO["vermillion"],
            fontWeight="bold",
        )
        .encode(x="value:Q", y=alt.value(0), text="text:N")
    )
    chart = alt.layer(bars, rule, text).properties(title=title, width=460, height=200)
    return _configured(chart)


# ---------------------------------------------------------------------------------------------
# Specifications and rendering outside a browser
# ---------------------------------------------------------------------------------------------
#: What Altair's default theme adds to every specification; the app draws without a theme.
_THEME_VIEW_DEFAULTS = {"continuousWidth": 300, "continuousHeight": 300}


def chart_spec(chart: Any) -> dict[str, Any]:
    """The Vega-Lite specification of a chart of this module, as the app draws it.

    Without schema validation (the charts of this module are validated by the tests, and
    validating costs more than building the chart) and without the default theme's view size,
    which Streamlit leaves out too; the data travel inline.
    """
    spec: dict[str, Any] = chart.to_dict(validate=False)
    view = spec.get("config", {}).get("view", {})
    for key, value in _THEME_VIEW_DEFAULTS.items():
        if view.get(key) == value:
            del view[key]
    return spec


def chart_title(spec: dict[str, Any]) -> str | None:
    """The title text of a specification (a text alternative for screen readers)."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    return text if isinstance(text, str) and text else None


def chart_svg(chart: Any) -> str:
    """The chart as an SVG document (vl-convert, no browser)."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(chart.to_dict()))


def chart_png(chart: Any, *, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes at ``scale`` times its pixel size (vl-convert, no browser)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(chart.to_dict(), scale=scale))

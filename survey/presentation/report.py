"""The firm report: the Results page's charts and texts as a standalone HTML page or a PDF.

Both renderers read a :class:`~survey.services.results.FirmResults` and draw the charts of
:func:`survey.presentation.results_charts.section_charts` through vl-convert (no browser). Every
text that comes from a user or an instrument file is escaped, never rendered as markup: HTML through
:func:`html.escape`, PDF paragraphs through :func:`xml.sax.saxutils.escape` (reportlab's paragraphs
read a small markup language). Charts enter the HTML as ``<img>`` data URIs, so no
script can run from them.

The PDF is composed with reportlab's platypus (flowing paragraphs, tables, images, page
templates), with the DejaVu Sans font when the system has it and reportlab's bundled Bitstream
Vera otherwise, so that umlauts and accents print.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd

from survey import __version__
from survey.i18n.report_text import text
from survey.presentation import charts
from survey.presentation.results_charts import overview_chart, section_charts
from survey.services.results import FirmResults, InstrumentResults

#: Page width available to charts in the PDF, in points (A4 minus margins).
_PDF_WIDTH = 170 * 72 / 25.4


def _fmt(value: object, digits: int = 0) -> str:
    """A number for a table cell; an empty cell for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:.{digits}f}"
    return str(value)


def _date(results: FirmResults) -> str:
    return results.generated_at.strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Content shared by both renderers: a list of blocks
# ---------------------------------------------------------------------------------------------
# A block is ("h1" | "h2" | "h3" | "p" | "warning" | "list", text or list of texts),
# ("table", (header, rows)) or ("chart", chart). Both renderers walk the same blocks, so the
# HTML and the PDF cannot drift apart.
Block = tuple[str, Any]


def _scale_table(section: InstrumentResults, language: str) -> tuple[list[str], list[list[str]]]:
    header = [
        text("report.scale", language),
        text("report.dimension", language),
        text("report.n", language),
        text("report.score", language),
        text("report.index", language),
        text("report.agreement", language),
    ]
    rows = [
        [
            str(row["name"]),
            str(row["dimension_name"] or ""),
            _fmt(row["n"]),
            _fmt(row["score"], 2),
            _fmt(row["index"]),
            _fmt(row["rwg_j"], 2),
        ]
        for _, row in section.scales.iterrows()
    ]
    return header, rows


def _section_blocks(section: InstrumentResults, results: FirmResults) -> list[Block]:
    language = results.language
    blocks: list[Block] = [("h2", section.title)]
    if section.stage is not None:
        blocks.append(
            ("h3", text("report.stage", language, stage=section.stage, name=section.stage_name))
        )
    blocks.append(("p", text("report.overall_index", language, index=_fmt(section.overall_index))))
    if section.narrative:
        blocks.append(("p", section.narrative))
    if section.low_agreement:
        blocks.append(
            (
                "warning",
                text("report.low_agreement", language, scales=", ".join(section.low_agreement)),
            )
        )
    drawn = section_charts(section, language)
    blocks.append(("chart", drawn["profile"]))
    blocks.append(("table", _scale_table(section, language)))
    if len(section.strengths):
        blocks.append(("h3", text("report.strengths", language)))
        blocks.append(
            ("list", [f"{r['name']} ({_fmt(r['index'])})" for _, r in section.strengths.iterrows()])
        )
    if len(section.gaps):
        blocks.append(("h3", text("report.gaps", language)))
        blocks.append(
            ("list", [f"{r['name']} ({_fmt(r['index'])})" for _, r in section.gaps.iterrows()])
        )
    blocks.append(("h3", text("report.recommendations", language)))
    if len(section.recommendations):
        blocks.append(("list", section.recommendations["text"].tolist()))
    else:
        blocks.append(("p", text("report.no_recommendations", language)))
    if len(section.cartwheel):
        blocks.append(("h3", text("report.cartwheel", language)))
        names = dict(zip(section.scales["scale"], section.scales["name"], strict=True))
        rows = [
            [
                names.get(r["scale"], r["scale"]),
                str(r["supported_by_name"]),
                _fmt(r["supporting_index"]),
            ]
            for _, r in section.cartwheel.iterrows()
        ]
        blocks.append(
            (
                "table",
                (
                    [
                        text("report.scale", language),
                        text("report.supported_by", language),
                        text("report.index", language),
                    ],
                    rows,
                ),
            )
        )
    if section.view_gap is not None and section.other_side is not None:
        blocks.append(("chart", drawn["view_gap"]))
        rows = [
            [str(r["name"]), _fmt(r["mean_self"]), _fmt(r["mean_other"]), _fmt(r["gap"])]
            for _, r in section.view_gap.iterrows()
        ]
        blocks.append(
            (
                "table",
                (
                    [
                        text("report.scale", language),
                        text("report.self", language),
                        text(f"report.{section.other_side}", language),
                        text("report.gap", language),
                    ],
                    rows,
                ),
            )
        )
    if section.change is not None and results.previous_campaign is not None:
        blocks.append(("h3", text("report.change", language, campaign=results.previous_campaign)))
        yes, no = text("report.yes", language), text("report.no", language)
        rows = [
            [
                str(r["name"]),
                _fmt(r["before"]),
                _fmt(r["after"]),
                _fmt(r["change"]),
                _fmt(r["rci"], 2),
                "" if pd.isna(r["reliable"]) else (yes if r["reliable"] else no),
            ]
            for _, r in section.change.iterrows()
        ]
        blocks.append(
            (
                "table",
                (
                    [
                        text("report.scale", language),
                        text("report.before", language),
                        text("report.after", language),
                        text("report.gap", language),
                        "RCI",
                        text("report.reliable", language),
                    ],
                    rows,
                ),
            )
        )
    if section.benchmark is not None:
        blocks.append(("chart", drawn["percentiles"]))
        if "cohort" in drawn:
            blocks.append(("chart", drawn["cohort"]))
    else:
        blocks.append(("p", text("report.no_benchmark", language, n=results.min_cohort)))
    return blocks


def report_blocks(results: FirmResults) -> list[Block]:
    """The report's content in order, for both renderers."""
    language = results.language
    blocks: list[Block] = [
        ("h1", text("report.title", language, organisation=results.organisation)),
        ("p", text("report.campaign", language, campaign=results.campaign)),
        ("p", text("report.generated", language, date=_date(results), version=__version__)),
        ("p", text("report.method", language)),
        ("h2", text("report.respondents", language)),
        (
            "table",
            (
                [
                    text("report.side", language),
                    text("report.role", language),
                    text("report.count", language),
                ],
                [
                    [str(r["side"]), str(r["role"]), _fmt(r["count"])]
                    for _, r in results.respondents.iterrows()
                ],
            ),
        ),
    ]
    if results.sections:
        blocks += [("h2", text("report.overview", language)), ("chart", overview_chart(results))]
    for section in results.sections:
        blocks += _section_blocks(section, results)
    versions = ", ".join(
        f"{s.instrument.key} ({s.instrument.sha256[:12]})" for s in results.sections
    )
    blocks.append(("p", text("report.instruments", language, versions=versions)))
    return blocks


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
_CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #0072B2; }
table { border-collapse: collapse; margin: 0.8rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
td.num, th.num { text-align: right; }
.warning { background: #FFF4E0; border-left: 4px solid #E69F00; padding: 0.5rem 0.8rem; }
img.chart { max-width: 100%; height: auto; display: block; margin: 1rem 0; }
"""


def _html_block(kind: str, value: Any) -> str:
    e = html.escape
    if kind in ("h1", "h2", "h3"):
        return f"<{kind}>{e(value)}</{kind}>"
    if kind == "p":
        return f"<p>{e(value)}</p>"
    if kind == "warning":
        return f'<p class="warning" role="note">{e(value)}</p>'
    if kind == "list":
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in value) + "</ul>"
    if kind == "table":
        header, rows = value
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if kind == "chart":
        svg = charts.chart_svg(value).encode("utf-8")
        data = base64.b64encode(svg).decode("ascii")
        title = value.to_dict().get("title", "")
        alt_text = title if isinstance(title, str) else ""
        return f'<img class="chart" alt="{e(alt_text)}" src="data:image/svg+xml;base64,{data}">'
    raise ValueError(f"unknown report block {kind!r}")


def render_html(results: FirmResults) -> str:
    """The firm report as one standalone HTML page (charts embedded as SVG images).

    Parameters
    ----------
    results : survey.services.results.FirmResults
        From :func:`survey.services.results.firm_results`.

    Returns
    -------
    str
        A complete HTML document; every text is escaped.
    """
    blocks = report_blocks(results)
    title = html.escape(text("report.title", results.language, organisation=results.organisation))
    body = "\n".join(_html_block(kind, value) for kind, value in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(results.language)}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------
def _font_files() -> tuple[Path, Path]:
    system = Path("/usr/share/fonts/truetype/dejavu")
    if (system / "DejaVuSans.ttf").exists() and (system / "DejaVuSans-Bold.ttf").exists():
        return system / "DejaVuSans.ttf", system / "DejaVuSans-Bold.ttf"
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    return bundled / "Vera.ttf", bundled / "VeraBd.ttf"


def _register_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _font_files()
    if "ReportSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("ReportSans", str(regular)))
        pdfmetrics.registerFont(TTFont("ReportSans-Bold", str(bold)))
    return "ReportSans", "ReportSans-Bold"


def _pdf_flowables(blocks: Iterable[Block]) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        Image,
        KeepTogether,
        ListFlowable,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _register_fonts()
    styles = {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=17, leading=21, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=14,
            leading=18,
            spaceBefore=14,
            spaceAfter=6,
            textColor=colors.HexColor("#0072B2"),
        ),
        "h3": ParagraphStyle(
            "h3", fontName=bold, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "p": ParagraphStyle("p", fontName=regular, fontSize=9.5, leading=13, spaceAfter=5),
        "warning": ParagraphStyle(
            "warning",
            fontName=regular,
            fontSize=9.5,
            leading=13,
            backColor=colors.HexColor("#FFF4E0"),
            borderPadding=5,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=10.5),
    }
    story: list[Any] = []
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3", "p", "warning"):
            story.append(Paragraph(xml_escape(str(value)), styles[kind]))
        elif kind == "list":
            items = [Paragraph(xml_escape(str(item)), styles["p"]) for item in value]
            story.append(
                ListFlowable(items, bulletType="bullet", bulletFontName=regular, leftIndent=12)
            )
        elif kind == "table":
            header, rows = value
            data = [[Paragraph(xml_escape(str(h)), styles["head"]) for h in header]]
            data += [[Paragraph(xml_escape(str(c)), styles["cell"]) for c in row] for row in rows]
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#0072B2")),
                        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 6))
        elif kind == "chart":
            png = charts.chart_png(value, scale=2.0)
            image = Image(io.BytesIO(png))
            ratio = image.imageHeight / image.imageWidth
            width = min(_PDF_WIDTH, image.imageWidth / 2)
            image.drawWidth, image.drawHeight = width, width * ratio
            story.append(KeepTogether([Spacer(1, 4), image, Spacer(1, 6)]))
        else:
            raise ValueError(f"unknown report block {kind!r}")
    return story


def render_pdf(results: FirmResults) -> bytes:
    """The firm report as a PDF (A4; the same blocks as :func:`render_html`).

    Parameters
    ----------
    results : survey.services.results.FirmResults
        From :func:`survey.services.results.firm_results`.

    Returns
    -------
    bytes
        The PDF document.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, _ = _register_fonts()
    title = text("report.title", results.language, organisation=results.organisation)
    footer = f"{results.organisation} · {results.campaign} · {_date(results)}"

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="cocreate",
        creator=f"cocreate {__version__}",
    )
    document.build(
        _pdf_flowables(report_blocks(results)), onFirstPage=decorate, onLaterPages=decorate
    )
    return buffer.getvalue()

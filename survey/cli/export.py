"""CLI commands ``cocreate export`` (research exports) and ``cocreate report`` (firm report).

:func:`register` adds them to the ``cocreate`` typer app. Both take ``--db URL`` (default:
``COCREATE_DATABASE_URL``, then the embedded SQLite file). User mistakes end with one message on
stderr and exit code 1 (bad data) or 2 (bad arguments), never a traceback.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from survey.cli.common import DB_HELP, user_errors
from survey.cli.common import fail as _fail
from survey.exports.formats import FORMATS

#: The --format choices, from the one list of formats.
ExportFormat = Enum("ExportFormat", {f.name: f.name for f in FORMATS}, type=str)  # type: ignore[misc]


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write YYYY-MM-DD", 2) from None


def _organisation_id(store: Any, name: str | None) -> int | None:
    if name is None:
        return None
    key: int | str = int(name) if name.isdigit() else name
    return int(store.organisation(key).id)


def _campaign_id(store: Any, name: str | None, organisation_id: int | None) -> int | None:
    if name is None:
        return None
    matches = [c for c in store.campaigns(organisation_id) if c.name == name or str(c.id) == name]
    if not matches:
        raise ValueError(f"no campaign {name!r}; `--campaign` takes a campaign name or id")
    if len(matches) > 1:
        raise ValueError(
            f"{len(matches)} campaigns are called {name!r}; add --organisation or give the "
            "campaign id"
        )
    return int(matches[0].id)


def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="Export format.", case_sensitive=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the files into.")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    language: Annotated[
        str, typer.Option("--language", help="Language of labels and item texts.")
    ] = "en",
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Only this campaign (name or id).")
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "--organization", help="Only this organisation."),
    ] = None,
    instrument: Annotated[
        str | None, typer.Option("--instrument", help="Only this instrument: ID or ID@VERSION.")
    ] = None,
    side: Annotated[
        str | None, typer.Option("--side", help="Only this side: self, customer or partner.")
    ] = None,
    submitted_from: Annotated[
        str | None, typer.Option("--submitted-from", help="Submitted on or after YYYY-MM-DD.")
    ] = None,
    submitted_to: Annotated[
        str | None, typer.Option("--submitted-to", help="Submitted on or before YYYY-MM-DD.")
    ] = None,
    include_personal: Annotated[
        bool,
        typer.Option(
            "--include-personal",
            help="Also write organisation and campaign names (personal data; off by default).",
        ),
    ] = False,
) -> None:
    """Export submitted responses with a codebook, pseudonymised (see docs/exports.md)."""
    from survey.exports.dataset import ExportFilters
    from survey.exports.export import export_dataset
    from survey.storage import open_store

    start, end = _date(submitted_from, "--submitted-from"), _date(submitted_to, "--submitted-to")
    with user_errors():
        store = open_store(db)
        organisation_id = _organisation_id(store, organisation)
        campaign_id = _campaign_id(store, campaign, organisation_id)
        table = store.responses(
            instrument=instrument,
            campaign_id=campaign_id,
            organisation_id=organisation_id,
            side=side,
            submitted_from=datetime.combine(start, time.min, UTC) if start else None,
            submitted_to=datetime.combine(end, time.max, UTC) if end else None,
        )
        if len(table) == 0:
            raise ValueError(
                "no submitted responses match the filters; check --organisation, --campaign, "
                "--instrument, --side and the dates"
            )
        filters = ExportFilters(
            campaign=campaign,
            organisation=organisation,
            instrument=instrument,
            side=side,
            submitted_from=start,
            submitted_to=end,
        )
        result = export_dataset(
            table,
            store.registry,
            str(fmt.value),
            out,
            language=language,
            filters=filters,
            include_personal=include_personal,
            progress=True,
        )
    counts = result.counts
    typer.echo(
        f"wrote {len(result.files)} files to {result.out_dir}: {counts['responses']} responses "
        f"of {counts['organisations']} organisations, codebook.md and codebook.json"
    )
    if include_personal:
        typer.echo("warning: the export holds organisation and campaign names", err=True)


def report(
    organisation: Annotated[
        str,
        typer.Option("--organization", "--organisation", help="Organisation name or id."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Campaign name or id (default: latest).")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="pdf or html.", case_sensitive=False)
    ] = ReportFormat.pdf,
    language: Annotated[str, typer.Option("--language", help="Language of the report.")] = "en",
) -> None:
    """Write an organisation's results report (the app's Results page) as PDF or HTML."""
    from survey.presentation.report import render_html, render_pdf
    from survey.services.results import firm_results
    from survey.storage import open_store

    with user_errors():
        store = open_store(db)
        key: int | str = int(organisation) if organisation.isdigit() else organisation
        results = firm_results(store, key, campaign, language)
        if not results.sections:
            raise ValueError(
                f"campaign {results.campaign!r} of {results.organisation!r} has no submitted "
                "responses from the organisation itself yet; nothing to report"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt is ReportFormat.pdf:
            out.write_bytes(render_pdf(results))
        else:
            out.write_text(render_html(results), encoding="utf-8")
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add ``export`` and ``report`` to the ``cocreate`` app."""
    app.command("export")(export)
    app.command("report")(report)

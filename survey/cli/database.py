"""CLI commands for the collection database: setup, db upgrade, demo, import, export.

:func:`register` adds them to the ``cocreate`` typer app. Every command takes ``--db URL``
(default: ``COCREATE_DATABASE_URL``, then the embedded SQLite file). User mistakes end with a
message on stderr and exit code 1 (bad data) or 2 (bad arguments), never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from survey import settings
from survey.cli.common import DB_HELP, DELIMITER_HELP, ENCODING_HELP, user_errors
from survey.cli.common import fail as _fail
from survey.services.invitations import invitation_link

T = TypeVar("T")


#: Demo accounts created by ``cocreate setup`` (documented in README.md; demo data only).
DEMO_ACCOUNTS = [
    ("admin", "admin@cocreate.example", "demo-admin-2026", "Demo admin"),
    ("consultant", "consultant@cocreate.example", "demo-consultant-2026", "Demo consultant"),
    ("firm_admin", "firm@cocreate.example", "demo-firm-2026", "Demo firm admin"),
    ("researcher", "researcher@cocreate.example", "demo-researcher-2026", "Demo researcher"),
]


def _open(db: str | None) -> Any:
    from survey.storage import open_store

    return open_store(db)


def _run(action: Callable[[], T]) -> T:
    with user_errors():
        return action()


def setup(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    organizations: int = typer.Option(
        40, help="Demo organisations to seed into an empty database."
    ),
    seed: int = typer.Option(7, help="Seed of the demo data."),
) -> None:
    """Create or migrate the database; when it is empty, seed demo data and demo accounts."""

    def action() -> None:
        store = _open(db)
        try:
            if store.organisations():
                typer.echo(f"Database ready ({len(store.organisations())} organisations).")
                _print_accounts(store)
                return
            accounts = _create_accounts(store)
            if not len(store.registry):
                typer.echo("No instruments found: demo data skipped.", err=True)
                return
            from survey.storage.demo import generate_demo

            summary = generate_demo(
                store, organizations, seed, consultant_id=accounts["consultant"], progress=True
            )
            ordered = sorted(store.organisations(), key=lambda o: o.id)
            first = ordered[0] if ordered else None
            if first is not None:
                user = store.create_user(
                    DEMO_ACCOUNTS[2][1],
                    DEMO_ACCOUNTS[2][2],
                    "firm_admin",
                    organisation_id=first.id,
                    name=DEMO_ACCOUNTS[2][3],
                )
                live = store.create_campaign(
                    first.id,
                    "Live demo",
                    instruments=[i.key for i in store.registry.latest()],
                    sides=("self", "customer"),
                )
                _, token = store.create_invitation(live.id, role="management")
                typer.echo(
                    f"Seeded {summary.organisations} organisations, {summary.submitted} "
                    f"submitted responses; {user.email} administers {first.name}."
                )
                link = invitation_link(settings.get("public_url"), token)
                typer.echo(f"Respondent link for a live demo invitation: {link}")
            _print_accounts(store)
        finally:
            store.close()

    _run(action)


def _create_accounts(store: Any) -> dict[str, int]:
    created = {}
    for role, email, password, name in DEMO_ACCOUNTS:
        if role == "firm_admin":
            continue  # needs its organisation, created after the demo data
        created[role] = store.create_user(email, password, role, name=name).id
    return created


def _print_accounts(store: Any) -> None:
    existing = {user.email for user in store.users()}
    shown = [a for a in DEMO_ACCOUNTS if a[1] in existing]
    if not shown:
        return
    typer.echo("Demo accounts (e-mail / password):")
    for role, email, password, _ in shown:
        typer.echo(f"  {role:<11} {email:<30} {password}")


def db_upgrade(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create the database or migrate it to the newest schema."""

    def action() -> None:
        store = _open(db)
        store.close()
        typer.echo(
            f"Database at {store.engine.url.render_as_string(hide_password=True)} is current."
        )

    _run(action)


def demo(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    organizations: int = typer.Option(40, "--organizations", "--organisations", min=1),
    seed: int = typer.Option(0, help="Seed: the same seed gives the same cohort."),
    instrument: list[str] = typer.Option(
        [], "--instrument", help="ID[@VERSION] to use (repeatable); default: all, newest."
    ),
) -> None:
    """Add a synthetic cohort (latent factor model) to the database."""

    def action() -> None:
        from survey.storage.demo import generate_demo

        store = _open(db)
        try:
            summary = generate_demo(
                store, organizations, seed, instruments=instrument or None, progress=True
            )
        finally:
            store.close()
        typer.echo(
            f"Added {summary.organisations} organisations, {summary.campaigns} campaigns, "
            f"{summary.invitations} invitations, {summary.responses} responses "
            f"({summary.submitted} submitted), {summary.answers} answers."
        )

    _run(action)


def import_file(
    file: Path = typer.Argument(
        ..., help="CSV, TSV, XLSX or Parquet export (one row per respondent)."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    instrument: str = typer.Option(..., "--instrument", help="ID[@VERSION] the file answers."),
    organization: str = typer.Option(
        ...,
        "--organization",
        "--organisation",
        help="Organisation id, or name (created when no organisation has it).",
    ),
    campaign: str | None = typer.Option(None, "--campaign", help="Default: 'import FILE'."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Mapping file (YAML)."),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    delimiter: str | None = typer.Option(None, "--delimiter", help=DELIMITER_HELP),
    allow_missing: bool = typer.Option(False, "--allow-missing", help="Accept empty items."),
    industry: str = typer.Option("unknown", help="For a new organisation."),
    size_band: str = typer.Option("unknown", help="For a new organisation."),
    region: str = typer.Option("unknown", help="For a new organisation."),
) -> None:
    """Import responses collected elsewhere into a campaign (all rows or none)."""

    def action() -> None:
        from survey.ingest.files import delimiter_option
        from survey.storage.imports import import_responses

        if not file.exists():
            raise _fail(f"no such file: {file}", 2)
        if mapping is not None and not mapping.exists():
            raise _fail(f"no such mapping file: {mapping}", 2)
        store = _open(db)
        try:
            summary = import_responses(
                store,
                file,
                instrument=instrument,
                organisation=int(organization) if organization.isdigit() else organization,
                campaign=campaign,
                mapping=mapping,
                encoding=encoding,
                delimiter=delimiter_option(delimiter),
                allow_missing=allow_missing,
                industry=industry,
                size_band=size_band,
                region=region,
            )
        finally:
            store.close()
        for note in summary.notes:
            typer.echo(f"note: {note}", err=True)
        created = " (new)" if summary.organisation_created else ""
        typer.echo(
            f"Imported {summary.responses} responses ({summary.answers} answers) into campaign "
            f"{summary.campaign!r} of {summary.organisation}{created}."
        )

    _run(action)


def erase(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    response: int | None = typer.Option(None, "--response", help="Response id."),
    invitation: int | None = typer.Option(None, "--invitation", help="Invitation (respondent) id."),
    organization: str | None = typer.Option(
        None, "--organization", "--organisation", help="Organisation name or id."
    ),
    by: str | None = typer.Option(None, "--by", help="Who asked (recorded)."),
    reason: str | None = typer.Option(None, "--reason", help="Why (recorded)."),
) -> None:
    """Erase one response, one respondent or a whole organisation (and record that it happened)."""

    def action() -> None:
        chosen = [x for x in (response, invitation, organization) if x is not None]
        if len(chosen) != 1:
            raise _fail("give exactly one of --response, --invitation, --organization", 2)
        store = _open(db)
        try:
            if response is not None:
                counts = store.erase_response(response, by=by, reason=reason)
            elif invitation is not None:
                counts = store.erase_invitation(invitation, by=by, reason=reason)
            else:
                name = str(organization)
                key: int | str = int(name) if name.isdigit() else name
                org = store.organisation(key)
                counts = store.erase_organisation(org.id, by=by, reason=reason)
        finally:
            store.close()
        deleted = ", ".join(f"{rows} {table}" for table, rows in counts.items() if rows)
        typer.echo(f"Erased: {deleted or 'nothing'}. The erasure is recorded.")

    _run(action)


def register(app: typer.Typer) -> None:
    """Add the storage commands to the ``cocreate`` app."""
    app.command("setup")(setup)
    app.command("demo")(demo)
    app.command("import")(import_file)
    app.command("erase")(erase)
    db_app = typer.Typer(help="The collection database.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    app.add_typer(db_app, name="db")

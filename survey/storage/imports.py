"""Bringing responses collected elsewhere (LimeSurvey, Qualtrics, Google Forms) into a campaign.

A CSV, TSV, XLSX or Parquet export has one row per respondent. It is read and checked by
:mod:`survey.ingest` (the reader and checks ``cocreate score`` uses too): columns map to item ids
by name (``IC-IND-1``), through a mapping file (:mod:`survey.ingest.mapping`: column renames,
answer recodes, the respondent id, role, side and language columns), or by themselves for a
response export of a form written by ``cocreate instruments export`` (a LimeSurvey survey
structure, an XLSForm for KoboToolbox or ODK; :mod:`survey.ingest.layouts`). Here the roles and
sides are checked against the database's vocabulary, and the campaign against the file (same
file or respondent imported before, instrument version, sides).

Every problem is reported with its line in the file (the header is line 1), the column and the
value; if there is any problem nothing is imported. Rows are written in one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select

from survey.ingest.checks import CheckedTable, Record, check_table
from survey.ingest.files import read_table
from survey.ingest.layouts import recognise_layout
from survey.ingest.mapping import ResponseMapping, read_mapping
from survey.ingest.problems import FileProblem, FileRefused, Kind
from survey.instrument.answers import NOT_APPLICABLE
from survey.instrument.model import Instrument
from survey.storage import fields
from survey.storage import models as m
from survey.storage.errors import AmbiguousName, FieldError, NotFound, StorageError
from survey.storage.fields import UNKNOWN_SIZE_BAND, clean
from survey.storage.organisations import organisation_row
from survey.storage.rows import (
    insert_answers,
    insert_campaign,
    insert_organisation,
    token_hash,
    utcnow,
)
from survey.storage.scores import write_scores
from survey.storage.store import Store

_ROLE_ALIASES = {
    "r&d": "rnd",
    "r & d": "rnd",
    "research and development": "rnd",
    "research & development": "rnd",
    "ops": "operations",
    "customer service": "service",
    "after-sales": "service",
    "executive": "management",
    "leadership": "management",
}


class ImportFailed(StorageError, FileRefused):
    """The file cannot be imported; ``problems`` says what to fix. Nothing was imported."""


@dataclass(frozen=True)
class ImportSummary:
    organisation: str
    organisation_created: bool
    campaign: str
    campaign_id: int
    campaign_created: bool
    import_id: int
    responses: int
    answers: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Record:
    line: int
    respondent_id: str
    role: str
    side: str
    language: str
    answers: dict[str, int | str]


def read_import(
    path: Path,
    instrument: Instrument,
    mapping: Path | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    allow_missing: bool = False,
) -> tuple[list[_Record], tuple[str, ...]]:
    """Read and check a file to import with :mod:`survey.ingest` (the reader and checks
    ``cocreate score`` uses too), then its roles and sides; raises :class:`ImportFailed` listing
    every problem. Returns the records and the notes for the user: the reader's on the encoding,
    and that the file was recognised as a response export of the instrument's form."""
    try:
        given = read_mapping(mapping) if mapping else None
        table = read_table(path, delimiter=delimiter, encoding=encoding)
    except FileRefused as exc:
        raise ImportFailed(exc.problems) from None
    notes: tuple[str, ...] = (table.encoding_note,) if table.encoding_note else ()
    # without a mapping file, a response export of the instrument's form maps itself
    layout = None if given else recognise_layout(table, instrument)
    plan = given or (layout.mapping if layout else ResponseMapping())
    if layout is not None:
        notes += (layout.note,)
    checked = check_table(
        table,
        instrument,
        plan,
        advice=layout.advice if layout else None,
        fields=("role", "side", "language"),
        default_id_column="respondent_id",
        allow_missing_columns=allow_missing,
        require_answers=not allow_missing,
    )
    problems = list(checked.problems)
    records = []
    languages = tuple(instrument.languages)
    for record in checked.records:
        roles = plan.roles | _ROLE_ALIASES
        role = _choice(record, "role", plan, m.RESPONDENT_ROLES, roles, problems, "other", checked)
        fallback = "customer" if role == "customer" else "self"
        side = _choice(record, "side", plan, m.SIDES, plan.sides, problems, fallback, checked)
        fallback = plan.defaults.get("language") or (languages[0] if languages else "en")
        language = _choice(record, "language", plan, languages, {}, problems, fallback, checked)
        respondent = record.respondent_id or f"line {record.line}"
        _respondent_id(record, respondent, problems, checked)
        records.append(_Record(record.line, respondent, role, side, language, record.answers))
    if problems:
        raise ImportFailed(problems)
    return records, notes


def _choice(
    record: Record,
    name: str,
    mapping: ResponseMapping,
    allowed: tuple[str, ...],
    aliases: dict[str, str],
    problems: list[FileProblem],
    fallback: str,
    checked: CheckedTable,
) -> str:
    default = mapping.defaults.get(name, fallback)
    text = record.fields[name].strip()
    if not text:
        text, column = default, f"{name} (default)"
    else:
        column = checked.columns.get(name, name)
    value = aliases.get(text.lower(), text.lower())
    if value not in allowed:
        fix = (
            f"map it under '{name}s:' in the mapping file"
            if name in ("role", "side")
            else f"use one of the instrument's language codes ({', '.join(allowed)})"
        )
        problems.append(
            FileProblem(
                f"{name} must be one of {', '.join(allowed)}",
                line=record.line,
                column=column,
                value=_shown(text),
                file=checked.name,
                fix=fix,
                kind=Kind.VALUE,
            )
        )
        return str(allowed[0]) if allowed else value
    return value


def _respondent_id(
    record: Record, respondent: str, problems: list[FileProblem], checked: CheckedTable
) -> None:
    """Add a problem unless the respondent id follows its field rule (length, characters)."""
    try:
        clean(fields.RESPONDENT_ID, respondent)
    except FieldError as exc:
        problems.append(
            FileProblem(
                f"the respondent id must be {exc.rule}",
                line=record.line,
                column=checked.id_column,
                value=_shown(respondent),
                file=checked.name,
                fix=exc.fix,
                kind=Kind.RESPONDENT_ID,
            )
        )


def _shown(text: str) -> str:
    """A cell as a problem repeats it: at most :data:`survey.storage.fields.EXCERPT`
    characters."""
    return text if len(text) <= fields.EXCERPT else text[: fields.EXCERPT] + "..."


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def import_responses(
    store: Store,
    path: Path,
    *,
    instrument: str,
    organisation: str | int,
    campaign: str | None = None,
    mapping: Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    allow_missing: bool = False,
    industry: str = "unknown",
    size_band: str = UNKNOWN_SIZE_BAND,
    region: str = "unknown",
) -> ImportSummary:
    """Import a file of submitted responses into a campaign, all or nothing.

    ``organisation`` is an id, or a name: the organisation of that name (refused when several
    share it: give the id), created (with ``industry``, ``size_band``, ``region``, and no
    consultant) when none has it. The organisation, campaign and file names and the new
    organisation's fields follow :mod:`survey.storage.fields` (a :class:`FieldError` names the
    one that does not); the file's roles, sides, languages (one of the instrument's) and
    respondent ids are checked per row. The campaign (default name ``import <file name>``) is
    created when the organisation has none of that name. The file is read by
    :func:`survey.ingest.files.read_table` (``encoding`` and ``delimiter`` recognised unless
    given) and checked by :func:`survey.ingest.checks.check_table`
    against the mapping file (``mapping``). Raises :class:`ImportFailed` listing every problem;
    then nothing is written.
    """
    if isinstance(organisation, str):
        organisation = clean(fields.ORGANISATION_NAME, organisation)
    industry = clean(fields.INDUSTRY, industry)
    size_band = clean(fields.SIZE_BAND, size_band)
    region = clean(fields.REGION, region)
    campaign_name = clean(fields.CAMPAIGN_NAME, campaign or f"import {path.name}")
    filename = clean(fields.FILE_NAME, path.name)
    try:
        pinned = store.instrument(instrument)
    except ValueError as exc:
        raise ImportFailed([FileProblem(str(exc), kind=Kind.DESTINATION)]) from exc
    records, notes = read_import(
        path,
        pinned,
        mapping,
        encoding=encoding,
        delimiter=delimiter,
        allow_missing=allow_missing,
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def action(conn: Connection) -> ImportSummary:
        now = utcnow()
        org, org_name = _organisation(conn, organisation)
        org_created = org is None
        campaign_id = None
        if org is not None:
            campaign_id = conn.execute(
                select(m.Campaign.id).where(
                    m.Campaign.organisation_id == org, m.Campaign.name == campaign_name
                )
            ).scalar()
        sides_needed = sorted({r.side for r in records}, key=m.SIDES.index)
        if campaign_id is not None:
            problems = _check_existing_campaign(
                conn, campaign_id, pinned, records, sides_needed, digest, filename
            )
            if problems:
                raise ImportFailed(problems)
        if org is None:
            org = insert_organisation(
                conn,
                name=org_name,
                industry=industry,
                size_band=size_band,
                region=region,
                created_at=now,
            )
        campaign_created = campaign_id is None
        if campaign_id is None:
            campaign_id = insert_campaign(
                conn,
                organisation_id=org,
                name=campaign_name,
                sides=sides_needed,
                instruments=[pinned],
                created_at=now,
            )
        import_id = conn.execute(
            insert(m.Import)
            .values(
                campaign_id=campaign_id,
                filename=filename,
                sha256=digest,
                rows=len(records),
                created_at=now,
            )
            .returning(m.Import.id)
        ).scalar_one()
        invitation_ids = [
            int(row[0])
            for row in conn.execute(
                insert(m.Invitation).returning(m.Invitation.id, sort_by_parameter_order=True),
                [
                    {
                        "campaign_id": campaign_id,
                        "token_hash": token_hash(secrets.token_urlsafe(32)),
                        "role": r.role,
                        "side": r.side,
                        "language": r.language,
                        "external_id": r.respondent_id,
                        "import_id": import_id,
                        "created_at": now,
                    }
                    for r in records
                ],
            )
        ]
        response_ids = [
            int(row[0])
            for row in conn.execute(
                insert(m.Response).returning(m.Response.id, sort_by_parameter_order=True),
                [
                    {
                        "invitation_id": iid,
                        "campaign_id": campaign_id,
                        "instrument_id": pinned.id,
                        "version": pinned.version,
                        "sha256": pinned.sha256,
                        "status": "submitted",
                        "started_at": now,
                        "last_saved_at": now,
                        "submitted_at": now,
                    }
                    for iid in invitation_ids
                ],
            )
        ]
        answer_rows = [
            (rid, item_id, None if value == NOT_APPLICABLE else value, value == NOT_APPLICABLE)
            for rid, record in zip(response_ids, records, strict=True)
            for item_id, value in record.answers.items()
        ]
        insert_answers(conn, answer_rows)  # type: ignore[arg-type]
        write_scores(conn, store.registry, response_ids)
        return ImportSummary(
            organisation=org_name,
            organisation_created=org_created,
            campaign=campaign_name,
            campaign_id=campaign_id,
            campaign_created=campaign_created,
            import_id=import_id,
            responses=len(response_ids),
            answers=len(answer_rows),
            notes=notes,
        )

    return store.write(action)


def _organisation(conn: Connection, key: str | int) -> tuple[int | None, str]:
    """The id and name of the organisation to import into; id ``None`` when a new one of that
    name is to be created. An int is an id (it must exist); a name is looked up across the
    database (the CLI acts for the system) and refused when several organisations share it."""
    if isinstance(key, int):
        row = organisation_row(conn, key)
        return int(row.id), str(row.name)
    try:
        row = organisation_row(conn, key)
    except NotFound:
        return None, key
    except AmbiguousName as exc:
        raise ImportFailed(
            [FileProblem(str(exc), fix="give --organization ID", kind=Kind.DESTINATION)]
        ) from None
    return int(row.id), str(row.name)


def _check_existing_campaign(
    conn: Connection,
    campaign_id: int,
    pinned: Instrument,
    records: list[_Record],
    sides_needed: list[str],
    digest: str,
    name: str,
) -> list[FileProblem]:
    problems = []
    before = conn.execute(
        select(m.Import.id, m.Import.created_at).where(
            m.Import.campaign_id == campaign_id, m.Import.sha256 == digest
        )
    ).first()
    if before is not None:
        problems.append(
            FileProblem(
                f"this file was imported into the campaign before (import {before.id} on "
                f"{before.created_at:%Y-%m-%d %H:%M} UTC)",
                file=name,
                kind=Kind.DESTINATION,
            )
        )
    pins = conn.execute(
        select(m.CampaignInstrument.instrument_id, m.CampaignInstrument.version).where(
            m.CampaignInstrument.campaign_id == campaign_id
        )
    ).all()
    if (pinned.id, pinned.version) not in [tuple(p) for p in pins]:
        used = ", ".join(f"{i}@{v}" for i, v in pins)
        problems.append(
            FileProblem(
                f"the campaign uses {used}, not {pinned.key}",
                file=name,
                fix="name another --campaign",
                kind=Kind.DESTINATION,
            )
        )
    sides = conn.execute(select(m.Campaign.sides).where(m.Campaign.id == campaign_id)).scalar_one()
    for side in sides_needed:
        if side not in sides.split(","):
            problems.append(
                FileProblem(
                    f"the campaign collects {sides} views, but the file has {side!r} respondents",
                    file=name,
                    kind=Kind.DESTINATION,
                )
            )
    existing = set(
        conn.execute(
            select(m.Invitation.external_id).where(
                m.Invitation.campaign_id == campaign_id, m.Invitation.external_id.is_not(None)
            )
        ).scalars()
    )
    for record in records:
        if record.respondent_id in existing and not record.respondent_id.startswith("line "):
            problems.append(
                FileProblem(
                    "this respondent id was imported into the campaign before",
                    line=record.line,
                    value=record.respondent_id,
                    file=name,
                    kind=Kind.DESTINATION,
                )
            )
    return problems

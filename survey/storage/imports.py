"""Bringing responses collected elsewhere (LimeSurvey, Qualtrics, Google Forms) into a campaign.

A CSV or XLSX export has one row per respondent. Columns map to item ids by name (``IC-IND-1``)
or through a mapping file (YAML)::

    respondent_id: ResponseId     # column holding respondent ids (default: "respondent_id")
    role: Department              # column of respondent roles (default: "role")
    side: Side                    # column of sides (default: "side")
    language: Lang                # column of languages (default: "language")
    defaults: {role: other, side: self, language: en}
    skip_rows: 2                  # rows after the header to skip (Qualtrics has two)
    ignore: [StartDate, EndDate]  # columns to leave out
    columns:                      # column -> item id
      Q1_1: IC-IND-1
    values:                       # text answers -> points (or na)
      Strongly disagree: 1
      Strongly agree: 5
      Not applicable: na
    roles:                        # text roles -> roles
      Research & Development: rnd

Every problem is reported with its line in the file (the header is line 1), the column and the
value; if there is any problem nothing is imported. Rows are written in one transaction.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, insert, select

from survey.instrument.answers import NOT_APPLICABLE, check_answer
from survey.instrument.model import Instrument
from survey.storage import models as m
from survey.storage.errors import StorageError
from survey.storage.rows import (
    insert_answers,
    insert_campaign,
    insert_organisation,
    token_hash,
    utcnow,
)
from survey.storage.scores import write_scores
from survey.storage.store import Store

_MAPPING_KEYS = {
    "respondent_id",
    "role",
    "side",
    "language",
    "defaults",
    "skip_rows",
    "ignore",
    "columns",
    "values",
    "roles",
    "sides",
}
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


@dataclass(frozen=True)
class ImportProblem:
    """One problem: where (line as in the file, column, value) and what is wrong."""

    problem: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        return (", ".join(where) + ": " if where else "") + self.problem


class ImportFailed(StorageError, ValueError):
    """The file cannot be imported; ``problems`` says what to fix. Nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ImportMapping:
    respondent_id: str | None = None
    role: str | None = None
    side: str | None = None
    language: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    skip_rows: int = 0
    ignore: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, int | str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    sides: dict[str, str] = field(default_factory=dict)


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


def read_mapping(path: Path) -> ImportMapping:
    """Read a mapping file; unknown keys and wrong types are :class:`ImportFailed`."""
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed([ImportProblem(f"cannot read the mapping file {name}: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ImportFailed([ImportProblem(f"mapping file {name} must be a YAML mapping")])
    problems = []
    for key in data:
        if key not in _MAPPING_KEYS:
            hint = difflib.get_close_matches(str(key), sorted(_MAPPING_KEYS), n=1)
            problems.append(
                ImportProblem(
                    f"unknown key {key!r} in mapping file {name}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else "")
                )
            )
    for key in ("defaults", "columns", "values", "roles", "sides"):
        if key in data and not isinstance(data[key], dict):
            problems.append(ImportProblem(f"{key} in mapping file {name} must be a mapping"))
    if "ignore" in data and not isinstance(data["ignore"], list):
        problems.append(ImportProblem(f"ignore in mapping file {name} must be a list"))
    if not isinstance(data.get("skip_rows", 0), int):
        problems.append(ImportProblem(f"skip_rows in mapping file {name} must be a number"))
    if problems:
        raise ImportFailed(problems)
    return ImportMapping(
        respondent_id=data.get("respondent_id"),
        role=data.get("role"),
        side=data.get("side"),
        language=data.get("language"),
        defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
        skip_rows=int(data.get("skip_rows", 0)),
        ignore=[str(c) for c in data.get("ignore") or []],
        columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
        values={str(k).strip().lower(): v for k, v in (data.get("values") or {}).items()},
        roles={str(k).strip().lower(): str(v) for k, v in (data.get("roles") or {}).items()},
        sides={str(k).strip().lower(): str(v) for k, v in (data.get("sides") or {}).items()},
    )


# --------------------------------------------------------------------------------------------
# Reading files into (line, cells) rows
# --------------------------------------------------------------------------------------------
def read_rows(path: Path, *, encoding: str | None = None) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a CSV or XLSX file with their line numbers (header = line 1)."""
    if not path.exists():
        raise ImportFailed([ImportProblem(f"no such file: {path}")])
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFailed([ImportProblem(f"{path.name} is empty: export the responses again")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if encoding is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            byte = raw[exc.start : exc.start + 1].hex().upper()
            raise ImportFailed(
                [
                    ImportProblem(
                        f"{path.name} is not UTF-8 (byte 0x{byte} cannot be read as UTF-8). "
                        "It was probably saved in another encoding: run the command again with "
                        "--encoding latin-1 (or --encoding cp1252 for files saved by Excel on "
                        "Windows)",
                        line=line,
                    )
                ]
            ) from exc
    else:
        try:
            text = raw.decode(encoding)
        except LookupError as exc:
            raise ImportFailed([ImportProblem(f"unknown encoding {encoding!r}")]) from exc
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ImportFailed(
                [
                    ImportProblem(
                        f"{path.name} cannot be read as {encoding}: try another --encoding",
                        line=line,
                    )
                ]
            ) from exc
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(f"not a readable CSV file: {exc}", line=start)]) from exc
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFailed(
            [ImportProblem(f"{path.name} is not a readable XLSX file: {exc}")]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else _cell_text(v) for v in values]
        if any(cells):
            rows.append((number, cells))
    workbook.close()
    return rows


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------------------------
# Checking rows against the instrument
# --------------------------------------------------------------------------------------------
@dataclass
class _Record:
    line: int
    respondent_id: str
    role: str
    side: str
    language: str
    answers: dict[str, int | str]


def check_rows(
    rows: list[tuple[int, list[str]]],
    instrument: Instrument,
    mapping: ImportMapping,
    *,
    allow_missing: bool = False,
) -> tuple[list[_Record], list[ImportProblem]]:
    """Turn file rows into records; every problem found is returned (none means importable)."""
    problems: list[ImportProblem] = []
    if not rows:
        return [], [ImportProblem("the file is empty: export the responses again")]
    header_line, header = rows[0]
    data = rows[1 + mapping.skip_rows :]
    if not data:
        return [], [ImportProblem("the file has a header but no responses", line=header_line)]
    item_ids = {item_id.upper(): item_id for item_id in instrument.item_ids}
    for column, item_id in mapping.columns.items():
        if item_id not in instrument.item_ids:
            problems.append(
                ImportProblem(
                    f"the mapping file maps this column to {item_id!r}, which is not an item of "
                    f"{instrument.key}",
                    column=column,
                )
            )
    special = {
        "respondent_id": mapping.respondent_id or "respondent_id",
        "role": mapping.role or "role",
        "side": mapping.side or "side",
        "language": mapping.language or "language",
    }
    special_lower = {v.lower(): k for k, v in special.items()}
    ignore = {c.lower() for c in mapping.ignore}
    columns: dict[int, str] = {}  # position -> item id
    positions: dict[str, int] = {}  # special name -> position
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if not name:
            if any(position < len(cells) and cells[position] for _, cells in data):
                problems.append(
                    ImportProblem(
                        f"column {position + 1} has values but no name in the header",
                        line=header_line,
                    )
                )
            continue
        if name in seen:
            problems.append(
                ImportProblem(
                    "this column name appears twice in the header", line=header_line, column=name
                )
            )
            continue
        seen[name] = position
        if name in mapping.columns:
            columns[position] = mapping.columns[name]
        elif name.lower() in special_lower:
            positions[special_lower[name.lower()]] = position
        elif name.upper() in item_ids:
            columns[position] = item_ids[name.upper()]
        elif name.lower() in ignore:
            continue
        else:
            hint = difflib.get_close_matches(name.upper(), list(item_ids), n=1)
            problems.append(
                ImportProblem(
                    f"unknown column: not an item of {instrument.key}"
                    + (f" (did you mean {item_ids[hint[0]]!r}?)" if hint else "")
                    + "; map it to an item under 'columns:' in a mapping file, or list it under "
                    "'ignore:'",
                    line=header_line,
                    column=name,
                )
            )
    for name in ("respondent_id", "role", "side", "language"):
        wanted = getattr(mapping, name)
        if wanted and name not in positions:
            problems.append(
                ImportProblem(
                    f"the mapping file names {wanted!r} as the {name} column, but the file has no "
                    "such column",
                    line=header_line,
                )
            )
    mapped_items = set(columns.values())
    if len(mapped_items) != len(columns):
        problems.append(ImportProblem("two columns map to the same item", line=header_line))
    if not allow_missing:
        absent = [i for i in instrument.items if i.required and i.id not in mapped_items]
        if absent:
            problems.append(
                ImportProblem(
                    f"required items have no column: {', '.join(i.id for i in absent)} "
                    "(use --allow-missing to import incomplete responses)",
                    line=header_line,
                )
            )
    if problems:
        return [], problems

    required = {item.id for item in instrument.items if item.required}
    records: list[_Record] = []
    first_line: dict[str, int] = {}
    for line, cells in data:

        def cell(position: int, cells: list[str] = cells) -> str:
            return cells[position] if position < len(cells) else ""

        if len(cells) > len(header) and any(cells[len(header) :]):
            problems.append(
                ImportProblem(
                    f"the row has {len(cells)} cells but the header only {len(header)}", line=line
                )
            )
        if "respondent_id" in positions:
            column_name = header[positions["respondent_id"]]
            respondent = cell(positions["respondent_id"])
            if not respondent:
                problems.append(ImportProblem("respondent id is empty", line, column_name, ""))
            elif respondent in first_line:
                problems.append(
                    ImportProblem(
                        f"duplicate respondent id (also on line {first_line[respondent]})",
                        line,
                        column_name,
                        respondent,
                    )
                )
            else:
                first_line[respondent] = line
        else:
            respondent = f"line {line}"
        role = _choice(
            cells,
            positions,
            header,
            "role",
            mapping,
            m.RESPONDENT_ROLES,
            mapping.roles | _ROLE_ALIASES,
            line,
            problems,
            "other",
        )
        side = _choice(
            cells,
            positions,
            header,
            "side",
            mapping,
            m.SIDES,
            mapping.sides,
            line,
            problems,
            "customer" if role == "customer" else "self",
        )
        language = (
            cell(positions["language"]) if "language" in positions else ""
        ) or mapping.defaults.get("language", "en")
        answers: dict[str, int | str] = {}
        for position, item_id in columns.items():
            text = cell(position)
            if not text:
                if item_id in required and not allow_missing:
                    problems.append(
                        ImportProblem(
                            "required item is empty (use --allow-missing to import incomplete "
                            "responses)",
                            line,
                            header[position],
                            "",
                        )
                    )
                continue
            raw: Any = mapping.values.get(text.lower(), text)
            value, problem = check_answer(instrument, item_id, raw)
            if problem:
                if mapping.values and text.lower() not in mapping.values and not _numeric(text):
                    problem += "; add this text under 'values:' in the mapping file"
                problems.append(ImportProblem(problem, line, header[position], text))
            elif value is not None:
                answers[item_id] = value
        records.append(_Record(line, respondent, role, side, language.lower(), answers))
    return records, problems


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _choice(
    cells: list[str],
    positions: dict[str, int],
    header: list[str],
    name: str,
    mapping: ImportMapping,
    allowed: tuple[str, ...],
    aliases: dict[str, str],
    line: int,
    problems: list[ImportProblem],
    fallback: str,
) -> str:
    default = mapping.defaults.get(name, fallback)
    if name not in positions:
        return default
    position = positions[name]
    text = cells[position].strip() if position < len(cells) else ""
    if not text:
        return default
    value = aliases.get(text.lower(), text.lower())
    if value not in allowed:
        problems.append(
            ImportProblem(
                f"{name} must be one of {', '.join(allowed)} (or be mapped under '{name}s:' in the "
                "mapping file)",
                line,
                header[position],
                text,
            )
        )
        return default
    return value


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def import_responses(
    store: Store,
    path: Path,
    *,
    instrument: str,
    organisation: str,
    campaign: str | None = None,
    mapping: Path | None = None,
    encoding: str | None = None,
    allow_missing: bool = False,
    industry: str = "unknown",
    size_band: str = "unknown",
    region: str = "unknown",
) -> ImportSummary:
    """Import a file of submitted responses into a campaign, all or nothing.

    The organisation is created (with ``industry``, ``size_band``, ``region``) when it does not
    exist, and the campaign (default name ``import <file name>``) when the organisation has none
    of that name. Raises :class:`ImportFailed` listing every problem; then nothing is written.
    """
    try:
        pinned = store.instrument(instrument)
    except ValueError as exc:
        raise ImportFailed([ImportProblem(str(exc))]) from exc
    plan = read_mapping(mapping) if mapping else ImportMapping()
    rows = read_rows(path, encoding=encoding)
    records, problems = check_rows(rows, pinned, plan, allow_missing=allow_missing)
    if problems:
        raise ImportFailed(problems)
    campaign_name = campaign or f"import {path.name}"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def action(conn: Connection) -> ImportSummary:
        now = utcnow()
        org = conn.execute(
            select(m.Organisation.id).where(m.Organisation.name == organisation)
        ).scalar()
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
                conn, campaign_id, pinned, records, sides_needed, digest
            )
            if problems:
                raise ImportFailed(problems)
        if org is None:
            org = insert_organisation(
                conn,
                name=organisation,
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
                filename=path.name,
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
            organisation=organisation,
            organisation_created=org_created,
            campaign=campaign_name,
            campaign_id=campaign_id,
            campaign_created=campaign_created,
            import_id=import_id,
            responses=len(response_ids),
            answers=len(answer_rows),
        )

    return store.write(action)


def _check_existing_campaign(
    conn: Connection,
    campaign_id: int,
    pinned: Instrument,
    records: list[_Record],
    sides_needed: list[str],
    digest: str,
) -> list[ImportProblem]:
    problems = []
    before = conn.execute(
        select(m.Import.id, m.Import.created_at).where(
            m.Import.campaign_id == campaign_id, m.Import.sha256 == digest
        )
    ).first()
    if before is not None:
        problems.append(
            ImportProblem(
                f"this file was imported into the campaign before (import {before.id} on "
                f"{before.created_at:%Y-%m-%d %H:%M} UTC)"
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
            ImportProblem(f"the campaign uses {used}, not {pinned.key}: name another --campaign")
        )
    sides = conn.execute(select(m.Campaign.sides).where(m.Campaign.id == campaign_id)).scalar_one()
    for side in sides_needed:
        if side not in sides.split(","):
            problems.append(
                ImportProblem(
                    f"the campaign collects {sides} views, but the file has {side!r} respondents"
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
                ImportProblem(
                    "this respondent id was imported into the campaign before",
                    record.line,
                    None,
                    record.respondent_id,
                )
            )
    return problems

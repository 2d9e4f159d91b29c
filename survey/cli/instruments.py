"""``cocreate validate``, ``cocreate instruments list|show|diff|publish|export`` and ``cocreate
schema``: the instrument files, read, compared and written out for survey platforms without a
database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from survey.cli.common import echo_json, fail
from survey.instrument.diff import diff_instruments
from survey.instrument.errors import InstrumentError
from survey.instrument.model import Instrument
from survey.instrument.registry import default_registry, publish, validate


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------
def validate_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Instrument files or folders (default: the instruments folder)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print issues as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings (e.g. unpublished versions) as errors.")
    ] = False,
) -> None:
    """Check instrument files; exit 0 when valid, 1 with located messages on stderr."""
    registry, issues = validate(paths or None)
    errors = [i for i in issues if i.severity == "error" or strict]
    if as_json:
        echo_json(
            {
                "valid": not errors,
                "instruments": [i.key for i in registry],
                "issues": [i.to_dict() for i in issues],
            }
        )
    else:
        for issue in issues:
            typer.echo(str(issue), err=True)
        if not errors:
            typer.echo(
                f"{len(registry)} instrument version(s) valid"
                + (f", {len(issues)} warning(s)" if issues else "")
            )
    if errors:
        if not as_json:
            typer.echo(f"{len(errors)} error(s)", err=True)
        raise typer.Exit(1)


# --------------------------------------------------------------------------------------------
# instruments list / show / diff / publish
# --------------------------------------------------------------------------------------------
def _summary(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.text(instrument.title),
        "languages": instrument.languages,
        "scales": [{"id": s.id, "items": [i.id for i in s.items]} for s in instrument.scales],
        "n_items": len(instrument.items),
        "sha256": instrument.sha256,
    }


def _registry() -> Any:
    try:
        return default_registry()
    except InstrumentError as exc:
        raise fail(f"the instruments are invalid; run 'cocreate validate'\n{exc}") from None


def _get(ref: str) -> Instrument:
    try:
        instrument: Instrument = _registry().get(ref)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return instrument


def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every instrument version: id, version, title, languages, scales, items, sha256."""
    rows = [_summary(instrument) for instrument in _registry()]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']}@{row['version']}  {row['title']}")
        typer.echo(
            f"  languages: {', '.join(row['languages'])}; {len(row['scales'])} scales, "
            f"{row['n_items']} items; sha256 {row['sha256'][:16]}"
        )
        for scale in row["scales"]:
            typer.echo(f"  - {scale['id']}: {' '.join(scale['items'])}")


def instrument_view(instrument: Instrument, language: str) -> dict[str, Any]:
    """The whole instrument in one language, as ``instruments show --json`` prints it."""
    t = instrument.text

    def labels(rs_id: str) -> dict[int, str]:
        rs = instrument.response_scale(rs_id)
        return {point: t(label, language) for point, label in rs.labels.items()}

    return {
        "id": instrument.id,
        "version": instrument.version,
        "language": language,
        "title": t(instrument.title, language),
        "description": t(instrument.description, language),
        "languages": instrument.languages,
        "sha256": instrument.sha256,
        "response_scales": [
            {
                "id": rs.id,
                "min": rs.min,
                "max": rs.max,
                "kind": rs.kind,
                "labels": labels(rs.id),
                "not_applicable": rs.not_applicable,
                "not_applicable_label": t(rs.not_applicable_label, language)
                if rs.not_applicable
                else None,
            }
            for rs in instrument.response_scales
        ],
        "scoring": instrument.scoring.model_dump(),
        "dimensions": [
            {"id": d.id, "name": t(d.name, language), "scales": d.scales}
            for d in instrument.dimensions
        ],
        "scales": [
            {
                "id": scale.id,
                "name": t(scale.name, language),
                "definition": t(scale.definition, language),
                "response_scale": scale.response_scale,
                "supported_by": scale.supported_by,
                "items": [
                    {
                        "id": item.id,
                        "text": t(item.text, language),
                        "reverse": item.reverse,
                        "required": item.required,
                        "response_scale": item.response_scale or scale.response_scale,
                    }
                    for item in scale.items
                ],
            }
            for scale in instrument.scales
        ],
        "stages": [
            {
                "stage": s.stage,
                "id": s.id,
                "name": t(s.name, language),
                "min_index": s.min_index,
                "narrative": t(s.narrative, language),
            }
            for s in instrument.stages
        ],
        "recommendations": [
            {"id": r.id, "scale": r.scale, "stages": r.stages, "text": t(r.text, language)}
            for r in instrument.recommendations
        ],
        "references": [r.model_dump() for r in instrument.references],
        "comparability": instrument.comparability.model_dump()
        if instrument.comparability
        else None,
        "changelog": [c.model_dump() for c in instrument.changelog],
    }


def show_command(
    ref: Annotated[str, typer.Argument(help="ID or ID@VERSION (default: newest version).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language code, e.g. de.")] = None,
) -> None:
    """The whole instrument: scales, items, response scales, stages, recommendations."""
    instrument = _get(ref)
    language = lang or instrument.languages[0]
    if language not in instrument.languages:
        raise fail(
            f"{instrument.key} has no language {language!r} "
            f"(languages: {', '.join(instrument.languages)})"
        )
    view = instrument_view(instrument, language)
    if as_json:
        echo_json(view)
        return
    typer.echo(f"{view['title']} ({instrument.key}, {language})")
    typer.echo(view["description"])
    typer.echo(f"sha256 {view['sha256']}")
    for scale in view["scales"]:
        typer.echo(f"\n[{scale['id']}] {scale['name']}: {scale['definition']}")
        for item in scale["items"]:
            typer.echo(f"  {item['id']:<12} {'(R) ' if item['reverse'] else ''}{item['text']}")
    typer.echo("\nStages:")
    for stage in view["stages"]:
        typer.echo(f"  {stage['stage']}. {stage['name']} (index >= {stage['min_index']:g})")


def diff_command(
    a: Annotated[str, typer.Argument(help="ID@VERSION, the earlier version.")],
    b: Annotated[str, typer.Argument(help="ID@VERSION, the later version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Added, removed, reworded, moved items and changed thresholds between two versions."""
    try:
        result = diff_instruments(_get(a), _get(b))
    except ValueError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json(result.to_dict())
        return
    typer.echo(f"{result.a} -> {result.b}")
    if result.empty:
        typer.echo("no differences in items, scales or thresholds")
    for change in result.added:
        typer.echo(f"+ added    {change.item} ({change.scale}): {change.after}")
    for change in result.removed:
        typer.echo(f"- removed  {change.item} ({change.scale}): {change.before}")
    for change in result.reworded:
        typer.echo(
            f"~ reworded {change.item} [{change.language}]: {change.before!r} -> {change.after!r}"
        )
    for change in result.moved:
        typer.echo(f"> moved    {change.item}: {change.before} -> {change.after}")
    for change in result.rekeyed:
        typer.echo(f"! rekeyed  {change.item}: reverse {change.before} -> {change.after}")
    for scale in result.scales_added:
        typer.echo(f"+ scale    {scale}")
    for scale in result.scales_removed:
        typer.echo(f"- scale    {scale}")
    for threshold in result.thresholds:
        typer.echo(f"# stage    {threshold.stage}: {threshold.before} -> {threshold.after}")
    if result.comparable:
        typer.echo(f"comparable items (pooled across versions): {len(result.comparable)}")


def publish_command(
    ref: Annotated[str, typer.Argument(help="ID@VERSION to publish.")],
) -> None:
    """Record a version's SHA-256 in instruments.lock; from then on it may not change."""
    try:
        instrument, new = publish(ref)
    except InstrumentError as exc:
        raise fail(f"cannot publish {ref}:\n{exc}") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    state = "published" if new else "already published"
    typer.echo(f"{instrument.key} {state}, sha256 {instrument.sha256}")


# --------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------
def export_command(
    ref: Annotated[str, typer.Argument(help="ID or ID@VERSION (default: newest version).")],
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Form format: xlsform (KoboToolbox, ODK) or limesurvey (a .txt structure)."
        ),
    ] = "xlsform",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: ID-VERSION.<ext>).")
    ] = None,
) -> None:
    """Write an instrument version as a form for another survey platform (all its languages);
    its response export then reads back into ``cocreate score`` and ``cocreate import`` without
    a mapping file."""
    from survey.fielding.targets import TARGETS

    target = TARGETS.get(to.lower())
    if target is None:
        raise fail(f"unknown form format {to!r}; choose one of: {', '.join(TARGETS)}", 2)
    instrument = _get(ref)
    path = out or Path(f"{instrument.id}-{instrument.version}{target.suffix}")
    if path.suffix.lower() != target.suffix:
        raise fail(f"--out {path}: --to {to} writes a {target.suffix} file", 2)
    if path.is_dir():
        raise fail(f"--out {path} is a folder; give a file name ending in {target.suffix}", 2)
    if not path.parent.is_dir():
        raise fail(f"--out {path}: no folder {path.parent}; create it first", 2)
    try:
        written = target.write(instrument, path)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise fail(f"cannot write {path}: {exc}") from None
    for note in written.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"wrote {path}{written.summary}")


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------
def schema_command(
    out: Annotated[Path | None, typer.Option("--out", help="Write to a file.")] = None,
) -> None:
    """The JSON Schema of the instrument format, for editors (e.g. yaml-language-server)."""
    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cocreate instrument"
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add the instrument commands to the ``cocreate`` app."""
    instruments_app = typer.Typer(
        help="Browse, compare and publish instrument versions.", no_args_is_help=True
    )
    app.command("validate")(validate_command)
    instruments_app.command("list")(list_command)
    instruments_app.command("show")(show_command)
    instruments_app.command("diff")(diff_command)
    instruments_app.command("publish")(publish_command)
    instruments_app.command("export")(export_command)
    app.command("schema")(schema_command)
    app.add_typer(instruments_app, name="instruments")
